/**
 * Write-offs below the allocated units: the units no longer on hand are taken back from the most
 * recently accepted allocated lines (`takeBack`) and those lines wait again, ahead of the queue.
 */
import { sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../../db/client.ts';
import { appendEvents } from '../../db/outbox.ts';
import type { StoreScope } from '../../shared/context.ts';
import { linesChanged, type StockDeps } from './stock.hooks.ts';
import type { SkuLevel } from './stock.levels.repository.ts';
import { refreshOrderStatuses } from './stock.lines.repository.ts';
import { queueCountChanges } from './stock.queue.counts.ts';
import { type TakeBack, takeBack } from './stock.queue.models.ts';

interface AllocatedRow {
  id: string;
  order_id: string;
  allocated: number;
  backordered: number;
}

/**
 * Takes `units` allocated units of a locked SKU back into its queue: reads its allocated lines
 * newest first (only as many as the units need), gives the lines that rejoin the queue tickets
 * ahead of every waiting line in acceptance order, writes the lines, and updates the level in
 * place (the caller saves it and has the queue re-dated). Emits one `order.line.requeued` per line
 * and returns the lines in their new queue order.
 */
export async function requeueAllocated(
  tx: Executor,
  deps: StockDeps,
  store: StoreScope,
  level: SkuLevel,
  units: number,
): Promise<TakeBack[]> {
  const rows = await queryRows<AllocatedRow>(
    tx,
    sql`SELECT id, order_id, allocated, backordered FROM (
          SELECT l.id, l.order_id, l.allocated, l.backordered,
                 sum(l.allocated) OVER (ORDER BY o.seq DESC, l.line_no DESC) - l.allocated AS newer
            FROM order_lines l JOIN orders o ON o.id = l.order_id
           WHERE l.store_id = ${store.id} AND l.sku = ${level.sku} AND l.allocated > 0) AS q
         WHERE newer < ${units}
         ORDER BY newer`,
  );
  const taken = takeBack(
    units,
    rows.map((r) => ({ lineId: r.id, orderId: r.order_id, allocated: r.allocated, waiting: r.backordered })),
  );
  const rejoining = taken.filter((t) => t.rejoins).reverse(); // acceptance order
  const [head] = await queryRows<{ ticket: string | number | null }>(
    tx,
    sql`SELECT min(queue_ticket) AS ticket FROM order_lines
         WHERE store_id = ${store.id} AND sku = ${level.sku} AND backordered > 0`,
  );
  // Tickets just below the head; an empty queue takes the next ones after its tail.
  let first: number;
  if (head?.ticket === null || head?.ticket === undefined) {
    first = level.queueTail + 1;
    level.queueTail += rejoining.length;
  } else {
    first = Number(head.ticket) - rejoining.length;
  }
  const tickets = new Map(rejoining.map((t, i) => [t.lineId, first + i]));
  const ids = sql.param(taken.map((t) => t.lineId));
  // One statement moves the units and the lines' places in the queue counts: each line leaves the
  // counts as it was (this statement's snapshot) and joins them as it is now.
  await tx.execute(sql`
    WITH was AS (
      SELECT store_id, sku, queue_ticket, backordered FROM order_lines
       WHERE id = ANY(${ids}::text[]) AND backordered > 0),
    became AS (
      UPDATE order_lines AS l
         SET allocated = l.allocated - v.quantity, backordered = l.backordered + v.quantity,
             queue_ticket = COALESCE(v.ticket, l.queue_ticket)
        FROM unnest(${ids}::text[], ${sql.param(taken.map((t) => t.quantity))}::int[],
                    ${sql.param(taken.map((t) => tickets.get(t.lineId) ?? null))}::bigint[]) AS v(id, quantity, ticket)
       WHERE l.id = v.id AND l.id = ANY(${ids}::text[])
      RETURNING l.store_id, l.sku, l.queue_ticket, l.backordered)
    ${queueCountChanges(sql`
      SELECT store_id, sku, queue_ticket, -1, -backordered FROM was
      UNION ALL
      SELECT store_id, sku, queue_ticket, 1, backordered FROM became`)}`);
  level.allocated -= units;
  level.backordered += units;
  level.waitingLines += rejoining.length;
  // Queue order: the rejoining lines, then the head line if it was one of them.
  const inQueueOrder = [...taken].reverse();
  await appendEvents(
    tx,
    deps,
    inQueueOrder.map((t) => ({
      storeId: store.id,
      type: 'order.line.requeued',
      data: { orderId: t.orderId, lineId: t.lineId, sku: level.sku, quantity: t.quantity },
    })),
  );
  await refreshOrderStatuses(tx, store.id, [...new Set(taken.map((t) => t.orderId))], deps.clock.now());
  await linesChanged(
    tx,
    deps,
    store,
    taken.map((t) => ({
      storeId: store.id,
      orderId: t.orderId,
      lineId: t.lineId,
      sku: level.sku,
      cause: 'requeued' as const,
      quantity: t.quantity,
      reason: 'requeued',
    })),
  );
  return inQueueOrder;
}
