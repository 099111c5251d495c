/**
 * Calendar dates (`YYYY-MM-DD`) and a store's "today": shared by every module that dates things
 * (promises, payments, messages, supply, catalog). Pure, apart from the time-zone formatters kept
 * per zone.
 */
import type { StoreScope } from './context.ts';
import { invalid } from './errors.ts';

const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` plus a number of days (dates are calendar dates: no time zone involved). */
export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/** Formatters by zone, built once each: what `dayIn` and `minuteIn` read of an instant. */
const ZONED = {
  day: ['en-CA', { year: 'numeric', month: '2-digit', day: '2-digit' }],
  clock: ['en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }],
} as const satisfies Record<string, readonly [string, Intl.DateTimeFormatOptions]>;
const zonedFormats = new Map<string, Intl.DateTimeFormat>();

function zoned(kind: keyof typeof ZONED, timezone: string): Intl.DateTimeFormat {
  const key = `${kind} ${timezone}`;
  let format = zonedFormats.get(key);
  if (!format) {
    const [locale, options] = ZONED[kind];
    format = new Intl.DateTimeFormat(locale, { ...options, timeZone: timezone });
    zonedFormats.set(key, format);
  }
  return format;
}

/** The calendar date of `instant` in an IANA time zone: "today" for a store. */
export const dayIn = (timezone: string, instant: Date): string => zoned('day', timezone).format(instant);

/** The store's calendar date at `now`. */
export const storeToday = (store: Pick<StoreScope, 'timezone'>, now: Date): string =>
  dayIn(store.timezone, now);

/** True for a real calendar date written YYYY-MM-DD (2026-02-30 is not one). */
export function isCalendarDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  // setUTCFullYear, unlike Date.UTC, does not map years 0–99 to 1900–1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** `value` when it is a real calendar date; otherwise a 422 naming the field at `path`. */
export function requireCalendarDate(value: string, path: string): string {
  if (!isCalendarDate(value)) {
    throw invalid('validation_failed', `"${value}" (${path}) is not a calendar date`, [
      { path, message: 'must be a real date written YYYY-MM-DD' },
    ]);
  }
  return value;
}

/** Parses "HH:MM" into minutes after midnight; null if malformed. */
export function parseClockTime(text: string): number | null {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  return match ? Number(match[1]) * 60 + Number(match[2]) : null;
}

export const formatClockTime = (minute: number): string =>
  `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;

/** Minutes after local midnight of `instant` in an IANA time zone (a store's wall clock). */
export function minuteIn(timezone: string, instant: Date): number {
  const [hour, minute] = zoned('clock', timezone).format(instant).split(':').map(Number);
  return hour! * 60 + minute!;
}

// ---------------------------------------------------------------------------------------------
// Working days: the days a store's warehouse and its carriers work.

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** The weekday of a calendar date. */
export function weekdayOf(day: string): Weekday {
  // getUTCDay: 0 = Sunday.
  return WEEKDAYS[(new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7]!;
}

/** The days parcels leave and travel: weekdays worked, and dates closed besides (holidays). */
export interface WorkingCalendar {
  workingDays: readonly Weekday[];
  closedDates: readonly string[];
}

export const MONDAY_TO_FRIDAY: WorkingCalendar = {
  workingDays: ['mon', 'tue', 'wed', 'thu', 'fri'],
  closedDates: [],
};

export const isWorkingDay = (calendar: WorkingCalendar, day: string): boolean =>
  calendar.workingDays.includes(weekdayOf(day)) && !calendar.closedDates.includes(day);

/**
 * A calendar with no working day would never deliver; the settings refuse one, and this bound
 * (more than a year of closed dates) keeps a bad calendar from looping forever.
 */
const MAX_DAYS_SEARCHED = 800;

/** `day` when it is a working day, else the first working day after it. */
export function nextWorkingDay(calendar: WorkingCalendar, day: string): string {
  let current = day;
  for (let i = 0; i < MAX_DAYS_SEARCHED && !isWorkingDay(calendar, current); i++)
    current = addDays(current, 1);
  return current;
}

/** The working day `days` working days after `day` (0: `day` itself, or the next working day). */
export function addWorkingDays(calendar: WorkingCalendar, day: string, days: number): string {
  let current = nextWorkingDay(calendar, day);
  for (let left = days; left > 0; left--) current = nextWorkingDay(calendar, addDays(current, 1));
  return current;
}
