/**
 * Pure rules of the insight reports: periods, shares, percentiles of counted values and the wait
 * buckets of the tolerance curve. No I/O.
 */
import { addDays, daysBetween } from '../../shared/dates.ts';
import { invalid } from '../../shared/errors.ts';

export type Grain = 'day' | 'week' | 'month';

/** The longest period a report may cover, in days. */
export const MAX_PERIOD_DAYS = 1_100;
/** What a report covers without `from`: the 90 days up to `to`. */
export const DEFAULT_PERIOD_DAYS = 90;

export interface Period {
  from: string;
  to: string;
}

/** The period asked for: `to` defaults to today (store time), `from` to 89 days before `to`. */
export function reportPeriod(query: { from?: string; to?: string }, today: string): Period {
  const to = query.to ?? today;
  const from = query.from ?? addDays(to, -(DEFAULT_PERIOD_DAYS - 1));
  if (from > to)
    throw invalid('validation_failed', `from (${from}) is after to (${to})`, [
      { path: '/from', message: 'must not be after to' },
    ]);
  if (daysBetween(from, to) >= MAX_PERIOD_DAYS)
    throw invalid('validation_failed', `a report covers at most ${MAX_PERIOD_DAYS} days`, [
      { path: '/from', message: `at most ${MAX_PERIOD_DAYS} days before to` },
    ]);
  return { from, to };
}

/**
 * A period cut for the monthly totals: the whole calendar months inside it (`months`, their first
 * days, inclusive; null when it holds none) and the days outside them (`days`: at most two runs, at
 * its start and its end). Together they cover the period exactly once.
 */
export interface MonthCut {
  months: Period | null;
  days: Period[];
}

const monthStart = (day: string): string => `${day.slice(0, 8)}01`;
const nextMonthStart = (day: string): string => monthStart(addDays(monthStart(day), 32));

export function cutByMonth(period: Period): MonthCut {
  const { from, to } = period;
  const firstMonth = from === monthStart(from) ? from : nextMonthStart(from);
  // to's month counts when to is its last day.
  const lastMonth =
    nextMonthStart(to) === addDays(to, 1) ? monthStart(to) : monthStart(addDays(monthStart(to), -1));
  if (firstMonth > lastMonth) return { months: null, days: [period] };
  const days: Period[] = [];
  if (from < firstMonth) days.push({ from, to: addDays(firstMonth, -1) });
  const afterLast = nextMonthStart(lastMonth);
  if (afterLast <= to) days.push({ from: afterLast, to });
  return { months: { from: firstMonth, to: lastMonth }, days };
}

/** The first day of the period holding `day`: itself, its ISO week's Monday, or its month's first. */
export function periodStart(day: string, grain: Grain): string {
  if (grain === 'day') return day;
  if (grain === 'month') return `${day.slice(0, 8)}01`;
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay(); // 0 = Sunday
  return addDays(day, -((weekday + 6) % 7));
}

/** `part / whole`, or null when nothing was counted. */
export const share = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);

export interface Counted {
  value: number;
  count: number;
}

/** The mean of counted values (null when none). */
export function meanOf(values: readonly Counted[]): number | null {
  let total = 0;
  let sum = 0;
  for (const v of values) {
    total += v.count;
    sum += v.value * v.count;
  }
  return total > 0 ? sum / total : null;
}

/**
 * The p-th percentile of counted values by nearest rank: the smallest value that at least p % of
 * the counted items are at or below (null when none).
 */
export function percentileOf(values: readonly Counted[], p: number): number | null {
  const sorted = [...values].filter((v) => v.count > 0).sort((a, b) => a.value - b.value);
  const total = sorted.reduce((n, v) => n + v.count, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * total));
  let seen = 0;
  for (const v of sorted) {
    seen += v.count;
    if (seen >= rank) return v.value;
  }
  return sorted[sorted.length - 1]!.value;
}

export const DEFAULT_WAIT_BUCKETS = [0, 7, 14, 21, 28, 42, 56] as const;

/** Bucket edges from `0,7,14`: ascending whole days starting at 0. */
export function parseBuckets(text: string | undefined): number[] {
  if (text === undefined) return [...DEFAULT_WAIT_BUCKETS];
  const edges = text.split(',').map((part) => Number(part.trim()));
  const valid =
    edges.length >= 1 &&
    edges.length <= 30 &&
    edges[0] === 0 &&
    edges.every((e, i) => Number.isInteger(e) && e >= 0 && e <= 3650 && (i === 0 || e > edges[i - 1]!));
  if (!valid)
    throw invalid(
      'validation_failed',
      'buckets must be ascending whole days starting at 0 (e.g. 0,7,14,28)',
      [{ path: '/buckets', message: 'ascending whole days from 0, at most 30' }],
    );
  return edges;
}

export interface WaitBucket {
  /** Promised waits from this many days … */
  fromDays: number;
  /** … up to this many (inclusive); null: no upper end. */
  toDays: number | null;
  waitingLines: number;
  cancelledLines: number;
  cancelledShare: number | null;
}

/** Lines by promised wait, gathered into the buckets that start at `edges`. */
export function toleranceCurve(
  rows: readonly { promisedWaitDays: number; waitingLines: number; cancelledLines: number }[],
  edges: readonly number[],
): WaitBucket[] {
  const buckets = edges.map((edge, i) => ({
    fromDays: edge,
    toDays: i + 1 < edges.length ? edges[i + 1]! - 1 : null,
    waitingLines: 0,
    cancelledLines: 0,
  }));
  for (const row of rows) {
    let at = 0;
    while (at + 1 < edges.length && row.promisedWaitDays >= edges[at + 1]!) at++;
    buckets[at]!.waitingLines += row.waitingLines;
    buckets[at]!.cancelledLines += row.cancelledLines;
  }
  return buckets.map((b) => ({ ...b, cancelledShare: share(b.cancelledLines, b.waitingLines) }));
}
