import type { Executor } from '../../db/client.ts';
import { appendEvents } from '../../db/outbox.ts';
import { groupBy } from '../../shared/collections.ts';
import type { StoreScope } from '../../shared/context.ts';
import { serveQueues } from './stock.fill.ts';
import { linesChanged, queuesChanged, type StockDeps } from './stock.hooks.ts';
import { levelKey, saveLevels } from './stock.levels.repository.ts';
import { alreadyShipped } from './stock.lines.errors.ts';
import { afterCancellation, splitCancellation, unshipped } from './stock.lines.models.ts';
import { refreshOrderStatuses, saveLineQuantities, setLinePromises } from './stock.lines.repository.ts';
import { getOrder, type LineQuantityInput, lockOrderForChange, resolveLines } from './stock.orders.ts';
import type { OrderView } from './stock.views.ts';

export interface CancelInput {
  lines?: LineQuantityInput[];
  reason?: string;
}

export interface CancelOptions {
  /**
   * False for a cancellation that records what already happened (the platform cancelled or
   * refunded, the payment's grace period ended, a switch whose new order is placed): the hooks'
   * `beforeCancel` is not asked, since there is no one to answer a refusal.
   */
  refusable?: boolean;
}

/**
 * Cancels units, waiting ones first; released allocated units go straight to the head of the
 * queue. All or nothing: one impossible line refuses the whole request, and so does a hook's
 * `beforeCancel` (a request only: see CancelOptions).
 */
export async function cancelOrder(
  tx: Executor,
  deps: StockDeps,
  store: StoreScope,
  orderId: string,
  input: CancelInput,
  options: CancelOptions = {},
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
  if (effective.length > 0 && options.refusable !== false) {
    const asked = effective.map((p) => ({ lineId: p.line.id, sku: p.line.sku, quantity: p.quantity }));
    for (const hook of deps.stock.hooks) await hook.beforeCancel?.(tx, deps, store, asked);
  }
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
      Object.assign(p.line, afterCancellation(p.line, p.quantity));
    }
    await saveLineQuantities(
      tx,
      effective.map((p) => p.line),
    );
    // A line left with only allocated units no longer waits: it is dated from stock (per SKU).
    const nowReady = groupBy(
      effective.filter((p) => p.fromWaiting > 0 && p.line.backordered === 0 && p.line.allocated > 0),
      (p) => p.line.sku,
    );
    for (const [sku, ready] of nowReady) {
      const level = levels.get(levelKey(store.id, sku))!;
      await setLinePromises(
        tx,
        ready.map((p) => p.line.id),
        deps.stock.dating.fromStock(store, level, now),
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
    await linesChanged(
      tx,
      deps,
      store,
      effective.map((p) => ({
        storeId: store.id,
        orderId,
        lineId: p.line.id,
        sku: p.line.sku,
        cause: 'released' as const,
        quantity: p.quantity,
        reason: input.reason ?? 'cancelled',
        waiting: p.fromWaiting,
      })),
    );
    const served = await serveQueues(
      tx,
      deps,
      store,
      [...released].map((key) => levels.get(key)!),
    );
    await saveLevels(tx, [...levels.values()], now);
    for (const key of served.keys()) queueMoved.add(key);
    await queuesChanged(
      tx,
      deps,
      store,
      [...queueMoved].map((key) => levels.get(key)!),
    );
  }
  return getOrder(tx, store.id, orderId);
}
