/**
 * Property test of the promise engine against the database: random sequences of orders,
 * cancellations, restocks, purchase orders (created, moved, received, cancelled), handling-day
 * changes and days passing (with the daily job) go through the HTTP API; after every step each
 * SKU's stored promises must be exactly what a from-scratch computation gives (so the incremental
 * re-dating never misses a line), never decrease along the queue, never precede the supply they
 * rely on, and an automatic cap must equal the open purchase-order units plus the buffer.
 *
 * "From scratch" is said twice: with the product's own rule (`readPromiseInputs` + `planSchedule`),
 * and with test/support/promise-oracle.ts, the rule restated from README, fed with what the test
 * itself entered and saw accepted (purchase orders, receipts, lead times, handling days), so a
 * change to the rule in the product cannot move the expected dates along with the stored ones.
 */
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/client.ts';
import { refreshDuePromises } from '../src/modules/promises/promises.jobs.ts';
import { openSupplyUnits, planSchedule, promiseAt } from '../src/modules/promises/promises.models.ts';
import { readPromiseInputs } from '../src/modules/promises/promises.repository.ts';
import { ManualClock } from '../src/shared/clock.ts';
import { addDays, dayIn } from '../src/shared/dates.ts';
import { type StoreKeys, startTestApp, type TestApp } from './support/harness.ts';
import {
  daysFromTo,
  type PromiseFacts,
  promisesForQueue,
  supplierLateness,
  supplierRecord,
} from './support/promise-oracle.ts';
import { propertyOptions } from './support/property.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely
type Json = any;

const SKUS = ['P-A', 'P-B'];
const BUFFER = 2;
const clock = new ManualClock(new Date('2026-05-04T09:00:00Z'));
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ clock });
});
afterAll(() => t.close());

type Step =
  | { kind: 'place'; sku: number; quantity: number }
  | { kind: 'cancel'; order: number; partial: boolean }
  | { kind: 'restock'; sku: number; quantity: number }
  | { kind: 'createPo'; sku: number; quantity: number; inDays: number; draft: boolean }
  | { kind: 'movePo'; po: number; byDays: number }
  | { kind: 'orderPo'; po: number }
  | { kind: 'receivePo'; po: number; quantity: number }
  | { kind: 'cancelPo'; po: number }
  | { kind: 'handling'; days: number }
  | { kind: 'leadTime'; supplier: number; days: number }
  | { kind: 'days'; days: number; job: boolean };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('place' as const),
      sku: fc.nat(1),
      quantity: fc.integer({ min: 1, max: 4 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('cancel' as const), order: fc.nat(50), partial: fc.boolean() }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('restock' as const),
      sku: fc.nat(1),
      quantity: fc.integer({ min: 1, max: 6 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('createPo' as const),
      sku: fc.nat(1),
      quantity: fc.integer({ min: 1, max: 8 }),
      inDays: fc.integer({ min: -3, max: 30 }),
      draft: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('movePo' as const),
      po: fc.nat(20),
      byDays: fc.integer({ min: -10, max: 10 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('orderPo' as const), po: fc.nat(20) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('receivePo' as const),
      po: fc.nat(20),
      // Often one unit: a purchase order then arrives in several deliveries, days apart, which
      // gives its supplier a record of lateness that the latest dates depend on.
      quantity: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 8 })),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancelPo' as const), po: fc.nat(20) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('handling' as const), days: fc.nat(3) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('leadTime' as const),
      supplier: fc.nat(1),
      days: fc.integer({ min: 5, max: 30 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('days' as const),
      days: fc.integer({ min: 1, max: 5 }),
      job: fc.boolean(),
    }),
  },
);

/** A purchase order as the test entered it and saw each change accepted. */
interface ModelPo {
  id: string;
  supplierId: string;
  expectedDate: string;
  status: 'draft' | 'ordered' | 'partially_received' | 'received' | 'cancelled';
  lines: { sku: string; quantity: number; received: number }[];
}

/** What the merchant told Backfill, as the oracle's facts (see `factsOf`). */
interface Entered {
  purchaseOrders: ModelPo[];
  /** Every delivery received, oldest first: its supplier and how many days after its expected date. */
  receipts: { supplierId: string; lateDays: number }[];
  leadTimes: Map<string, number>;
  handlingDays: number;
  variants: Record<string, { supplierId: string | null; releaseDate: string | null }>;
}

interface Run {
  store: StoreKeys;
  orders: Json[];
  entered: Entered;
}

