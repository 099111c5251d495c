/**
 * The promise rules, pure: how a SKU's supply (open purchase orders, then the supplier's lead
 * time or the merchant's date) turns into a ship date for each place in its queue. A waiting
 * line's date is decided by the last of its units: walking the queue in order, the line whose
 * waiting units end at cumulative unit `n` ships once `n` units of supply have arrived.
 */

import { addDays } from '../../shared/dates.ts';
import { normalCdf } from '../forecast/forecast.numeric.ts';

export type EtaSource = 'stock' | 'purchase_order' | 'lead_time' | 'merchant_date';

/** Units still to come on one purchase-order line. */
export interface SupplyLot {
  purchaseOrderId: string;
  expectedDate: string;
  quantity: number;
  /**
   * How late this supplier's deliveries have been (days, ≥ 0): its `LATEST_QUANTILE`, what widens
   * the range of a lot not yet due.
   */
  lateDays: number;
  /**
   * The supplier's recent deliveries' days late (early counts as 0), ascending: the lot's expected
   * arrival and range follow from them (`lotArrival`). Absent on inputs stored before this rule:
   * the lot then arrives on its expected date (today at the earliest) and `lateDays` widens it.
   */
  lateness?: number[];
}

/** Everything about a SKU the engine needs, copied onto its stock row under its lock. */
export interface PromiseInputs {
  supply: SupplyLot[];
  leadTimeDays: number;
  leadLateDays: number;
  /** The lead-time supplier's recent days late, ascending (see `SupplyLot.lateness`). */
  leadLateness?: number[];
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

/** Which of a supplier's recent deliveries' lateness decides a lot's expected arrival (the median). */
export const ETA_QUANTILE = 0.5;
/** … and its latest likely arrival. */
export const LATEST_QUANTILE = 0.95;

/** The q-quantile of ascending values (the smallest value at least a share q of them do not exceed). */
export function quantileOf(ascending: readonly number[], q: number): number {
  if (ascending.length === 0) return 0;
  return ascending[Math.min(ascending.length - 1, Math.max(0, Math.ceil(ascending.length * q) - 1))]!;
}

/** Whole days from `from` to `to` (calendar dates). */
const daysFrom = (from: string, to: string): number =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);

/** Late receipts a record needs before its fitted tail counts (`tailLateness`). */
export const TAIL_MIN_LATE = 2;
/** The smallest spread (log-days) the fitted tail assumes: a record of equal delays is no proof of none longer. */
export const TAIL_MIN_SIGMA = 0.3;
/** The fitted tail never says more than this many days (a bound for the search, ten years). */
export const TAIL_MAX_DAYS = 3_650;

/**
 * The `LATEST_QUANTILE` lateness of a delivery already `overdue` days late (0: not yet due), from a
 * log-normal tail fitted to the record's late receipts (≥ 1 day): μ and s the mean and sample
 * standard deviation of their logarithms, σ = max(s, `TAIL_MIN_SIGMA`) × √(1 + 1/k) × (1 + 1/k)
 * for k late receipts (a prediction for one more delivery from only k, wider than the fit itself),
 * and the share late p = k / n. A delivery is later than x days with probability
 * p · (1 − Φ((ln x − μ) / σ)) (x ≥ 1; p at 0). Given that it is already `overdue` days late (that
 * probability at `overdue`), the result is the smallest whole number of days, at least `overdue`,
 * that it exceeds with at most `1 − LATEST_QUANTILE` of that chance. So a lot later than anything
 * in its supplier's record still gets a range that grows with how late it already is, as
 * heavy-tailed delays do. Null when the record has fewer than `TAIL_MIN_LATE` late receipts.
 */
export function tailLateness(ascending: readonly number[], overdue: number): number | null {
  const late = ascending.filter((d) => d >= 1);
  const k = late.length;
  if (k < TAIL_MIN_LATE) return null;
  const logs = late.map((d) => Math.log(d));
  const mu = logs.reduce((sum, y) => sum + y, 0) / k;
  const spread = Math.sqrt(logs.reduce((sum, y) => sum + (y - mu) ** 2, 0) / (k - 1));
  const sigma = Math.max(spread, TAIL_MIN_SIGMA) * Math.sqrt(1 + 1 / k) * (1 + 1 / k);
  const shareLate = k / ascending.length;
  // Φ of the negated standardised log: the upper tail without cancellation.
  const laterThan = (days: number) =>
    days < 1 ? shareLate : shareLate * normalCdf((mu - Math.log(days)) / sigma);
  const target = (1 - LATEST_QUANTILE) * (overdue > 0 ? laterThan(overdue) : 1);
  const from = Math.max(0, overdue);
  if (laterThan(from) <= target) return from;
  // The smallest whole day at most `target`: double, then halve the gap (laterThan decreases).
  let below = from;
  let above = Math.max(1, 2 * from);
  while (laterThan(above) > target) {
    if (above >= TAIL_MAX_DAYS) return TAIL_MAX_DAYS;
    below = above;
    above = Math.min(TAIL_MAX_DAYS, 2 * above);
  }
  while (above - below > 1) {
    const middle = Math.floor((below + above) / 2);
    if (laterThan(middle) > target) below = middle;
    else above = middle;
  }
  return above;
}

