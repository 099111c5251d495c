import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { available, backorderRemaining, MAX_UNITS, type StockLevel } from './stock.levels.models.ts';
import {
  decidePlacement,
  fillQueue,
  fillSpan,
  type RequestedLine,
  type WaitingLine,
} from './stock.queue.models.ts';

const level = (over: Partial<StockLevel> = {}): StockLevel => ({
  onHand: 0,
  allocated: 0,
  backordered: 0,
  waitingLines: 0,
  queueTail: 0,
  backorderMode: 'backorder',
  backorderLimit: null,
  ...over,
});
const levels = (entries: Record<string, StockLevel>) => new Map(Object.entries(entries));
const waiting = (n: number, i: number): WaitingLine => ({
  lineId: `line_${i}`,
  orderId: `ord_${i}`,
  waiting: n,
});

describe('decidePlacement', () => {
  it('allocates min(quantity, available) and queues the rest at the tail', () => {
    const before = levels({ A: level({ onHand: 2, backordered: 4, waitingLines: 2, queueTail: 7 }) });
    const d = decidePlacement(before, [{ sku: 'A', quantity: 5 }]);
    expect(d).toMatchObject({
      accepted: true,
      lines: [{ sku: 'A', quantity: 5, allocate: 2, wait: 3, ticket: 8, position: 3 }],
    });
    if (!d.accepted) throw new Error('refused');
    expect(d.levels.get('A')).toMatchObject({
      onHand: 2,
      allocated: 2,
      backordered: 7,
      waitingLines: 3,
      queueTail: 8,
    });
    // The input is not mutated.
    expect(before.get('A')).toMatchObject({ allocated: 0, backordered: 4, waitingLines: 2, queueTail: 7 });
  });

  it('fully allocated lines get no ticket or position', () => {
    const d = decidePlacement(levels({ A: level({ onHand: 5 }) }), [{ sku: 'A', quantity: 5 }]);
    expect(d).toMatchObject({
      accepted: true,
      lines: [{ allocate: 5, wait: 0, ticket: null, position: null }],
    });
  });

  it('refuses deny mode without enough stock, reporting the original level', () => {
    const d = decidePlacement(levels({ A: level({ onHand: 3, allocated: 1, backorderMode: 'deny' }) }), [
      { sku: 'A', quantity: 3 },
    ]);
    expect(d).toEqual({
      accepted: false,
      reason: 'insufficient_stock',
      sku: 'A',
      available: 2,
      backorderRemaining: 0,
    });
  });

  it('refuses a line over the limit and names the first such line', () => {
    const d = decidePlacement(
      levels({ A: level({ backorderLimit: 3, backordered: 1 }), B: level({ backorderMode: 'deny' }) }),
      [
        { sku: 'A', quantity: 1 },
        { sku: 'A', quantity: 2 },
        { sku: 'B', quantity: 1 },
      ],
    );
    // The second A line would make 4 wait: A is the first line that cannot be accepted; the
    // reported numbers are the SKU's level before the order.
    expect(d).toEqual({
      accepted: false,
      reason: 'insufficient_stock',
      sku: 'A',
      available: 0,
      backorderRemaining: 2,
    });
  });

  it('several lines of one SKU see each other', () => {
    const d = decidePlacement(levels({ A: level({ onHand: 3 }) }), [
      { sku: 'A', quantity: 2 },
      { sku: 'A', quantity: 2 },
    ]);
    expect(d).toMatchObject({
      accepted: true,
      lines: [
        { allocate: 2, wait: 0, position: null },
        { allocate: 1, wait: 1, ticket: 1, position: 1 },
      ],
    });
  });

  it('throws on a SKU without a level (callers must resolve SKUs first)', () => {
    expect(() => decidePlacement(levels({}), [{ sku: 'X', quantity: 1 }])).toThrow();
  });

  const skus = ['A', 'B', 'C'];
  const arbLevel = fc
    .record({
      onHand: fc.nat(20),
      allocatedShare: fc.nat(20),
      backordered: fc.nat(10),
      mode: fc.constantFrom('deny' as const, 'backorder' as const, 'preorder' as const),
      limit: fc.option(fc.nat(30)),
    })
    .map(({ onHand, allocatedShare, backordered, mode, limit }) => {
      const allocated = Math.min(onHand, allocatedShare);
      const waitingNow = mode === 'deny' ? 0 : limit === null ? backordered : Math.min(backordered, limit);
      return level({
        onHand,
        allocated,
        // The invariant: while something waits, nothing is available.
        ...(waitingNow > 0 ? { allocated: onHand } : {}),
        backordered: waitingNow,
        waitingLines: waitingNow > 0 ? 1 : 0,
        queueTail: waitingNow > 0 ? 5 : 0,
        backorderMode: mode,
        backorderLimit: limit,
      });
    });
  const arbLevels = fc.tuple(arbLevel, arbLevel, arbLevel).map(([a, b, c]) => levels({ A: a, B: b, C: c }));
  const arbLines = fc.array(
    fc.record({ sku: fc.constantFrom(...skus), quantity: fc.integer({ min: 1, max: 25 }) }),
    { minLength: 1, maxLength: 6 },
  );

  it('property: never makes available negative, never exceeds the limit, keeps every unit', () => {
    fc.assert(
      fc.property(arbLevels, arbLines, (before, lines: RequestedLine[]) => {
        const d = decidePlacement(before, lines);
        if (!d.accepted) {
          if (d.reason === 'too_many_units')
            throw new Error('the generated quantities are far below MAX_UNITS');
          const original = before.get(d.sku)!;
          expect(d.available).toBe(available(original));
          expect(d.backorderRemaining).toBe(backorderRemaining(original));
          return;
        }
        for (const [i, p] of d.lines.entries()) {
          expect(p.allocate + p.wait).toBe(lines[i]!.quantity);
          expect(p.allocate).toBeGreaterThanOrEqual(0);
          expect(p.wait).toBeGreaterThanOrEqual(0);
          expect(p.position === null).toBe(p.wait === 0);
        }
        for (const sku of skus) {
          const was = before.get(sku)!;
          const now = d.levels.get(sku)!;
          expect(available(now)).toBeGreaterThanOrEqual(0);
          expect(now.onHand).toBe(was.onHand);
          if (now.backorderMode === 'deny') expect(now.backordered).toBe(0);
          if (now.backorderLimit !== null)
            expect(now.backordered).toBeLessThanOrEqual(Math.max(now.backorderLimit, was.backordered));
          const mine = d.lines.filter((p) => p.sku === sku);
          expect(now.allocated - was.allocated).toBe(mine.reduce((s, p) => s + p.allocate, 0));
          expect(now.backordered - was.backordered).toBe(mine.reduce((s, p) => s + p.wait, 0));
          // Nothing new waits while units are still available (a new order never skips stock).
          if (now.backordered > was.backordered) expect(available(now)).toBe(0);
        }
      }),
    );
  });

  it('property: refused only when some line cannot wait in full', () => {
    fc.assert(
      fc.property(arbLevels, arbLines, (before, lines: RequestedLine[]) => {
        const d = decidePlacement(before, lines);
        // Replay the rule line by line.
        const state = new Map([...before].map(([k, v]) => [k, { ...v }]));
        let refused: string | null = null;
        for (const l of lines) {
          const s = state.get(l.sku)!;
          const alloc = Math.min(l.quantity, s.onHand - s.allocated);
          const wait = l.quantity - alloc;
          const room =
            s.backorderMode === 'deny'
              ? 0
              : s.backorderLimit === null
                ? Infinity
                : s.backorderLimit - s.backordered;
          if (wait > room) {
            refused = l.sku;
            break;
          }
          s.allocated += alloc;
          s.backordered += wait;
        }
        expect(d.accepted).toBe(refused === null);
        if (!d.accepted) expect(d.sku).toBe(refused);
      }),
    );
  });
});

