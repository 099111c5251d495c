import type { Executor } from '../../db/client.ts';
import type { StoreScope } from '../../shared/context.ts';
import { notFound } from '../../shared/errors.ts';
import { getVariant } from '../catalog/catalog.usecases.ts';
import { ScheduleCache } from '../promises/promises.usecases.ts';
import { deliveryOptions } from '../shipping/shipping.usecases.ts';
import { readLevel } from '../stock/stock.levels.repository.ts';
import { decidePlacement } from '../stock/stock.queue.models.ts';
import { toLevelView } from '../stock/stock.views.ts';

/**
 * Only what a shopper may see: no quantities, no queue contents, no other customers. The
 * expected date is the one an order of `quantity` units placed now would be promised (the same
 * rule placement applies), or null when such an order could not be accepted.
 */
export async function availability(
  db: Executor,
  store: StoreScope,
  sku: string,
  quantity: number,
  now: Date,
) {
  const variant = await getVariant(db, store.id, sku);
  const level = await readLevel(db, store.id, sku);
  if (!level) throw notFound('SKU', sku);
  const status = toLevelView(sku, level).status;
  // The merchant's text describes waiting ("Ships in about 3 weeks"), so it shows only while the
  // shopper can still order to wait.
  const waitingAllowed = status === 'backorder' || status === 'preorder';
  const decision = decidePlacement(new Map([[sku, level]]), [{ sku, quantity }]);
  let promise = null;
  if (decision.accepted) {
    const line = decision.lines[0]!;
    promise = new ScheduleCache(now).promiseFor(store, sku, level, line.waitingThrough);
  }
  return {
    sku,
    status,
    quantity,
    message: waitingAllowed ? variant.backorder.message : null,
    expectedDate: promise?.eta ?? null,
    expectedDateLatest: promise?.etaLatest ?? null,
    // "Arrives between …" per method, for the same quantity (dates null when it cannot be ordered).
    shipping: await deliveryOptions(db, store, promise, now),
  };
}
