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

/**
 * Waiting lines make the order `backordered`; otherwise any allocated unit makes it `allocated`.
 * Once nothing waits or is allocated every unit is shipped or cancelled: `fulfilled` when nothing
 * was cancelled, `cancelled` when nothing shipped, `partially_shipped` when it ended with both.
 */
export function orderStatus(lines: readonly LineQuantities[]): OrderStatus {
  let allocated = 0;
  let shipped = 0;
  let cancelled = 0;
  for (const line of lines) {
    if (line.backordered > 0) return 'backordered';
    allocated += line.allocated;
    shipped += line.shipped;
    cancelled += line.cancelled;
  }
  if (allocated > 0) return 'allocated';
  if (shipped === 0) return 'cancelled';
  return cancelled === 0 ? 'fulfilled' : 'partially_shipped';
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
