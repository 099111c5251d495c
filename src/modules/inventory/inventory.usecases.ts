import { and, asc, eq, gt, type SQL, sql } from 'drizzle-orm';
import { type Executor, executeTogether } from '../../db/client.ts';
import type { Deps, StoreScope } from '../../shared/context.ts';
import { decodeCursor, type Page, toPage } from '../../shared/cursor.ts';
import { invalid, notFound } from '../../shared/errors.ts';
import { belowAllocated, tooManyUnits, unknownSku } from '../allocation/allocation.errors.ts';
import { type QueueFill, serveQueues } from '../allocation/allocation.queue.ts';
import { appendEvents } from '../events/events.usecases.ts';
import { refreshPromises } from '../promises/promises.usecases.ts';
import {
  available,
  backorderRemaining,
  effectiveBackorderLimit,
  MAX_UNITS,
  type StockLevel,
  type StockStatus,
  stockStatus,
} from './inventory.models.ts';
import { levelKey, lockLevels, readLevel, type SkuLevel, saveLevels } from './inventory.repository.ts';
import { stockMovements } from './inventory.tables.ts';

export interface LevelView {
  sku: string;
  onHand: number;
  allocated: number;
  available: number;
  backordered: number;
  backorderLimit: number | null;
  backorderRemaining: number | null;
  status: StockStatus;
}

export function toLevelView(sku: string, level: StockLevel): LevelView {
  return {
    sku,
    onHand: level.onHand,
    allocated: level.allocated,
    available: available(level),
    backordered: level.backordered,
    backorderLimit: effectiveBackorderLimit(level),
    backorderRemaining: backorderRemaining(level),
    status: stockStatus(level),
  };
}

export async function getLevel(db: Executor, storeId: string, sku: string): Promise<LevelView> {
  const level = await readLevel(db, storeId, sku);
  if (!level) throw notFound('SKU', sku);
  return toLevelView(sku, level);
}

export type AdjustmentReason = 'restock' | 'count' | 'damage' | 'return' | 'other';

export interface AdjustmentInput {
  sku: string;
  quantity: number;
  reason: AdjustmentReason;
  note?: string;
}

export interface AdjustmentResult {
  adjustment: {
    id: string;
    sku: string;
    quantity: number;
    reason: AdjustmentReason;
    note: string | null;
    createdAt: string;
  };
  level: LevelView;
  filled: QueueFill[];
}

/** Changes onHand by a signed quantity; arriving units go to the head of the queue first. */
export async function adjustStock(
  tx: Executor,
  deps: Pick<Deps, 'clock' | 'ids'>,
  store: StoreScope,
  input: AdjustmentInput,
): Promise<AdjustmentResult> {
  const [result] = await adjustStockBatch(tx, deps, store, [input], () => '/sku');
  return result!;
}

/**
 * Applies several adjustments at once, all or nothing (a receiving dock unloading a delivery):
 * every SKU is locked in order, the ledger written, and the queues of every restocked SKU served
 * together. `pathOf` names an input's SKU field in error messages.
 */
export async function adjustStockBatch(
  tx: Executor,
  deps: Pick<Deps, 'clock' | 'ids'>,
  store: StoreScope,
  inputs: readonly AdjustmentInput[],
  pathOf: (index: number) => string = (i) => `/adjustments/${i}/sku`,
): Promise<AdjustmentResult[]> {
  const seen = new Set<string>();
  for (const [i, input] of inputs.entries()) {
    if (seen.has(input.sku)) {
      throw invalid('validation_failed', `SKU "${input.sku}" is adjusted more than once`, [
        { path: pathOf(i), message: 'each SKU may appear once per request' },
      ]);
    }
    seen.add(input.sku);
  }
  const levels = await lockLevels(
    tx,
    inputs.map((input) => ({ storeId: store.id, sku: input.sku })),
  );
  const now = deps.clock.now();
  const adjustments = inputs.map((input) => ({
    id: deps.ids.next('adj'),
    sku: input.sku,
    quantity: input.quantity,
    reason: input.reason,
    note: input.note ?? null,
  }));
  const { touched, filled } = await changeOnHand(
    tx,
    deps,
    store,
    levels,
    adjustments.map((a, i) => ({ sku: a.sku, quantity: a.quantity, adjustmentId: a.id, path: pathOf(i) })),
    { type: 'adjustment', now, alongside: insertAdjustments(store.id, adjustments, now) },
  );
  await refreshPromises(
    tx,
    deps,
    store,
    touched.filter((level) => filled.has(levelKey(store.id, level.sku))),
  );
  const results = adjustments.map((adjustment, i) => ({
    adjustment: { ...adjustment, createdAt: now.toISOString() },
    level: toLevelView(adjustment.sku, touched[i]!),
    filled: filled.get(levelKey(store.id, adjustment.sku)) ?? [],
  }));
  // The fills themselves are order.line.allocated events; this one says how many there were.
  await appendEvents(
    tx,
    deps,
    results.map((r) => ({
      storeId: store.id,
      type: 'inventory.adjusted',
      data: {
        adjustment: r.adjustment,
        level: r.level,
        filledLines: r.filled.length,
        filledQuantity: r.filled.reduce((sum, f) => sum + f.quantity, 0),
      },
    })),
  );
  return results;
}

