/**
 * What a message template sees (`MessageContext`), and what each message kind's templates may read
 * of it, described as data so the template checker can refuse `{{ customer.nmae }}` before a shopper
 * ever sees an empty gap. Messages build the context; templates own its contract. Pure: no I/O.
 */

/** Kinds with templates: every message kind but webhooks, which send JSON, not text. */
export const TEMPLATE_KINDS = [
  'order_confirmation',
  'status_update',
  'delay_notice',
  'ready_to_ship',
  'shipped',
  'cancelled',
  'refunded',
  'payment_needed',
  'stock_alert',
  'merchant_digest',
] as const;
export type TemplateKind = (typeof TEMPLATE_KINDS)[number];
export type TemplateChannel = 'email' | 'sms';

/**
 * Messages about an order the shopper must get whatever they chose (quiet hours don't hold them,
 * and they carry no unsubscribe link): every kind, webhooks included, but these.
 */
const NON_TRANSACTIONAL: ReadonlySet<TemplateKind | 'webhook'> = new Set(['status_update', 'stock_alert']);
export const isTransactional = (kind: TemplateKind | 'webhook'): boolean => !NON_TRANSACTIONAL.has(kind);

/** A variant as shoppers see it: where its product page is and a picture ('' when the merchant gave none). */
export interface VariantContext {
  sku: string;
  title: string;
  url: string;
  imageUrl: string;
}

/**
 * What a message template sees. Every kind gets `store`, `customer`, `links`; the rest depends on
 * the kind (see `CONTEXT_FIELDS` below). Money is preformatted text ("$12.50") so templates
 * need no filters to show it; dates are ISO dates (YYYY-MM-DD) in the store's time zone.
 */
export interface LineContext {
  id: string;
  sku: string;
  title: string;
  variant: VariantContext;
  quantity: number;
  allocated: number;
  backordered: number;
  shipped: number;
  cancelled: number;
  /** Promised ship date of the units left to ship, or null. */
  eta: string | null;
  /** Latest likely ship date (the supplier's measured lateness), or null. */
  etaLatest: string | null;
  /** Units ahead of this line in its SKU's queue (null when nothing waits). */
  unitsAhead: number | null;
  /** waiting | ready | shipped | cancelled | partly shipped … in words a shopper reads. */
  status: string;
  /** The shipping method's name ('' when the store has none for it). */
  shippingMethod: string;
  /** When the units should arrive by that method (working days), or null. */
  deliveryEta: string | null;
  deliveryEtaLatest: string | null;
}

export interface MessageContext {
  store: {
    name: string;
    currency: string;
    timezone: string;
    /**
     * A cancellation is refunded without the shopper asking: Backfill manages the store's money,
     * or the merchant says its refunds are automatic. Only then may a message promise a refund.
     */
    refundsAutomatic: boolean;
  };
  customer: { name: string; email: string; phone: string };
  order?: {
    /** The internal id (`ord_…`): for links to the store's own tools, never for shoppers' eyes. */
    id: string;
    /** What the shopper knows the order by: the store's own id, or a short order number. */
    number: string;
    /** The store's own id for the order; when it has none, the short order number. */
    externalId: string;
    createdAt: string;
    status: string;
    lines: LineContext[];
    /** The lines with units waiting for stock. */
    backorderedLines: LineContext[];
    hasBackorders: boolean;
    /** The latest promise date among waiting lines, or null. */
    latestEta: string | null;
  };
  /** The line a delay notice or an eta change is about. */
  line?: LineContext;
  delay?: { previousEta: string | null; eta: string | null; daysLater: number };
  shipment?: {
    id: string;
    carrier: string;
    trackingNumber: string;
    lines: { sku: string; title: string; quantity: number }[];
  };
  payment?: { amount: string; reason: string; payBy: string; message: string };
  refund?: { amount: string; reason: string };
  cancellation?: { reason: string };
  incentive?: {
    kind: string;
    code: string;
    percent: number | null;
    description: string;
    /** free_express: the method the line now ships with, and its new delivery window. */
    shippingMethod: string;
    deliveryEta: string | null;
    deliveryEtaLatest: string | null;
  };
  alert?: { sku: string; title: string };
  /** The variant a stock alert is about. */
  variant?: VariantContext;
  digest?: {
    date: string;
    newBackorders: number;
    newBackorderUnits: number;
    limitsReached: { sku: string; limit: number }[];
    latePurchaseOrders: { id: string; supplier: string; expectedDate: string }[];
    failedMessages: { id: string; kind: string; channel: string; recipient: string; error: string }[];
  };
  links: {
    status: string;
    cancel: string;
    keep: string;
    switch: string;
    preferences: string;
    /** Empty for transactional messages, which cannot be unsubscribed from. */
    unsubscribe: string;
  };
}

/** The merchant's digest goes to the merchant's mailbox only. */
export const channelsOf = (kind: TemplateKind): readonly TemplateChannel[] =>
  kind === 'merchant_digest' ? ['email'] : ['email', 'sms'];

export const hasTemplate = (kind: string, channel: string): kind is TemplateKind =>
  (TEMPLATE_KINDS as readonly string[]).includes(kind) &&
  (channelsOf(kind as TemplateKind) as readonly string[]).includes(channel);

/** The type of a value a template may read: a scalar, a list of one shape, or named fields. */
export type Shape = 'string' | 'number' | 'boolean' | readonly [Shape] | { readonly [field: string]: Shape };

