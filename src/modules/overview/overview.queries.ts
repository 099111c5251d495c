/**
 * The console's overview: the store's backorders at a glance. Every figure is read from counters
 * the stock core keeps (inventory_levels) or from a partial index over what is open (waiting lines,
 * open purchase orders, failed messages, today's fills, lines holding money), so its cost follows
 * what is waiting today, not the store's history.
 */
import { sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../../db/client.ts';
import type { Deps, StoreScope } from '../../shared/context.ts';
import { storeToday } from '../../shared/dates.ts';
import { prepaidHeld } from '../payments/payments.summary.ts';
import type { PromiseInputs } from '../promises/promises.models.ts';
import { queueSlice } from '../stock/stock.queue.sql.ts';
import { coveredBy, overdueCover } from './overview.models.ts';

export interface Overview {
  waitingUnits: number;
  waitingOrders: number;
  oldestWaitingSince: string | null;
  atRiskLines: number;
  latePurchaseOrders: number;
  prepaidHeld: { amount: number; currency: string };
  messagesFailedToday: number;
  filledToday: { units: number; lines: number };
  asOf: string;
}

const n = (value: string | number | null | undefined): number => Number(value ?? 0);

export async function readOverview(deps: Pick<Deps, 'db' | 'clock'>, store: StoreScope): Promise<Overview> {
  const now = deps.clock.now();
  const today = storeToday(store, now);
  // The instant the store's day began, in its time zone.
  const dayStart = sql`(${today}::date::timestamp AT TIME ZONE ${store.timezone})`;
  const db = deps.db;
  const [levels, waiting, overdue, late, failed, fills, held] = await Promise.all([
    queryRows<{ units: string | number; lines: string | number }>(
      db,
      sql`SELECT coalesce(sum(backordered), 0) AS units, coalesce(sum(waiting_lines), 0) AS lines
            FROM inventory_levels WHERE store_id = ${store.id}`,
    ),
    waitingFigures(db, store.id, today),
    linesHeldUpByLateSupply(db, store.id, today),
    queryRows<{ n: number }>(
      db,
      sql`SELECT count(*)::int AS n FROM purchase_orders
           WHERE store_id = ${store.id} AND status IN ('ordered', 'partially_received')
             AND expected_date < ${today}::date`,
    ),
    queryRows<{ n: number }>(
      db,
      sql`SELECT count(*)::int AS n FROM messages
           WHERE store_id = ${store.id} AND state = 'failed' AND updated_at >= ${dayStart}`,
    ),
    queryRows<{ lines: number; units: string | number }>(
      db,
      sql`SELECT count(DISTINCT data->>'lineId')::int AS lines, coalesce(sum((data->>'quantity')::int), 0) AS units
            FROM events
           WHERE store_id = ${store.id} AND type = 'order.line.allocated' AND (data->>'source') = 'queue'
             AND created_at >= ${dayStart}`,
    ),
    prepaidHeld(db, store.id),
  ]);
  return {
    waitingUnits: n(levels[0]?.units),
    // Every waiting line is one order, except that an order of several lines may wait on several.
    waitingOrders: n(levels[0]?.lines) - waiting.multiLines + waiting.multiOrders,
    oldestWaitingSince: waiting.oldest,
    // Lines already past their latest date, plus those (not past it yet) waiting for a late lot.
    atRiskLines: waiting.past + overdue,
    latePurchaseOrders: n(late[0]?.n),
    prepaidHeld: { amount: held, currency: store.currency },
    messagesFailedToday: n(failed[0]?.n),
    filledToday: { units: n(fills[0]?.units), lines: n(fills[0]?.lines) },
    asOf: now.toISOString(),
  };
}

/**
 * What the waiting lines add up to, without reading them all:
 * - the waiting lines of orders with several lines and how many orders they belong to (the rest
 *   are one line per order, counted by the SKUs' stock rows): `order_lines_multi_waiting_idx`;
 * - the oldest wait: each queue's head (one probe of the queue index per SKU), because a queue is
 *   in placement order — tickets are handed out as orders are placed, and the lines a write-off
 *   sends back rejoin ahead of it, in acceptance order, having been placed before the lines waiting;
 * - lines past their `etaLatest`: a schedule applied today dates every line today or later
 *   (`planSchedule` never dates before today), so only the lines of SKUs whose dates were last
 *   applied on an earlier day, or past the daily job's cursor (`pendingAfter`), can be past it;
 *   only those are read. Once the daily job has run that is none.
 */
export async function waitingFigures(
  db: Executor,
  storeId: string,
  today: string,
): Promise<{ multiLines: number; multiOrders: number; oldest: string | null; past: number }> {
  const [multi, heads, past] = await Promise.all([
    queryRows<{ lines: number; orders: number }>(
      db,
      sql`SELECT count(*)::int AS lines, count(DISTINCT order_id)::int AS orders FROM order_lines
           WHERE store_id = ${storeId} AND backordered > 0 AND multi_line`,
    ),
    queryRows<{ oldest: Date | string | null }>(
      db,
      sql`SELECT min(h.created_at) AS oldest
            FROM inventory_levels v
            CROSS JOIN LATERAL (
              SELECT l.created_at FROM order_lines l
               WHERE l.store_id = v.store_id AND l.sku = v.sku AND l.backordered > 0
               ORDER BY l.queue_ticket LIMIT 1) h
           WHERE v.store_id = ${storeId} AND v.waiting_lines > 0`,
    ),
    // One count per SKU that can hold such lines (LATERAL: the planner would otherwise scan every
    // line, expecting few to be past), from the head or past the job's cursor.
    queryRows<{ n: number }>(
      db,
      sql`SELECT coalesce(sum(p.n), 0)::int AS n
            FROM (SELECT store_id, sku, coalesce(promise_applied->>'day' >= ${today}, false) AS fresh,
                         (promise_applied->>'pendingAfter')::bigint AS cursor
                    FROM inventory_levels WHERE store_id = ${storeId} AND waiting_lines > 0) v
            CROSS JOIN LATERAL (
              SELECT count(*) AS n FROM order_lines l
               WHERE l.store_id = v.store_id AND l.sku = v.sku AND l.backordered > 0
                 AND l.queue_ticket > CASE WHEN v.fresh THEN v.cursor ELSE ${Number.MIN_SAFE_INTEGER}::bigint END
                 AND l.eta_latest < ${today}::date) p
           WHERE NOT v.fresh OR v.cursor IS NOT NULL`,
    ),
  ]);
  const oldest = heads[0]?.oldest;
  return {
    multiLines: n(multi[0]?.lines),
    multiOrders: n(multi[0]?.orders),
    oldest: oldest ? new Date(oldest).toISOString() : null,
    past: n(past[0]?.n),
  };
}

/**
 * Waiting lines not yet past their latest date whose units wait for a purchase order due before
 * today. Only SKUs with such an order are read, and of each only the queue's head up to the late
 * lots' last unit (at most that many lines).
 */
async function linesHeldUpByLateSupply(db: Executor, storeId: string, today: string): Promise<number> {
  const skus = await queryRows<{ sku: string; inputs: PromiseInputs | null }>(
    db,
    sql`SELECT v.sku, v.promise_inputs AS inputs FROM inventory_levels v
         WHERE v.store_id = ${storeId} AND v.backordered > 0 AND v.sku IN (
           SELECT pl.sku FROM purchase_orders po
             JOIN purchase_order_lines pl ON pl.purchase_order_id = po.id AND pl.store_id = po.store_id
            WHERE po.store_id = ${storeId} AND po.status IN ('ordered', 'partially_received')
              AND po.expected_date < ${today}::date AND pl.quantity > pl.received)`,
  );
  let count = 0;
  for (const { sku, inputs } of skus) {
    if (!inputs) continue;
    const ranges = overdueCover(inputs, today);
    const reach = ranges.at(-1)?.through ?? 0;
    if (reach === 0) continue;
    const lines = await queryRows<{ end_unit: string | number; past: boolean }>(
      db,
      sql`SELECT sum(backordered) OVER (ORDER BY queue_ticket) AS end_unit,
                 coalesce(eta_latest < ${today}::date, false) AS past
            FROM (${queueSlice({
              storeId,
              sku,
              columns: sql`backordered, queue_ticket, eta_latest`,
              limit: reach,
            })}) head`,
    );
    for (const line of lines) {
      if (!line.past && coveredBy(ranges, n(line.end_unit))) count += 1;
    }
  }
  return count;
}