describe('fillQueue', () => {
  it('serves the head in full before the next line, the last one partly', () => {
    expect(fillQueue(5, [waiting(2, 1), waiting(4, 2), waiting(1, 3)])).toEqual([
      { lineId: 'line_1', orderId: 'ord_1', quantity: 2, completes: true },
      { lineId: 'line_2', orderId: 'ord_2', quantity: 3, completes: false },
    ]);
  });
  it('fills nothing with no units or no queue', () => {
    expect(fillQueue(0, [waiting(2, 1)])).toEqual([]);
    expect(fillQueue(5, [])).toEqual([]);
  });
  it('leaves units over when the queue is short', () => {
    const fills = fillQueue(10, [waiting(2, 1), waiting(3, 2)]);
    expect(fills.map((f) => f.quantity)).toEqual([2, 3]);
    expect(fills.every((f) => f.completes)).toBe(true);
  });

  const arbQueue = fc
    .array(fc.integer({ min: 1, max: 10 }), { maxLength: 8 })
    .map((ns) => ns.map((n, i) => waiting(n, i)));

  it('property: fills never exceed units, follow queue order, only the last may be partial', () => {
    fc.assert(
      fc.property(fc.nat(60), arbQueue, (units, queue) => {
        const fills = fillQueue(units, queue);
        const total = fills.reduce((s, f) => s + f.quantity, 0);
        const waitingTotal = queue.reduce((s, l) => s + l.waiting, 0);
        expect(total).toBeLessThanOrEqual(units);
        expect(total).toBe(Math.min(units, waitingTotal));
        // A prefix of the queue, in order, no line skipped.
        expect(fills.map((f) => f.lineId)).toEqual(queue.slice(0, fills.length).map((l) => l.lineId));
        for (const [i, f] of fills.entries()) {
          expect(f.quantity).toBeGreaterThan(0);
          expect(f.quantity).toBeLessThanOrEqual(queue[i]!.waiting);
          expect(f.completes).toBe(f.quantity === queue[i]!.waiting);
          if (i < fills.length - 1) expect(f.completes).toBe(true);
        }
      }),
    );
  });
});