/** The shape of a TypeScript type, so the compiler keeps `CONTEXT_SHAPE` in step with the contract. */
type ShapeOf<T> = DefinedShapeOf<NonNullable<T>>;
type DefinedShapeOf<T> = T extends string
  ? 'string'
  : T extends number
    ? 'number'
    : T extends boolean
      ? 'boolean'
      : T extends readonly (infer Item)[]
        ? readonly [ShapeOf<Item>]
        : { readonly [K in keyof T]-?: ShapeOf<T[K]> };

export const isList = (shape: Shape): shape is readonly [Shape] => Array.isArray(shape);

const VARIANT: ShapeOf<VariantContext> = {
  sku: 'string',
  title: 'string',
  url: 'string',
  imageUrl: 'string',
};

const LINE: ShapeOf<LineContext> = {
  id: 'string',
  sku: 'string',
  title: 'string',
  variant: VARIANT,
  quantity: 'number',
  allocated: 'number',
  backordered: 'number',
  shipped: 'number',
  cancelled: 'number',
  eta: 'string',
  etaLatest: 'string',
  unitsAhead: 'number',
  status: 'string',
  shippingMethod: 'string',
  deliveryEta: 'string',
  deliveryEtaLatest: 'string',
};

export const CONTEXT_SHAPE: ShapeOf<MessageContext> = {
  store: { name: 'string', currency: 'string', timezone: 'string', refundsAutomatic: 'boolean' },
  customer: { name: 'string', email: 'string', phone: 'string' },
  order: {
    id: 'string',
    number: 'string',
    externalId: 'string',
    createdAt: 'string',
    status: 'string',
    lines: [LINE],
    backorderedLines: [LINE],
    hasBackorders: 'boolean',
    latestEta: 'string',
  },
  line: LINE,
  delay: { previousEta: 'string', eta: 'string', daysLater: 'number' },
  shipment: {
    id: 'string',
    carrier: 'string',
    trackingNumber: 'string',
    lines: [{ sku: 'string', title: 'string', quantity: 'number' }],
  },
  payment: { amount: 'string', reason: 'string', payBy: 'string', message: 'string' },
  refund: { amount: 'string', reason: 'string' },
  cancellation: { reason: 'string' },
  incentive: {
    kind: 'string',
    code: 'string',
    percent: 'number',
    description: 'string',
    shippingMethod: 'string',
    deliveryEta: 'string',
    deliveryEtaLatest: 'string',
  },
  alert: { sku: 'string', title: 'string' },
  variant: VARIANT,
  digest: {
    date: 'string',
    newBackorders: 'number',
    newBackorderUnits: 'number',
    limitsReached: [{ sku: 'string', limit: 'number' }],
    latePurchaseOrders: [{ id: 'string', supplier: 'string', expectedDate: 'string' }],
    failedMessages: [
      { id: 'string', kind: 'string', channel: 'string', recipient: 'string', error: 'string' },
    ],
  },
  links: {
    status: 'string',
    cancel: 'string',
    keep: 'string',
    switch: 'string',
    preferences: 'string',
    unsubscribe: 'string',
  },
};

/** Every kind sees these. */
const COMMON_FIELDS = ['store', 'customer', 'links'] as const;
type KindField = Exclude<keyof MessageContext, (typeof COMMON_FIELDS)[number]>;

/**
 * The context fields each kind may use besides store, customer and links; the delivery code fills
 * exactly these. Fields marked optional may be absent: guard them with `{% if incentive %}`.
 * - order_confirmation, status_update: the order (waiting lines carry `eta` and `unitsAhead`).
 * - delay_notice: the order, the delayed `line`, `delay`, and `incentive` (optional).
 * - ready_to_ship: the order and the `line` the queue has just served.
 * - shipped: the order and the `shipment`.
 * - cancelled: the order, `cancellation`, and `refund` (optional: only when money goes back).
 * - refunded, payment_needed: the order, the `refund` or `payment`, and the `line` it concerns
 *   (optional).
 * - stock_alert: the `alert` and its `variant` (no order: `variant.url` is where it can be ordered).
 * - merchant_digest: the `digest`.
 */
export const CONTEXT_FIELDS = {
  order_confirmation: ['order'],
  status_update: ['order'],
  delay_notice: ['order', 'line', 'delay', 'incentive'],
  ready_to_ship: ['order', 'line'],
  shipped: ['order', 'shipment'],
  cancelled: ['order', 'cancellation', 'refund'],
  refunded: ['order', 'refund', 'line'],
  payment_needed: ['order', 'payment', 'line'],
  stock_alert: ['alert', 'variant'],
  merchant_digest: ['digest'],
} as const satisfies Record<TemplateKind, readonly KindField[]>;

export const fieldsOf = (kind: TemplateKind): readonly (keyof MessageContext)[] => [
  ...COMMON_FIELDS,
  ...CONTEXT_FIELDS[kind],
];

/** The part of the context shape a kind may read: its root fields. */
export function shapeOf(kind: TemplateKind): { readonly [field: string]: Shape } {
  return Object.fromEntries(fieldsOf(kind).map((field) => [field, CONTEXT_SHAPE[field] as Shape]));
}

/** Every path a kind's templates may use, e.g. `order.lines[].eta` (`[]`: each item of a list). */
export function variablesOf(kind: TemplateKind): string[] {
  const paths: string[] = [];
  const walk = (shape: Shape, path: string): void => {
    if (isList(shape)) {
      paths.push(path);
      walk(shape[0], `${path}[]`);
    } else if (typeof shape === 'object') {
      for (const [field, inner] of Object.entries(shape)) walk(inner, path ? `${path}.${field}` : field);
    } else {
      paths.push(path);
    }
  };
  walk(shapeOf(kind), '');
  return paths;
}
