/** Reads over many SKUs' stock: the stock list, and what an adjustment batch can be refused for up front. */
import { and, asc, eq, gt, ilike, lte, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import type { StoreScope } from '../../shared/context.ts';
import { decodeKeyCursor, type Page, toPage } from '../../shared/cursor.ts';
import { DomainError, type FieldError } from '../../shared/errors.ts';
import type { AdjustmentInput } from '../stock/stock.adjust.ts';
import { repeatedSkus } from '../stock/stock.errors.ts';
import type { BackorderMode } from '../stock/stock.levels.models.ts';
import { levelKey, readLevels } from '../stock/stock.levels.repository.ts';
import { inventoryLevels } from '../stock/stock.tables.ts';
import { type LevelView, toLevelView } from '../stock/stock.views.ts';

export interface LevelFilters {
  /** Only SKUs with this backorder mode. */
  mode?: BackorderMode;
  /** true: only SKUs with units waiting in their queue; false: only SKUs with none. */
  waiting?: boolean;
  /** Only SKUs with at most this many units available (onHand − allocated): the low-stock list. */
  availableAtMost?: number;
  /** Only SKUs containing this text, ignoring case (the console's search box). */
  search?: string;
}

/** Stock levels of a store in SKU order, as `GET /v1/inventory/{sku}` shows each, filtered. */
export async function listLevels(
  db: Executor,
  storeId: string,
  query: LevelFilters & { limit: number; cursor?: string },
): Promise<Page<LevelView>> {
  const after = decodeKeyCursor(query.cursor);
  const l = inventoryLevels;
  const conditions: SQL[] = [eq(l.storeId, storeId)];
  if (after !== null) conditions.push(gt(l.sku, after));
  if (query.mode !== undefined) conditions.push(eq(l.backorderMode, query.mode));
  if (query.waiting === true) conditions.push(gt(l.backordered, 0));
  if (query.waiting === false) conditions.push(eq(l.backordered, 0));
  if (query.search) {
    const escaped = query.search.replace(/[\\%_]/g, (c) => `\\${c}`);
    conditions.push(ilike(l.sku, `%${escaped}%`));
  }
  if (query.availableAtMost !== undefined) {
    conditions.push(lte(sql`${l.onHand} - ${l.allocated}`, query.availableAtMost));
  }
  const rows = await db
    .select()
    .from(l)
    .where(and(...conditions))
    .orderBy(asc(l.sku))
    .limit(query.limit + 1);
  return toPage(
    rows,
    query.limit,
    (row) => row.sku,
    (row) => toLevelView(row.sku, row),
  );
}

/**
 * Refuses an adjustment batch naming every row at fault at once: SKUs repeated and SKUs the store
 * does not have (`unknown_sku` when that is all, else `validation_failed`). The adjustment itself
 * checks again under its locks; this is the report a merchant fixing a file needs.
 */
export async function checkAdjustmentRows(
  db: Executor,
  store: StoreScope,
  inputs: readonly AdjustmentInput[],
  pathOf: (index: number) => string = (i) => `/adjustments/${i}/sku`,
): Promise<void> {
  const levels = await readLevels(
    db,
    inputs.map((input) => ({ storeId: store.id, sku: input.sku })),
    { lock: false },
  );
  const repeated = new Map(repeatedSkus(inputs, pathOf).map((r) => [r.index, r.error]));
  const problems: { code: string; error: FieldError }[] = [];
  for (const [i, input] of inputs.entries()) {
    const again = repeated.get(i);
    if (again) {
      problems.push({ code: 'validation_failed', error: again });
    } else if (!levels.has(levelKey(store.id, input.sku))) {
      problems.push({
        code: 'unknown_sku',
        error: { path: pathOf(i), message: `unknown SKU "${input.sku}"` },
      });
    }
  }
  if (problems.length === 0) return;
  const codes = new Set(problems.map((p) => p.code));
  const first = problems[0]!.error;
  throw new DomainError(
    'validation',
    codes.size === 1 ? problems[0]!.code : 'validation_failed',
    `${problems.length} of ${inputs.length} adjustments cannot be applied, so none was: ${first.path} ${first.message}`,
    {},
    problems.map((p) => p.error),
  );
}
