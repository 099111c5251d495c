import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, daysBetween } from '../../shared/dates.ts';
import { cutByMonth } from './analytics.models.ts';

const lastOfMonth = (monthStart: string) => addDays(`${addDays(monthStart, 32).slice(0, 8)}01`, -1);

describe('cutting a period by month', () => {
  it('covers every day of the period exactly once, with whole months and at most two runs of days', () => {
    const day = fc.integer({ min: 0, max: 3_000 }).map((n) => addDays('2024-01-01', n));
    fc.assert(
      fc.property(day, fc.integer({ min: 0, max: 800 }), (from, length) => {
        const to = addDays(from, length);
        const cut = cutByMonth({ from, to });
        const covered: string[] = [];
        for (const run of cut.days) for (let d = run.from; d <= run.to; d = addDays(d, 1)) covered.push(d);
        if (cut.months) {
          expect(cut.months.from.endsWith('-01')).toBe(true);
          expect(cut.months.to.endsWith('-01')).toBe(true);
          for (let m = cut.months.from; m <= cut.months.to; m = `${addDays(m, 32).slice(0, 8)}01`)
            for (let d = m; d <= lastOfMonth(m); d = addDays(d, 1)) covered.push(d);
        }
        expect(cut.days.length).toBeLessThanOrEqual(2);
        expect(covered.length).toBe(daysBetween(from, to) + 1);
        expect(new Set(covered).size).toBe(covered.length);
        expect(covered.every((d) => d >= from && d <= to)).toBe(true);
        // A whole month inside the period is never left to the days.
        for (const run of cut.days)
          expect(run.from.endsWith('-01') && run.to === lastOfMonth(run.from)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('examples', () => {
    expect(cutByMonth({ from: '2026-05-01', to: '2026-05-31' })).toEqual({
      months: { from: '2026-05-01', to: '2026-05-01' },
      days: [],
    });
    expect(cutByMonth({ from: '2026-04-20', to: '2026-06-10' })).toEqual({
      months: { from: '2026-05-01', to: '2026-05-01' },
      days: [
        { from: '2026-04-20', to: '2026-04-30' },
        { from: '2026-06-01', to: '2026-06-10' },
      ],
    });
    expect(cutByMonth({ from: '2026-05-02', to: '2026-05-30' })).toEqual({
      months: null,
      days: [{ from: '2026-05-02', to: '2026-05-30' }],
    });
    expect(cutByMonth({ from: '2024-02-01', to: '2024-02-29' }).months).toEqual({
      from: '2024-02-01',
      to: '2024-02-01',
    });
  });
});
