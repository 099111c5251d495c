/**
 * Demand capture's part in stock commands (registered in src/assembly.ts): placements and
 * refusals add to the day's counters in the placement batch's one statement; cancellations and
 * shipments count theirs in the command's transaction. Nothing here changes stock.
 */
import { dayIn } from '../../shared/dates.ts';
import type { StockHook } from '../stock/stock.hooks.ts';
import { cancellationReason, placementCounts, refusalCounts } from './demand.models.ts';
import {
  addPlacedCounts,
  addRefusalCounts,
  addToleranceCounts,
  countCancellations,
  countShipments,
  insertWaitFacts,
} from './demand.repository.ts';

export const demandStockHook: StockHook = {
  name: 'demand',

  placed(orders, at) {
    const { daily, waits, tolerance } = placementCounts(orders, at);
    return [addPlacedCounts(daily), insertWaitFacts(waits), addToleranceCounts(tolerance)].filter(
      (s) => s !== null,
    );
  },

  refused(orders, at) {
    return addRefusalCounts(refusalCounts(orders, at));
  },

  async linesChanged(tx, ctx, store, changes) {
    const day = dayIn(store.timezone, ctx.clock.now());
    const released = changes.filter((c) => c.cause === 'released');
    await countCancellations(
      tx,
      store,
      day,
      released.map((c) => ({
        lineId: c.lineId,
        sku: c.sku,
        reason: cancellationReason(c.reason),
        units: c.quantity,
        waiting: c.waiting ?? 0,
      })),
    );
    const shipped = changes.filter((c) => c.cause === 'shipped');
    await countShipments(
      tx,
      store,
      day,
      shipped.map((c) => ({ lineId: c.lineId, sku: c.sku, units: c.quantity })),
    );
  },
};
