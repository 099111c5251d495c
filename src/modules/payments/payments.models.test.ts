import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { heldFor, priceOfShipped } from '../../../test/support/money-oracle.ts';
import {
  type LineMoney,
  moneyTarget,
  moneyWhenComplete,
  nextPaymentStep,
  priceOfUnits,
  shortfallToShip,
  strandedBalance,
} from './payments.models.ts';

/** A line's units cut into shipped, allocated, waiting and cancelled, with its amount and deposit. */
const lineArb: fc.Arbitrary<LineMoney> = fc
  .record({
    mode: fc.constantFrom('upfront' as const, 'deposit' as const, 'on_ship' as const),
    counts: fc.tuple(fc.nat(6), fc.nat(6), fc.nat(6), fc.nat(6)),
    amount: fc.oneof(fc.nat(5000), fc.nat(2_000_000_000)),
    depositShare: fc.double({ min: 0, max: 1, noNaN: true }),
    paid: fc.nat(5000),
  })
  .filter(({ counts }) => counts.some((c) => c > 0))
  .map(({ mode, counts: [shipped, allocated, backordered, cancelled], amount, depositShare, paid }) => ({
    mode,
    quantity: shipped + allocated + backordered + cancelled,
    shipped,
    allocated,
    backordered,
    cancelled,
    amount,
    deposit: mode === 'deposit' ? Math.floor(amount * depositShare) : 0,
    captured: paid,
    refunded: 0,
  }));

describe('moneyTarget against the unit-by-unit reference (test/support/money-oracle.ts)', () => {
  it('holds what the rule says for every mode, ready or not', () => {
    fc.assert(
      fc.property(lineArb, fc.boolean(), (line, ready) => {
        expect(moneyTarget(line, ready)).toBe(heldFor(line, ready));
      }),
      { numRuns: 2000 },
    );
  });

  it('asks the price of every unit shipped so far before more leave, and the whole price once all are ready', () => {
    fc.assert(
      fc.property(lineArb, (line) => {
        expect(priceOfUnits(line, line.shipped)).toBe(priceOfShipped(line));
        // Once every unit not cancelled is ready, any line holds what an upfront line holds now.
        expect(moneyWhenComplete(line)).toBe(heldFor({ ...line, mode: 'upfront' }, true));
        // Shipping the allocated units needs their price and that of the units already shipped.
        const shipAll = { ...line, shipped: line.shipped + line.allocated, allocated: 0 };
        expect(shortfallToShip(line, line.allocated)).toBe(
          Math.max(0, priceOfShipped(shipAll) - (line.captured - line.refunded)),
        );
      }),
      { numRuns: 1000 },
    );
  });

  it('the reference itself gives the amounts worked by hand', () => {
    // 1000 over 3 units: 333, 333, 334. Deposit 300 over 3 units: 100 each.
    const line = {
      mode: 'deposit' as const,
      quantity: 3,
      shipped: 1,
      allocated: 0,
      backordered: 1,
      cancelled: 1,
      amount: 1000,
      deposit: 300,
    };
    expect(heldFor(line, true)).toBe(333 + 100);
    expect(heldFor({ ...line, mode: 'upfront' }, true)).toBe(333 + 333);
    expect(heldFor({ ...line, mode: 'on_ship', allocated: 1, backordered: 0 }, false)).toBe(333);
    expect(heldFor({ ...line, mode: 'on_ship', allocated: 1, backordered: 0 }, true)).toBe(666);
  });
});

/**
 * Follows the collector's own steps (nextPaymentStep, every provider call succeeding, no holds)
 * until it has nothing to do, then again once every unit left is ready: what the line still owes
 * at the end is money no charge could take.
 */
function owedAfterFollowingTheRules(start: LineMoney, ready: boolean, minimum: number): number {
  let line = { ...start };
  const settle = (isReady: boolean) => {
    for (let i = 0; i < 10; i++) {
      const context = { now: new Date(0), ready: isReady, shortWait: false, methodSaved: true, minimum };
      const step = nextPaymentStep(line, [], context);
      if (step.kind === 'pay_up_front') line = { ...line, mode: 'upfront' };
      else if (step.kind === 'refund') line = { ...line, refunded: line.refunded + step.amount };
      else if (step.kind === 'charge') line = { ...line, captured: line.captured + step.amount };
      else return;
    }
    throw new Error('the rules did not settle');
  };
  settle(ready);
  line = { ...line, allocated: line.allocated + line.backordered, backordered: 0 };
  settle(true);
  return Math.max(0, moneyTarget(line, true) - (line.captured - line.refunded));
}

describe('strandedBalance: what a line would owe that no charge can carry', () => {
  const onShip = (quantity: number, cancelled: number, amount: number): LineMoney => ({
    mode: 'on_ship',
    quantity,
    shipped: 0,
    allocated: 0,
    backordered: quantity - cancelled,
    cancelled,
    amount,
    deposit: 0,
    captured: 0,
    refunded: 0,
  });

  it('is the price left when a partial cancel takes an unpaid line below the minimum', () => {
    expect(strandedBalance(onShip(3, 2, 99), true, 50)).toBe(33);
    expect(strandedBalance(onShip(3, 1, 99), true, 50)).toBe(0); // 66 left: chargeable
    expect(strandedBalance(onShip(3, 3, 99), true, 50)).toBe(0); // nothing left to pay
    expect(strandedBalance(onShip(3, 2, 99), true, 1)).toBe(0); // no minimum (manual)
  });

  it('is 0 when the money already paid covers the rest or leaves enough to charge', () => {
    // Deposit 150 on 2 x 100, one cancelled: the line pays up front, 50 refunded, nothing owed.
    const deposit = { ...onShip(2, 1, 200), mode: 'deposit' as const, deposit: 150, captured: 150 };
    expect(strandedBalance(deposit, true, 50)).toBe(0);
    // Deposit 90 on 3 x 60, one cancelled: 30 refunded, 60 still to charge.
    const half = { ...onShip(3, 1, 180), mode: 'deposit' as const, deposit: 90, captured: 90 };
    expect(strandedBalance(half, true, 50)).toBe(0);
    // Deposit 90 on 3 x 60, two cancelled: 30 refunded, 60 owed... minus the 60 kept: nothing.
    expect(strandedBalance({ ...half, backordered: 1, cancelled: 2 }, true, 50)).toBe(0);
  });

  it('agrees with following the collector’s steps to the end', () => {
    fc.assert(
      fc.property(
        // Small amounts, near the minimums; the deposit keeps its share of the amount.
        lineArb.map((line) => {
          const amount = line.amount % 600;
          return {
            ...line,
            amount,
            deposit: line.amount && Math.floor((line.deposit * amount) / line.amount),
          };
        }),
        fc.boolean(),
        fc.constantFrom(1, 30, 50, 200),
        (line, ready, minimum) => {
          expect(strandedBalance(line, ready, minimum)).toBe(
            owedAfterFollowingTheRules(line, ready, minimum),
          );
        },
      ),
      { numRuns: 3000 },
    );
  });
});
