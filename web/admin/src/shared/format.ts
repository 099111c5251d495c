/** How the console writes dates, times and money (the browser's language). */

const dayFormat = new Intl.DateTimeFormat(undefined, {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  timeZone: 'UTC',
});
const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** A calendar date as the API writes it (YYYY-MM-DD), e.g. "Fri, 20 Mar 2026"; "—" for none. */
export function formatDay(date: string | null | undefined): string {
  if (!date) return '—';
  const parsed = new Date(`${date}T00:00:00Z`);
  return Number.isNaN(parsed.getTime()) ? date : dayFormat.format(parsed);
}

export function formatTime(timestamp: string | null | undefined): string {
  if (!timestamp) return '—';
  const parsed = new Date(timestamp);
  return Number.isNaN(parsed.getTime()) ? timestamp : timeFormat.format(parsed);
}

/** "3 days", "5 hours", "12 minutes" since `timestamp`, as of `now`. */
export function formatAge(timestamp: string, now: Date): string {
  const minutes = Math.max(0, Math.floor((now.getTime() - new Date(timestamp).getTime()) / 60_000));
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (minutes < 60) return plural(minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return plural(hours, 'hour');
  return plural(Math.floor(hours / 24), 'day');
}

/** An amount in minor units (cents) of `currency`. */
export function formatMoney(amount: number, currency: string): string {
  try {
    const format = new Intl.NumberFormat(undefined, { style: 'currency', currency });
    const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
    return format.format(amount / 10 ** digits);
  } catch {
    return `${amount} ${currency}`;
  }
}

export const formatCount = (n: number): string => new Intl.NumberFormat().format(n);

/** Today's date (YYYY-MM-DD) in the browser's time zone. */
export function today(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}
