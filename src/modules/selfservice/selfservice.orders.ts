/**
 * An order as its shopper sees it: each line's item, state, place in line, dates, delivery window,
 * the reason in words (see `lineReason`) and the history of its date.
 */
import { sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../../db/client.ts';
import { EVENT_ORDER_ID } from '../../db/outbox.tables.ts';
import type { StoreScope } from '../../shared/context.ts';
import { dayIn, storeToday } from '../../shared/dates.ts';
import { notFound } from '../../shared/errors.ts';
import { orderNumber } from '../../shared/ids.ts';
import { shopperVariants } from '../catalog/catalog.repository.ts';
import { awaitedSupply } from '../promises/promises.models.ts';
import { inputsOf } from '../promises/promises.usecases.ts';
import { deliveriesOf } from '../shipping/shipping.usecases.ts';
import { levelKey, readLevels } from '../stock/stock.levels.repository.ts';
import { loadUnitsAhead } from '../stock/stock.lines.repository.ts';
import { getOrder } from '../stock/stock.orders.ts';
import type { OrderView } from '../stock/stock.views.ts';
import {
  type Awaited,
  type DateChange,
  dateHistory,
  type HistoryEntry,
  type LineReason,
  lineReason,
} from './selfservice.models.ts';

/** A line as the shopper sees it: its item, its state, its place, dates, delivery and why. */
export interface ShopperLine {
  id: string;
  sku: string;
  title: string;
  /** Product page and picture ('' when the merchant gave none). */
  url: string;
  imageUrl: string;
  quantity: number;
  unitPrice: number;
  allocated: number;
  backordered: number;
  shipped: number;
  cancelled: number;
  /** Waiting units of the same SKU ahead of this line's (null when nothing of it waits). */
  unitsAhead: number | null;
  /** Waiting orders (lines) of the same SKU ahead of this one (null when nothing of it waits). */
  ordersAhead: number | null;
  eta: string | null;
  etaLatest: string | null;
  /** What its waiting units wait for (see `lineReason`). */
  awaited: Awaited;
  reason: LineReason;
  /** The shipping method's name (null: none), and when the units should arrive by it. */
  shippingMethod: string | null;
  deliveryEta: string | null;
  deliveryEtaLatest: string | null;
  /** The method's name before a delay incentive upgraded it. */
  upgradedFrom: string | null;
  history: HistoryEntry[];
}

export interface ShopperOrder {
  id: string;
  /** What the shopper knows it by (external id or short number). */
  number: string;
  externalId: string | null;
  createdAt: string;
  /** The store's calendar date it was placed on. */
  placedDay: string;
  customer: OrderView['customer'];
  currency: string;
  lines: ShopperLine[];
}

export async function shopperOrder(
  db: Executor,
  store: StoreScope,
  orderId: string,
  now: Date,
): Promise<ShopperOrder> {
  return toShopperOrder(db, store, await getOrder(db, store.id, orderId), now);
}

/** Most date changes shown per order (a line re-dated daily for months stops at this). */
const MAX_CHANGES = 200;

async function dateChanges(
  db: Executor,
  store: StoreScope,
  orderId: string,
): Promise<Map<string, DateChange[]>> {
  const rows = await queryRows<{
    line_id: string;
    previous_eta: string | null;
    eta: string;
    created_at: Date | string;
  }>(
    db,
    sql`SELECT data->>'lineId' AS line_id, data->>'previousEta' AS previous_eta, data->>'eta' AS eta, created_at
          FROM events
         WHERE store_id = ${store.id} AND type = 'backorder.eta_changed' AND ${sql.raw(EVENT_ORDER_ID)} = ${orderId}
         ORDER BY seq
         LIMIT ${MAX_CHANGES}`,
  );
  const changes = new Map<string, DateChange[]>();
  for (const row of rows) {
    const list = changes.get(row.line_id) ?? [];
    list.push({
      day: dayIn(store.timezone, new Date(row.created_at)),
      previousEta: row.previous_eta,
      eta: row.eta,
    });
    changes.set(row.line_id, list);
  }
  return changes;
}

/** What each waiting line's units wait for, from its SKU's supply (see `awaitedSupply`). */
async function awaitedByLine(
  db: Executor,
  store: StoreScope,
  order: OrderView,
  ahead: ReadonlyMap<string, number>,
  today: string,
): Promise<Map<string, Awaited>> {
  const waiting = order.lines.filter((l) => l.backorderedQuantity > 0);
  const levels = await readLevels(
    db,
    waiting.map((l) => ({ storeId: store.id, sku: l.sku })),
    { lock: false },
  );
  const out = new Map<string, Awaited>();
  for (const line of waiting) {
    const level = levels.get(levelKey(store.id, line.sku));
    const inputs = level ? inputsOf(level) : null;
    if (!inputs || line.eta === null) {
      out.set(line.id, { kind: 'unknown' });
    } else if (
      inputs.releaseDate !== null &&
      line.eta === inputs.releaseDate &&
      line.etaSource === 'merchant_date'
    ) {
      out.set(line.id, { kind: 'release', date: inputs.releaseDate });
    } else {
      const supply = awaitedSupply(inputs, today, (ahead.get(line.id) ?? 0) + line.backorderedQuantity);
      out.set(line.id, { kind: supply.kind, date: supply.arrival });
    }
  }
  return out;
}

export async function toShopperOrder(
  db: Executor,
  store: StoreScope,
  order: OrderView,
  now: Date,
): Promise<ShopperOrder> {
  const today = storeToday(store, now);
  const variants = await shopperVariants(
    db,
    store.id,
    order.lines.map((l) => l.sku),
  );
  // Units ahead, not lines ahead: what stock must arrive before this line's turn.
  const ahead = await loadUnitsAhead(
    db,
    store.id,
    order.lines.filter((l) => l.backorderedQuantity > 0).map((l) => l.id),
  );
  const open = (l: OrderView['lines'][number]) => l.allocatedQuantity + l.backorderedQuantity > 0;
  const deliveries = await deliveriesOf(
    db,
    store,
    order.lines.map((l) => ({
      id: l.id,
      eta: open(l) ? l.eta : null,
      etaLatest: open(l) ? l.etaLatest : null,
    })),
    now,
  );
  const awaited = await awaitedByLine(db, store, order, ahead, today);
  const changes = await dateChanges(db, store, order.id);
  const placedDay = dayIn(store.timezone, new Date(order.createdAt));
  return {
    id: order.id,
    number: orderNumber(order),
    externalId: order.externalId,
    createdAt: order.createdAt,
    placedDay,
    customer: order.customer,
    currency: order.currency,
    lines: order.lines.map((line) => {
      const variant = variants.get(line.sku)!;
      const delivery = deliveries.get(line.id);
      const waiting = line.backorderedQuantity > 0;
      const fields = {
        quantity: line.quantity,
        allocated: line.allocatedQuantity,
        backordered: line.backorderedQuantity,
        shipped: line.shippedQuantity,
        cancelled: line.cancelledQuantity,
        ordersAhead: waiting && line.queuePosition !== null ? line.queuePosition - 1 : null,
        eta: open(line) ? line.eta : null,
        awaited: awaited.get(line.id) ?? ({ kind: 'unknown' } as const),
      };
      const upgradedFrom = delivery?.upgradedFrom ?? null;
      return {
        id: line.id,
        sku: line.sku,
        title: variant.title,
        url: variant.url,
        imageUrl: variant.imageUrl,
        unitPrice: line.unitPrice,
        ...fields,
        unitsAhead: waiting ? (ahead.get(line.id) ?? 0) : null,
        etaLatest: open(line) ? line.etaLatest : null,
        reason: lineReason(fields, today),
        shippingMethod: delivery?.method?.name ?? null,
        deliveryEta: delivery?.deliveryEta ?? null,
        deliveryEtaLatest: delivery?.deliveryEtaLatest ?? null,
        upgradedFrom,
        history: dateHistory(placedDay, line.eta, changes.get(line.id) ?? []),
      };
    }),
  };
}

export function lineOf(order: ShopperOrder, lineId: string): ShopperLine {
  const line = order.lines.find((l) => l.id === lineId);
  if (!line) throw notFound('Line', lineId);
  return line;
}
