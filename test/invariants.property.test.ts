/**
 * Property-based test of the stock/queue invariants (PRODUCT.md "Invariants" 1–5, API.md): random
 * sequences of orders, restocks, negative adjustments, cancellations and shipments are applied both
 * through the HTTP API and to a small pure reference model, and after every step the API must agree
 * with the model and satisfy the invariants.
 */
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueCountDrift } from '../src/modules/stock/stock.queue.counts.ts';
import { startTestApp, type TestApp } from './support/harness.ts';
import { propertyOptions } from './support/property.ts';

// ---------------------------------------------------------------------------------------------
// Reference model
// ---------------------------------------------------------------------------------------------

type Mode = 'deny' | 'backorder' | 'preorder';

interface SkuConfig {
  mode: Mode;
  limit: number | null;
}

interface ModelLine {
  id: string;
  sku: string;
  quantity: number;
  allocated: number;
  backordered: number;
  shipped: number;
  cancelled: number;
}

interface ModelOrder {
  id: string;
  lines: ModelLine[];
}

interface ModelSku {
  mode: Mode;
  limit: number | null;
  onHand: number;
  allocated: number;
  /** Waiting lines in FIFO order (each line's waiting units are `line.backordered`). */
  queue: ModelLine[];
}

interface Fill {
  orderId: string;
  lineId: string;
  quantity: number;
}

class Model {
  readonly skus = new Map<string, ModelSku>();
  readonly orders: ModelOrder[] = [];
  private readonly lineOrder = new Map<string, string>();

  constructor(configs: Record<string, SkuConfig>) {
    for (const [sku, c] of Object.entries(configs)) {
      this.skus.set(sku, { mode: c.mode, limit: c.limit, onHand: 0, allocated: 0, queue: [] });
    }
  }

  sku(name: string): ModelSku {
    const s = this.skus.get(name);
    if (!s) throw new Error(`model: unknown sku ${name}`);
    return s;
  }

  static backordered(s: ModelSku): number {
    return s.queue.reduce((n, l) => n + l.backordered, 0);
  }

  static remaining(s: ModelSku): number | null {
    if (s.mode === 'deny') return 0;
    if (s.limit === null) return null;
    return Math.max(0, s.limit - Model.backordered(s));
  }

  /**
   * Decides a placement without changing anything. Returns the per-line split or the first SKU
   * that cannot accept its line.
   */
  decide(
    lines: { sku: string; quantity: number }[],
  ):
    | { ok: true; split: { allocate: number; wait: number; position: number | null }[] }
    | { ok: false; sku: string } {
    const onHandLeft = new Map<string, number>();
    const waitingAdded = new Map<string, number>();
    const linesAdded = new Map<string, number>();
    const split: { allocate: number; wait: number; position: number | null }[] = [];
    for (const line of lines) {
      const s = this.sku(line.sku);
      const avail = onHandLeft.get(line.sku) ?? s.onHand - s.allocated;
      const allocate = Math.min(line.quantity, avail);
      const wait = line.quantity - allocate;
      const backordered = Model.backordered(s) + (waitingAdded.get(line.sku) ?? 0);
      const remaining = s.mode === 'deny' ? 0 : s.limit === null ? null : Math.max(0, s.limit - backordered);
      if (wait > 0 && remaining !== null && wait > remaining) return { ok: false, sku: line.sku };
      onHandLeft.set(line.sku, avail - allocate);
      let position: number | null = null;
      if (wait > 0) {
        waitingAdded.set(line.sku, (waitingAdded.get(line.sku) ?? 0) + wait);
        const added = (linesAdded.get(line.sku) ?? 0) + 1;
        linesAdded.set(line.sku, added);
        position = s.queue.length + added;
      }
      split.push({ allocate, wait, position });
    }
    return { ok: true, split };
  }

  /** Records an accepted order under the ids the API gave it. */
  place(orderId: string, lines: { id: string; sku: string; quantity: number }[]): void {
    const decision = this.decide(lines);
    if (!decision.ok) throw new Error('model: place called for a refused order');
    const order: ModelOrder = { id: orderId, lines: [] };
    for (const [i, l] of lines.entries()) {
      const { allocate, wait } = decision.split[i]!;
      const line: ModelLine = {
        id: l.id,
        sku: l.sku,
        quantity: l.quantity,
        allocated: allocate,
        backordered: wait,
        shipped: 0,
        cancelled: 0,
      };
      const s = this.sku(l.sku);
      s.allocated += allocate;
      if (wait > 0) s.queue.push(line);
      order.lines.push(line);
      this.lineOrder.set(line.id, orderId);
    }
    this.orders.push(order);
  }