const DEFAULT_LEAD_TIME_DAYS = 14;

/** The oracle's view of a SKU's supply today, from what the test entered (never from Backfill's reads). */
function factsOf(entered: Entered, sku: string, today: string): PromiseFacts {
  const newestFirst = (supplierId: string) =>
    entered.receipts
      .filter((r) => r.supplierId === supplierId)
      .map((r) => r.lateDays)
      .reverse();
  const lateness = (supplierId: string) => supplierLateness(newestFirst(supplierId));
  const record = (supplierId: string) => supplierRecord(newestFirst(supplierId));
  const open = (po: ModelPo) => po.status === 'ordered' || po.status === 'partially_received';
  const deliveries = entered.purchaseOrders.filter(open).flatMap((po) =>
    po.lines
      .filter((line) => line.sku === sku)
      .map((line) => ({
        purchaseOrderId: po.id,
        expectedDate: po.expectedDate,
        units: line.quantity - line.received,
        lateDays: lateness(po.supplierId),
        record: record(po.supplierId),
      })),
  );
  // The lead time is the variant's supplier's, else that of the SKU's latest purchase order not cancelled.
  const variant = entered.variants[sku]!;
  const latestPo = [...entered.purchaseOrders]
    .reverse()
    .find((po) => po.status !== 'cancelled' && po.lines.some((line) => line.sku === sku));
  const supplier = variant.supplierId ?? latestPo?.supplierId ?? null;
  return {
    today,
    deliveries,
    handlingDays: entered.handlingDays,
    merchantDate: null,
    releaseDate: variant.releaseDate,
    leadTimeDays: supplier === null ? DEFAULT_LEAD_TIME_DAYS : entered.leadTimes.get(supplier)!,
    leadLateDays: supplier === null ? 0 : lateness(supplier),
    leadRecord: supplier === null ? [] : record(supplier),
  };
}

async function call(run: Run, method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, body?: unknown) {
  const res = await t.request(method, url, { key: run.store.secretKey, body });
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(500);
  return res;
}

async function apply(run: Run, step: Step): Promise<void> {
  const today = dayIn('UTC', clock.now());
  switch (step.kind) {
    case 'place': {
      const res = await call(run, 'POST', '/v1/orders', {
        lines: [{ sku: SKUS[step.sku], quantity: step.quantity }],
      });
      if (res.statusCode === 201) run.orders.push(res.json());
      return;
    }
    case 'cancel': {
      const order = run.orders[step.order % Math.max(1, run.orders.length)];
      if (!order) return;
      const body = step.partial ? { lines: [{ lineId: order.lines[0].id, quantity: 1 }] } : {};
      await call(run, 'POST', `/v1/orders/${order.id}/cancel`, body);
      return;
    }
    case 'restock':
      await call(run, 'POST', '/v1/inventory/adjustments', {
        sku: SKUS[step.sku],
        quantity: step.quantity,
        reason: 'restock',
      });
      return;
    case 'createPo': {
      const pos = run.entered.purchaseOrders;
      const supplierId = pos.length % 2 === 0 ? supplierIds.get(run)![0]! : supplierIds.get(run)![1]!;
      const expectedDate = addDays(today, step.inDays);
      const status = step.draft ? 'draft' : 'ordered';
      const res = await call(run, 'POST', '/v1/purchase-orders', {
        supplierId,
        expectedDate,
        status,
        lines: [{ sku: SKUS[step.sku], quantity: step.quantity, unitCost: 100 }],
      });
      if (res.statusCode === 201) {
        const lines = [{ sku: SKUS[step.sku]!, quantity: step.quantity, received: 0 }];
        pos.push({ id: res.json().id, supplierId, expectedDate, status, lines });
      }
      return;
    }
    case 'movePo': {
      const po = run.entered.purchaseOrders[step.po % Math.max(1, run.entered.purchaseOrders.length)];
      if (!po) return;
      const current = (await call(run, 'GET', `/v1/purchase-orders/${po.id}`)).json();
      expect({ expectedDate: current.expectedDate, status: current.status }).toEqual({
        expectedDate: po.expectedDate,
        status: po.status,
      });
      const expectedDate = addDays(current.expectedDate, step.byDays);
      const res = await call(run, 'PATCH', `/v1/purchase-orders/${po.id}`, { expectedDate });
      if (res.statusCode === 200) po.expectedDate = expectedDate;
      return;
    }
    case 'orderPo':
    case 'cancelPo': {
      const po = run.entered.purchaseOrders[step.po % Math.max(1, run.entered.purchaseOrders.length)];
      if (!po) return;
      const res = await call(
        run,
        'POST',
        `/v1/purchase-orders/${po.id}/${step.kind === 'orderPo' ? 'order' : 'cancel'}`,
      );
      if (res.statusCode < 300) po.status = step.kind === 'orderPo' ? 'ordered' : 'cancelled';
      return;
    }
    case 'receivePo': {
      const po = run.entered.purchaseOrders[step.po % Math.max(1, run.entered.purchaseOrders.length)];
      if (!po) return;
      const line = po.lines[0]!;
      const res = await call(run, 'POST', `/v1/purchase-orders/${po.id}/receipts`, {
        lines: [{ sku: line.sku, quantity: step.quantity }],
      });
      if (res.statusCode < 300) {
        line.received += step.quantity;
        po.status = po.lines.every((l) => l.received >= l.quantity) ? 'received' : 'partially_received';
        run.entered.receipts.push({
          supplierId: po.supplierId,
          lateDays: daysFromTo(po.expectedDate, today),
        });
      }
      return;
    }
    case 'handling': {
      const res = await call(run, 'PATCH', '/v1/settings', { handlingDays: step.days });
      if (res.statusCode < 300) run.entered.handlingDays = step.days;
      return;
    }
    case 'leadTime': {
      const supplierId = supplierIds.get(run)![step.supplier]!;
      const res = await call(run, 'PATCH', `/v1/suppliers/${supplierId}`, { leadTimeDays: step.days });
      if (res.statusCode < 300) run.entered.leadTimes.set(supplierId, step.days);
      return;
    }
    case 'days':
      // Without the job, the day's first changes run on dates computed on an earlier day.
      clock.advance(step.days * 86_400_000);
      if (step.job) await refreshDuePromises(t.app.deps, { storeIds: [run.store.id] });
      return;
  }
}