describe('decidePlacement at the counters’ ceiling', () => {
  it('refuses an order that would push the waiting units past MAX_UNITS', () => {
    const d = decidePlacement(levels({ A: level({ backordered: MAX_UNITS - 1 }) }), [
      { sku: 'A', quantity: 2 },
    ]);
    expect(d).toEqual({ accepted: false, reason: 'too_many_units', sku: 'A' });
  });
});

describe('fillSpan', () => {
  const arbQueue = fc
    .array(fc.integer({ min: 1, max: 10 }), { maxLength: 8 })
    .map((waits): WaitingLine[] =>
      waits.map((waiting, i) => ({ lineId: `l${i}`, orderId: `o${i}`, waiting })),
    );

  it('hands out units from..to exactly as the restock of `to` units minus the restock of `from` would', () => {
    fc.assert(
      fc.property(arbQueue, fc.nat(60), fc.nat(60), (queue, a, b) => {
        const [from, to] = a <= b ? [a, b] : [b, a];
        // Reference: number every waiting unit from the head and give units from..to-1 to their lines.
        const owners = queue.flatMap((line) => Array.from({ length: line.waiting }, () => line.lineId));
        const expected = new Map<string, number>();
        for (const owner of owners.slice(from, to)) expected.set(owner, (expected.get(owner) ?? 0) + 1);
        const fills = fillSpan(from, to, queue);
        expect(new Map(fills.map((f) => [f.lineId, f.quantity]))).toEqual(expected);
        expect(fills.map((f) => f.lineId)).toEqual([...expected.keys()]);
        expect(fillSpan(0, to, queue)).toEqual(fillQueue(to, queue));
      }),
      { numRuns: 200 },
    );
  });
});
