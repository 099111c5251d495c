/**
 * The promise rules, pure: how a SKU's supply (open purchase orders, then the supplier's lead
 * time or the merchant's date) turns into a ship date for each place in its queue. A waiting
 * line's date is decided by the last of its units: walking the queue in order, the line whose
 * waiting units end at cumulative unit `n` ships once `n` units of supply have arrived.
 */

import { addDays } from '../../shared/dates.ts';

export type EtaSource = 'stock' | 'purchase_order' | 'lead_time' | 'merchant_date';

/** Units still to come on one purchase-order line. */
export interface SupplyLot {
  purchaseOrderId: string;
  expectedDate: string;
  quantity: number;
  /** How late this supplier's deliveries have been (days, ≥ 0): widens the range. */
  lateDays: number;
}

/** Everything about a SKU the engine needs, copied onto its stock row under its lock. */
export interface PromiseInputs {
  supply: SupplyLot[];
  leadTimeDays: number;
  leadLateDays: number;
  merchantDate: string | null;
  releaseDate: string | null;
  handlingDays: number;
}

export interface LinePromise {
  eta: string;
  etaLatest: string;
  source: EtaSource;
}

/** Lines whose waiting units end at or before `through` (cumulative, from the head) get this promise. */
export interface Segment extends LinePromise {
  through: number | null;
}

/** The schedule the stored dates of a SKU's waiting lines were computed from, and on which day. */
export interface AppliedSchedule {
  day: string;
  segments: Segment[];
  /**
   * Set while the daily job re-dates the queue for `day` in chunks: lines up to this ticket hold
   * `segments`' promises, later ones may still hold an earlier day's (the job's next chunk).
   */
  pendingAfter?: number;
}

/** The stock row fields the promise engine keeps (see inventory_levels). */
export interface PromiseState {
  promiseInputs: PromiseInputs | null;
  promiseVersion: number;
  promiseApplied: AppliedSchedule | null;
  backorderLimitAuto: boolean;
}

export const DEFAULT_INPUTS: PromiseInputs = {
  supply: [],
  leadTimeDays: 14,
  leadLateDays: 0,
  merchantDate: null,
  releaseDate: null,
  handlingDays: 0,
};

const later = (a: string, b: string): string => (a >= b ? a : b);

/**
 * The day units arriving on `arrival` can ship: after the store's handling days, and never before
 * a pre-order's release (a release that decides the date makes it the merchant's date).
 */
function shipping(
  inputs: PromiseInputs,
  arrival: string,
  source: EtaSource,
): { eta: string; source: EtaSource } {
  const eta = addDays(arrival, inputs.handlingDays);
  if (inputs.releaseDate !== null && inputs.releaseDate > eta) {
    return { eta: inputs.releaseDate, source: 'merchant_date' };
  }
  return { eta, source };
}

/** Open purchase-order units in the order they arrive (a late lot is expected today at the earliest). */
export function lotsByArrival(inputs: PromiseInputs, today: string): (SupplyLot & { arrival: string })[] {
  return inputs.supply
    .filter((lot) => lot.quantity > 0)
    .map((lot) => ({ ...lot, arrival: later(lot.expectedDate, today) }))
    .sort((a, b) =>
      a.arrival === b.arrival
        ? a.purchaseOrderId.localeCompare(b.purchaseOrderId)
        : a.arrival < b.arrival
          ? -1
          : 1,
    );
}

/**
 * Builds a SKU's schedule for `today`: open purchase-order units in order of arrival (a late one,
 * whose date has passed, is expected today at the earliest), then, beyond known supply, the
 * merchant's date when it is still ahead, else today + the lead time. Dates never decrease along
 * the schedule: the queue is served in order, so no place can ship before the places ahead of it.
 */
export function planSchedule(inputs: PromiseInputs, today: string): Segment[] {
  const lots = lotsByArrival(inputs, today);
  const segments: Segment[] = [];
  let through = 0;
  let lastArrival = today;
  let floorLatest = '';
  const push = (segment: Segment) => {
    const previous = segments[segments.length - 1];
    if (
      previous &&
      previous.eta === segment.eta &&
      previous.etaLatest === segment.etaLatest &&
      previous.source === segment.source
    ) {
      previous.through = segment.through;
      return;
    }
    segments.push(segment);
  };
  for (const lot of lots) {
    through += lot.quantity;
    lastArrival = lot.arrival;
    const { eta, source } = shipping(inputs, lot.arrival, 'purchase_order');
    floorLatest = later(
      floorLatest,
      later(eta, shipping(inputs, addDays(lot.arrival, lot.lateDays), source).eta),
    );
    push({ through, eta, etaLatest: floorLatest, source });
  }
  const merchant = inputs.merchantDate !== null && inputs.merchantDate >= today;
  const base = merchant ? inputs.merchantDate! : addDays(today, inputs.leadTimeDays);
  const arrival = later(base, lastArrival);
  const lateDays = merchant ? 0 : inputs.leadLateDays;
  const { eta, source } = shipping(inputs, arrival, merchant ? 'merchant_date' : 'lead_time');
  floorLatest = later(floorLatest, later(eta, shipping(inputs, addDays(arrival, lateDays), source).eta));
  push({ through: null, eta, etaLatest: floorLatest, source });
  return segments;
}