/** A signed change to a SKU's on-hand units, as one ledger movement records it. */
export interface StockChange {
  sku: string;
  quantity: number;
  /** The adjustment the movement belongs to (adjustments only). */
  adjustmentId?: string;
  /** Where the request named the SKU, for error messages. */
  path: string;
}

/**
 * The restock path, shared by adjustments and purchase-order receipts: applies signed changes to
 * stock rows the caller has locked (an unknown SKU, onHand below allocated or too many units
 * refuses them all), writes one ledger movement of `type` per change — in one round trip with
 * `alongside`, the caller's own record of the change —, hands arriving units to the head of each
 * queue (`serveQueues`) and saves the rows. Returns the levels in input order and the fills per
 * SKU; the caller refreshes the promises.
 */
export async function changeOnHand(
  tx: Executor,
  deps: Pick<Deps, 'clock' | 'ids'>,
  store: StoreScope,
  levels: ReadonlyMap<string, SkuLevel>,
  changes: readonly StockChange[],
  options: { type: 'adjustment' | 'receipt'; now: Date; alongside?: SQL | null },
): Promise<{ touched: SkuLevel[]; filled: Map<string, QueueFill[]> }> {
  const touched = changes.map((change) => {
    const level = levels.get(levelKey(store.id, change.sku));
    if (!level) throw unknownSku(change.sku, change.path);
    if (level.onHand + change.quantity < level.allocated) {
      throw belowAllocated(change.sku, available(level), backorderRemaining(level), -change.quantity);
    }
    if (level.onHand + change.quantity > MAX_UNITS) throw tooManyUnits(change.sku);
    level.onHand += change.quantity;
    return level;
  });
  await executeTogether(tx, [
    options.alongside ?? null,
    insertMovements(deps, store.id, options.type, changes, options.now),
  ]);
  const filled = await serveQueues(
    tx,
    deps,
    store,
    touched.filter((_, i) => changes[i]!.quantity > 0),
  );
  await saveLevels(tx, touched, options.now);
  return { touched, filled };
}

/** The INSERT of adjustment records, written together with their ledger movements. */
function insertAdjustments(
  storeId: string,
  adjustments: readonly { id: string; sku: string; quantity: number; reason: string; note: string | null }[],
  now: Date,
): SQL {
  return sql`
    INSERT INTO inventory_adjustments (id, store_id, sku, quantity, reason, note, created_at)
    SELECT v.id, ${storeId}, v.sku, v.quantity, v.reason, v.note, ${now}::timestamptz
      FROM unnest(${sql.param(adjustments.map((a) => a.id))}::text[],
                  ${sql.param(adjustments.map((a) => a.sku))}::text[],
                  ${sql.param(adjustments.map((a) => a.quantity))}::int[],
                  ${sql.param(adjustments.map((a) => a.reason))}::text[],
                  ${sql.param(adjustments.map((a) => a.note))}::text[]) AS v(id, sku, quantity, reason, note)`;
}

/** The INSERT of one ledger movement per change. */
function insertMovements(
  deps: Pick<Deps, 'ids'>,
  storeId: string,
  type: 'adjustment' | 'receipt',
  changes: readonly StockChange[],
  now: Date,
): SQL {
  return sql`
    INSERT INTO stock_movements (id, store_id, sku, type, quantity, adjustment_id, created_at)
    SELECT m.id, ${storeId}, m.sku, ${type}, m.quantity, m.adjustment_id, ${now}::timestamptz
      FROM unnest(${sql.param(changes.map(() => deps.ids.next('mov')))}::text[],
                  ${sql.param(changes.map((c) => c.sku))}::text[],
                  ${sql.param(changes.map((c) => c.quantity))}::int[],
                  ${sql.param(changes.map((c) => c.adjustmentId ?? null))}::text[]) AS m(id, sku, quantity, adjustment_id)`;
}

export interface MovementView {
  id: string;
  type: string;
  quantity: number;
  orderId?: string;
  lineId?: string;
  adjustmentId?: string;
  createdAt: string;
}

export async function listMovements(
  db: Executor,
  storeId: string,
  sku: string,
  query: { limit: number; cursor?: string },
): Promise<Page<MovementView>> {
  if (!(await readLevel(db, storeId, sku))) throw notFound('SKU', sku);
  const after = decodeCursor(query.cursor);
  const conditions = [eq(stockMovements.storeId, storeId), eq(stockMovements.sku, sku)];
  if (after !== null) conditions.push(gt(stockMovements.seq, after));
  const rows = await db
    .select()
    .from(stockMovements)
    .where(and(...conditions))
    .orderBy(asc(stockMovements.seq))
    .limit(query.limit + 1);
  return toPage(
    rows,
    query.limit,
    (row) => row.seq,
    (row) => ({
      id: row.id,
      type: row.type,
      quantity: row.quantity,
      ...(row.orderId ? { orderId: row.orderId } : {}),
      ...(row.lineId ? { lineId: row.lineId } : {}),
      ...(row.adjustmentId ? { adjustmentId: row.adjustmentId } : {}),
      createdAt: row.createdAt.toISOString(),
    }),
  );
}