/**
 * When a lot not yet received is expected, and its latest likely arrival, from its supplier's
 * record: a lot `d` days overdue (its expected date passed `d` days ago; 0 when not yet due) is
 * late by at least `d`, so only the past deliveries at least that late say how late it will be —
 * their median gives the arrival, their `LATEST_QUANTILE` the latest arrival. When none of them
 * was that late (or the supplier has no record), it is expected today, widened by the supplier's
 * usual lateness. The latest arrival is never before what the record's fitted tail says
 * (`tailLateness`): a handful of past deliveries rarely shows how late the worst ones get. Never
 * before today. Legacy inputs (no `lateness`): the expected date, today at the earliest, widened
 * by `lateDays`.
 */
export function lotArrival(
  lot: Pick<SupplyLot, 'expectedDate' | 'lateDays' | 'lateness'>,
  today: string,
): { arrival: string; latestArrival: string } {
  const arrival = later(lot.expectedDate, today);
  if (lot.lateness === undefined) return { arrival, latestArrival: addDays(arrival, lot.lateDays) };
  const overdue = Math.max(0, daysFrom(lot.expectedDate, today));
  const asLate = lot.lateness.filter((d) => d >= overdue);
  const tail = tailLateness(lot.lateness, overdue);
  const atLeast = (latestArrival: string) =>
    tail === null ? latestArrival : later(latestArrival, addDays(lot.expectedDate, tail));
  if (asLate.length === 0)
    return { arrival, latestArrival: atLeast(addDays(arrival, quantileOf(lot.lateness, LATEST_QUANTILE))) };
  return {
    arrival: later(addDays(lot.expectedDate, quantileOf(asLate, ETA_QUANTILE)), today),
    latestArrival: atLeast(later(addDays(lot.expectedDate, quantileOf(asLate, LATEST_QUANTILE)), today)),
  };
}

/**
 * Open purchase-order units in the order they are expected to arrive (`lotArrival`: by the
 * supplier's record; a late lot today at the earliest).
 */
export function lotsByArrival(
  inputs: PromiseInputs,
  today: string,
): (SupplyLot & { arrival: string; latestArrival: string })[] {
  return inputs.supply
    .filter((lot) => lot.quantity > 0)
    .map((lot) => ({ ...lot, ...lotArrival(lot, today) }))
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
    floorLatest = later(floorLatest, later(eta, shipping(inputs, lot.latestArrival, source).eta));
    push({ through, eta, etaLatest: floorLatest, source });
  }
  const beyond = beyondSupply(inputs, today, lastArrival);
  const { eta, source } = shipping(inputs, beyond.arrival, beyond.kind);
  floorLatest = later(floorLatest, later(eta, shipping(inputs, beyond.latestArrival, source).eta));
  push({ through: null, eta, etaLatest: floorLatest, source });
  return segments;
}

/**
 * Supply past the known lots: the merchant's date when it is still ahead, else today + the lead
 * time + the lead-time supplier's median lateness (for the latest arrival its `LATEST_QUANTILE`,
 * or its fitted tail's when that is later, see `tailLateness`; legacy inputs: 0 and
 * `leadLateDays`), never before the last lot.
 */
function beyondSupply(
  inputs: PromiseInputs,
  today: string,
  lastArrival: string,
): { kind: 'merchant_date' | 'lead_time'; arrival: string; latestArrival: string } {
  if (inputs.merchantDate !== null && inputs.merchantDate >= today) {
    const arrival = later(inputs.merchantDate, lastArrival);
    return { kind: 'merchant_date', arrival, latestArrival: arrival };
  }
  const history = inputs.leadLateness;
  const base = addDays(today, inputs.leadTimeDays);
  const arrival = later(history ? addDays(base, quantileOf(history, ETA_QUANTILE)) : base, lastArrival);
  const late = history
    ? Math.max(quantileOf(history, LATEST_QUANTILE), tailLateness(history, 0) ?? 0)
    : inputs.leadLateDays;
  return { kind: 'lead_time', arrival, latestArrival: later(addDays(base, late), arrival) };
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

/** A supplier's recent deliveries' days late, early counted as on time (0), ascending. */
export const latenessRecord = (lateDays: readonly number[]): number[] =>
  lateDays.map((d) => Math.max(0, d)).sort((a, b) => a - b);

/**
 * A supplier's lateness for the range: the `LATEST_QUANTILE` of how many days late its recent
 * receipts were (early counts as 0), so one freak delay does not stretch every promise.
 */
export function measuredLateness(lateDays: readonly number[]): number {
  return quantileOf(latenessRecord(lateDays), LATEST_QUANTILE);
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
  const { kind, arrival } = beyondSupply(inputs, today, lastArrival);
  return { kind, arrival };
}