  /** Hands the SKU's available units to the head of its queue first. */
  private serve(skuName: string): Fill[] {
    const s = this.sku(skuName);
    const fills: Fill[] = [];
    while (s.queue.length > 0 && s.onHand - s.allocated > 0) {
      const head = s.queue[0]!;
      const q = Math.min(head.backordered, s.onHand - s.allocated);
      head.backordered -= q;
      head.allocated += q;
      s.allocated += q;
      fills.push({ orderId: this.lineOrder.get(head.id)!, lineId: head.id, quantity: q });
      if (head.backordered === 0) s.queue.shift();
    }
    return fills;
  }

  adjust(skuName: string, quantity: number): { ok: true; filled: Fill[]; requeued: Fill[] } | { ok: false } {
    const s = this.sku(skuName);
    if (s.onHand + quantity < 0) return { ok: false };
    s.onHand += quantity;
    return { ok: true, filled: quantity > 0 ? this.serve(skuName) : [], requeued: this.takeBack(skuName) };
  }

  /**
   * A write-off below the allocated units takes them back from the latest accepted allocated lines
   * (last in, first out); lines not waiting rejoin the queue ahead of every waiting line, in the
   * order they were accepted. Returns the lines taken from, in their new queue order.
   */
  private takeBack(skuName: string): Fill[] {
    const s = this.sku(skuName);
    let short = s.allocated - s.onHand;
    if (short <= 0) return [];
    const accepted = this.orders.flatMap((o) => o.lines).filter((l) => l.sku === skuName && l.allocated > 0);
    const taken: { line: ModelLine; quantity: number }[] = [];
    for (const line of accepted.reverse()) {
      if (short === 0) break;
      const quantity = Math.min(short, line.allocated);
      short -= quantity;
      taken.unshift({ line, quantity });
    }
    const rejoining = taken.filter(({ line }) => line.backordered === 0).map(({ line }) => line);
    for (const { line, quantity } of taken) {
      line.allocated -= quantity;
      line.backordered += quantity;
      s.allocated -= quantity;
    }
    s.queue = [...rejoining, ...s.queue];
    return taken.map(({ line, quantity }) => ({
      orderId: this.lineOrder.get(line.id)!,
      lineId: line.id,
      quantity,
    }));
  }

  /** `only` = one line and a quantity; otherwise everything not yet shipped. */
  cancel(order: ModelOrder, only?: { line: ModelLine; quantity: number }): boolean {
    const plan = only
      ? [only]
      : order.lines.map((line) => ({ line, quantity: line.allocated + line.backordered }));
    for (const p of plan) if (p.quantity > p.line.allocated + p.line.backordered) return false;
    const released = new Set<string>();
    for (const { line, quantity } of plan) {
      if (quantity === 0) continue;
      const fromWaiting = Math.min(quantity, line.backordered);
      const fromAllocated = quantity - fromWaiting;
      const s = this.sku(line.sku);
      line.backordered -= fromWaiting;
      line.allocated -= fromAllocated;
      line.cancelled += quantity;
      s.allocated -= fromAllocated;
      if (line.backordered === 0) s.queue = s.queue.filter((q) => q !== line);
      if (fromAllocated > 0) released.add(line.sku);
    }
    for (const sku of released) this.serve(sku);
    return true;
  }

  ship(line: ModelLine, quantity: number): boolean {
    if (quantity > line.allocated) return false;
    const s = this.sku(line.sku);
    line.allocated -= quantity;
    line.shipped += quantity;
    s.allocated -= quantity;
    s.onHand -= quantity;
    return true;
  }
}

function lineStatus(l: ModelLine): string {
  if (l.backordered > 0) return 'backordered';
  if (l.allocated > 0) return 'allocated';
  if (l.shipped > 0) return 'shipped';
  return 'cancelled';
}

function orderStatus(lines: ModelLine[]): string {
  if (lines.some((l) => l.backordered > 0)) return 'backordered';
  if (lines.some((l) => l.allocated > 0)) return 'allocated';
  const shipped = lines.reduce((n, l) => n + l.shipped, 0);
  const cancelled = lines.reduce((n, l) => n + l.cancelled, 0);
  if (shipped === 0) return 'cancelled';
  return cancelled === 0 ? 'fulfilled' : 'partially_shipped';
}

// ---------------------------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------------------------

const SKUS = ['PROP-A', 'PROP-B', 'PROP-C'] as const;

