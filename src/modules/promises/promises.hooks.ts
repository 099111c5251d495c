/**
 * Promises' part in stock commands (registered in src/assembly.ts): the dating strategy the core
 * uses for new and newly ready lines, the re-dating of queues that moved, and the pre-order
 * release date no shipment may precede.
 */
import { storeToday } from '../../shared/dates.ts';
import type { LineDating, StockHook } from '../stock/stock.hooks.ts';
import { levelKey } from '../stock/stock.levels.repository.ts';
import { notReleased } from './promises.errors.ts';
import { stockPromise } from './promises.models.ts';
import { inputsOf, refreshPromises, ScheduleCache } from './promises.usecases.ts';

export const promiseDating: LineDating = {
  forPlacement(at) {
    const schedules = new ScheduleCache(at);
    return (store, level, through) =>
      schedules.promiseFor(store, levelKey(level.storeId, level.sku), level, through);
  },
  fromStock: (store, level, now) => stockPromise(inputsOf(level), storeToday(store, now)),
};

export const promisesStockHook: StockHook = {
  name: 'promises',

  // Units that rejoin ahead of the queue push every line back: all of them are checked.
  queuesChanged: (tx, ctx, store, levels, how) =>
    refreshPromises(tx, ctx, store, levels, { everyLine: how.joinedAhead === true }),

  // Pre-orders: units may be allocated before the release but leave only from that day.
  async beforeShip(_tx, ctx, store, plan, levels) {
    const today = storeToday(store, ctx.clock.now());
    for (const line of plan) {
      const release = inputsOf(levels.get(levelKey(store.id, line.sku))!).releaseDate;
      if (release !== null && today < release) throw notReleased(line.lineId, line.sku, release);
    }
  },
};
