import { and, eq, inArray } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import type { StoreScope } from '../../shared/context.ts';
import { orderNumber } from '../../shared/ids.ts';
import { type ShopperVariant, shopperVariants } from '../catalog/catalog.repository.ts';
import { deliveriesOf, type LineDelivery } from '../shipping/shipping.usecases.ts';
import { lineStatus } from '../stock/stock.lines.models.ts';
import { loadLines, loadUnitsAhead } from '../stock/stock.lines.repository.ts';
import { orders } from '../stock/stock.orders.tables.ts';
import type { LineRecord } from '../stock/stock.views.ts';
import type { LineContext, MessageContext } from '../templates/templates.context.ts';
import { type LinkAction, linkExpiry, selfServiceUrl } from './messages.links.ts';

/** What every message of a store shares, and how its links are signed. */
export interface StoreContext {
  id: string;
  name: string;
  currency: string;
  timezone: string;
  /** Cancellations are refunded without asking (see MessageContext `store.refundsAutomatic`). */
  refundsAutomatic: boolean;
  /** Origin self-service links point at. */
  publicUrl: string;
  linkSecret: string;
  linkLifetimeDays: number;
}

export interface OrderFacts {
  id: string;
  storeId: string;
  externalId: string | null;
  status: string;
  createdAt: Date;
  currency: string;
  customer: { name?: string; email?: string; phone?: string };
  lines: LineContext[];
}

const STATUS_WORDS: Record<ReturnType<typeof lineStatus>, string> = {
  backordered: 'waiting for stock',
  allocated: 'ready to ship',
  shipped: 'shipped',
  cancelled: 'cancelled',
};

/**
 * Orders with their lines as messages show them: items with their product links, states in
 * words, units ahead in line, ship dates and delivery windows.
 */
export async function loadOrderFacts(
  executor: Executor,
  store: StoreScope,
  orderIds: readonly string[],
  now: Date,
): Promise<Map<string, OrderFacts>> {
  const out = new Map<string, OrderFacts>();
  if (orderIds.length === 0) return out;
  const storeId = store.id;
  const ids = [...new Set(orderIds)];
  const orderRows = await executor
    .select()
    .from(orders)
    .where(and(eq(orders.storeId, storeId), inArray(orders.id, ids)));
  const lines = await loadLines(executor, storeId, ids, { positions: false });
  const variants = await shopperVariants(
    executor,
    storeId,
    lines.map((l) => l.sku),
  );
  const ahead = await loadUnitsAhead(
    executor,
    storeId,
    lines.filter((l) => l.backordered > 0).map((l) => l.id),
  );
  const deliveries = await deliveriesOf(executor, store, lines.map(openDates), now);
  for (const order of orderRows) {
    out.set(order.id, {
      id: order.id,
      storeId,
      externalId: order.externalId,
      status: order.status,
      createdAt: order.createdAt,
      currency: order.currency,
      customer: order.customer,
      lines: lines
        .filter((l) => l.orderId === order.id)
        .map((l) => lineContext(l, variants.get(l.sku)!, ahead.get(l.id) ?? null, deliveries.get(l.id))),
    });
  }
  return out;
}

/** A line's ship dates while units are left to ship (none after). */
const openDates = (line: LineRecord) => {
  const open = line.backordered > 0 || line.allocated > 0;
  return { id: line.id, eta: open ? line.eta : null, etaLatest: open ? line.etaLatest : null };
};

function lineContext(
  line: LineRecord,
  variant: ShopperVariant,
  ahead: number | null,
  delivery: LineDelivery | undefined,
): LineContext {
  const status = lineStatus(line);
  let words = STATUS_WORDS[status];
  if (status === 'backordered' && line.allocated > 0)
    words = `${line.allocated} ready, ${line.backordered} waiting for stock`;
  return {
    id: line.id,
    sku: line.sku,
    title: variant.title,
    variant,
    quantity: line.quantity,
    allocated: line.allocated,
    backordered: line.backordered,
    shipped: line.shipped,
    cancelled: line.cancelled,
    eta: openDates(line).eta,
    etaLatest: openDates(line).etaLatest,
    unitsAhead: ahead,
    status: words,
    ...deliveryContext(delivery),
  };
}

/** The shipping part of a line's context (no method: '' and no window). */
export const deliveryContext = (
  delivery: LineDelivery | null | undefined,
): Pick<LineContext, 'shippingMethod' | 'deliveryEta' | 'deliveryEtaLatest'> => ({
  shippingMethod: delivery?.method?.name ?? '',
  deliveryEta: delivery?.deliveryEta ?? null,
  deliveryEtaLatest: delivery?.deliveryEtaLatest ?? null,
});

/** Minor units → "$12.50" in the order's currency. */
export function formatMoney(amount: number, currency: string): string {
  const format = new Intl.NumberFormat('en', { style: 'currency', currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(amount / 10 ** digits);
}

const link = (store: StoreContext, action: LinkAction, subject: string, expiresAt: number, lineId?: string) =>
  selfServiceUrl(
    store.publicUrl,
    { storeId: store.id, action, subject, expiresAt, ...(lineId ? { lineId } : {}) },
    store.linkSecret,
  );

/** The self-service links a message carries; `unsubscribe` only in messages one may leave. */
export function linksFor(
  store: StoreContext,
  now: Date,
  options: { orderId?: string; lineId?: string; contact: string; transactional: boolean },
): MessageContext['links'] {
  const expiresAt = linkExpiry(store, now);
  const order = options.orderId;
  return {
    status: order ? link(store, 'status', order, expiresAt) : '',
    cancel: order ? link(store, 'cancel', order, expiresAt, options.lineId) : '',
    keep: order && options.lineId ? link(store, 'keep', order, expiresAt, options.lineId) : '',
    switch: order && options.lineId ? link(store, 'switch', order, expiresAt, options.lineId) : '',
    preferences: order ? link(store, 'preferences', order, expiresAt) : '',
    unsubscribe: options.transactional ? '' : link(store, 'unsubscribe', options.contact, expiresAt),
  };
}

/** The parts of a message context that come from the store and the order. */
export function baseContext(
  store: StoreContext,
  order: OrderFacts | undefined,
): Omit<MessageContext, 'links'> {
  const customer = {
    name: order?.customer.name ?? '',
    email: order?.customer.email ?? '',
    phone: order?.customer.phone ?? '',
  };
  const base: Omit<MessageContext, 'links'> = {
    store: {
      name: store.name,
      currency: store.currency,
      timezone: store.timezone,
      refundsAutomatic: store.refundsAutomatic,
    },
    customer,
  };
  if (order) {
    const waiting = order.lines.filter((l) => l.backordered > 0);
    const etas = waiting.map((l) => l.eta).filter((e): e is string => e !== null);
    const number = orderNumber(order);
    base.order = {
      id: order.id,
      number,
      externalId: number,
      createdAt: order.createdAt.toISOString(),
      status: order.status,
      lines: order.lines,
      backorderedLines: waiting,
      hasBackorders: waiting.length > 0,
      latestEta: etas.length > 0 ? etas.sort().at(-1)! : null,
    };
  }
  return base;
}