const supplierIds = new WeakMap<Run, string[]>();
/** How many waiting lines were checked per promise source: the run must exercise each. */
const seen = { purchase_order: 0, lead_time: 0, merchant_date: 0, stock: 0 };

interface WaitingRow {
  backordered: number;
  eta: string | null;
  eta_latest: string | null;
  eta_source: string | null;
}

/**
 * Dates computed on an earlier day are due for the daily job; once it has run, every stored date
 * must be today's. (SKUs already re-dated today are not touched by the job: their dates must
 * already be right.)
 */
async function check(run: Run, history: Step[]): Promise<void> {
  await refreshDuePromises(t.app.deps, { storeIds: [run.store.id] });
  const db = t.app.deps.db;
  const today = dayIn('UTC', clock.now());
  const fresh = await readPromiseInputs(db, run.store.id, SKUS);
  const why = JSON.stringify(history);
  for (const sku of SKUS) {
    const [level] = await queryRows<{
      promise_inputs: Json;
      backorder_limit: number | null;
      backorder_limit_auto: boolean;
    }>(
      db,
      sql`SELECT promise_inputs, backorder_limit, backorder_limit_auto FROM inventory_levels
           WHERE store_id = ${run.store.id} AND sku = ${sku}`,
    );
    const inputs = fresh.get(sku)!;
    const bySupplyOrder = (x: Json) => ({
      ...x,
      supply: [...x.supply].sort((a: Json, b: Json) => a.purchaseOrderId.localeCompare(b.purchaseOrderId)),
    });
    expect(bySupplyOrder(level!.promise_inputs), `stored inputs of ${sku} after ${why}`).toEqual(
      bySupplyOrder(inputs),
    );
    if (level!.backorder_limit_auto) {
      expect(level!.backorder_limit, `auto cap of ${sku}`).toBe(openSupplyUnits(inputs) + BUFFER);
    }
    const segments = planSchedule(inputs, today);
    const lots = inputs.supply
      .map((l) => ({ arrival: l.expectedDate > today ? l.expectedDate : today, quantity: l.quantity }))
      .sort((a, b) => (a.arrival < b.arrival ? -1 : a.arrival > b.arrival ? 1 : 0));
    const waiting = await queryRows<WaitingRow>(
      db,
      sql`SELECT backordered, eta::text AS eta, eta_latest::text AS eta_latest, eta_source FROM order_lines
           WHERE store_id = ${run.store.id} AND sku = ${sku} AND backordered > 0 ORDER BY queue_ticket`,
    );
    await checkStock(run.store.id, sku, why);
    const facts = factsOf(run.entered, sku, clock.now().toISOString().slice(0, 10));
    const oracle = promisesForQueue(
      facts,
      waiting.map((line) => line.backordered),
    );
    let through = 0;
    let previous = '';
    for (const [i, line] of waiting.entries()) {
      through += line.backordered;
      const expected = promiseAt(segments, through);
      const where = `${sku} line ${i + 1} (through ${through}) after ${why}`;
      const stored = { eta: line.eta, etaLatest: line.eta_latest, source: line.eta_source };
      expect(stored, where).toEqual(expected);
      expect(stored, `${where}, by the rule from ${JSON.stringify(facts)}`).toEqual(oracle[i]);
      seen[line.eta_source as keyof typeof seen] += 1;
      expect(line.eta! >= previous, `dates decrease along the queue at ${where}`).toBe(true);
      expect(line.eta_latest! >= line.eta!, where).toBe(true);
      previous = line.eta!;
      // The supply the line's last unit relies on arrives no later than its date.
      let covered = 0;
      let arrival = lots.at(-1)?.arrival ?? today;
      for (const lot of lots) {
        covered += lot.quantity;
        if (covered >= through) {
          arrival = lot.arrival;
          break;
        }
      }
      expect(line.eta! >= arrival, `date before its supply at ${where}`).toBe(true);
    }
  }
}

