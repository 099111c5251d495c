import { and, asc, eq, gt } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { decodeCursor, type Page, toPage } from '../../shared/cursor.ts';
import { notFound } from '../../shared/errors.ts';
import { readLevel } from '../stock/stock.levels.repository.ts';
import { stockMovements } from '../stock/stock.tables.ts';
import { type LevelView, toLevelView } from '../stock/stock.views.ts';

export async function getLevel(db: Executor, storeId: string, sku: string): Promise<LevelView> {
  const level = await readLevel(db, storeId, sku);
  if (!level) throw notFound('SKU', sku);
  return toLevelView(sku, level);
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
