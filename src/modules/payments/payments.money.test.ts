import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { orderMoney, pricePerUnit, shareByWeights } from '../../../test/support/money-oracle.ts';
import { DomainError } from '../../shared/errors.ts';
import {
  assertSameCurrency,
  depositFor,
  splitDeposit,
  splitDiscount,
  splitProportionally,
  unitShare,
} from './payments.money.ts';

const sum = (parts: readonly number[]): number => parts.reduce((total, part) => total + part, 0);
const amount = fc.integer({ min: 0, max: 1_000_000_000_000 });
// Large weights, and small ones whose remainders tie often (where "ties to the earliest part" decides).
const weights = fc.oneof(
  fc.array(fc.integer({ min: 0, max: 1_000_000_000 }), { minLength: 1, maxLength: 30 }),
  fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 30 }),
);
const codeOf = (run: () => unknown): string | undefined => {
  try {
    run();
  } catch (error) {
    return error instanceof DomainError ? error.code : 'not a DomainError';
  }
  return undefined;
};

describe('splitProportionally', () => {
  it('gives the leftover cents to the largest remainders, ties to the earliest part', () => {
    expect(splitProportionally(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(splitProportionally(10, [3, 3, 4])).toEqual([3, 3, 4]);
    expect(splitProportionally(5, [1, 2])).toEqual([2, 3]);
    expect(splitProportionally(1, [0, 5, 5])).toEqual([0, 1, 0]);
    expect(splitProportionally(0, [7, 9])).toEqual([0, 0]);
  });

  it('stays exact far beyond float precision', () => {
    const total = 999_999_999_999;
    const parts = splitProportionally(total, [999_999_999, 999_999_997, 1]);
    expect(sum(parts)).toBe(total);
    // total · 1 / 1_999_999_997 ≈ 500.0000…: a float product would already be off here.
    expect(parts[2]).toBe(500);
  });

  it('refuses to split money across parts that all weigh nothing, and bad inputs', () => {
    expect(codeOf(() => splitProportionally(10, [0, 0]))).toBe('nothing_to_split');
    expect(codeOf(() => splitProportionally(10, []))).toBe('nothing_to_split');
    expect(splitProportionally(0, [0, 0])).toEqual([0, 0]);
    expect(splitProportionally(0, [])).toEqual([]);
    expect(codeOf(() => splitProportionally(-1, [1]))).toBe('invalid_amount');
    expect(codeOf(() => splitProportionally(1.5, [1]))).toBe('invalid_amount');
    expect(codeOf(() => splitProportionally(10, [1, -1]))).toBe('invalid_amount');
  });

  it('sums to the whole, each part within 1 of its exact share, never negative', () => {
    fc.assert(
      fc.property(
        amount,
        weights.filter((ws) => sum(ws) > 0),
        (total, ws) => {
          const parts = splitProportionally(total, ws);
          expect(parts).toEqual(shareByWeights(total, ws));
          expect(sum(parts)).toBe(total);
          const weightSum = BigInt(sum(ws));
          parts.forEach((part, index) => {
            expect(part).toBeGreaterThanOrEqual(0);
            // |part − total·w/W| < 1  ⇔  |part·W − total·w| < W, checked exactly.
            const gap = BigInt(part) * weightSum - BigInt(total) * BigInt(ws[index]!);
            expect(gap < weightSum && -gap < weightSum).toBe(true);
          });
        },
      ),
    );
  });

  it('never gives a heavier weight less, and is deterministic', () => {
    fc.assert(
      fc.property(
        amount,
        weights.filter((ws) => sum(ws) > 0),
        (total, ws) => {
          const parts = splitProportionally(total, ws);
          ws.forEach((wi, i) => {
            ws.forEach((wj, j) => {
              if (wi > wj) expect(parts[i]!).toBeGreaterThanOrEqual(parts[j]!);
            });
          });
          expect(splitProportionally(total, ws)).toEqual(parts);
        },
      ),
    );
  });
});

describe('depositFor / splitDeposit', () => {
  it('takes the percentage of a line, rounded down to the cent', () => {
    expect(depositFor(1000, 30)).toBe(300);
    expect(depositFor(999, 50)).toBe(499); // 499.5
    expect(depositFor(333, 12.5)).toBe(41); // 41.625
    expect(depositFor(1234, 0)).toBe(0);
    expect(depositFor(1234, 100)).toBe(1234);
    expect(codeOf(() => depositFor(1000, 101))).toBe('invalid_percent');
    expect(codeOf(() => depositFor(1000, 12.345))).toBe('invalid_percent');
    expect(codeOf(() => depositFor(1000, Number.NaN))).toBe('invalid_percent');
  });

  it("rounds the order's deposit once: three lines at 1/3 each do not lose or gain a cent", () => {
    const lines = [
      { lineTotal: 333, percent: 50 },
      { lineTotal: 333, percent: 50 },
      { lineTotal: 333, percent: 50 },
    ];
    // Rounded line by line that would be 3 × 166 = 498, for an order deposit of 499.5 → 499.
    expect(splitDeposit(lines)).toEqual({ orderDeposit: 499, lineDeposits: [167, 166, 166] });
    // Rounding the order half up (1.5 → 2) would have charged the 100 % line 2 cents for a 1-cent line.
    expect(
      splitDeposit([
        { lineTotal: 1, percent: 100 },
        { lineTotal: 2, percent: 12.5 },
        { lineTotal: 2, percent: 12.5 },
      ]),
    ).toEqual({ orderDeposit: 1, lineDeposits: [1, 0, 0] });
    expect(splitDeposit([])).toEqual({ orderDeposit: 0, lineDeposits: [] });
    expect(splitDeposit([{ lineTotal: 500, percent: 0 }])).toEqual({ orderDeposit: 0, lineDeposits: [0] });
  });

  it("lines' deposits add up to the order's, each close to its own, never above its line", () => {
    const line = fc.record({
      lineTotal: fc.integer({ min: 0, max: 10_000_000_000 }),
      percent: fc.integer({ min: 0, max: 10_000 }).map((points) => points / 100),
    });
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 20 }), (lines) => {
        const { orderDeposit, lineDeposits } = splitDeposit(lines);
        const reference = orderMoney(
          lines.map((l) => ({
            quantity: 1,
            unitPrice: l.lineTotal,
            mode: 'deposit',
            depositPercent: l.percent,
          })),
          0,
        );
        expect(lineDeposits).toEqual(reference!.map((l) => l.deposit));
        expect(sum(lineDeposits)).toBe(orderDeposit);
        const exact = lines.reduce(
          (s, l) => s + BigInt(l.lineTotal) * BigInt(Math.round(l.percent * 100)),
          0n,
        );
        expect(orderDeposit).toBe(Number(exact / 10_000n));
        lines.forEach((l, i) => {
          expect(lineDeposits[i]!).toBeGreaterThanOrEqual(0);
          expect(lineDeposits[i]!).toBeLessThanOrEqual(l.lineTotal);
          expect(Math.abs(lineDeposits[i]! - depositFor(l.lineTotal, l.percent))).toBeLessThanOrEqual(1);
        });
      }),
    );
  });
});

