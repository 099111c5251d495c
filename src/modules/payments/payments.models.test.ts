import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { heldFor, priceOfShipped } from '../../../test/support/money-oracle.ts';
import {
  type LineMoney,
  moneyTarget,
  moneyWhenComplete,
  priceOfUnits,
  shortfallToShip,
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
