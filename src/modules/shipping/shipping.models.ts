/**
 * Pure rules of shipping: when a parcel leaves (the line's ship date, the store's working days
 * and the method's cut-off), when it arrives (working days in transit), and which method is the
 * faster. No I/O.
 */
import {
  addDays,
  addWorkingDays,
  isWorkingDay,
  nextWorkingDay,
  type WorkingCalendar,
} from '../../shared/dates.ts';

export interface ShippingMethod {
  code: string;
  name: string;
  transitDaysMin: number;
  transitDaysMax: number;
  /** Minutes after local midnight; null = no cut-off. */
  cutoffMinute: number | null;
  position: number;
  retired: boolean;
}

/** The store's wall clock when a window is computed: its date and the minute of that day. */
export interface StoreNow {
  today: string;
  minute: number;
}

export interface DeliveryWindow {
  deliveryEta: string;
  deliveryEtaLatest: string;
}

/**
 * The day a parcel due to ship on `shipDay` leaves: not before today, not today once the
 * method's cut-off has passed, and only on a working day.
 */
export function departureDay(
  calendar: WorkingCalendar,
  cutoffMinute: number | null,
  shipDay: string,
  now: StoreNow,
): string {
  if (shipDay > now.today) return nextWorkingDay(calendar, shipDay);
  const beforeCutoff = cutoffMinute === null || now.minute < cutoffMinute;
  if (beforeCutoff && isWorkingDay(calendar, now.today)) return now.today;
  return nextWorkingDay(calendar, addDays(now.today, 1));
}

/**
 * When a line's units arrive by `method`: the earliest from its promised ship date and the
 * shortest transit, the latest from its latest likely ship date and the longest transit, both in
 * working days.
 */
export function deliveryWindow(
  calendar: WorkingCalendar,
  method: Pick<ShippingMethod, 'transitDaysMin' | 'transitDaysMax' | 'cutoffMinute'>,
  ship: { eta: string; etaLatest: string | null },
  now: StoreNow,
): DeliveryWindow {
  const earliest = addWorkingDays(
    calendar,
    departureDay(calendar, method.cutoffMinute, ship.eta, now),
    method.transitDaysMin,
  );
  const latestShip = ship.etaLatest !== null && ship.etaLatest > ship.eta ? ship.etaLatest : ship.eta;
  const latest = addWorkingDays(
    calendar,
    departureDay(calendar, method.cutoffMinute, latestShip, now),
    method.transitDaysMax,
  );
  return { deliveryEta: earliest, deliveryEtaLatest: latest > earliest ? latest : earliest };
}

/** Negative when `a` delivers sooner than `b`: the shorter longest transit, then the shorter shortest. */
export const compareSpeed = (
  a: Pick<ShippingMethod, 'transitDaysMin' | 'transitDaysMax'>,
  b: Pick<ShippingMethod, 'transitDaysMin' | 'transitDaysMax'>,
): number => a.transitDaysMax - b.transitDaysMax || a.transitDaysMin - b.transitDaysMin;

/** The methods a store offers, in its order. */
export const offered = (methods: readonly ShippingMethod[]): ShippingMethod[] =>
  methods.filter((m) => !m.retired).sort((a, b) => a.position - b.position);

/**
 * The method a `free_express` incentive upgrades a line to: the one the rule names, else the
 * fastest offered; null when it would not deliver sooner than the line's own method.
 */
export function expressUpgrade(
  methods: readonly ShippingMethod[],
  current: ShippingMethod | null,
  named: string | null,
): ShippingMethod | null {
  const candidates = offered(methods);
  const target = named
    ? (candidates.find((m) => m.code === named) ?? null)
    : ([...candidates].sort((a, b) => compareSpeed(a, b) || a.position - b.position)[0] ?? null);
  if (!target || target.code === current?.code) return null;
  if (current && compareSpeed(target, current) >= 0) return null;
  return target;
}
