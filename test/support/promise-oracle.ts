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

/**
 * A supplier's lateness: the smallest number of days late that at least 80 % of its most recent
 * (up to 20) deliveries were no later than; an early delivery counts as on time.
 */
export function supplierLateness(daysLateNewestFirst: readonly number[]): number {
  const recent = daysLateNewestFirst.slice(0, 20).map((d) => Math.max(0, d));
  if (recent.length === 0) return 0;
  const candidates = [...new Set(recent)].sort((a, b) => a - b);
  return candidates.find((d) => recent.filter((x) => x <= d).length * 5 >= recent.length * 4)!;
}

export interface Delivery {
  purchaseOrderId: string;
  expectedDate: string;
  /** Units of this SKU still to come on the purchase-order line. */
  units: number;
  /** Its supplier's lateness (see supplierLateness). */
  lateDays: number;
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
}

export interface Promised {
  eta: string;
  etaLatest: string;
  source: 'purchase_order' | 'lead_time' | 'merchant_date';
}

interface SupplyUnit {
  arrival: string;
  lateDays: number;
  source: Promised['source'];
}

/** The promises of a queue's waiting lines, given each line's waiting units, head first. */
export function promisesForQueue(facts: PromiseFacts, waiting: readonly number[]): Promised[] {
  const { today } = facts;
  const coming = facts.deliveries
    .filter((d) => d.units > 0)
    .map((d) => ({ ...d, arrival: latest(d.expectedDate, today) }))
    .sort((a, b) =>
      a.arrival !== b.arrival
        ? a.arrival.localeCompare(b.arrival)
        : a.purchaseOrderId.localeCompare(b.purchaseOrderId),
    );
  const supply: SupplyUnit[] = coming.flatMap((d) =>
    Array.from({ length: d.units }, () => ({
      arrival: d.arrival,
      lateDays: d.lateDays,
      source: 'purchase_order' as const,
    })),
  );
  const merchant = facts.merchantDate !== null && facts.merchantDate >= today;
  const lastDelivery = supply.at(-1)?.arrival ?? today;
  const beyond: SupplyUnit = merchant
    ? { arrival: latest(facts.merchantDate!, lastDelivery), lateDays: 0, source: 'merchant_date' }
    : {
        arrival: latest(plusDays(today, facts.leadTimeDays), lastDelivery),
        lateDays: facts.leadLateDays,
        source: 'lead_time',
      };
  const shipOn = (arrival: string, source: Promised['source']) => {
    const handled = plusDays(arrival, facts.handlingDays);
    return facts.releaseDate !== null && facts.releaseDate > handled
      ? { day: facts.releaseDate, source: 'merchant_date' as const }
      : { day: handled, source };
  };
  const latestOf = (unit: SupplyUnit) =>
    latest(
      shipOn(unit.arrival, unit.source).day,
      shipOn(plusDays(unit.arrival, unit.lateDays), unit.source).day,
    );

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
