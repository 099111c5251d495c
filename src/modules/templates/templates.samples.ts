import {
  fieldsOf,
  isTransactional,
  type LineContext,
  type MessageContext,
  type TemplateKind,
} from './templates.context.ts';

/**
 * Fixed, realistic data for previews and for the trial render that checks a template: Ada
 * Lovelace's 3-line order, one line of which waits for stock. Every list holds at least one item,
 * so a loop body is rendered (and checked) too.
 */

const PRODUCTS = 'https://shop.example.com/products';

const line = (fields: Partial<LineContext> & Pick<LineContext, 'id' | 'sku' | 'title'>): LineContext => ({
  variant: {
    sku: fields.sku,
    title: fields.title,
    url: `${PRODUCTS}/${fields.sku.toLowerCase()}`,
    imageUrl: `${PRODUCTS}/${fields.sku.toLowerCase()}.jpg`,
  },
  quantity: 1,
  allocated: 1,
  backordered: 0,
  shipped: 0,
  cancelled: 0,
  eta: null,
  etaLatest: null,
  unitsAhead: null,
  status: 'ready to ship',
  shippingMethod: 'Standard',
  deliveryEta: null,
  deliveryEtaLatest: null,
  ...fields,
});

const gears = line({
  id: 'lin_sample1',
  sku: 'GEAR-BRASS-12',
  title: 'Brass gear, 12 teeth',
  quantity: 2,
  allocated: 2,
});
const cards = line({ id: 'lin_sample2', sku: 'CARDS-500', title: 'Punched cards, pack of 500' });
const waiting = line({
  id: 'lin_sample3',
  sku: 'ENGINE-KIT',
  title: 'Difference engine kit',
  allocated: 0,
  backordered: 1,
  eta: '2026-04-28',
  etaLatest: '2026-04-30',
  unitsAhead: 3,
  status: 'waiting for stock',
  deliveryEta: '2026-04-30',
  deliveryEtaLatest: '2026-05-05',
});
/** The waiting line once the queue has served it (ready_to_ship), or once cancelled (cancelled). */
const served: LineContext = {
  ...waiting,
  allocated: 1,
  backordered: 0,
  unitsAhead: null,
  status: 'ready to ship',
};
const cancelled: LineContext = {
  ...waiting,
  backordered: 0,
  cancelled: 1,
  eta: null,
  etaLatest: null,
  unitsAhead: null,
  status: 'cancelled',
  deliveryEta: null,
  deliveryEtaLatest: null,
};
const LAST_LINE: Partial<Record<TemplateKind, LineContext>> = { ready_to_ship: served, cancelled };

const LINK_BASE = 'https://orders.example.com/v1/links';

function fullSample(kind: TemplateKind): MessageContext {
  const last = LAST_LINE[kind] ?? waiting;
  const lines = [gears, cards, last];
  const backorderedLines = lines.filter((l) => l.backordered > 0);
  return {
    store: {
      name: 'Analytical Engine Works',
      currency: 'GBP',
      timezone: 'Europe/London',
      refundsAutomatic: true,
    },
    customer: { name: 'Ada Lovelace', email: 'ada@example.com', phone: '+447700900123' },
    order: {
      id: 'ord_sample1',
      number: '#1842',
      externalId: '#1842',
      createdAt: '2026-03-02T14:05:00.000Z',
      status: backorderedLines.length > 0 ? 'partly waiting for stock' : 'ready to ship',
      lines,
      backorderedLines,
      hasBackorders: backorderedLines.length > 0,
      latestEta: backorderedLines.length > 0 ? waiting.eta : null,
    },
    line: last,
    delay: { previousEta: '2026-04-14', eta: '2026-04-28', daysLater: 14 },
    shipment: {
      id: 'shp_sample1',
      carrier: 'Royal Mail',
      trackingNumber: 'RM123456785GB',
      lines: [gears, cards].map(({ sku, title, quantity }) => ({ sku, title, quantity })),
    },
    payment: {
      amount: '£48.00',
      reason: 'balance due',
      payBy: '2026-04-30',
      message: 'Your card was declined. Please update your payment method to keep your place.',
    },
    refund: { amount: '£120.00', reason: 'cancelled at your request' },
    cancellation: { reason: 'cancelled at your request' },
    incentive: {
      kind: 'percent_off',
      code: 'THANKS-10-7Q2X',
      percent: 10,
      description: '10% off',
      shippingMethod: '',
      deliveryEta: null,
      deliveryEtaLatest: null,
    },
    alert: { sku: 'ENGINE-KIT', title: 'Difference engine kit' },
    variant: waiting.variant,
    digest: {
      date: '2026-03-02',
      newBackorders: 7,
      newBackorderUnits: 11,
      limitsReached: [{ sku: 'ENGINE-KIT', limit: 50 }],
      latePurchaseOrders: [{ id: 'po_sample1', supplier: 'Babbage & Sons', expectedDate: '2026-02-27' }],
      failedMessages: [
        {
          id: 'msg_sample1',
          kind: 'shipped',
          channel: 'sms',
          recipient: '+447700900456',
          error: 'The number is not a mobile number',
        },
      ],
    },
    links: {
      status: kind === 'stock_alert' ? '' : `${LINK_BASE}/status?s=sample`,
      cancel: `${LINK_BASE}/cancel?s=sample`,
      keep: `${LINK_BASE}/keep?s=sample&line=lin_sample3`,
      switch: `${LINK_BASE}/switch?s=sample&line=lin_sample3`,
      preferences: `${LINK_BASE}/preferences?s=sample`,
      unsubscribe: isTransactional(kind) ? '' : `${LINK_BASE}/unsubscribe?s=sample`,
    },
  };
}

/** A realistic context for `kind` with exactly the fields that kind may use (see `CONTEXT_FIELDS`). */
export function sampleContext(kind: TemplateKind): MessageContext {
  const full = fullSample(kind);
  const picked = Object.fromEntries(fieldsOf(kind).map((field) => [field, full[field]]));
  return structuredClone(picked) as unknown as MessageContext;
}
