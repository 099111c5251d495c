import { and, asc, eq, gt } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import type { Deps, StoreScope } from '../../shared/context.ts';
import { decodeCursor, type Page, toPage } from '../../shared/cursor.ts';
import { notFound } from '../../shared/errors.ts';
import { insufficientStock, tooManyUnits, unknownSku } from '../allocation/allocation.errors.ts';
import { type QueueFill, serveQueue } from '../allocation/allocation.queue.ts';
import { appendEvents } from '../events/events.usecases.ts';
import {
  available,
  backorderRemaining,
  effectiveBackorderLimit,
  MAX_UNITS,
  type StockLevel,
  type StockStatus,
  stockStatus,
} from './inventory.models.ts';
import { lockLevel, readLevel, saveLevels } from './inventory.repository.ts';
import { inventoryAdjustments, stockMovements } from './inventory.tables.ts';

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
  const level = await lockLevel(tx, store.id, input.sku);
  if (!level) throw unknownSku(input.sku, '/sku');
  if (level.onHand + input.quantity < level.allocated) {
    throw insufficientStock(input.sku, available(level), backorderRemaining(level));
  }
  if (level.onHand + input.quantity > MAX_UNITS) {
    throw tooManyUnits(input.sku);
  }
  const now = deps.clock.now();
  const adjustment = {
    id: deps.ids.next('adj'),
    sku: input.sku,
    quantity: input.quantity,
    reason: input.reason,
    note: input.note ?? null,
  };
  await tx.insert(inventoryAdjustments).values({ ...adjustment, storeId: store.id, createdAt: now });
  await tx.insert(stockMovements).values({
    id: deps.ids.next('mov'),
    storeId: store.id,
    sku: input.sku,
    type: 'adjustment',
    quantity: input.quantity,
    adjustmentId: adjustment.id,
    createdAt: now,
  });
  level.onHand += input.quantity;
  const filled = input.quantity > 0 ? await serveQueue(tx, deps, level) : [];
  await saveLevels(tx, [level], now);
  const view = toLevelView(input.sku, level);
  await appendEvents(tx, deps, [
    { storeId: store.id, type: 'inventory.adjusted', data: { adjustment, level: view, filled } },
  ]);
  return { adjustment: { ...adjustment, createdAt: now.toISOString() }, level: view, filled };
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