/**
 * Invariants 1, 2 and 4 with receipts in the mix: onHand is the ledger's sum, allocated stays within
 * it, the counters match the lines, every line adds up, and nothing is free while units wait.
 */
async function checkStock(storeId: string, sku: string, why: string): Promise<void> {
  const [row] = await queryRows<{
    on_hand: number;
    allocated: number;
    backordered: number;
    waiting_lines: number;
    ledger: number | string;
    line_allocated: number | string;
    line_backordered: number | string;
    waiting: number | string;
    broken_lines: number | string;
  }>(
    t.app.deps.db,
    sql`SELECT l.on_hand, l.allocated, l.backordered, l.waiting_lines,
               (SELECT coalesce(sum(quantity), 0) FROM stock_movements m
                 WHERE m.store_id = l.store_id AND m.sku = l.sku) AS ledger,
               coalesce(sum(o.allocated), 0) AS line_allocated, coalesce(sum(o.backordered), 0) AS line_backordered,
               count(o.id) FILTER (WHERE o.backordered > 0) AS waiting,
               count(o.id) FILTER (WHERE o.quantity <> o.allocated + o.backordered + o.shipped + o.cancelled) AS broken_lines
          FROM inventory_levels l
          LEFT JOIN order_lines o ON o.store_id = l.store_id AND o.sku = l.sku
         WHERE l.store_id = ${storeId} AND l.sku = ${sku}
         GROUP BY l.store_id, l.sku, l.on_hand, l.allocated, l.backordered, l.waiting_lines`,
  );
  const where = `stock of ${sku} after ${why}`;
  expect(Number(row!.ledger), where).toBe(row!.on_hand);
  expect(row!.allocated >= 0 && row!.allocated <= row!.on_hand, where).toBe(true);
  expect(Number(row!.line_allocated), where).toBe(row!.allocated);
  expect(Number(row!.line_backordered), where).toBe(row!.backordered);
  expect(Number(row!.waiting), where).toBe(row!.waiting_lines);
  expect(Number(row!.broken_lines), where).toBe(0);
  if (row!.waiting_lines > 0) expect(row!.on_hand - row!.allocated, where).toBe(0);
}

