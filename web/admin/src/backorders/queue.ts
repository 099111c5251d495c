import type { Backorder } from '../api/types';

export interface QueueRow extends Backorder {
  /** Units waiting ahead of this line in its SKU's queue (lines before it, from the queue's head). */
  unitsAhead: number;
}

/**
 * Adds each line's units ahead. The API lists waiting lines by SKU, then queue position, from the
 * head of each queue, so the sum of the earlier lines of the same SKU is what is ahead.
 */
export function withUnitsAhead(lines: readonly Backorder[]): QueueRow[] {
  const ahead = new Map<string, number>();
  return lines.map((line) => {
    const before = ahead.get(line.sku) ?? 0;
    ahead.set(line.sku, before + line.backorderedQuantity);
    return { ...line, unitsAhead: before };
  });
}