/** The promise of a waiting line whose units end at cumulative unit `through` of the queue. */
export function promiseAt(segments: readonly Segment[], through: number): LinePromise {
  const segment = segments.find((s) => s.through === null || s.through >= through) ?? segments.at(-1)!;
  return { eta: segment.eta, etaLatest: segment.etaLatest, source: segment.source };
}

/** The promise of units already allocated from stock: ready after handling (and release). */
export function stockPromise(inputs: PromiseInputs, today: string): LinePromise {
  const { eta, source } = shipping(inputs, today, 'stock');
  return { eta, etaLatest: eta, source };
}

/** Units of supply the schedule knows of: past them every place gets the last (fallback) promise. */
export const coveredUnits = (segments: readonly Segment[]): number =>
  segments.reduce((max, s) => (s.through === null ? max : Math.max(max, s.through)), 0);

const samePromise = (a: LinePromise, b: LinePromise): boolean =>
  a.eta === b.eta && a.etaLatest === b.etaLatest && a.source === b.source;

export const sameSchedule = (a: readonly Segment[], b: readonly Segment[]): boolean =>
  a.length === b.length && a.every((s, i) => s.through === b[i]!.through && samePromise(s, b[i]!));

/**
 * How many waiting lines, from the head, can have a different promise under `next` than the one
 * stored under `previous`, given that units only ever leave a queue from inside it (served or
 * cancelled) and join it at the tail with `next`'s promise. Past both schedules' known supply,
 * every line has the fallback promise; when that promise itself moved, every line must be checked
 * (null). A line that can change ends within the known supply (units only leave a queue, so its
 * place never moves back past it), and each waiting line holds at least one unit: the first
 * `covered` lines hold them all (0: nothing to check).
 */
export function linesToCheck(previous: readonly Segment[] | null, next: readonly Segment[]): number | null {
  if (previous === null || previous.length === 0) return null;
  if (!samePromise(previous.at(-1)!, next.at(-1)!)) return null;
  return Math.max(coveredUnits(previous), coveredUnits(next));
}

/** The units on open purchase orders not yet promised to waiting lines (the automatic cap's base). */
export const openSupplyUnits = (inputs: PromiseInputs): number =>
  inputs.supply.reduce((sum, lot) => sum + Math.max(0, lot.quantity), 0);

/**
 * A supplier's lateness for the range: the 80th percentile of how many days late its recent
 * receipts were (early counts as 0), so one freak delay does not stretch every promise.
 */
export function measuredLateness(lateDays: readonly number[]): number {
  if (lateDays.length === 0) return 0;
  const sorted = lateDays.map((d) => Math.max(0, d)).sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.8) - 1)]!;
}

/** What the units ending at cumulative unit `through` of a queue wait for, in the shopper's terms. */
export type AwaitedSupply =
  | { kind: 'purchase_order'; arrival: string }
  | { kind: 'merchant_date'; arrival: string }
  | { kind: 'lead_time'; arrival: string };

/**
 * The supply a waiting line's last unit is served from, by the rule `planSchedule` dates it with:
 * the purchase-order lot its place reaches, else (past known supply) the merchant's date or the
 * supplier's lead time. Used to explain a date, never to compute one.
 */
export function awaitedSupply(inputs: PromiseInputs, today: string, through: number): AwaitedSupply {
  let covered = 0;
  let lastArrival = today;
  for (const lot of lotsByArrival(inputs, today)) {
    covered += lot.quantity;
    lastArrival = lot.arrival;
    if (covered >= through) return { kind: 'purchase_order', arrival: lot.arrival };
  }
  const merchant = inputs.merchantDate !== null && inputs.merchantDate >= today;
  const base = merchant ? inputs.merchantDate! : addDays(today, inputs.leadTimeDays);
  return { kind: merchant ? 'merchant_date' : 'lead_time', arrival: later(base, lastArrival) };
}
