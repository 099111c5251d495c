import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { inTransaction, queryRows } from '../../db/client.ts';
import { type ChunkSizing, nextChunkSize } from '../../shared/chunking.ts';
import type { Deps, StoreScope } from '../../shared/context.ts';
import { storeToday } from '../../shared/dates.ts';
import { type Periodic, startPeriodic } from '../../shared/periodic.ts';
import { lockLevels } from '../stock/stock.levels.repository.ts';
import { redateChunk } from './promises.usecases.ts';

export interface DailyRefreshResult {
  skus: number;
}

/**
 * Waiting lines re-dated per transaction: a placement on the SKU waits for at most one chunk. The
 * job starts at `CHUNK_LINES` and sizes each next chunk so that it should take about 20 ms (between
 * 100 and 5,000 lines): a loaded database gets smaller chunks, an idle one fewer transactions.
 */
const CHUNK_LINES = 1_000;
const CHUNK_SIZING: ChunkSizing = { targetMs: 20, min: 100, max: 5_000 };

/** The next chunk's size after one of `lines` lines took `ms`. */
export function nextChunkLines(lines: number, ms: number): number {
  return nextChunkSize(lines, ms, CHUNK_SIZING);
}

/**
 * The daily job: dates move with the calendar (a purchase order whose expected date passed
 * without a full receipt is now expected today at the earliest; "today + lead time" moves on), so
 * every SKU whose waiting lines were dated on an earlier day is re-dated for today, in chunks of
 * `chunkLines` lines, each its own short transaction under the SKU's lock (`redateChunk`), so a
 * long queue never holds its SKU for long. Running it again the same day finds nothing to do;
 * several processes may run it at once (each chunk re-checks, under the lock, what is left).
 * `storeIds` limits it to some stores (tests share one database); `chunkLines` fixes the chunk size;
 * `signal` stops it between chunks; `onSkuDone` hears of each SKU once its last chunk committed,
 * `onChunk` of each chunk (its size and how long its transaction took).
 */
export async function refreshDuePromises(
  deps: Deps,
  options: {
    storeIds?: readonly string[];
    chunkLines?: number;
    signal?: AbortSignal;
    onSkuDone?: (storeId: string, sku: string) => void;
    onChunk?: (chunk: { sku: string; lines: number; ms: number }) => void;
  } = {},
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
             AND (promise_applied IS NULL OR promise_applied->>'day' < ${today}
                  OR promise_applied ? 'pendingAfter')
           ORDER BY sku`,
    );
    for (const { sku } of due) {
      let lines = options.chunkLines ?? CHUNK_LINES;
      for (let done = false; !done; ) {
        if (options.signal?.aborted) return { skus };
        const started = performance.now();
        done = await inTransaction(deps.db, async (tx) => {
          // On PostgreSQL a chunk does not wait for its WAL flush: under a mass re-date's
          // checkpoints a flush took 100+ ms, all of it with the SKU's lock held from placements.
          // Losing the last chunks to a crash loses nothing: each is atomic, and the job re-dates
          // what is still on an earlier day's schedule. (PGlite has no WAL writer: there an
          // unflushed commit waits for the next flush, and a killed process would lose all of a
          // run's progress; its one connection leaves no placement waiting on the lock anyway.)
          if (deps.engine === 'postgres') await tx.execute(sql`SET LOCAL synchronous_commit = off`);
          const level = (await lockLevels(tx, [{ storeId: store.id, sku }])).values().next().value;
          return !level || redateChunk(tx, deps, store, level, lines);
        });
        const ms = performance.now() - started;
        options.onChunk?.({ sku, lines, ms });
        if (options.chunkLines === undefined) lines = nextChunkLines(lines, ms);
      }
      skus += 1;
      options.onSkuDone?.(store.id, sku);
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
