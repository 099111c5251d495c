import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  lastOrderDate,
  latenessOf,
  meanForecast,
  type OrderConstraints,
  orderQuantity,
  planSku,
  protectionDays,
  safetyStock,
} from './replenishment.models.ts';

const z95 = 1.6448536269514722; // Φ⁻¹(0.95), from tables

describe('order quantity (worked examples)', () => {
  it('takes the MOQ, then whole packs, then the maximum', () => {
    expect(orderQuantity(0, { moq: 20, packSize: 12, maxOrder: null })).toBe(0);
    expect(orderQuantity(13, { moq: 20, packSize: 12, maxOrder: null })).toBe(24); // 20 → 2 packs
    expect(orderQuantity(50, { moq: null, packSize: 12, maxOrder: 40 })).toBe(36); // 60 > 40 → 3 packs
    expect(orderQuantity(50, { moq: null, packSize: 100, maxOrder: 40 })).toBe(40); // no whole pack fits
    expect(orderQuantity(7.2, { moq: null, packSize: null, maxOrder: null })).toBe(8);
  });
});

const constraints: fc.Arbitrary<OrderConstraints> = fc.record({
  moq: fc.option(fc.integer({ min: 1, max: 500 })),
  packSize: fc.option(fc.integer({ min: 1, max: 50 })),
  maxOrder: fc.option(fc.integer({ min: 1, max: 2000 })),
});

describe('order quantity (properties)', () => {
  it('without a maximum: the least whole number of packs covering the need and the MOQ', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), constraints, (need, c) => {
        const open = { ...c, maxOrder: null };
        const q = orderQuantity(need, open);
        const pack = open.packSize ?? 1;
        expect(q % pack).toBe(0);
        expect(q).toBeGreaterThanOrEqual(Math.max(need, open.moq ?? 1));
        expect(q - pack).toBeLessThan(Math.max(need, open.moq ?? 1));
      }),
    );
  });

  it('never above the maximum, never negative, zero only without a need', () => {
    fc.assert(
      fc.property(fc.integer({ min: -100, max: 5000 }), constraints, (need, c) => {
        const q = orderQuantity(need, c);
        expect(q).toBeGreaterThanOrEqual(0);
        if (c.maxOrder !== null) expect(q).toBeLessThanOrEqual(c.maxOrder);
        expect(q === 0).toBe(need <= 0);
      }),
    );
  });
});

describe('safety stock and the plan (worked examples)', () => {
  it('adds the forecast error over the protection period and the lateness variability', () => {
    // √(4 × 4 + 10² × 1²) = √116
    const s = safetyStock({
      serviceLevel: 0.95,
      dailyVariances: [4, 4, 4, 4],
      meanDailyDemand: 10,
      latenessSdDays: 1,
    });
    expect(s).toBeCloseTo(z95 * Math.sqrt(116), 6);
    expect(protectionDays(4, { meanDays: 0.5, sdDays: 1 })).toBe(5);
    expect(protectionDays(4, { meanDays: -2, sdDays: 1 })).toBe(4);
    expect(latenessOf([2, -1, 5])).toEqual({ meanDays: 2, sdDays: Math.sqrt(6) });
  });

  it('reorders below the reorder point, up to it plus the review period, in whole packs', () => {
    const plan = planSku({
      forecast: Array(12).fill(10),
      variances: Array(12).fill(4),
      method: 'ses',
      serviceLevel: 0.95,
      leadTimeDays: 4,
      lateness: { meanDays: 0.5, sdDays: 1 },
      reviewDays: 7,
      rule: null,
      onHand: 30,
      allocated: 10,
      waiting: 5,
      onOrder: 20,
      moq: 50,
      packSize: 10,
      maxOrder: null,
    });
    // P = 5 days: 50 units; safety = z × √(5 × 4 + 100 × 1) = z × √120 ≈ 18.02; ROP ≈ 68.02;
    // order-up-to adds 7 × 10; position 30 − 10 − 5 + 20 = 35; need ≈ 103.02 → 104 → 110 (packs of 10).
    expect(plan).toMatchObject({
      basis: 'forecast',
      protectionDays: 5,
      forecastOverLeadTime: 50,
      safetyStock: 18.02,
      reorderPoint: 68.02,
      orderUpTo: 138.02,
      position: 35,
      quantity: 110,
    });
  });

  it('lets a min/max rule replace the forecast', () => {
    const plan = planSku({
      ...meanForecast([], 12),
      method: 'mean',
      serviceLevel: 0.95,
      leadTimeDays: 4,
      lateness: { meanDays: 0, sdDays: 0 },
      reviewDays: 7,
      rule: { min: 40, max: 100 },
      onHand: 35,
      allocated: 0,
      waiting: 0,
      onOrder: 0,
      moq: null,
      packSize: 10,
      maxOrder: null,
    });
    expect(plan).toMatchObject({ basis: 'min_max', reorderPoint: 40, orderUpTo: 100, quantity: 70 });
  });

  it('dates the last order that keeps the promises', () => {
    expect(lastOrderDate('2026-06-20', 5, 2)).toBe('2026-06-13');
    expect(lastOrderDate(null, 5, 2)).toBeNull();
  });
});

describe('the plan (properties)', () => {
  const situation = fc.record({
    onHand: fc.integer({ min: 0, max: 500 }),
    allocated: fc.integer({ min: 0, max: 500 }),
    waiting: fc.integer({ min: 0, max: 500 }),
    onOrder: fc.integer({ min: 0, max: 500 }),
    rate: fc.double({ min: 0, max: 50, noNaN: true }),
    lead: fc.integer({ min: 0, max: 60 }),
  });
  type Situation = {
    onHand: number;
    allocated: number;
    waiting: number;
    onOrder: number;
    rate: number;
    lead: number;
  };
  const planOf = (s: Situation) =>
    planSku({
      forecast: Array(80).fill(s.rate),
      variances: Array(80).fill(s.rate),
      method: 'ses',
      serviceLevel: 0.95,
      leadTimeDays: s.lead,
      lateness: { meanDays: 0, sdDays: 0 },
      reviewDays: 7,
      rule: null,
      onHand: s.onHand,
      allocated: Math.min(s.allocated, s.onHand),
      waiting: s.waiting,
      onOrder: s.onOrder,
      moq: null,
      packSize: null,
      maxOrder: null,
    });

  it('orders exactly when the position is at or below the reorder point, and brings it to the order-up-to level', () => {
    fc.assert(
      fc.property(situation, (s) => {
        const plan = planOf(s);
        const below = plan.position <= plan.reorderPoint + 0.005;
        if (plan.quantity > 0) {
          expect(below).toBe(true);
          expect(plan.position + plan.quantity).toBeGreaterThanOrEqual(plan.orderUpTo - 0.01);
        }
        if (plan.position < plan.reorderPoint - 0.01) expect(plan.quantity).toBeGreaterThan(0);
      }),
    );
  });

  it('orders no less when more units wait', () => {
    fc.assert(
      fc.property(situation, fc.integer({ min: 1, max: 100 }), (s, more) => {
        expect(planOf({ ...s, waiting: s.waiting + more }).quantity).toBeGreaterThanOrEqual(
          planOf(s).quantity,
        );
      }),
    );
  });
});