type Op =
  | { kind: 'place'; lines: { sku: number; quantity: number }[] }
  | { kind: 'restock'; sku: number; quantity: number }
  | { kind: 'shrink'; sku: number; quantity: number }
  | { kind: 'cancelAll'; order: number }
  | { kind: 'cancelLine'; order: number; line: number; quantity: number }
  | { kind: 'ship'; order: number; line: number; quantity: number };

const skuIndex = fc.nat({ max: SKUS.length - 1 });
const qty = fc.integer({ min: 1, max: 5 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('place' as const),
      lines: fc.array(fc.record({ sku: skuIndex, quantity: qty }), { minLength: 1, maxLength: 2 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('restock' as const),
      sku: skuIndex,
      quantity: fc.integer({ min: 1, max: 6 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('shrink' as const),
      sku: skuIndex,
      quantity: fc.integer({ min: 1, max: 4 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancelAll' as const), order: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('cancelLine' as const),
      order: fc.nat(),
      line: fc.nat(),
      quantity: qty,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('ship' as const),
      order: fc.nat(),
      line: fc.nat(),
      quantity: qty,
    }),
  },
);

const configArb: fc.Arbitrary<SkuConfig> = fc.record({
  mode: fc.constantFrom<Mode>('deny', 'backorder', 'backorder', 'preorder'),
  limit: fc.option(fc.integer({ min: 0, max: 6 }), { nil: null, freq: 4 }),
});

/**
 * Where each SKU's queue tickets start: around the edges of the queue counts' buckets (64, 4096,
 * 262144, 2^24 tickets) and below zero, so positions are read across bucket boundaries.
 */
const ticketStartArb = fc
  .tuple(
    fc.constantFrom(0, 64, 4096, 262_144, 16_777_216, -64, -4096, -16_777_216),
    fc.integer({ min: -8, max: 2 }),
  )
  .map(([edge, offset]) => edge + offset);

const scenarioArb = fc.record({
  ticketStarts: fc.array(ticketStartArb, { minLength: 3, maxLength: 3 }),
  skuCount: fc.integer({ min: 2, max: 3 }),
  configs: fc.array(configArb, { minLength: 3, maxLength: 3 }),
  initial: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 3, maxLength: 3 }),
  // 5–20 operations per case (about 12 on average; 15–30 before), so that 100 cases fit in CI's time.
  ops: fc.array(opArb, { minLength: 5, maxLength: 20 }),
});

// ---------------------------------------------------------------------------------------------
// The property
// ---------------------------------------------------------------------------------------------

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

interface ApiLine {
  id: string;
  sku: string;
  quantity: number;
  allocatedQuantity: number;
  backorderedQuantity: number;
  shippedQuantity: number;
  cancelledQuantity: number;
  queuePosition: number | null;
  status: string;
}

interface ApiOrder {
  id: string;
  status: string;
  lines: ApiLine[];
}

/** Each SKU's waiting units at the previous check (invariant 3 allows a write-off's excess to drain). */
const waitingBefore = new Map<string, number>();

async function checkInvariants(
  store: { id: string; secretKey: string },
  model: Model,
  skus: readonly string[],
  where: string,
): Promise<void> {
  const key = store.secretKey;
  // The queue counts behind every position equal a count from scratch.
  expect(await queueCountDrift(t.app.deps.db, store.id), `${where}: queue counts`).toEqual([]);
  for (const sku of skus) {
    const s = model.sku(sku);
    const backordered = Model.backordered(s);
    const levelRes = await t.request('GET', `/v1/inventory/${sku}`, { key });
    expect(levelRes.statusCode, where).toBe(200);
    const level = levelRes.json();
    expect(level, `${where}: level of ${sku}`).toMatchObject({
      sku,
      onHand: s.onHand,
      allocated: s.allocated,
      available: s.onHand - s.allocated,
      backordered,
      backorderLimit: s.mode === 'deny' ? 0 : s.limit,
      backorderRemaining: Model.remaining(s),
    });
    // Invariant 1: available = onHand − allocated ≥ 0, onHand = sum of the ledger.
    expect(level.available, where).toBe(level.onHand - level.allocated);
    expect(level.available, where).toBeGreaterThanOrEqual(0);
    const movements = (await t.request('GET', `/v1/inventory/${sku}/movements?limit=500`, { key })).json();
    expect(movements.nextCursor, where).toBeNull();
    const ledger = movements.data.reduce((n: number, m: { quantity: number }) => n + m.quantity, 0);
    expect(ledger, `${where}: ledger of ${sku}`).toBe(level.onHand);
    // Invariant 3: no order makes waiting units exceed the limit (0 for deny). A write-off may leave
    // them above it; then they only fall until the queue is back under it.
    const limit = s.mode === 'deny' ? 0 : s.limit;
    const writeOff = /\badjust [^ ]+ -/.test(where);
    if (limit !== null && !writeOff) {
      expect(level.backordered, where).toBeLessThanOrEqual(
        Math.max(limit, waitingBefore.get(`${key} ${sku}`) ?? 0),
      );
    }
    waitingBefore.set(`${key} ${sku}`, level.backordered);
    // Invariant 4: a non-empty queue means nothing is available.
    if (level.backordered > 0) expect(level.available, where).toBe(0);
    // The queue, in model FIFO order, positions 1..n.
    const queue = (await t.request('GET', `/v1/backorders?sku=${sku}&limit=500`, { key })).json();
    expect(
      queue.data.map(
        (b: {
          lineId: string;
          sku: string;
          quantity: number;
          backorderedQuantity: number;
          position: number;
        }) => ({
          lineId: b.lineId,
          sku: b.sku,
          quantity: b.quantity,
          backorderedQuantity: b.backorderedQuantity,
          position: b.position,
        }),
      ),
      `${where}: queue of ${sku}`,
    ).toEqual(
      s.queue.map((l, i) => ({
        lineId: l.id,
        sku,
        quantity: l.quantity,
        backorderedQuantity: l.backordered,
        position: i + 1,
      })),
    );
  }

  // Every order, as the model has it (GET /v1/orders is newest first).
  const listed = (await t.request('GET', '/v1/orders?limit=500', { key })).json();
  expect(listed.nextCursor, where).toBeNull();
  const apiOrders = new Map<string, ApiOrder>(listed.data.map((o: ApiOrder) => [o.id, o]));
  expect(
    listed.data.map((o: ApiOrder) => o.id),
    `${where}: order list`,
  ).toEqual([...model.orders].reverse().map((o) => o.id));
  for (const order of model.orders) {
    const api = apiOrders.get(order.id)!;
    expect(api.status, `${where}: status of ${order.id}`).toBe(orderStatus(order.lines));
    expect(api.lines.length).toBe(order.lines.length);
    for (const [i, line] of order.lines.entries()) {
      const a = api.lines[i]!;
      // Invariant 2.
      expect(
        a.allocatedQuantity + a.backorderedQuantity + a.shippedQuantity + a.cancelledQuantity,
        `${where}: identity of ${line.id}`,
      ).toBe(a.quantity);
      const position = model.sku(line.sku).queue.indexOf(line);
      expect(a, `${where}: line ${line.id}`).toMatchObject({
        id: line.id,
        sku: line.sku,
        quantity: line.quantity,
        allocatedQuantity: line.allocated,
        backorderedQuantity: line.backordered,
        shippedQuantity: line.shipped,
        cancelledQuantity: line.cancelled,
        queuePosition: position >= 0 ? position + 1 : null,
        status: lineStatus(line),
      });
    }
  }
}

function describeOp(op: Op, skus: readonly string[]): string {
  switch (op.kind) {
    case 'place':
      return `place ${op.lines.map((l) => `${skus[l.sku % skus.length]}×${l.quantity}`).join(' + ')}`;
    case 'restock':
      return `restock ${skus[op.sku % skus.length]} +${op.quantity}`;
    case 'shrink':
      return `adjust ${skus[op.sku % skus.length]} -${op.quantity}`;
    case 'cancelAll':
      return `cancel order #${op.order}`;
    case 'cancelLine':
      return `cancel order #${op.order} line #${op.line} ×${op.quantity}`;
    case 'ship':
      return `ship order #${op.order} line #${op.line} ×${op.quantity}`;
  }
}

describe('stock and queue invariants under random operation sequences', () => {
  it('agrees with a reference model and keeps every invariant after every step', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ({ ticketStarts, skuCount, configs, initial, ops }) => {
        const store = await t.createStore('Property store');
        const key = store.secretKey;
        const skus = SKUS.slice(0, skuCount);
        const model = new Model(Object.fromEntries(skus.map((sku, i) => [sku, configs[i]!])));
        for (const [i, sku] of skus.entries()) {
          const c = configs[i]!;
          const put = await t.request('PUT', `/v1/variants/${sku}`, {
            key,
            body: { title: sku, price: 500, backorder: { mode: c.mode, limit: c.limit } },
          });
          expect(put.statusCode).toBe(201);
          await t.app.deps.db.execute(
            sql`UPDATE inventory_levels SET queue_tail = ${ticketStarts[i]!}
                 WHERE store_id = ${store.id} AND sku = ${sku}`,
          );
          if (initial[i]! > 0) {
            const res = await t.request('POST', '/v1/inventory/adjustments', {
              key,
              body: { sku, quantity: initial[i], reason: 'restock' },
            });
            expect(res.statusCode).toBe(201);
            expect(model.adjust(sku, initial[i]!).ok).toBe(true);
          }
        }
        await checkInvariants(store, model, skus, 'setup');

        for (const [step, op] of ops.entries()) {
          const where = `step ${step} (${describeOp(op, skus)})`;
          switch (op.kind) {
            case 'place': {
              const lines = op.lines.map((l) => ({ sku: skus[l.sku % skus.length]!, quantity: l.quantity }));
              const decision = model.decide(lines);
              const res = await t.request('POST', '/v1/orders', {
                key,
                body: { customer: { email: `c${step}@example.com` }, lines },
              });
              if (decision.ok) {
                expect(res.statusCode, `${where}: ${res.body}`).toBe(201);
                const body = res.json() as ApiOrder;
                expect(
                  body.lines.map((l) => [l.sku, l.quantity]),
                  where,
                ).toEqual(lines.map((l) => [l.sku, l.quantity]));
                // The placement response shows the split as decided at acceptance.
                expect(
                  body.lines.map((l) => ({
                    allocatedQuantity: l.allocatedQuantity,
                    backorderedQuantity: l.backorderedQuantity,
                    queuePosition: l.queuePosition,
                  })),
                  where,
                ).toEqual(
                  decision.split.map((d) => ({
                    allocatedQuantity: d.allocate,
                    backorderedQuantity: d.wait,
                    queuePosition: d.position,
                  })),
                );
                model.place(
                  body.id,
                  body.lines.map((l) => ({ id: l.id, sku: l.sku, quantity: l.quantity })),
                );
              } else {
                expect(res.statusCode, `${where}: ${res.body}`).toBe(409);
                expect(res.json(), where).toMatchObject({ code: 'insufficient_stock', sku: decision.sku });
              }
              break;
            }
            case 'restock':
            case 'shrink': {
              const sku = skus[op.sku % skus.length]!;
              const quantity = op.kind === 'restock' ? op.quantity : -op.quantity;
              const res = await t.request('POST', '/v1/inventory/adjustments', {
                key,
                body: { sku, quantity, reason: op.kind === 'restock' ? 'restock' : 'damage' },
              });
              const outcome = model.adjust(sku, quantity);
              if (outcome.ok) {
                expect(res.statusCode, `${where}: ${res.body}`).toBe(201);
                expect(res.json().filled, `${where}: filled`).toEqual(outcome.filled);
                expect(res.json().requeued, `${where}: requeued`).toEqual(outcome.requeued);
              } else {
                expect(res.statusCode, `${where}: ${res.body}`).toBe(409);
                expect(res.json().code, where).toBe('insufficient_stock');
              }
              break;
            }
            case 'cancelAll':
            case 'cancelLine': {
              if (model.orders.length === 0) continue;
              const order = model.orders[op.order % model.orders.length]!;
              let body: Record<string, unknown> = {};
              let only: { line: ModelLine; quantity: number } | undefined;
              if (op.kind === 'cancelLine') {
                const line = order.lines[op.line % order.lines.length]!;
                only = { line, quantity: op.quantity };
                body = { lines: [{ lineId: line.id, quantity: op.quantity }] };
              }
              const res = await t.request('POST', `/v1/orders/${order.id}/cancel`, { key, body });
              if (model.cancel(order, only)) {
                expect(res.statusCode, `${where}: ${res.body}`).toBe(200);
              } else {
                expect(res.statusCode, `${where}: ${res.body}`).toBe(409);
                expect(res.json().code, where).toBe('already_shipped');
              }
              break;
            }
            case 'ship': {
              if (model.orders.length === 0) continue;
              const order = model.orders[op.order % model.orders.length]!;
              const line = order.lines[op.line % order.lines.length]!;
              // Ship the line's allocated units when it has any, else ask for op.quantity (refused).
              const quantity = line.allocated > 0 && op.quantity % 2 === 1 ? line.allocated : op.quantity;
              const res = await t.request('POST', `/v1/orders/${order.id}/shipments`, {
                key,
                body: { lines: [{ lineId: line.id, quantity }] },
              });
              if (model.ship(line, quantity)) {
                expect(res.statusCode, `${where}: ${res.body}`).toBe(201);
              } else {
                expect(res.statusCode, `${where}: ${res.body}`).toBe(409);
                expect(res.json().code, where).toBe('not_allocated');
              }
              break;
            }
          }
          await checkInvariants(store, model, skus, where);
        }
      }),
      propertyOptions(),
    );
    // Each step also compares the queue counts with a count from scratch.
  }, 600_000);
});
