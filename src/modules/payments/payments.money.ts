/**
 * The money rules, pure: amounts are integers in minor units (cents), and every split of an amount
 * across lines or units gives parts that add up to the whole, so a deposit, a discount or a refund
 * never drifts by a cent however it is cut. Products are computed in BigInt: 1e12 minor units times
 * a weight of 1e9 is far beyond what a float holds exactly.
 */
import { DomainError } from '../../shared/errors.ts';

/** An amount in minor units of an ISO 4217 currency (`EUR`, `JPY`…). */
export interface Money {
  amount: number;
  currency: string;
}

/** A deposit-mode line: what it costs and the percentage of it its variant takes up front. */
export interface DepositLine {
  lineTotal: number;
  /** 0–100, up to two decimals (12.5 means 12.5 %). */
  percent: number;
}

export interface DepositSplit {
  orderDeposit: number;
  /** Per line, in the order given; they add up to `orderDeposit`. */
  lineDeposits: number[];
}

/** Money moved in one currency must never be compared with, or added to, another's. */
export function assertSameCurrency(expected: string, actual: string): void {
  if (expected !== actual) {
    throw new DomainError(
      'validation',
      'currency_mismatch',
      `Expected an amount in ${expected}, not ${actual}`,
      {
        expected,
        actual,
      },
    );
  }
}

function requireAmount(name: string, value: number): bigint {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new DomainError(
      'validation',
      'invalid_amount',
      `${name} must be a non-negative integer, got ${value}`,
      {
        [name]: value,
      },
    );
  }
  return BigInt(value);
}

/**
 * Largest-remainder split: each part first gets the floor of its exact share, then the cents left
 * over (fewer than the number of parts) go one each to the largest remainders, ties to the earliest
 * part, so the same inputs always give the same parts.
 */
function splitByWeights(total: bigint, weights: bigint[]): bigint[] {
  const weightSum = weights.reduce((sum, weight) => sum + weight, 0n);
  if (weightSum === 0n) {
    if (total === 0n) return weights.map(() => 0n);
    // Nothing says which part should carry the money: refusing beats a silent arbitrary choice.
    throw new DomainError(
      'validation',
      'nothing_to_split',
      'Cannot split an amount across parts that all weigh 0',
      {
        total: Number(total),
      },
    );
  }
  const parts = weights.map((weight) => (total * weight) / weightSum);
  let leftover = total - parts.reduce((sum, part) => sum + part, 0n);
  const byRemainder = weights
    .map((weight, index) => ({ index, remainder: (total * weight) % weightSum }))
    .sort((a, b) => (a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1));
  for (const { index } of byRemainder) {
    if (leftover === 0n) break;
    parts[index]! += 1n;
    leftover -= 1n;
  }
  return parts;
}

/**
 * Splits `total` into integer parts proportional to `weights` (non-negative integers) that add up
 * to exactly `total`; each part is within 1 of its exact share and a heavier weight never gets less.
 * All-zero weights are refused (`nothing_to_split`) unless `total` is 0.
 */
export function splitProportionally(total: number, weights: readonly number[]): number[] {
  const whole = requireAmount('total', total);
  const bigWeights = weights.map((weight) => requireAmount('weight', weight));
  return splitByWeights(whole, bigWeights).map(Number);
}

/** A percentage with up to two decimals as basis points (12.5 → 1250); anything finer is refused. */
function basisPoints(percent: number): bigint {
  const points = Math.round(percent * 100);
  if (!(percent >= 0 && percent <= 100) || Math.abs(percent * 100 - points) > 1e-6) {
    throw new DomainError('validation', 'invalid_percent', `A deposit is 0–100 % with two decimals at most`, {
      percent,
    });
  }
  return BigInt(points);
}

/**
 * The deposit taken now on a line: `percent` of it, rounded down to the cent, so the customer never
 * pays up front more than the percentage they were shown (and a 100 % deposit is the line itself).
 */
export function depositFor(lineTotal: number, percent: number): number {
  return Number((requireAmount('lineTotal', lineTotal) * basisPoints(percent)) / 10_000n);
}

/**
 * The order's deposit is rounded (down) once, on the exact sum of the lines' deposits, then shared
 * out by each line's exact deposit: the lines' parts add up to what the customer is charged, to the
 * cent, even when variants ask different percentages. Rounding down first is also what keeps every
 * line's part within its own line total (half-up could push a 100 % line one cent over).
 */
export function splitDeposit(lines: readonly DepositLine[]): DepositSplit {
  const exact = lines.map((line) => requireAmount('lineTotal', line.lineTotal) * basisPoints(line.percent));
  const orderDeposit = exact.reduce((sum, part) => sum + part, 0n) / 10_000n;
  if (orderDeposit === 0n) return { orderDeposit: 0, lineDeposits: lines.map(() => 0) };
  return {
    orderDeposit: Number(orderDeposit),
    lineDeposits: splitByWeights(orderDeposit, exact).map(Number),
  };
}

/**
 * Shares an order-level discount across lines by their totals. No line is discounted below zero
 * (a part never exceeds its line's total) and the parts add up to the discount exactly.
 */
export function splitDiscount(discount: number, lineTotals: readonly number[]): number[] {
  const orderTotal = lineTotals.reduce((sum, lineTotal) => sum + lineTotal, 0);
  if (discount > orderTotal) {
    throw new DomainError(
      'validation',
      'discount_exceeds_total',
      'A discount cannot exceed the order total',
      {
        discount,
        orderTotal,
      },
    );
  }
  return splitProportionally(discount, lineTotals);
}

/**
 * The money belonging to units [from, from + count) of a line whose `captured` amount pays for
 * `units` units, read off one cumulative allocation, cumulative(m) = floor(captured · m / units).
 * Refunding cancellations in turn (`from` = units already refunded) telescopes: however the units
 * are cancelled, in one go or one by one, the refunds add up to exactly `captured` once all of them
 * are gone, never more, and no share is negative.
 */
export function unitShare(captured: number, units: number, from: number, count: number): number {
  const amount = requireAmount('captured', captured);
  const unitCount = requireAmount('units', units);
  const start = requireAmount('from', from);
  const end = start + requireAmount('count', count);
  if (end > unitCount || unitCount === 0n) {
    throw new DomainError(
      'validation',
      'invalid_units',
      `Units [${from}, ${from + count}) are not within 0–${units}`,
      {
        units,
        from,
        count,
      },
    );
  }
  const cumulative = (unit: bigint): bigint => (amount * unit) / unitCount;
  return Number(cumulative(end) - cumulative(start));
}
