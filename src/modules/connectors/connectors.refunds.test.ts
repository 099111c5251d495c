import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type RefundableLine, unitsToCancelForRefunds } from './connectors.models.ts';
import { refundedUnits } from './connectors.woocommerce.ts';

const line = (id: string, sku: string, cancelled: number, open: number): RefundableLine => ({
  id,
  sku,
  cancelled,
  open,
});

describe('unitsToCancelForRefunds', () => {
  it('cancels what the refunds add to what is cancelled already, up to the open units, in line order', () => {
    const lines = [line('a', 'X', 0, 2), line('b', 'Y', 1, 3), line('c', 'X', 1, 4)];
    // X: 4 refunded, 1 cancelled → 3 more, 2 from a then 1 from c. Y: 1 refunded, 1 cancelled → none.
    expect(
      unitsToCancelForRefunds(lines, [
        { sku: 'X', quantity: 4 },
        { sku: 'Y', quantity: 1 },
      ]),
    ).toEqual([
      { lineId: 'a', quantity: 2 },
      { lineId: 'c', quantity: 1 },
    ]);
  });

  it('refunds of shipped units (nothing open) and of SKUs not on the order cancel nothing', () => {
    expect(unitsToCancelForRefunds([line('a', 'X', 0, 0)], [{ sku: 'X', quantity: 2 }])).toEqual([]);
    expect(unitsToCancelForRefunds([line('a', 'X', 0, 3)], [{ sku: 'Z', quantity: 2 }])).toEqual([]);
  });

  it('adds up a SKU named twice', () => {
    expect(
      unitsToCancelForRefunds(
        [line('a', 'X', 0, 5)],
        [
          { sku: 'X', quantity: 1 },
          { sku: 'X', quantity: 2 },
        ],
      ),
    ).toEqual([{ lineId: 'a', quantity: 3 }]);
  });

  const lines = fc.array(
    fc.record({
      sku: fc.constantFrom('X', 'Y', 'Z'),
      cancelled: fc.nat({ max: 4 }),
      open: fc.nat({ max: 4 }),
    }),
    { minLength: 1, maxLength: 6 },
  );
  const refunds = fc.array(
    fc.record({ sku: fc.constantFrom('X', 'Y', 'Z', 'W'), quantity: fc.nat({ max: 9 }) }),
    {
      maxLength: 5,
    },
  );

  it('never cancels more than a line has open; applied once, a second pass cancels nothing', () => {
    fc.assert(
      fc.property(lines, refunds, (raw, refunded) => {
        const before = raw.map((l, i) => line(`l${i}`, l.sku, l.cancelled, l.open));
        const first = unitsToCancelForRefunds(before, refunded);
        for (const c of first) {
          const target = before.find((l) => l.id === c.lineId)!;
          expect(c.quantity).toBeGreaterThan(0);
          expect(c.quantity).toBeLessThanOrEqual(target.open);
        }
        const after = before.map((l) => {
          const taken = first.filter((c) => c.lineId === l.id).reduce((s, c) => s + c.quantity, 0);
          return { ...l, cancelled: l.cancelled + taken, open: l.open - taken };
        });
        expect(unitsToCancelForRefunds(after, refunded)).toEqual([]);
        // Per SKU: cancelled reaches the refunded total unless no open unit is left, and never
        // goes past it (nor past what was cancelled before).
        for (const sku of ['X', 'Y', 'Z']) {
          const wanted = refunded.filter((r) => r.sku === sku).reduce((s, r) => s + r.quantity, 0);
          const ofSku = after.filter((l) => l.sku === sku);
          const cancelled = ofSku.reduce((s, l) => s + l.cancelled, 0);
          const cancelledBefore = before.filter((l) => l.sku === sku).reduce((s, l) => s + l.cancelled, 0);
          const open = ofSku.reduce((s, l) => s + l.open, 0);
          if (ofSku.length > 0) expect(cancelled >= wanted || open === 0).toBe(true);
          expect(cancelled).toBeLessThanOrEqual(Math.max(wanted, cancelledBefore));
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('refundedUnits (WooCommerce)', () => {
  const order = {
    id: 9,
    line_items: [
      { id: 91, sku: 'X', quantity: 3 },
      { id: 92, sku: 'Y', quantity: 1 },
    ],
  };

  it('adds up every refund’s units per SKU (WooCommerce shows them negative)', () => {
    const refunds = [
      { id: 1, line_items: [{ sku: 'X', quantity: -1, meta_data: [] }] },
      {
        id: 2,
        line_items: [
          { sku: 'X', quantity: -1, meta_data: [] },
          { sku: 'Y', quantity: -1, meta_data: [] },
        ],
      },
    ];
    expect(refundedUnits(order, refunds)).toEqual([
      { sku: 'X', quantity: 2 },
      { sku: 'Y', quantity: 1 },
    ]);
  });

  it('finds the SKU through the refunded order line when the item has none; amount-only refunds name no units', () => {
    const refunds = [
      {
        id: 1,
        line_items: [{ sku: '', quantity: -2, meta_data: [{ key: '_refunded_item_id', value: '91' }] }],
      },
      { id: 2, amount: '5.00', line_items: [] },
    ];
    expect(refundedUnits(order, refunds)).toEqual([{ sku: 'X', quantity: 2 }]);
  });
});
