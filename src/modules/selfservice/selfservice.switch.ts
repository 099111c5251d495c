/**
 * Switching a waiting line to an alternative that ships sooner: which alternatives qualify, and
 * the switch itself (place the new order first, then cancel the old units, once).
 */
import { and, eq, sql } from 'drizzle-orm';
import { type Executor, inTransaction, queryRows } from '../../db/client.ts';
import { appendEvents } from '../../db/outbox.ts';
import type { Deps, StoreScope } from '../../shared/context.ts';
import { notFound } from '../../shared/errors.ts';
import { orderNumber } from '../../shared/ids.ts';
import { readPaymentLines } from '../payments/payments.repository.ts';
import { ScheduleCache } from '../promises/promises.usecases.ts';
import { chosenMethodOf } from '../shipping/shipping.usecases.ts';
import { available } from '../stock/stock.levels.models.ts';
import { levelKey, readLevels } from '../stock/stock.levels.repository.ts';
import { unshipped } from '../stock/stock.lines.models.ts';
import { findOrder } from '../stock/stock.lines.repository.ts';
import { orders } from '../stock/stock.orders.tables.ts';
import { getOrder, lockOrderForChange } from '../stock/stock.orders.ts';
import type { OrderPlacement } from '../stock/stock.placement.ts';
import { decidePlacement } from '../stock/stock.queue.models.ts';
import { cancelOrder } from '../stock/stock.release.ts';
import type { OrderView } from '../stock/stock.views.ts';
import { type AlternativeCandidate, type RankedAlternative, rankAlternatives } from './selfservice.models.ts';
import { lineOf, type ShopperLine, type ShopperOrder, shopperOrder } from './selfservice.orders.ts';

/** Most variants looked at as alternatives (same product first, then shared tags). */
const MAX_CANDIDATES = 100;

/** The alternatives to a waiting line that ship sooner, best first (see `rankAlternatives`). */
export async function alternativesFor(
  db: Executor,
  store: StoreScope,
  line: ShopperLine,
  now: Date,
): Promise<RankedAlternative[]> {
  if (line.backordered === 0) return [];
  const rows = await queryRows<{ sku: string; title: string; price: number; same_product: boolean }>(
    db,
    sql`SELECT v.sku, v.title, v.price, (v.product_id IS NOT NULL AND v.product_id = o.product_id) AS same_product
          FROM variants v
          JOIN variants o ON o.store_id = v.store_id AND o.sku = ${line.sku}
         WHERE v.store_id = ${store.id} AND v.sku <> o.sku
           AND (v.product_id = o.product_id OR v.tags && o.tags)
         ORDER BY same_product DESC, v.sku
         LIMIT ${MAX_CANDIDATES}`,
  );
  const levels = await readLevels(
    db,
    rows.map((r) => ({ storeId: store.id, sku: r.sku })),
    { lock: false },
  );
  // The date each would be promised is the one placement would give an order of the waiting units.
  const schedules = new ScheduleCache(now);
  const candidates: AlternativeCandidate[] = [];
  for (const row of rows) {
    const level = levels.get(levelKey(store.id, row.sku));
    if (!level) continue;
    const decision = decidePlacement(new Map([[row.sku, level]]), [
      { sku: row.sku, quantity: line.backordered },
    ]);
    const eta = decision.accepted
      ? schedules.promiseFor(store, row.sku, level, decision.lines[0]!.waitingThrough).eta
      : null;
    candidates.push({
      sku: row.sku,
      title: row.title,
      price: row.price,
      relation: row.same_product ? 'same_product' : 'same_tag',
      available: available(level),
      eta,
    });
  }
  return rankAlternatives(
    { waiting: line.backordered, unitPrice: line.unitPrice, eta: line.eta },
    candidates,
  );
}

/** What a switch did; `switched` is also the answer to a repeated submission. */
export type SwitchOutcome =
  | { kind: 'switched'; newOrder: ShopperOrder; newSku: string; quantity: number }
  | { kind: 'not_waiting'; line: ShopperLine }
  | { kind: 'not_offered'; line: ShopperLine }
  | { kind: 'refused'; line: ShopperLine; code: string };

interface SwitchRecord {
  newOrderId: string;
  newSku: string;
  quantity: number;
}

/**
 * Moves a waiting line to an alternative: first the new order is placed (through the same
 * placement service as the API, so limits and the queue apply), then the old line's units are
 * cancelled. A refused placement therefore changes nothing. The new order's externalId is derived
 * from the line, so a second submission (or a retry after a crash between the two steps) finds
 * the order already placed and only completes the cancellation, once.
 */
