import { sql } from 'drizzle-orm';
import { inTransaction, queryRows } from '../../db/client.ts';
import type { Deps, StoreScope } from '../../shared/context.ts';
import { storeToday } from '../../shared/dates.ts';
import { type Periodic, startPeriodic } from '../../shared/periodic.ts';
import { lockLevels } from '../stock/stock.levels.repository.ts';
import { refreshPromises, refreshSupply } from './promises.usecases.ts';

export interface DailyRefreshResult {
  skus: number;
}

/**
 * The daily job: dates move with the calendar (a purchase order whose expected date passed
 * without a full receipt is now expected today at the earliest; "today + lead time" moves on), so
 * every SKU whose waiting lines were dated on an earlier day is re-dated for today, each in its
 * own short transaction. Running it again the same day finds nothing to do; several processes may
 * run it at once (each SKU is re-dated under its lock, and only if still due). `storeIds` limits
 * it to some stores (tests share one database); `signal` stops it between SKUs.
 */
export async function refreshDuePromises(
  deps: Deps,
  options: { storeIds?: readonly string[]; signal?: AbortSignal } = {},
): Promise<DailyRefreshResult> {
  const only = options.storeIds;
  const stores = await queryRows<StoreScope>(
    deps.db,
    sql`SELECT id, currency, timezone FROM stores
         ${only ? sql`WHERE id = ANY(${sql.param([...only])}::text[])` : sql``}
         ORDER BY id`,
  );
  let skus = 0;
  for (const store of stores) {
    const today = storeToday(store, deps.clock.now());
    const due = await queryRows<{ sku: string }>(
      deps.db,
      sql`SELECT sku FROM inventory_levels
           WHERE store_id = ${store.id} AND waiting_lines > 0
             AND (promise_applied IS NULL OR promise_applied->>'day' < ${today})
           ORDER BY sku`,
    );
    for (const { sku } of due) {
      if (options.signal?.aborted) return { skus };
      await inTransaction(deps.db, async (tx) => {
        const level = (await lockLevels(tx, [{ storeId: store.id, sku }])).values().next().value;
        if (!level || (level.promiseApplied !== null && level.promiseApplied.day >= today)) return;
        // Rows from before the engine existed have no inputs yet: build them first.
        if (level.promiseInputs === null) await refreshSupply(tx, deps, store, [level]);
        else await refreshPromises(tx, deps, store, [level]);
      });
      skus += 1;
    }
  }
  return { skus };
}

/**
 * Runs `refreshDuePromises` now and then every `intervalMs` (hourly: a store's midnight may fall at
 * any hour). `stop()` lets the SKU in hand finish and waits for it; the rest waits for the next run.
 */
export function startDailyRefresh(
  deps: Deps,
  log: { error(object: unknown, message: string): void },
  intervalMs = 3_600_000,
): Periodic {
  return startPeriodic((signal) => refreshDuePromises(deps, { signal }), {
    intervalMs,
    runNow: true,
    onError: (error) => log.error({ err: error }, 'daily promise refresh failed'),
  });
}
