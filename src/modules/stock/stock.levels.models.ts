/** Pure rules about a SKU's stock buckets. No I/O. */

export type BackorderMode = 'deny' | 'backorder' | 'preorder';
export type StockStatus = 'in_stock' | 'backorder' | 'preorder' | 'out_of_stock';

export interface StockLevel {
  onHand: number;
  allocated: number;
  backordered: number;
  waitingLines: number;
  queueTail: number;
  backorderMode: BackorderMode;
  backorderLimit: number | null;
}

/** Largest number of units a single level bucket may hold (PostgreSQL `integer`, with headroom). */
export const MAX_UNITS = 2_000_000_000;

export const available = (level: StockLevel): number => level.onHand - level.allocated;

/** How many more units may wait in the queue: 0 for `deny`, null when there is no cap. */
export function backorderRemaining(level: StockLevel): number | null {
  if (level.backorderMode === 'deny') return 0;
  if (level.backorderLimit === null) return null;
  return Math.max(0, level.backorderLimit - level.backordered);
}

export function effectiveBackorderLimit(level: StockLevel): number | null {
  return level.backorderMode === 'deny' ? 0 : level.backorderLimit;
}

export function stockStatus(level: StockLevel): StockStatus {
  if (available(level) > 0) return 'in_stock';
  const remaining = backorderRemaining(level);
  if (remaining === 0) return 'out_of_stock';
  return level.backorderMode === 'preorder' ? 'preorder' : 'backorder';
}