export async function switchLine(
  deps: Deps,
  placement: OrderPlacement,
  store: StoreScope,
  orderId: string,
  lineId: string,
  sku: string,
): Promise<SwitchOutcome> {
  const order = await findOrder(deps.db, store.id, orderId);
  if (!order) throw notFound('Order', orderId);
  const done = await findSwitch(deps.db, store.id, orderId, lineId);
  if (done) return switched(deps.db, store, done, deps.clock.now());
  const current = await shopperOrder(deps.db, store, orderId, deps.clock.now());
  const line = lineOf(current, lineId);
  // Deterministic, so a second submission finds the order the first placed; readable, because the
  // shopper is told it as the new order's number.
  const externalId = `${orderNumber(order)}-switch-${current.lines.indexOf(line) + 1}`;
  let placed = await findOrderByExternalId(deps.db, store.id, externalId);
  if (!placed) {
    if (line.backordered === 0) return { kind: 'not_waiting', line };
    const offered = await alternativesFor(deps.db, store, line, deps.clock.now());
    if (!offered.some((a) => a.sku === sku)) return { kind: 'not_offered', line };
    const [payment] = await readPaymentLines(deps.db, store.id, { lineIds: [lineId] });
    // The new order ships as the shopper chose for the line (if the store still offers it).
    const shippingMethod = await chosenMethodOf(deps.db, store.id, lineId);
    const result = await placement.place({
      store,
      input: {
        externalId,
        customer: order.customer,
        lines: [{ sku, quantity: line.backordered }],
        ...(payment && Object.keys(payment.method).length > 0 ? { payment: payment.method } : {}),
        ...(shippingMethod !== null ? { shippingMethod } : {}),
      },
      idempotency: null,
    });
    if (result.outcome.ok) placed = result.outcome.body as OrderView;
    else if (result.outcome.error.code === 'duplicate_external_id') {
      // A submission racing this one placed it first.
      placed = await findOrderByExternalId(deps.db, store.id, externalId);
    }
    if (!placed)
      return { kind: 'refused', line, code: result.outcome.ok ? 'unknown' : result.outcome.error.code };
  }
  const newLine = placed.lines[0]!;
  const record = { newOrderId: placed.id, newSku: newLine.sku, quantity: newLine.quantity };
  await inTransaction(deps.db, async (tx) => {
    const { lines } = await lockOrderForChange(tx, store, orderId);
    if (await findSwitch(tx, store.id, orderId, lineId)) return;
    const line = lines.find((l) => l.id === lineId);
    if (!line) throw notFound('Line', lineId);
    const quantity = Math.min(record.quantity, unshipped(line));
    if (quantity > 0) {
      // The new order is placed already: this records the switch, it does not ask for it.
      await cancelOrder(
        tx,
        deps,
        store,
        orderId,
        { lines: [{ lineId, quantity }], reason: `switched to ${record.newSku}` },
        { refusable: false },
      );
    }
    await appendEvents(tx, deps, [
      {
        storeId: store.id,
        type: 'order.line.switched',
        data: { orderId, lineId, sku: line.sku, ...record },
      },
    ]);
  });
  return switched(deps.db, store, record, deps.clock.now());
}

async function switched(
  db: Executor,
  store: StoreScope,
  record: SwitchRecord,
  now: Date,
): Promise<SwitchOutcome> {
  return {
    kind: 'switched',
    newOrder: await shopperOrder(db, store, record.newOrderId, now),
    newSku: record.newSku,
    quantity: record.quantity,
  };
}

async function findSwitch(
  db: Executor,
  storeId: string,
  orderId: string,
  lineId: string,
): Promise<SwitchRecord | undefined> {
  const [row] = await queryRows<{ data: SwitchRecord }>(
    db,
    sql`SELECT data FROM events
         WHERE store_id = ${storeId} AND type = 'order.line.switched'
           AND data->>'orderId' = ${orderId} AND data->>'lineId' = ${lineId}
         LIMIT 1`,
  );
  return row?.data;
}

async function findOrderByExternalId(
  db: Executor,
  storeId: string,
  externalId: string,
): Promise<OrderView | undefined> {
  const [row] = await db
    .select({ id: orders.id })
    .from(orders)
    .where(and(eq(orders.storeId, storeId), eq(orders.externalId, externalId)));
  return row ? getOrder(db, storeId, row.id) : undefined;
}
