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
    queryRows<{ units: string | number }>(
      db,
      sql`SELECT coalesce(sum(backordered), 0) AS units FROM inventory_levels WHERE store_id = ${store.id}`,
    ),
    queryRows<{ orders: number; oldest: Date | string | null; past: number }>(
      db,
      sql`SELECT count(DISTINCT order_id)::int AS orders, min(created_at) AS oldest,
                 count(*) FILTER (WHERE eta_latest < ${today}::date)::int AS past
            FROM order_lines WHERE store_id = ${store.id} AND backordered > 0`,
    ),
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
  const w = waiting[0];
  return {
    waitingUnits: n(levels[0]?.units),
    waitingOrders: n(w?.orders),
    oldestWaitingSince: w?.oldest ? new Date(w.oldest).toISOString() : null,
    // Lines already past their latest date, plus those (not past it yet) waiting for a late lot.
    atRiskLines: n(w?.past) + overdue,
    latePurchaseOrders: n(late[0]?.n),
    prepaidHeld: { amount: held, currency: store.currency },
    messagesFailedToday: n(failed[0]?.n),
    filledToday: { units: n(fills[0]?.units), lines: n(fills[0]?.lines) },
    asOf: now.toISOString(),
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