describe('splitDiscount', () => {
  it('shares a discount by line totals, without drift and never beyond a line', () => {
    expect(splitDiscount(100, [1000, 2000, 0])).toEqual([33, 67, 0]);
    expect(codeOf(() => splitDiscount(3001, [1000, 2000]))).toBe('discount_exceeds_total');
    fc.assert(
      fc.property(weights, fc.double({ min: 0, max: 1, noNaN: true }), (lineTotals, fraction) => {
        const discount = Math.floor(sum(lineTotals) * fraction);
        const parts = splitDiscount(discount, lineTotals);
        expect(parts).toEqual(shareByWeights(discount, lineTotals));
        expect(sum(parts)).toBe(discount);
        parts.forEach((part, i) => {
          expect(part).toBeGreaterThanOrEqual(0);
          expect(part).toBeLessThanOrEqual(lineTotals[i]!);
        });
      }),
    );
  });
});

describe('unitShare', () => {
  it('reads shares off one cumulative allocation', () => {
    expect([0, 1, 2].map((unit) => unitShare(1000, 3, unit, 1))).toEqual([333, 333, 334]);
    expect(unitShare(1000, 3, 0, 3)).toBe(1000);
    expect(unitShare(1000, 3, 1, 0)).toBe(0);
    expect(codeOf(() => unitShare(1000, 3, 2, 2))).toBe('invalid_units');
    expect(codeOf(() => unitShare(1000, 0, 0, 0))).toBe('invalid_units');
  });

  it('refunds exactly what was captured over any sequence of partial cancellations', () => {
    // A line's units cut into random consecutive cancellations, refunded in turn.
    const cancellations = fc
      .record({
        captured: amount,
        units: fc.oneof(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 1_000_000_000 })),
      })
      .chain(({ captured, units }) =>
        fc
          .array(fc.integer({ min: 1, max: units }), { maxLength: 40 })
          .map((cuts) => ({ captured, units, counts: partition(units, cuts) })),
      );
    fc.assert(
      fc.property(cancellations, ({ captured, units, counts }) => {
        let refunded = 0;
        let unitsGone = 0;
        // The reference prices unit by unit (a loop), so only lines of a few thousand units.
        const perUnit = units <= 5000 ? pricePerUnit(captured, units) : null;
        for (const count of counts) {
          const share = unitShare(captured, units, unitsGone, count);
          if (perUnit) expect(share).toBe(sum(perUnit.slice(unitsGone, unitsGone + count)));
          expect(share).toBeGreaterThanOrEqual(0);
          // Within 1 of the exact share: |share·units − captured·count| < units.
          const gap = BigInt(share) * BigInt(units) - BigInt(captured) * BigInt(count);
          expect(gap < BigInt(units) && -gap < BigInt(units)).toBe(true);
          refunded += share;
          unitsGone += count;
          expect(refunded).toBeLessThanOrEqual(captured);
        }
        expect(refunded).toBe(captured);
      }),
    );
  });
});

describe('assertSameCurrency', () => {
  it('throws a typed currency_mismatch error naming both currencies', () => {
    expect(() => assertSameCurrency('EUR', 'EUR')).not.toThrow();
    try {
      assertSameCurrency('EUR', 'USD');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({
        kind: 'validation',
        code: 'currency_mismatch',
        extensions: { expected: 'EUR', actual: 'USD' },
      });
    }
  });
});

/** Consecutive unit counts covering 1..units, cut at the given (deduplicated, sorted) positions. */
function partition(units: number, cuts: number[]): number[] {
  const bounds = [...new Set([0, ...cuts, units])].sort((a, b) => a - b);
  return bounds.slice(1).map((bound, i) => bound - bounds[i]!);
}
