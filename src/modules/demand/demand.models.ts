/**
 * Pure rules of demand capture: which counters a placement, a refusal, a cancellation or a
 * shipment adds to, per store, SKU and calendar day. No I/O.
 */
import { dayIn, daysBetween } from '../../shared/dates.ts';
import type { PlacedOrder, RefusedOrder } from '../stock/stock.hooks.ts';

export interface PlacedCounts {
  storeId: string;
  sku: string;
  day: string;
  orderedUnits: number;
  orderedLines: number;
  allocatedUnits: number;
  waitingUnits: number;
  waitingLines: number;
}

/** A line that had units waiting when placed, with its first promise. */
export interface WaitFact {
  storeId: string;
  lineId: string;
  sku: string;
  placedOn: string;
  waitingUnits: number;
  promisedOn: string;
  promisedLatest: string;
  promisedWaitDays: number;
}

export interface ToleranceCounts {
  storeId: string;
  sku: string;
  day: string;
  promisedWaitDays: number;
  waitingLines: number;
}

export interface RefusalCounts {
  storeId: string;
  sku: string;
  day: string;
  reason: string;
  units: number;
  lines: number;
}

/** Adds `row` to the one of `map` with the same key, or keeps it. */
function accumulate<T extends object>(map: Map<string, T>, key: string, row: T): void {
  const existing = map.get(key);
  if (!existing) {
    map.set(key, { ...row });
    return;
  }
  const target = existing as Record<string, unknown>;
  for (const [name, value] of Object.entries(row)) {
    if (typeof value === 'number' && name !== 'promisedWaitDays')
      target[name] = (target[name] as number) + value;
  }
}

/**
 * What a batch of placements adds: per (store, SKU, day) the units ordered, split into allocated
 * and waiting; a fact per line that waits (its first promise); per promised wait the waiting lines.
 */
export function placementCounts(
  orders: readonly PlacedOrder[],
  at: Date,
): { daily: PlacedCounts[]; waits: WaitFact[]; tolerance: ToleranceCounts[] } {
  const daily = new Map<string, PlacedCounts>();
  const tolerance = new Map<string, ToleranceCounts>();
  const waits: WaitFact[] = [];
  for (const order of orders) {
    const day = dayIn(order.timezone, at);
    for (const line of order.lines) {
      const waiting = line.backordered > 0;
      accumulate(daily, `${order.storeId} ${line.sku} ${day}`, {
        storeId: order.storeId,
        sku: line.sku,
        day,
        orderedUnits: line.quantity,
        orderedLines: 1,
        allocatedUnits: line.allocated,
        waitingUnits: line.backordered,
        waitingLines: waiting ? 1 : 0,
      });
      if (!waiting) continue;
      const promisedOn = line.eta ?? day;
      const promisedWaitDays = Math.max(0, daysBetween(day, promisedOn));
      waits.push({
        storeId: order.storeId,
        lineId: line.lineId,
        sku: line.sku,
        placedOn: day,
        waitingUnits: line.backordered,
        promisedOn,
        promisedLatest: line.etaLatest ?? promisedOn,
        promisedWaitDays,
      });
      accumulate(tolerance, `${order.storeId} ${line.sku} ${day} ${promisedWaitDays}`, {
        storeId: order.storeId,
        sku: line.sku,
        day,
        promisedWaitDays,
        waitingLines: 1,
      });
    }
  }
  return { daily: [...daily.values()], waits, tolerance: [...tolerance.values()] };
}

/** What a batch's refusals add: units and lines per (store, SKU, day, reason). */
export function refusalCounts(orders: readonly RefusedOrder[], at: Date): RefusalCounts[] {
  const counts = new Map<string, RefusalCounts>();
  for (const order of orders) {
    const day = dayIn(order.timezone, at);
    for (const line of order.lines) {
      accumulate(counts, `${order.storeId} ${line.sku} ${day} ${line.reason}`, {
        storeId: order.storeId,
        sku: line.sku,
        day,
        reason: line.reason,
        units: line.quantity,
        lines: 1,
      });
    }
  }
  return [...counts.values()];
}

/** A cancellation's reason as counted: trimmed, at most 100 characters, `cancelled` when none. */
export function cancellationReason(reason: string | undefined): string {
  const text = (reason ?? '').trim().slice(0, 100);
  return text === '' ? 'cancelled' : text;
}
