import { and, asc, eq, gt, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import type { Deps, StoreScope } from '../../shared/context.ts';
import { decodeCursor, type Page, toPage } from '../../shared/cursor.ts';
import { invalid, notFound } from '../../shared/errors.ts';
import { insufficientStock, tooManyUnits, unknownSku } from '../allocation/allocation.errors.ts';
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
import { levelKey, lockLevels, readLevel, saveLevels } from './inventory.repository.ts';
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
  const adjustments = inputs.map((input, i) => {
    const level = levels.get(levelKey(store.id, input.sku));
    if (!level) throw unknownSku(input.sku, pathOf(i));
    if (level.onHand + input.quantity < level.allocated) {
      throw insufficientStock(input.sku, available(level), backorderRemaining(level));
    }
    if (level.onHand + input.quantity > MAX_UNITS) throw tooManyUnits(input.sku);
    level.onHand += input.quantity;
    return {
      id: deps.ids.next('adj'),
      sku: input.sku,
      quantity: input.quantity,
      reason: input.reason,
      note: input.note ?? null,
    };
  });
  await recordAdjustments(tx, deps, store.id, adjustments, now);
  const touched = adjustments.map((a) => levels.get(levelKey(store.id, a.sku))!);
  const filled = await serveQueues(
    tx,
    deps,
    store,
    touched.filter((_, i) => adjustments[i]!.quantity > 0),
  );
  await saveLevels(tx, touched, now);
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

/** Writes the adjustments and their ledger movements (one each) in one statement. */
async function recordAdjustments(
  tx: Executor,
  deps: Pick<Deps, 'ids'>,
  storeId: string,
  adjustments: readonly { id: string; sku: string; quantity: number; reason: string; note: string | null }[],
  now: Date,
): Promise<void> {
  await tx.execute(sql`
    WITH adjustment AS (
      INSERT INTO inventory_adjustments (id, store_id, sku, quantity, reason, note, created_at)
      SELECT v.id, ${storeId}, v.sku, v.quantity, v.reason, v.note, ${now}::timestamptz
        FROM unnest(${sql.param(adjustments.map((a) => a.id))}::text[],
                    ${sql.param(adjustments.map((a) => a.sku))}::text[],
                    ${sql.param(adjustments.map((a) => a.quantity))}::int[],
                    ${sql.param(adjustments.map((a) => a.reason))}::text[],
                    ${sql.param(adjustments.map((a) => a.note))}::text[]) AS v(id, sku, quantity, reason, note)
      RETURNING id, sku, quantity)
    INSERT INTO stock_movements (id, store_id, sku, type, quantity, adjustment_id, created_at)
    SELECT m.id, ${storeId}, m.sku, 'adjustment', m.quantity, m.adjustment_id, ${now}::timestamptz
      FROM unnest(${sql.param(adjustments.map(() => deps.ids.next('mov')))}::text[],
                  ${sql.param(adjustments.map((a) => a.sku))}::text[],
                  ${sql.param(adjustments.map((a) => a.quantity))}::int[],
                  ${sql.param(adjustments.map((a) => a.id))}::text[]) AS m(id, sku, quantity, adjustment_id)`);
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