describe('promise dates under random supply and demand', () => {
  it('stay exactly what a full recomputation gives, in order, and never before their supply', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 10, maxLength: 40 }), async (steps) => {
        clock.set(new Date('2026-05-04T09:00:00Z'));
        const res = await t.request('POST', '/v1/stores', {
          key: 'test-operator-token-0123456789',
          body: { name: 'Promises' },
        });
        const created = res.json();
        const run: Run = {
          store: {
            id: created.store.id,
            secretKey: created.secretKey,
            publishableKey: created.publishableKey,
          },
          orders: [],
          entered: {
            purchaseOrders: [],
            receipts: [],
            leadTimes: new Map(),
            handlingDays: 0,
            variants: {},
          },
        };
        const suppliers: string[] = [];
        for (const leadTimeDays of [10, 25]) {
          const id = (
            await call(run, 'POST', '/v1/suppliers', { name: `S${leadTimeDays}`, leadTimeDays })
          ).json().id;
          suppliers.push(id);
          run.entered.leadTimes.set(id, leadTimeDays);
        }
        supplierIds.set(run, suppliers);
        run.entered.variants = {
          [SKUS[0]!]: { supplierId: suppliers[1]!, releaseDate: null },
          [SKUS[1]!]: { supplierId: null, releaseDate: '2026-05-20' },
        };
        await call(run, 'PATCH', '/v1/settings', { autoLimitBuffer: BUFFER });
        await call(run, 'PUT', `/v1/variants/${SKUS[0]}`, {
          title: 'A',
          price: 100,
          supplierId: suppliers[1],
          backorder: { mode: 'backorder', limit: null },
        });
        await call(run, 'PUT', `/v1/variants/${SKUS[1]}`, {
          title: 'B',
          price: 100,
          backorder: { mode: 'preorder', limit: 'auto', releaseDate: '2026-05-20' },
        });
        const history: Step[] = [];
        for (const step of steps) {
          await apply(run, step);
          history.push(step);
          await check(run, history);
        }
      }),
      propertyOptions(),
    );
    console.log(seen);
    expect(seen.purchase_order).toBeGreaterThan(0);
    expect(seen.lead_time).toBeGreaterThan(0);
    expect(seen.merchant_date).toBeGreaterThan(0);
  }, 600_000);
});

describe('promise dates under concurrent orders and purchase-order moves', () => {
  it('end exactly as a full recomputation gives', async () => {
    clock.set(new Date('2026-05-04T09:00:00Z'));
    const created = (
      await t.request('POST', '/v1/stores', { key: 'test-operator-token-0123456789', body: { name: 'Race' } })
    ).json();
    const run: Run = {
      store: { id: created.store.id, secretKey: created.secretKey, publishableKey: created.publishableKey },
      orders: [],
      entered: {
        purchaseOrders: [],
        receipts: [],
        leadTimes: new Map(),
        handlingDays: 0,
        variants: Object.fromEntries(SKUS.map((sku) => [sku, { supplierId: null, releaseDate: null }])),
      },
    };
    const supplier = (await call(run, 'POST', '/v1/suppliers', { name: 'S', leadTimeDays: 20 })).json().id;
    supplierIds.set(run, [supplier, supplier]);
    run.entered.leadTimes.set(supplier, 20);
    for (const sku of SKUS) {
      await call(run, 'PUT', `/v1/variants/${sku}`, {
        title: sku,
        price: 1,
        backorder: { mode: 'backorder' },
      });
    }
    const pos: Json[] = [];
    for (const [i, inDays] of [3, 9, 15].entries()) {
      pos.push(
        (
          await call(run, 'POST', '/v1/purchase-orders', {
            supplierId: supplier,
            expectedDate: addDays('2026-05-04', inDays),
            lines: SKUS.map((sku) => ({ sku, quantity: 20 + i, unitCost: 1 })),
          })
        ).json(),
      );
    }
    const orders = Array.from({ length: 150 }, (_, i) =>
      t.request('POST', '/v1/orders', {
        key: run.store.secretKey,
        body: { lines: [{ sku: SKUS[i % 2], quantity: 1 + (i % 3) }] },
      }),
    );
    const moves = Array.from({ length: 12 }, (_, i) =>
      t.request('PATCH', `/v1/purchase-orders/${pos[i % 3].id}`, {
        key: run.store.secretKey,
        body: { expectedDate: addDays('2026-05-04', 2 + ((i * 7) % 20)) },
      }),
    );
    const cancels = Array.from({ length: 10 }, async (_, i) => {
      const placed = await orders[i * 10]!;
      return t.request('POST', `/v1/orders/${placed.json().id}/cancel`, {
        key: run.store.secretKey,
        body: {},
      });
    });
    const results = await Promise.all([...orders, ...moves, ...cancels]);
    for (const res of results) expect(res.statusCode, res.body).toBeLessThan(300);
    // Which move of each purchase order landed last is the race's outcome: read it back.
    for (const po of pos) {
      const { expectedDate } = (await call(run, 'GET', `/v1/purchase-orders/${po.id}`)).json();
      run.entered.purchaseOrders.push({
        id: po.id,
        supplierId: supplier,
        expectedDate,
        status: 'ordered',
        lines: po.lines.map((line: Json) => ({ sku: line.sku, quantity: line.quantity, received: 0 })),
      });
    }
    await check(run, [{ kind: 'days', days: 0, job: true }]);
  }, 60_000);
});
