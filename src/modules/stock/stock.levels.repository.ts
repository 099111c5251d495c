import { and, asc, eq, type SQL, sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../../db/client.ts';
import type { AppliedSchedule, PromiseInputs, PromiseState } from '../promises/promises.models.ts';
import type { BackorderMode, StockLevel } from './stock.levels.models.ts';
import { inventoryLevels } from './stock.tables.ts';

export interface SkuLevel extends StockLevel, PromiseState {
  storeId: string;
  sku: string;
  /** The variant's price, read for placement. */
  price?: number;
  /** The hooks' placement terms, read for placement (see `StockHook.placementTerms`). */
  terms?: Record<string, unknown>;
}

/** A named scalar read with each stock row (`l`) at placement. */
export interface LevelTerm {
  name: string;
  sql: SQL;
}

export const levelKey = (storeId: string, sku: string): string => `${storeId}\u0000${sku}`;

/** A stock row as `LEVEL_COLUMNS` reads it. */
export interface LevelRow {
  store_id: string;
  sku: string;
  on_hand: number;
  allocated: number;
  backordered: number;
  waiting_lines: number;
  queue_tail: string | number;
  backorder_mode: BackorderMode;
  backorder_limit: number | null;
  backorder_limit_auto: boolean;
  promise_inputs: PromiseInputs | null;
  promise_version: number;
  promise_applied: AppliedSchedule | null;
  price?: number;
  [term: `term_${number}`]: unknown;
}

/** The columns of a stock row (`inventory_levels l`) that `levelFromRow` maps. */
export const LEVEL_COLUMNS = sql`l.store_id, l.sku, l.on_hand, l.allocated, l.backordered, l.waiting_lines,
  l.queue_tail, l.backorder_mode, l.backorder_limit, l.backorder_limit_auto, l.promise_inputs, l.promise_version,
  l.promise_applied`;

/**
 * Reads the stock rows of the given SKUs. With `lock` they are locked (FOR UPDATE), always in
 * (store, sku) order so that two commands locking overlapping SKU sets cannot deadlock. Unknown
 * SKUs are simply absent. `placement` adds the variant's price and the given terms (read, not
 * locked) for placement.
 */
export async function readLevels(
  executor: Executor,
  keys: readonly { storeId: string; sku: string }[],
  options: { lock: boolean; placement?: readonly LevelTerm[] },
): Promise<Map<string, SkuLevel>> {
  const result = new Map<string, SkuLevel>();
  if (keys.length === 0) return result;
  const unique = new Map(keys.map((k) => [levelKey(k.storeId, k.sku), k]));
  const stores = [...unique.values()].map((k) => k.storeId);
  const skus = [...unique.values()].map((k) => k.sku);
  const rows = await queryRows<LevelRow>(
    executor,
    sql`SELECT ${LEVEL_COLUMNS}
               ${options.placement ? placementColumns(options.placement) : sql``}
          FROM inventory_levels l
          JOIN unnest(${sql.param(stores)}::text[], ${sql.param(skus)}::text[]) AS k(store_id, sku)
            ON l.store_id = k.store_id AND l.sku = k.sku
         ORDER BY l.store_id, l.sku
         ${options.lock ? sql`FOR UPDATE OF l` : sql``}`,
  );
  for (const row of rows) result.set(levelKey(row.store_id, row.sku), levelFromRow(row, options.placement));
  return result;
}

/** Placement's view of the variant (its price) and the hooks' terms, as `term_<i>`. */
function placementColumns(terms: readonly LevelTerm[]): SQL {
  const columns = [
    sql`(SELECT v.price FROM variants v WHERE v.store_id = l.store_id AND v.sku = l.sku) AS price`,
    ...terms.map((term, i) => sql`(${term.sql}) AS ${sql.identifier(`term_${i}`)}`),
  ];
  return sql`, ${sql.join(columns, sql`, `)}`;
}

/** Locks the stock rows of the given SKUs; see `readLevels`. */
export const lockLevels = (tx: Executor, keys: readonly { storeId: string; sku: string }[]) =>
  readLevels(tx, keys, { lock: true });

export function levelFromRow(row: LevelRow, terms?: readonly LevelTerm[]): SkuLevel {
  return {
    storeId: row.store_id,
    sku: row.sku,
    onHand: row.on_hand,
    allocated: row.allocated,
    backordered: row.backordered,
    waitingLines: row.waiting_lines,
    queueTail: Number(row.queue_tail),
    backorderMode: row.backorder_mode,
    backorderLimit: row.backorder_limit,
    backorderLimitAuto: row.backorder_limit_auto,
    promiseInputs: row.promise_inputs,
    promiseVersion: row.promise_version,
    promiseApplied: row.promise_applied,
    ...(terms
      ? {
          price: row.price,
          terms: Object.fromEntries(terms.map((term, i) => [term.name, row[`term_${i}`]])),
        }
      : {}),
  };
}

/** Writes back the buckets of levels changed under lock, in one statement. */
export async function saveLevels(tx: Executor, levels: readonly SkuLevel[], now: Date): Promise<void> {
  const statement = updateLevels(levels, now);
  if (statement) await tx.execute(statement);
}

/** The UPDATE for `saveLevels`, to combine with other writes (see `executeTogether`). */
export function updateLevels(levels: readonly SkuLevel[], now: Date): SQL | null {
  if (levels.length === 0) return null;
  return levelsUpdate(
    levels.map((after) => ({ after })),
    now,
  );
}

/**
 * UPDATE that writes `after` only where the row still equals `before` (every field a placement
 * decision reads), returning one row per level it wrote: the gate of an optimistic placement.
 */
export function updateLevelsIfUnchanged(
  changes: readonly { before: SkuLevel; after: SkuLevel }[],
  now: Date,
): SQL {
  return levelsUpdate(changes, now);
}

/** One UPDATE for both: rows with a `before` are written only if the stock row still equals it. */
function levelsUpdate(changes: readonly { before?: SkuLevel; after: SkuLevel }[], now: Date): SQL {
  const rows = changes.map(({ before, after }) => ({
    store_id: after.storeId,
    sku: after.sku,
    on_hand: after.onHand,
    allocated: after.allocated,
    backordered: after.backordered,
    waiting_lines: after.waitingLines,
    queue_tail: after.queueTail,
    ...(before && {
      was_on_hand: before.onHand,
      was_allocated: before.allocated,
      was_backordered: before.backordered,
      was_waiting_lines: before.waitingLines,
      was_queue_tail: before.queueTail,
      was_mode: before.backorderMode,
      was_limit: before.backorderLimit,
      was_promise_version: before.promiseVersion,
    }),
  }));
  const guarded = changes.some((c) => c.before !== undefined);
  return sql`
    UPDATE inventory_levels AS l
       SET on_hand = v.on_hand, allocated = v.allocated, backordered = v.backordered,
           waiting_lines = v.waiting_lines, queue_tail = v.queue_tail, updated_at = ${now}::timestamptz
      FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
           AS v(store_id text, sku text, on_hand int, allocated int, backordered int, waiting_lines int, queue_tail bigint,
                was_on_hand int, was_allocated int, was_backordered int, was_waiting_lines int, was_queue_tail bigint,
                was_mode text, was_limit int, was_promise_version int)
     WHERE l.store_id = v.store_id AND l.sku = v.sku
     ${
       guarded
         ? sql`AND l.on_hand = v.was_on_hand AND l.allocated = v.was_allocated AND l.backordered = v.was_backordered
               AND l.waiting_lines = v.was_waiting_lines AND l.queue_tail = v.was_queue_tail
               AND l.backorder_mode = v.was_mode AND l.backorder_limit IS NOT DISTINCT FROM v.was_limit
               AND l.promise_version = v.was_promise_version`
         : sql``
     }
    RETURNING 1`;
}

export async function readLevel(db: Executor, storeId: string, sku: string): Promise<SkuLevel | undefined> {
  const [row] = await db
    .select()
    .from(inventoryLevels)
    .where(and(eq(inventoryLevels.storeId, storeId), eq(inventoryLevels.sku, sku)))
    .orderBy(asc(inventoryLevels.sku))
    .limit(1);
  return row === undefined ? undefined : { ...row };
}
