import { sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../../db/client.ts';
import { statementEventId } from '../../db/outbox.ts';
import type { StoreScope } from '../../shared/context.ts';
import type { LinePromise } from '../promises/promises.models.ts';
import { type LineChange, linesChanged, type StockDeps } from './stock.hooks.ts';
import { available } from './stock.levels.models.ts';
import { levelKey, type SkuLevel } from './stock.levels.repository.ts';
import { orderStatusUpdate } from './stock.lines.repository.ts';
import { queueCountChanges } from './stock.queue.counts.ts';
import { fillQueue, type WaitingLine } from './stock.queue.models.ts';
import { QUEUE_ORDER, queueSlice } from './stock.queue.sql.ts';

export interface QueueFill {
  orderId: string;
  lineId: string;
  quantity: number;
}

interface CandidateRow {
  store_id: string;
  sku: string;
  id: string;
  order_id: string;
  backordered: number;
}

/**
 * Serves the queues of the given SKUs (locked by the caller) from their available units, head
 * first; the rule itself is `fillQueue`. Works set-wise, whatever the number of SKUs and lines:
 * one query reads each queue's head (at most as many lines as there are units to hand out), one
 * statement writes every fill. A line that stops waiting takes the stock promise (ready after
 * handling). Updates the levels in place (the caller saves them and refreshes the promises of the
 * lines still waiting) and returns the fills per SKU (keyed by `levelKey`), in queue order.
 */
export async function serveQueues(
  tx: Executor,
  deps: StockDeps,
  store: StoreScope,
  levels: readonly SkuLevel[],
): Promise<Map<string, QueueFill[]>> {
  const served = new Map<string, QueueFill[]>();
  const hungry = levels.filter((level) => available(level) > 0 && level.waitingLines > 0);
  if (hungry.length === 0) return served;
  const candidates = await queryRows<CandidateRow>(
    tx,
    sql`SELECT s.store_id, s.sku, q.id, q.order_id, q.backordered
          FROM unnest(${sql.param(hungry.map((l) => l.storeId))}::text[],
                      ${sql.param(hungry.map((l) => l.sku))}::text[],
                      ${sql.param(hungry.map((l) => available(l)))}::int[]) AS s(store_id, sku, units)
          CROSS JOIN LATERAL (${queueSlice({
            storeId: sql`s.store_id`,
            sku: sql`s.sku`,
            columns: sql`id, order_id, backordered, queue_ticket`,
            limit: sql`s.units`,
          })}) AS q
         ORDER BY s.store_id, s.sku, q.${QUEUE_ORDER}`,
  );
  const queues = new Map<string, WaitingLine[]>();
  for (const row of candidates) {
    const key = levelKey(row.store_id, row.sku);
    const queue = queues.get(key) ?? [];
    queue.push({ lineId: row.id, orderId: row.order_id, waiting: row.backordered });
    queues.set(key, queue);
  }
  const lineIds: string[] = [];
  const quantities: number[] = [];
  // Lines that stop waiting take their SKU's stock promise: each fill names one (1-based) or none (0).
  const promises: LinePromise[] = [];
  const promiseOf: number[] = [];
  const now = deps.clock.now();
  const changes: LineChange[] = [];
  for (const level of hungry) {
    const key = levelKey(level.storeId, level.sku);
    const fills = fillQueue(available(level), queues.get(key) ?? []);
    if (fills.length === 0) continue;
    const promise = deps.stock.dating.fromStock(store, level, now);
    promises.push(promise);
    for (const fill of fills) {
      lineIds.push(fill.lineId);
      quantities.push(fill.quantity);
      promiseOf.push(fill.completes ? promises.length : 0);
      level.allocated += fill.quantity;
      level.backordered -= fill.quantity;
      if (fill.completes) level.waitingLines -= 1;
      changes.push({
        storeId: level.storeId,
        orderId: fill.orderId,
        lineId: fill.lineId,
        sku: level.sku,
        cause: 'filled',
        quantity: fill.quantity,
      });
    }
    served.set(
      key,
      fills.map(({ orderId, lineId, quantity }) => ({ orderId, lineId, quantity })),
    );
  }
  if (lineIds.length === 0) return served;
  // One statement writes every fill, refreshes the orders' statuses, takes the units (and the lines
  // that stop waiting) off the queue counts and writes one `order.line.allocated` event per fill, in queue order (a line that
  // stops waiting names the date it now holds).
  const fillAt = sql`unnest(${sql.param(lineIds)}::text[], ${sql.param(quantities)}::int[], ${sql.param(promiseOf)}::int[])`;
  await tx.execute(sql`
    WITH filled AS (
      UPDATE order_lines AS l
         SET allocated = l.allocated + v.quantity, backordered = l.backordered - v.quantity,
             eta = CASE WHEN v.p = 0 THEN l.eta ELSE (${sql.param(promises.map((p) => p.eta))}::date[])[v.p] END,
             eta_latest = CASE WHEN v.p = 0 THEN l.eta_latest
                               ELSE (${sql.param(promises.map((p) => p.etaLatest))}::date[])[v.p] END,
             eta_source = CASE WHEN v.p = 0 THEN l.eta_source
                               ELSE (${sql.param(promises.map((p) => p.source))}::text[])[v.p] END
        FROM ${fillAt} WITH ORDINALITY AS v(id, quantity, p, n)
       WHERE l.id = v.id AND l.id = ANY(${sql.param(lineIds)}::text[])
      RETURNING l.id, l.order_id, l.store_id, l.sku, l.queue_ticket, l.allocated, l.backordered, l.shipped,
                l.cancelled, l.eta, l.eta_source, v.quantity, v.p, v.n),
    statuses AS (${orderStatusUpdate(sql`SELECT * FROM filled`, now)}),
    counted AS (${queueCountChanges(
      sql`SELECT store_id, sku, queue_ticket, CASE WHEN backordered = 0 THEN -1 ELSE 0 END, -quantity FROM filled`,
    )})
    INSERT INTO events (id, store_id, type, data, created_at)
    SELECT ${statementEventId(deps.ids.next('evt'), sql`f.n`)}, f.store_id, 'order.line.allocated',
           jsonb_build_object('orderId', f.order_id, 'lineId', f.id, 'sku', f.sku, 'quantity', f.quantity,
                              'source', 'queue')
             || CASE WHEN f.p = 0 THEN '{}'::jsonb
                     ELSE jsonb_build_object('eta', f.eta::text, 'etaSource', f.eta_source) END,
           ${now}::timestamptz
      FROM filled f
     ORDER BY f.n`);
  await linesChanged(tx, deps, store, changes);
  return served;
}
