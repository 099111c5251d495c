import { sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../../db/client.ts';
import type { Deps, StoreScope } from '../../shared/context.ts';
import { storeToday } from '../../shared/dates.ts';
import type { SkuLevel } from '../stock/stock.levels.repository.ts';
import { readAhead } from '../stock/stock.queue.counts.ts';
import {
  DEFAULT_INPUTS,
  type LinePromise,
  linesToCheck,
  openSupplyUnits,
  type PromiseInputs,
  type PromiseState,
  planSchedule,
  promiseAt,
  type Segment,
  sameSchedule,
  stockPromise,
} from './promises.models.ts';
import { applySchedule, readPromiseInputs } from './promises.repository.ts';

export const inputsOf = (level: Pick<PromiseState, 'promiseInputs'>): PromiseInputs =>
  level.promiseInputs ?? DEFAULT_INPUTS;

/** Today's schedule of each SKU a placement batch touches (and each zone's today), computed once per batch. */
export class ScheduleCache {
  private readonly schedules = new Map<string, Segment[]>();
  private readonly days = new Map<string, string>();
  constructor(private readonly now: Date) {}

  promiseFor(
    store: Pick<StoreScope, 'timezone'>,
    key: string,
    level: Pick<PromiseState, 'promiseInputs'>,
    through: number | null,
  ): LinePromise {
    let today = this.days.get(store.timezone);
    if (today === undefined) {
      today = storeToday(store, this.now);
      this.days.set(store.timezone, today);
    }
    if (through === null) return stockPromise(inputsOf(level), today);
    // Keys are per stock row: a batch is decided at one instant, so a row has one "today".
    let segments = this.schedules.get(key);
    if (!segments) {
      segments = planSchedule(inputsOf(level), today);
      this.schedules.set(key, segments);
    }
    return promiseAt(segments, through);
  }
}

/**
 * Re-reads the supply of locked SKUs (purchase orders, supplier, variant, store settings) into
 * their stock rows, keeps an automatic backorder cap equal to the open supply plus the store's
 * buffer, and refreshes the promises of their waiting lines. Call it, under the SKUs' locks, in
 * the transaction of any change to those inputs.
 */
export async function refreshSupply(
  tx: Executor,
  deps: Pick<Deps, 'clock' | 'ids'>,
  store: StoreScope,
  levels: readonly SkuLevel[],
): Promise<void> {
  if (levels.length === 0) return;
  const inputs = await readPromiseInputs(
    tx,
    store.id,
    levels.map((l) => l.sku),
  );
  // The store's buffer matters only to SKUs with an automatic cap.
  const [settings] = levels.some((l) => l.backorderLimitAuto)
    ? await queryRows<{ auto_limit_buffer: number }>(
        tx,
        sql`SELECT auto_limit_buffer FROM stores WHERE id = ${store.id}`,
      )
    : [];
  for (const level of levels) {
    level.promiseInputs = inputs.get(level.sku) ?? DEFAULT_INPUTS;
    level.promiseVersion += 1;
    if (level.backorderLimitAuto) {
      level.backorderLimit = openSupplyUnits(level.promiseInputs) + (settings?.auto_limit_buffer ?? 0);
    }
  }
  await refreshPromises(tx, deps, store, levels, { supplyChanged: true });
}

/**
 * Brings the stored promises of locked SKUs' waiting lines in line with today's schedule after
 * units left their queues (served or cancelled) or their supply moved. Only the lines that can
 * have changed are read (see `linesToCheck`), and only the ones that did are written; each whose
 * date moved gets a `backorder.eta_changed` event. Saves the promise state of the levels.
 */
export async function refreshPromises(
  tx: Executor,
  deps: Pick<Deps, 'clock' | 'ids'>,
  store: StoreScope,
  levels: readonly SkuLevel[],
  options: { supplyChanged?: boolean; everyLine?: boolean } = {},
): Promise<void> {
  const now = deps.clock.now();
  const today = storeToday(store, now);
  const changed: SkuLevel[] = [];
  for (const level of levels) {
    const next = planSchedule(inputsOf(level), today);
    // Orders placed since an earlier day's schedule was applied were dated with their own day's
    // schedule, which `linesToCheck` cannot see: the first refresh of a new day checks every line
    // (the daily job normally gets there first).
    const applied = level.promiseApplied?.day === today ? level.promiseApplied : null;
    // While the daily job re-dates the queue in chunks, lines past its cursor are its to re-date:
    // under the same schedule only the head can have moved; a new schedule re-dates every line here.
    const redating = applied?.pendingAfter !== undefined;
    const limit = options.everyLine
      ? null
      : redating
        ? sameSchedule(applied!.segments, next)
          ? linesToCheck(next, next)
          : null
        : linesToCheck(applied?.segments ?? null, next);
    if (level.waitingLines > 0 && limit !== 0) {
      await applySchedule(tx, {
        storeId: store.id,
        sku: level.sku,
        segments: next,
        limit,
        eventIdBase: deps.ids.next('evt'),
        now,
      });
    }
    const nextApplied = redating && limit !== null ? applied! : { day: today, segments: next };
    const unchanged = applied !== null && nextApplied === applied;
    const same = applied !== null && !redating && sameSchedule(applied.segments, next);
    if ((unchanged || same) && !options.supplyChanged) continue;
    level.promiseApplied = nextApplied;
    changed.push(level);
  }
  await savePromiseState(tx, store.id, changed, now);
}

/**
 * One chunk of the daily re-dating of a locked SKU whose dates were computed on an earlier day:
 * the next `chunkLines` waiting lines, from the head or past the cursor a previous chunk left
 * under today's same schedule (re-checked here, under the lock); the cursor's units come from the
 * queue counts. Each chunk is its own short transaction, so orders keep flowing meanwhile: lines
 * placed meanwhile are dated with today's schedule, and fills and cancellations re-date the head
 * (`refreshPromises`). Returns true once the whole queue holds today's dates.
 */
export async function redateChunk(
  tx: Executor,
  deps: Pick<Deps, 'clock' | 'ids'>,
  store: StoreScope,
  level: SkuLevel,
  chunkLines: number,
): Promise<boolean> {
  const now = deps.clock.now();
  const today = storeToday(store, now);
  const applied = level.promiseApplied;
  if (applied !== null && applied.day >= today && applied.pendingAfter === undefined) return true;
  // Rows from before the engine existed have no inputs yet: build them first (the whole queue).
  if (level.promiseInputs === null) {
    await refreshSupply(tx, deps, store, [level]);
    return true;
  }
  const next = planSchedule(inputsOf(level), today);
  const cursor =
    applied?.day === today && applied.pendingAfter !== undefined && sameSchedule(applied.segments, next)
      ? applied.pendingAfter
      : null;
  let after = null;
  if (cursor !== null) {
    const ahead = await readAhead(tx, store.id, [{ sku: level.sku, ticket: cursor + 1 }]);
    after = { ticket: cursor, units: ahead.get(`${cursor + 1}:${level.sku}`)?.units ?? 0 };
  }
  const chunk = await applySchedule(tx, {
    storeId: store.id,
    sku: level.sku,
    segments: next,
    limit: chunkLines,
    after,
    eventIdBase: deps.ids.next('evt'),
    now,
  });
  const done = chunk.lines < chunkLines || chunk.last === null;
  level.promiseApplied = done
    ? { day: today, segments: next }
    : { day: today, segments: next, pendingAfter: chunk.last!.ticket };
  await savePromiseState(tx, store.id, [level], now);
  return done;
}

async function savePromiseState(
  tx: Executor,
  storeId: string,
  levels: readonly SkuLevel[],
  now: Date,
): Promise<void> {
  if (levels.length === 0) return;
  const rows = levels.map((l) => ({
    sku: l.sku,
    inputs: l.promiseInputs,
    version: l.promiseVersion,
    applied: l.promiseApplied,
    backorder_limit: l.backorderLimit,
  }));
  await tx.execute(sql`
    UPDATE inventory_levels AS l
       SET promise_inputs = v.inputs, promise_version = v.version, promise_applied = v.applied,
           backorder_limit = v.backorder_limit, updated_at = ${now}::timestamptz
      FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
           AS v(sku text, inputs jsonb, version int, applied jsonb, backorder_limit int)
     WHERE l.store_id = ${storeId} AND l.sku = v.sku`);
}
