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

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** The calendar date of `instant` in an IANA time zone: "today" for a store. */
export function dayIn(timezone: string, instant: Date): string {
  let format = dayFormats.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone: timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    dayFormats.set(timezone, format);
  }
  return format.format(instant);
}

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
