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
 */

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
  if (asLate.length === 0)
    return { arrival: onItsDate, latestArrival: plusDays(onItsDate, latenessShare(delivery.record, 0.95)) };
  return {
    arrival: latest(plusDays(delivery.expectedDate, latenessShare(asLate, 0.5)), today),
    latestArrival: latest(plusDays(delivery.expectedDate, latenessShare(asLate, 0.95)), today),
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
          plusDays(leadTime, facts.leadRecord ? latenessShare(facts.leadRecord, 0.95) : facts.leadLateDays),
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
