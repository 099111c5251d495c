/**
 * The promise-date rule restated for tests, from README ("Promise dates") and PRODUCT.md ("a date
 * per order line from queue position × purchase-order schedule × supplier reliability"), not from
 * promises.models.ts: the property tests check the product against this as well as against its own
 * `planSchedule`, so a rule changed in the product shows up as a disagreement. Written another way
 * on purpose: unit by unit along the queue, where the product builds segments.
 *
 * The rule: supply comes as the open purchase-order lines' units, in order of arrival (a delivery
 * whose date has passed is expected today; same day: by purchase order id), then, beyond them, the
 * merchant's expected date when it is not past, else today + the lead time, never before the last
 * delivery. A waiting line ships when the unit of supply that covers its last waiting unit arrives,
 * plus the store's handling days, and not before a pre-order's release (the release date then
 * decides, as the merchant's date). Its latest date widens each arrival by its supplier's measured
 * lateness and never falls below the latest date of any unit of supply ahead of it.
 *
 * With the supplier's record (README "Promise dates": the days late of its last 20 deliveries,
 * early counted as on time), a delivery is not expected on its date but as late as that record
 * says: of the past deliveries at least as late as this one already is (0 days when it is not yet
 * due), the smallest lateness that half of them did not exceed gives its arrival, the one that
 * 95 % did not exceed its latest arrival; when none was that late it is expected today, its latest
 * arrival today plus the 95 % lateness of the whole record. Beyond known supply, today + the lead
 * time + the half lateness of the lead-time supplier's record (95 % for the latest date).
 *
 * The latest arrival is never before what a log-normal fitted to the record's late deliveries
 * says (README "Promise dates"): a delivery already some days late is, with 95 % of the chance the
 * fit gives its being that late, at most so many days late (not yet due: 95 % of all deliveries).
 */

import { normalCdf } from '../../src/modules/forecast/forecast.numeric.ts';

/** Calendar dates as `YYYY-MM-DD`, counted in UTC days. */
export const plusDays = (day: string, days: number): string =>
  new Date(Date.UTC(+day.slice(0, 4), +day.slice(5, 7) - 1, +day.slice(8, 10) + days))
    .toISOString()
    .slice(0, 10);

export const daysFromTo = (from: string, to: string): number =>
  (Date.UTC(+to.slice(0, 4), +to.slice(5, 7) - 1, +to.slice(8, 10)) -
    Date.UTC(+from.slice(0, 4), +from.slice(5, 7) - 1, +from.slice(8, 10))) /
  86_400_000;

const latest = (...days: string[]): string => days.reduce((a, b) => (b > a ? b : a));

/** A supplier's record: the days late of its most recent (up to 20) deliveries, early counted as 0. */
export const supplierRecord = (daysLateNewestFirst: readonly number[]): number[] =>
  daysLateNewestFirst.slice(0, 20).map((d) => Math.max(0, d));

/** The smallest lateness that at least `share` of `record`'s deliveries were no later than (0: none). */
function latenessShare(record: readonly number[], share: number): number {
  if (record.length === 0) return 0;
  const candidates = [...new Set(record)].sort((a, b) => a - b);
  return candidates.find((d) => record.filter((x) => x <= d).length >= share * record.length - 1e-9)!;
}

/**
 * A supplier's lateness: the smallest number of days late that at least 95 % of its most recent
 * (up to 20) deliveries were no later than; an early delivery counts as on time.
 */
export const supplierLateness = (daysLateNewestFirst: readonly number[]): number =>
  latenessShare(supplierRecord(daysLateNewestFirst), 0.95);

/**
 * The fitted tail's answer (null: fewer than two late deliveries): log-normal over the late
 * deliveries' days (≥ 1), its spread the sample deviation of their logarithms, at least 0.3,
 * times √(1 + 1/k) (1 + 1/k) for k of them, a share k/n of the record late. Found here from the
 * real-valued quantile (bisection on the logarithm), then the whole day settled by checking the
 * days around it, capped at ten years. `upper(z)` is 1 − Φ(z).
 */
export function fittedTail(
  record: readonly number[],
  lateAlready: number,
  upper: (z: number) => number,
): number | null {
  const late = record.filter((d) => d > 0);
  if (late.length < 2) return null;
  const k = late.length;
  const logs = late.map(Math.log);
  const centre = logs.reduce((a, b) => a + b) / k;
  let squares = 0;
  for (const y of logs) squares += (y - centre) * (y - centre);
  const spread = Math.max(Math.sqrt(squares / (k - 1)), 0.3) * Math.sqrt((k + 1) / k) * ((k + 1) / k);
  const share = k / record.length;
  const exceeds = (days: number) => (days <= 0 ? share : share * upper((Math.log(days) - centre) / spread));
  const allowed = 0.05 * (lateAlready > 0 ? exceeds(lateAlready) : 1);
  const ok = (days: number) => days >= lateAlready && exceeds(days) <= allowed;
  if (ok(lateAlready)) return lateAlready;
  if (!ok(3650)) return 3650;
  let lo = Math.log(Math.max(1, lateAlready));
  let hi = Math.log(3650);
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (exceeds(Math.exp(mid)) > allowed) lo = mid;
    else hi = mid;
  }
  let day = Math.max(lateAlready, Math.ceil(Math.exp(hi)));
  while (day > lateAlready && ok(day - 1)) day--;
  while (!ok(day)) day++;
  return day;
}

