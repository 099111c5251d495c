/** Pure rules about order lines and orders: quantities and derived statuses. No I/O. */

export type LineStatus = 'backordered' | 'allocated' | 'shipped' | 'cancelled';
export type OrderStatus = 'backordered' | 'allocated' | 'partially_shipped' | 'fulfilled' | 'cancelled';

export const ORDER_STATUSES: readonly OrderStatus[] = [
  'backordered',
  'allocated',
  'partially_shipped',
  'fulfilled',
  'cancelled',
];

export interface LineQuantities {
  quantity: number;
  allocated: number;
  backordered: number;
  shipped: number;
  cancelled: number;
}

export function lineStatus(line: LineQuantities): LineStatus {
  if (line.backordered > 0) return 'backordered';
  if (line.allocated > 0) return 'allocated';
  if (line.shipped > 0) return 'shipped';
  return 'cancelled';
}

/** An order's units summed over its lines: all its status depends on. */
export type OrderTotals = Omit<LineQuantities, 'quantity'>;

/**
 * Waiting units make the order `backordered`; otherwise any allocated unit makes it `allocated`.
 * Once nothing waits or is allocated every unit is shipped or cancelled: `fulfilled` when nothing
 * was cancelled, `cancelled` when nothing shipped, `partially_shipped` when it ended with both.
 * (`orderStatusSql` in stock.lines.repository.ts states the same rule for set-wise updates; a
 * property test holds the two together.)
 */
export function orderStatusOf(totals: OrderTotals): OrderStatus {
  if (totals.backordered > 0) return 'backordered';
  if (totals.allocated > 0) return 'allocated';
  if (totals.shipped === 0) return 'cancelled';
  return totals.cancelled === 0 ? 'fulfilled' : 'partially_shipped';
}

/** The status of an order with these lines (`orderStatusOf` their totals). */
export function orderStatus(lines: readonly LineQuantities[]): OrderStatus {
  const totals: OrderTotals = { allocated: 0, backordered: 0, shipped: 0, cancelled: 0 };
  for (const line of lines) {
    totals.allocated += line.allocated;
    totals.backordered += line.backordered;
    totals.shipped += line.shipped;
    totals.cancelled += line.cancelled;
  }
  return orderStatusOf(totals);
}

export const unshipped = (line: LineQuantities): number => line.allocated + line.backordered;

/** Cancelling takes waiting units first, then allocated ones (those go back to the queue's head). */
export function splitCancellation(
  line: LineQuantities,
  quantity: number,
): { fromWaiting: number; fromAllocated: number } | null {
  if (quantity > unshipped(line)) return null;
  const fromWaiting = Math.min(quantity, line.backordered);
  return { fromWaiting, fromAllocated: quantity - fromWaiting };
}

/** The line's counts once `quantity` units are cancelled as `splitCancellation` takes them; null when fewer are unshipped. */
export function afterCancellation<T extends LineQuantities>(line: T, quantity: number): T | null {
  const split = splitCancellation(line, quantity);
  if (!split) return null;
  return {
    ...line,
    backordered: line.backordered - split.fromWaiting,
    allocated: line.allocated - split.fromAllocated,
    cancelled: line.cancelled + quantity,
  };
}
