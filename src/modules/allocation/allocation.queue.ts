import { sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../../db/client.ts';
import type { Deps } from '../../shared/context.ts';
import { appendEvents } from '../events/events.usecases.ts';
import { available } from '../inventory/inventory.models.ts';
import type { SkuLevel } from '../inventory/inventory.repository.ts';
import { refreshOrderStatuses, saveLineQuantities } from '../orders/orders.repository.ts';
import { fillQueue } from './allocation.models.ts';

export interface QueueFill {
  orderId: string;
  lineId: string;
  quantity: number;
}

interface WaitingRow {
  id: string;
  order_id: string;
  quantity: number;
  allocated: number;
  backordered: number;
  shipped: number;
  cancelled: number;
}

// Lines read per round trip while serving a long queue.
const CHUNK = 1000;

/**
 * Serves a SKU's queue from its available units, head first (the rule is `fillQueue`). The caller
 * holds the SKU's lock and saves `level`, which this updates in place. Returns the fills in queue order.
 */
export async function serveQueue(
  tx: Executor,
  deps: Pick<Deps, 'clock' | 'ids'>,
  level: SkuLevel,
): Promise<QueueFill[]> {
  const served: QueueFill[] = [];
  let lastTicket = 0;
  while (available(level) > 0 && level.waitingLines > 0) {
    const want = Math.min(available(level), CHUNK);
    const queue = await queryRows<WaitingRow & { queue_ticket: string | number }>(
      tx,
      sql`SELECT id, order_id, quantity, allocated, backordered, shipped, cancelled, queue_ticket
            FROM order_lines
           WHERE store_id = ${level.storeId} AND sku = ${level.sku} AND backordered > 0 AND queue_ticket > ${lastTicket}
           ORDER BY queue_ticket
           LIMIT ${want}`,
    );
    if (queue.length === 0) break;
    lastTicket = Number(queue[queue.length - 1]!.queue_ticket);
    const fills = fillQueue(
      available(level),
      queue.map((row) => ({ lineId: row.id, orderId: row.order_id, waiting: row.backordered })),
    );
    const byId = new Map(queue.map((row) => [row.id, row]));
    const changes = fills.map((fill) => {
      const row = byId.get(fill.lineId)!;
      return {
        id: row.id,
        quantity: row.quantity,
        allocated: row.allocated + fill.quantity,
        backordered: row.backordered - fill.quantity,
        shipped: row.shipped,
        cancelled: row.cancelled,
      };
    });
    await saveLineQuantities(tx, changes);
    let units = 0;
    for (const fill of fills) {
      units += fill.quantity;
      if (fill.completes) level.waitingLines -= 1;
      served.push({ orderId: fill.orderId, lineId: fill.lineId, quantity: fill.quantity });
    }
    level.allocated += units;
    level.backordered -= units;
    if (fills.length < queue.length || !fills[fills.length - 1]?.completes) break;
  }
  if (served.length === 0) return served;
  await appendEvents(
    tx,
    deps,
    served.map((fill) => ({
      storeId: level.storeId,
      type: 'order.line.allocated',
      data: {
        orderId: fill.orderId,
        lineId: fill.lineId,
        sku: level.sku,
        quantity: fill.quantity,
        source: 'queue',
      },
    })),
  );
  await refreshOrderStatuses(tx, level.storeId, [...new Set(served.map((f) => f.orderId))], deps.clock.now());
  return served;
}
