import { and, eq, inArray } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { variantTitles } from '../catalog/catalog.repository.ts';
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

/** Orders with their lines as messages show them: titles, states in words, units ahead in line. */
export async function loadOrderFacts(
  executor: Executor,
  storeId: string,
  orderIds: readonly string[],
): Promise<Map<string, OrderFacts>> {
  const out = new Map<string, OrderFacts>();
  if (orderIds.length === 0) return out;
  const ids = [...new Set(orderIds)];
  const orderRows = await executor
    .select()
    .from(orders)
    .where(and(eq(orders.storeId, storeId), inArray(orders.id, ids)));
  const lines = await loadLines(executor, storeId, ids, { positions: false });
  const titles = await variantTitles(
    executor,
    storeId,
    lines.map((l) => l.sku),
  );
  const ahead = await loadUnitsAhead(
    executor,
    storeId,
    lines.filter((l) => l.backordered > 0).map((l) => l.id),
  );
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
        .map((l) => lineContext(l, titles.get(l.sku) ?? l.sku, ahead.get(l.id) ?? null)),
    });
  }
  return out;
}

function lineContext(line: LineRecord, title: string, ahead: number | null): LineContext {
  const status = lineStatus(line);
  let words = STATUS_WORDS[status];
  if (status === 'backordered' && line.allocated > 0)
    words = `${line.allocated} ready, ${line.backordered} waiting for stock`;
  return {
    id: line.id,
    sku: line.sku,
    title,
    quantity: line.quantity,
    allocated: line.allocated,
    backordered: line.backordered,
    shipped: line.shipped,
    cancelled: line.cancelled,
    eta: line.backordered > 0 || line.allocated > 0 ? line.eta : null,
    unitsAhead: ahead,
    status: words,
  };
}

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
    store: { name: store.name, currency: store.currency, timezone: store.timezone },
    customer,
  };
  if (order) {
    const waiting = order.lines.filter((l) => l.backordered > 0);
    const etas = waiting.map((l) => l.eta).filter((e): e is string => e !== null);
    base.order = {
      id: order.id,
      externalId: order.externalId ?? order.id,
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
