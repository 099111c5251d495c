import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type LineQuantities,
  lineStatus,
  orderStatus,
  splitCancellation,
  unshipped,
} from './stock.lines.models.ts';

const line = (over: Partial<Omit<LineQuantities, 'quantity'>>): LineQuantities => {
  const q = { allocated: 0, backordered: 0, shipped: 0, cancelled: 0, ...over };
  return { quantity: q.allocated + q.backordered + q.shipped + q.cancelled, ...q };
};

const anyLine = fc
  .record({ allocated: fc.nat(5), backordered: fc.nat(5), shipped: fc.nat(5), cancelled: fc.nat(5) })
  .filter((l) => l.allocated + l.backordered + l.shipped + l.cancelled > 0)
  .map(line);

describe('lineStatus', () => {
  it('backordered while some units wait', () => {
    expect(lineStatus(line({ backordered: 1 }))).toBe('backordered');
    expect(lineStatus(line({ backordered: 1, allocated: 3, shipped: 1, cancelled: 1 }))).toBe('backordered');
  });
  it('allocated when none wait and some are allocated', () => {
    expect(lineStatus(line({ allocated: 2 }))).toBe('allocated');
    expect(lineStatus(line({ allocated: 1, shipped: 1, cancelled: 1 }))).toBe('allocated');
  });
  it('shipped when all non-cancelled units shipped', () => {
    expect(lineStatus(line({ shipped: 2 }))).toBe('shipped');
    expect(lineStatus(line({ shipped: 1, cancelled: 3 }))).toBe('shipped');
  });
  it('cancelled when all units are cancelled', () => {
    expect(lineStatus(line({ cancelled: 2 }))).toBe('cancelled');
  });
  it('property: matches the definitions in API.md', () => {
    fc.assert(
      fc.property(anyLine, (l) => {
        const s = lineStatus(l);
        if (l.backordered > 0) expect(s).toBe('backordered');
        else if (l.allocated > 0) expect(s).toBe('allocated');
        else if (l.shipped > 0) expect(s).toBe('shipped');
        else expect(s).toBe('cancelled');
      }),
    );
  });
});

describe('orderStatus', () => {
  it('backordered if any line waits', () => {
    expect(orderStatus([line({ allocated: 1 }), line({ backordered: 1 })])).toBe('backordered');
    expect(orderStatus([line({ shipped: 1 }), line({ backordered: 1, cancelled: 1 })])).toBe('backordered');
  });
  it('allocated if nothing waits and any unit is allocated', () => {
    expect(orderStatus([line({ allocated: 1 })])).toBe('allocated');
    expect(orderStatus([line({ shipped: 2 }), line({ allocated: 1 })])).toBe('allocated');
    expect(orderStatus([line({ cancelled: 2 }), line({ allocated: 1, shipped: 1 })])).toBe('allocated');
  });
  it('fulfilled when everything not cancelled shipped and nothing was cancelled', () => {
    expect(orderStatus([line({ shipped: 2 }), line({ shipped: 1 })])).toBe('fulfilled');
  });
  it('cancelled when every unit was cancelled', () => {
    expect(orderStatus([line({ cancelled: 2 }), line({ cancelled: 1 })])).toBe('cancelled');
  });
  it('partially_shipped when it ended with some units shipped and some cancelled', () => {
    expect(orderStatus([line({ shipped: 1, cancelled: 1 })])).toBe('partially_shipped');
    expect(orderStatus([line({ shipped: 2 }), line({ cancelled: 1 })])).toBe('partially_shipped');
  });
  it('property: derived from the line totals', () => {
    fc.assert(
      fc.property(fc.array(anyLine, { minLength: 1, maxLength: 5 }), (lines) => {
        const sum = (k: keyof LineQuantities) => lines.reduce((s, l) => s + l[k], 0);
        const s = orderStatus(lines);
        if (sum('backordered') > 0) expect(s).toBe('backordered');
        else if (sum('allocated') > 0) expect(s).toBe('allocated');
        else if (sum('shipped') === 0) expect(s).toBe('cancelled');
        else if (sum('cancelled') === 0) expect(s).toBe('fulfilled');
        else expect(s).toBe('partially_shipped');
      }),
    );
  });
});

describe('splitCancellation', () => {
  it('takes waiting units first, then allocated ones', () => {
    expect(splitCancellation(line({ backordered: 2, allocated: 3 }), 1)).toEqual({
      fromWaiting: 1,
      fromAllocated: 0,
    });
    expect(splitCancellation(line({ backordered: 2, allocated: 3 }), 4)).toEqual({
      fromWaiting: 2,
      fromAllocated: 2,
    });
    expect(splitCancellation(line({ backordered: 2, allocated: 3 }), 5)).toEqual({
      fromWaiting: 2,
      fromAllocated: 3,
    });
    expect(splitCancellation(line({ allocated: 3 }), 2)).toEqual({ fromWaiting: 0, fromAllocated: 2 });
  });
  it('refuses more than the unshipped units (shipped and cancelled ones do not count)', () => {
    expect(splitCancellation(line({ backordered: 1, allocated: 1, shipped: 5, cancelled: 5 }), 3)).toBeNull();
    expect(splitCancellation(line({ shipped: 2 }), 1)).toBeNull();
    expect(splitCancellation(line({ cancelled: 2 }), 1)).toBeNull();
  });
  it('cancelling zero units changes nothing', () => {
    expect(splitCancellation(line({ backordered: 1, allocated: 1 }), 0)).toEqual({
      fromWaiting: 0,
      fromAllocated: 0,
    });
  });
  it('property: parts add up and never exceed the buckets', () => {
    fc.assert(
      fc.property(anyLine, fc.nat(25), (l, q) => {
        const split = splitCancellation(l, q);
        if (q > unshipped(l)) {
          expect(split).toBeNull();
          return;
        }
        expect(split).not.toBeNull();
        expect(split!.fromWaiting + split!.fromAllocated).toBe(q);
        expect(split!.fromWaiting).toBeLessThanOrEqual(l.backordered);
        expect(split!.fromAllocated).toBeLessThanOrEqual(l.allocated);
        expect(split!.fromWaiting).toBeGreaterThanOrEqual(0);
        expect(split!.fromAllocated).toBeGreaterThanOrEqual(0);
        // Waiting units go first: allocated ones are touched only once no unit waits.
        if (split!.fromAllocated > 0) expect(split!.fromWaiting).toBe(l.backordered);
      }),
    );
  });
});
