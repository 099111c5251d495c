/**
 * The allocation rules, pure: how a new order is split into allocated and waiting units, and how
 * arriving units are handed to the queue's head. Everything that moves stock calls these.
 */
import { available, backorderRemaining, MAX_UNITS, type StockLevel } from './stock.levels.models.ts';

export interface RequestedLine {
  sku: string;
  quantity: number;
}

export interface LinePlacement {
  sku: string;
  quantity: number;
  allocate: number;
  wait: number;
  /** Queue ticket for the waiting units (null when nothing waits). */
  ticket: number | null;
  /** 1-based place in the SKU's queue at acceptance (null when nothing waits). */
  position: number | null;
  /** Units waiting in the SKU's queue up to and including this line's (null when nothing waits). */
  waitingThrough: number | null;
}

export type PlacementDecision =
  | { accepted: true; lines: LinePlacement[]; levels: Map<string, StockLevel> }
  | {
      accepted: false;
      reason: 'insufficient_stock';
      sku: string;
      available: number;
      backorderRemaining: number | null;
    }
  | { accepted: false; reason: 'too_many_units'; sku: string };

/**
 * Splits every line into `min(quantity, available)` allocated units and the rest waiting at the
 * tail of the SKU's queue. The whole order is refused when any line cannot wait in full. Levels
 * are not mutated: an accepted decision returns the levels as they would be afterwards.
 */
export function decidePlacement(
  levels: ReadonlyMap<string, StockLevel>,
  lines: readonly RequestedLine[],
): PlacementDecision {
  const after = new Map<string, StockLevel>();
  const placements: LinePlacement[] = [];
  for (const line of lines) {
    const current = after.get(line.sku) ?? levels.get(line.sku);
    if (current === undefined) throw new Error(`no stock level for ${line.sku}`);
    const allocate = Math.min(line.quantity, available(current));
    const wait = line.quantity - allocate;
    const remaining = backorderRemaining(current);
    if (wait > 0 && remaining !== null && wait > remaining) {
      const original = levels.get(line.sku)!;
      return {
        accepted: false,
        reason: 'insufficient_stock',
        sku: line.sku,
        available: available(original),
        backorderRemaining: backorderRemaining(original),
      };
    }
    // The counters are PostgreSQL integers: an absurd total is refused rather than overflowing.
    if (current.backordered + wait > MAX_UNITS)
      return { accepted: false, reason: 'too_many_units', sku: line.sku };
    const next: StockLevel = { ...current, allocated: current.allocated + allocate };
    let ticket: number | null = null;
    let position: number | null = null;
    let waitingThrough: number | null = null;
    if (wait > 0) {
      ticket = current.queueTail + 1;
      next.queueTail = ticket;
      next.backordered = current.backordered + wait;
      next.waitingLines = current.waitingLines + 1;
      position = next.waitingLines;
      waitingThrough = next.backordered;
    }
    after.set(line.sku, next);
    placements.push({
      sku: line.sku,
      quantity: line.quantity,
      allocate,
      wait,
      ticket,
      position,
      waitingThrough,
    });
  }
  const merged = new Map(levels);
  for (const [sku, level] of after) merged.set(sku, level);
  return { accepted: true, lines: placements, levels: merged };
}

export interface WaitingLine {
  lineId: string;
  orderId: string;
  waiting: number;
}

export interface Fill {
  lineId: string;
  orderId: string;
  quantity: number;
  /** True when the line stops waiting (all its waiting units are now allocated). */
  completes: boolean;
}

/**
 * Hands `units` to waiting lines in queue order: the head takes all it waits for before the next
 * line gets any; the last line served may be filled partly. No line is ever skipped.
 */
export function fillQueue(units: number, queue: readonly WaitingLine[]): Fill[] {
  return fillSpan(0, units, queue);
}

/**
 * The one rule of who gets which units: counting waiting units from the head of `queue`, the units
 * numbered `from` (inclusive) to `to` (exclusive) go to the lines that hold them. A restock hands
 * out the first units (`fillQueue`); a later arrival in a what-if first passes the units of the
 * supply arriving before it.
 */
export function fillSpan(from: number, to: number, queue: readonly WaitingLine[]): Fill[] {
  const fills: Fill[] = [];
  let start = 0;
  for (const line of queue) {
    if (start >= to) break;
    const end = start + line.waiting;
    const quantity = Math.min(end, to) - Math.max(start, from);
    if (quantity > 0) {
      fills.push({ lineId: line.lineId, orderId: line.orderId, quantity, completes: end <= to });
    }
    start = end;
  }
  return fills;
}

/** An allocated line a write-off may take units back from. */
export interface AllocatedLine {
  lineId: string;
  orderId: string;
  allocated: number;
  /** Units of the line still waiting (only the queue's head line can have both). */
  waiting: number;
}

export interface TakeBack {
  lineId: string;
  orderId: string;
  quantity: number;
  /** The line was not waiting: it rejoins the queue (ahead of every waiting line). */
  rejoins: boolean;
}

/**
 * When a write-off leaves fewer units on hand than are allocated, the missing units are taken back
 * from the most recently accepted allocated lines first (last in, first out: `newestFirst`). Every
 * allocated line was accepted before every waiting line (units are allocated only while nothing
 * waits, or to the queue's head), so the lines taken from go back to wait ahead of the queue, in
 * acceptance order, and are the first served when stock returns.
 */
export function takeBack(units: number, newestFirst: readonly AllocatedLine[]): TakeBack[] {
  const taken: TakeBack[] = [];
  let left = units;
  for (const line of newestFirst) {
    if (left <= 0) break;
    const quantity = Math.min(left, line.allocated);
    if (quantity <= 0) continue;
    left -= quantity;
    taken.push({ lineId: line.lineId, orderId: line.orderId, quantity, rejoins: line.waiting === 0 });
  }
  if (left > 0) throw new Error(`only ${units - left} allocated units to take back, not ${units}`);
  return taken;
}