/** 1 − Φ(z), from the product's normal distribution (a primitive, not the rule). */
const upperTail = (z: number) => normalCdf(-z);

export interface Delivery {
  purchaseOrderId: string;
  expectedDate: string;
  /** Units of this SKU still to come on the purchase-order line. */
  units: number;
  /** Its supplier's lateness (see supplierLateness). */
  lateDays: number;
  /** Its supplier's record (see supplierRecord); without it the delivery is expected on its date. */
  record?: readonly number[];
}

export interface PromiseFacts {
  today: string;
  deliveries: readonly Delivery[];
  handlingDays: number;
  merchantDate: string | null;
  releaseDate: string | null;
  leadTimeDays: number;
  /** The lead-time supplier's lateness (0 without one). */
  leadLateDays: number;
  /** The lead-time supplier's record (see supplierRecord; empty without one). */
  leadRecord?: readonly number[];
}

export interface Promised {
  eta: string;
  etaLatest: string;
  source: 'purchase_order' | 'lead_time' | 'merchant_date';
}

interface SupplyUnit {
  arrival: string;
  latestArrival: string;
  source: Promised['source'];
}

/** When a delivery is expected and its latest likely arrival (see the rule at the top). */
function expected(delivery: Delivery, today: string): { arrival: string; latestArrival: string } {
  const onItsDate = latest(delivery.expectedDate, today);
  if (!delivery.record) return { arrival: onItsDate, latestArrival: plusDays(onItsDate, delivery.lateDays) };
  const lateAlready = Math.max(0, daysFromTo(delivery.expectedDate, today));
  const asLate = delivery.record.filter((d) => d >= lateAlready);
  const tail = fittedTail(delivery.record, lateAlready, upperTail);
  const widened = (day: string) => (tail === null ? day : latest(day, plusDays(delivery.expectedDate, tail)));
  if (asLate.length === 0)
    return {
      arrival: onItsDate,
      latestArrival: widened(plusDays(onItsDate, latenessShare(delivery.record, 0.95))),
    };
  return {
    arrival: latest(plusDays(delivery.expectedDate, latenessShare(asLate, 0.5)), today),
    latestArrival: widened(latest(plusDays(delivery.expectedDate, latenessShare(asLate, 0.95)), today)),
  };
}

/** The promises of a queue's waiting lines, given each line's waiting units, head first. */
export function promisesForQueue(facts: PromiseFacts, waiting: readonly number[]): Promised[] {
  const { today } = facts;
  const coming = facts.deliveries
    .filter((d) => d.units > 0)
    .map((d) => ({ ...d, ...expected(d, today) }))
    .sort((a, b) =>
      a.arrival !== b.arrival
        ? a.arrival.localeCompare(b.arrival)
        : a.purchaseOrderId.localeCompare(b.purchaseOrderId),
    );
  const supply: SupplyUnit[] = coming.flatMap((d) =>
    Array.from({ length: d.units }, () => ({
      arrival: d.arrival,
      latestArrival: d.latestArrival,
      source: 'purchase_order' as const,
    })),
  );
  const merchant = facts.merchantDate !== null && facts.merchantDate >= today;
  const lastDelivery = supply.at(-1)?.arrival ?? today;
  const leadTime = plusDays(today, facts.leadTimeDays);
  const leadArrival = latest(
    facts.leadRecord ? plusDays(leadTime, latenessShare(facts.leadRecord, 0.5)) : leadTime,
    lastDelivery,
  );
  const beyond: SupplyUnit = merchant
    ? {
        arrival: latest(facts.merchantDate!, lastDelivery),
        latestArrival: latest(facts.merchantDate!, lastDelivery),
        source: 'merchant_date',
      }
    : {
        arrival: leadArrival,
        latestArrival: latest(
          plusDays(
            leadTime,
            facts.leadRecord
              ? Math.max(
                  latenessShare(facts.leadRecord, 0.95),
                  fittedTail(facts.leadRecord, 0, upperTail) ?? 0,
                )
              : facts.leadLateDays,
          ),
          leadArrival,
        ),
        source: 'lead_time',
      };
  const shipOn = (arrival: string, source: Promised['source']) => {
    const handled = plusDays(arrival, facts.handlingDays);
    return facts.releaseDate !== null && facts.releaseDate > handled
      ? { day: facts.releaseDate, source: 'merchant_date' as const }
      : { day: handled, source };
  };
  const latestOf = (unit: SupplyUnit) =>
    latest(shipOn(unit.arrival, unit.source).day, shipOn(unit.latestArrival, unit.source).day);

  const promises: Promised[] = [];
  let position = 0;
  let walked = 0;
  let widest = '';
  for (const units of waiting) {
    position += units;
    for (; walked < Math.min(position, supply.length); walked++)
      widest = latest(widest, latestOf(supply[walked]!));
    const unit = position <= supply.length ? supply[position - 1]! : beyond;
    if (unit === beyond) widest = latest(widest, latestOf(beyond));
    const { day, source } = shipOn(unit.arrival, unit.source);
    promises.push({ eta: day, etaLatest: latest(widest, day), source });
  }
  return promises;
}
