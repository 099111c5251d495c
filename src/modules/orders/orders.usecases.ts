import { sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../../db/client.ts';
import { groupBy } from '../../shared/collections.ts';
import type { Deps, StoreScope } from '../../shared/context.ts';
import { decodeCursor, decodeKeyCursor, type Page, toPage } from '../../shared/cursor.ts';
import { invalid, notFound } from '../../shared/errors.ts';
import { serveQueues } from '../allocation/allocation.queue.ts';
import { appendEvents } from '../events/events.usecases.ts';
import { levelKey, lockLevels, type SkuLevel, saveLevels } from '../inventory/inventory.repository.ts';
import { afterQuantitiesChanged } from '../payments/payments.usecases.ts';
import type { EtaSource } from '../promises/promises.models.ts';
import { stockPromise } from '../promises/promises.models.ts';
import { setStockPromises } from '../promises/promises.repository.ts';
import { inputsOf, refreshPromises, storeToday } from '../promises/promises.usecases.ts';
import { alreadyShipped, repeatedLine, unknownLine } from './orders.errors.ts';
import { splitCancellation, unshipped } from './orders.models.ts';
import {
  findOrder,
  listOrderRows,
  loadLines,
  lockOrder,
  refreshOrderStatuses,
  saveLineQuantities,
} from './orders.repository.ts';
import type { Customer } from './orders.tables.ts';
import { type LineRecord, type OrderView, toOrderView } from './orders.views.ts';

export async function getOrder(db: Executor, storeId: string, orderId: string): Promise<OrderView> {
  const order = await findOrder(db, storeId, orderId);
  if (!order) throw notFound('Order', orderId);
  return toOrderView(order, await loadLines(db, storeId, [orderId]));
}

export async function listOrders(
  db: Executor,
  storeId: string,
  query: { status?: string; email?: string; limit: number; cursor?: string },
): Promise<Page<OrderView>> {
  const rows = await listOrderRows(db, storeId, { ...query, before: decodeCursor(query.cursor) });
  const lines = await loadLines(
    db,
    storeId,
    rows.slice(0, query.limit).map((r) => r.id),
  );
  const byOrder = groupBy(lines, (line) => line.orderId);
  return toPage(
    rows,
    query.limit,
    (r) => r.seq,
    (r) => toOrderView(r, byOrder.get(r.id) ?? []),
  );
}

export interface LineQuantityInput {
  lineId: string;
  quantity: number;
}

/**
 * Finds the order and locks, in this order, the stock rows of its SKUs and then the order row:
 * the same order every command uses (stock first), so commands on one order never deadlock.
 */
export async function lockOrderForChange(
  tx: Executor,
  store: StoreScope,
  orderId: string,
): Promise<{ levels: Map<string, SkuLevel>; lines: LineRecord[] }> {
  const existing = await findOrder(tx, store.id, orderId);
  if (!existing) throw notFound('Order', orderId);
  const skus = await queryRows<{ sku: string }>(
    tx,
    sql`SELECT DISTINCT sku FROM order_lines WHERE store_id = ${store.id} AND order_id = ${orderId}`,
  );
  const levels = await lockLevels(
    tx,
    skus.map((s) => ({ storeId: store.id, sku: s.sku })),
  );
  await lockOrder(tx, store.id, orderId);
  return { levels, lines: await loadLines(tx, store.id, [orderId]) };
}

/** Matches requested line ids to the order's lines: unknown or repeated ids are refused. */
export function resolveLines(lines: readonly LineRecord[], requested: readonly LineQuantityInput[]) {
  const byId = new Map(lines.map((l) => [l.id, l]));
  const seen = new Set<string>();
  return requested.map((r, i) => {
    const line = byId.get(r.lineId);
    if (!line) throw unknownLine(r.lineId, `/lines/${i}/lineId`);
    if (seen.has(r.lineId)) throw repeatedLine(r.lineId, `/lines/${i}/lineId`);
    seen.add(r.lineId);
    return { line, quantity: r.quantity };
  });
}

export interface CancelInput {
  lines?: LineQuantityInput[];
  reason?: string;
}

/**
 * Cancels units, waiting ones first; released allocated units go straight to the head of the
 * queue. All or nothing: one impossible line refuses the whole request.
 */
export async function cancelOrder(
  tx: Executor,
  deps: Pick<Deps, 'clock' | 'ids'>,
  store: StoreScope,
  orderId: string,
  input: CancelInput,
): Promise<OrderView> {
  const { levels, lines } = await lockOrderForChange(tx, store, orderId);
  const wanted = input.lines
    ? resolveLines(lines, input.lines)
    : lines.filter((l) => unshipped(l) > 0).map((line) => ({ line, quantity: unshipped(line) }));
  const plan = wanted.map(({ line, quantity }) => {
    const split = splitCancellation(line, quantity);
    if (!split) throw alreadyShipped(line.id, quantity, unshipped(line));
    return { line, quantity, ...split };
  });
  const effective = plan.filter((p) => p.quantity > 0);
  if (effective.length > 0) {
    const now = deps.clock.now();
    const released = new Set<string>();
    const queueMoved = new Set<string>();
    for (const p of effective) {
      const level = levels.get(levelKey(store.id, p.line.sku))!;
      if (p.fromWaiting > 0) queueMoved.add(levelKey(store.id, p.line.sku));
      if (p.fromWaiting > 0 && p.fromWaiting === p.line.backordered) level.waitingLines -= 1;
      level.backordered -= p.fromWaiting;
      level.allocated -= p.fromAllocated;
      if (p.fromAllocated > 0) released.add(levelKey(store.id, p.line.sku));
      p.line.backordered -= p.fromWaiting;
      p.line.allocated -= p.fromAllocated;
      p.line.cancelled += p.quantity;
    }
    await saveLineQuantities(
      tx,
      effective.map((p) => p.line),
    );
    // A line left with only allocated units no longer waits: it is dated from stock (per SKU).
    const today = storeToday(store, now);
    const nowReady = groupBy(
      effective.filter((p) => p.fromWaiting > 0 && p.line.backordered === 0 && p.line.allocated > 0),
      (p) => p.line.sku,
    );
    for (const [sku, ready] of nowReady) {
      const level = levels.get(levelKey(store.id, sku))!;
      await setStockPromises(
        tx,
        ready.map((p) => p.line.id),
        stockPromise(inputsOf(level), today),
      );
    }
    await appendEvents(tx, deps, [
      {
        storeId: store.id,
        type: 'order.cancelled',
        data: {
          orderId,
          reason: input.reason ?? null,
          lines: effective.map((p) => ({ lineId: p.line.id, sku: p.line.sku, quantity: p.quantity })),
        },
      },
    ]);
    await refreshOrderStatuses(tx, store.id, [orderId], now);
    await afterQuantitiesChanged(
      tx,
      deps,
      store.id,
      effective.map((p) => p.line.id),
      input.reason ?? 'cancelled',
    );
    const served = await serveQueues(
      tx,
      deps,
      store,
      [...released].map((key) => levels.get(key)!),
    );
    await saveLevels(tx, [...levels.values()], now);
    for (const key of served.keys()) queueMoved.add(key);
    await refreshPromises(
      tx,
      deps,
      store,
      [...queueMoved].map((key) => levels.get(key)!),
    );
  }
  return getOrder(tx, store.id, orderId);
}

export interface BackorderView {
  orderId: string;
  lineId: string;
  sku: string;
  /** The line's ordered quantity, as on the order. */
  quantity: number;
  /** Units of the line still waiting in the queue. */
  backorderedQuantity: number;
  position: number;
  placedAt: string;
  customer: Customer;
  eta: string | null;
  etaLatest: string | null;
  etaSource: EtaSource | null;
}

interface WaitingRow {
  order_id: string;
  line_id: string;
  sku: string;
  quantity: number;
  backordered: number;
  queue_ticket: string | number;
  created_at: Date | string;
  customer: Customer;
  eta: string | null;
  eta_latest: string | null;
  eta_source: EtaSource | null;
}

/** The waiting lines in queue order (one SKU, or every SKU ordered by SKU then queue). */
export async function listBackorders(
  db: Executor,
  storeId: string,
  query: { sku?: string; limit: number; cursor?: string },
): Promise<Page<BackorderView>> {
  const after = decodeKeyCursor(query.cursor);
  const [afterSku, afterTicket] = after === null ? [null, null] : splitCursor(after);
  const rows = await queryRows<WaitingRow>(
    db,
    sql`SELECT l.order_id, l.id AS line_id, l.sku, l.quantity, l.backordered, l.queue_ticket, l.created_at, o.customer,
               l.eta::text AS eta, l.eta_latest::text AS eta_latest, l.eta_source
          FROM order_lines l JOIN orders o ON o.id = l.order_id
         WHERE l.store_id = ${storeId} AND l.backordered > 0
           ${query.sku !== undefined ? sql`AND l.sku = ${query.sku}` : sql``}
           ${afterSku !== null ? sql`AND (l.sku, l.queue_ticket) > (${afterSku}, ${afterTicket}::bigint)` : sql``}
         ORDER BY l.sku, l.queue_ticket
         LIMIT ${query.limit + 1}`,
  );
  const kept = rows.slice(0, query.limit);
  const firstTicket = new Map<string, number>();
  for (const row of kept) if (!firstTicket.has(row.sku)) firstTicket.set(row.sku, Number(row.queue_ticket));
  const ahead = new Map<string, number>();
  for (const [sku, ticket] of firstTicket) {
    const [row] = await queryRows<{ n: number }>(
      db,
      sql`SELECT count(*)::int AS n FROM order_lines
           WHERE store_id = ${storeId} AND sku = ${sku} AND backordered > 0 AND queue_ticket < ${ticket}`,
    );
    ahead.set(sku, row?.n ?? 0);
  }
  const page = toPage(
    rows,
    query.limit,
    (row) => `${Number(row.queue_ticket)}:${row.sku}`,
    (row): BackorderView => {
      const position = (ahead.get(row.sku) ?? 0) + 1;
      ahead.set(row.sku, position);
      return {
        orderId: row.order_id,
        lineId: row.line_id,
        sku: row.sku,
        quantity: row.quantity,
        backorderedQuantity: row.backordered,
        position,
        placedAt: new Date(row.created_at).toISOString(),
        customer: row.customer,
        eta: row.eta,
        etaLatest: row.eta_latest,
        etaSource: row.eta_source,
      };
    },
  );
  return page;
}

function splitCursor(cursor: string): [string, number] {
  const at = cursor.indexOf(':');
  const ticket = Number(cursor.slice(0, at));
  if (at < 1 || !Number.isSafeInteger(ticket)) {
    throw invalid('invalid_cursor', 'The cursor is not one this API returned', [
      { path: '/cursor', message: 'invalid cursor' },
    ]);
  }
  return [cursor.slice(at + 1), ticket];
}
