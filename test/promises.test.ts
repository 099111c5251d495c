/**
 * Promise dates over HTTP, with the clock moved by the test: lead-time and merchant dates, store
 * handling days, pre-order release, storefront dates, the daily job and the what-if simulation.
 * (Promises from purchase orders are covered with the supply endpoints in supply.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction, queryRows } from '../src/db/client.ts';
import { refreshDuePromises } from '../src/modules/promises/promises.jobs.ts';
import { planSchedule, promiseAt } from '../src/modules/promises/promises.models.ts';
import { inputsOf, redateChunk } from '../src/modules/promises/promises.usecases.ts';
import {
  lockLevels,
  readLevels,
  updateLevelsIfUnchanged,
} from '../src/modules/stock/stock.levels.repository.ts';
import { ManualClock } from '../src/shared/clock.ts';
import { storeToday } from '../src/shared/dates.ts';
import { type StoreKeys, startTestApp, type TestApp, variant } from './support/harness.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely
type Json = any;

const DAY = 86_400_000;
const clock = new ManualClock(new Date('2026-03-10T12:00:00Z'));
let t: TestApp;
let store: StoreKeys;

beforeAll(async () => {
  t = await startTestApp({ clock });
  store = await t.createStore();
});
afterAll(() => t.close());

const key = () => store.secretKey;

async function put(sku: string, body: Record<string, unknown>) {
  const res = await t.request('PUT', `/v1/variants/${sku}`, { key: key(), body });
  if (res.statusCode >= 300) throw new Error(`PUT ${sku}: ${res.statusCode} ${res.body}`);
  return res.json();
}

async function place(sku: string, quantity: number): Promise<Json> {
  const res = await t.request('POST', '/v1/orders', { key: key(), body: { lines: [{ sku, quantity }] } });
  if (res.statusCode !== 201) throw new Error(`order ${sku}: ${res.statusCode} ${res.body}`);
  return res.json();
}

async function restock(sku: string, quantity: number): Promise<Json> {
  const res = await t.request('POST', '/v1/inventory/adjustments', {
    key: key(),
    body: { sku, quantity, reason: 'restock' },
  });
  if (res.statusCode !== 201) throw new Error(`restock ${sku}: ${res.statusCode} ${res.body}`);
  return res.json();
}

/** A new supplier and an ordered purchase order of `quantity` units of `sku` due on `expectedDate`. */
async function purchaseOrder(
  sku: string,
  quantity: number,
  expectedDate: string,
  leadTimeDays = 30,
): Promise<Json> {
  const supplier = await t.request('POST', '/v1/suppliers', {
    key: key(),
    body: { name: `Supplier of ${sku}`, leadTimeDays },
  });
  const res = await t.request('POST', '/v1/purchase-orders', {
    key: key(),
    body: { supplierId: supplier.json().id, expectedDate, lines: [{ sku, quantity, unitCost: 1 }] },
  });
  if (res.statusCode !== 201) throw new Error(`purchase order ${sku}: ${res.statusCode} ${res.body}`);
  return res.json();
}

const line = async (orderId: string): Promise<Json> =>
  (await t.request('GET', `/v1/orders/${orderId}`, { key: key() })).json().lines[0];

async function etaEvents(sku: string): Promise<Json[]> {
  const res = await t.request('GET', '/v1/events?type=backorder.eta_changed&limit=500', { key: key() });
  return res
    .json()
    .data.map((e: Json) => e.data)
    .filter((d: Json) => d.sku === sku);
}

describe('promise dates without purchase orders', () => {
  it('dates waiting lines at today + the default lead time, and stock lines at today', async () => {
    await put('LEAD-1', variant('backorder'));
    await restock('LEAD-1', 1);
    const order = await place('LEAD-1', 3);
    expect(order.lines[0]).toMatchObject({
      allocatedQuantity: 1,
      backorderedQuantity: 2,
      eta: '2026-03-24',
      etaLatest: '2026-03-24',
      etaSource: 'lead_time',
    });

    const backorders = (await t.request('GET', '/v1/backorders?sku=LEAD-1', { key: key() })).json();
    expect(backorders.data[0]).toMatchObject({ eta: '2026-03-24', etaSource: 'lead_time' });

    // Units arriving for the whole line make it ready to ship today, from stock.
    await restock('LEAD-1', 3);
    expect(await line(order.id)).toMatchObject({
      eta: '2026-03-10',
      etaSource: 'stock',
      backorderedQuantity: 0,
    });
  });

  it('a merchant date still ahead replaces the lead time; store handling days are added to every date', async () => {
    await put(
      'MERCH-1',
      variant('backorder', null, { backorder: { mode: 'backorder', expectedDate: '2026-04-01' } }),
    );
    const order = await place('MERCH-1', 2);
    expect(order.lines[0]).toMatchObject({ eta: '2026-04-01', etaSource: 'merchant_date' });

    const settings = await t.request('PATCH', '/v1/settings', { key: key(), body: { handlingDays: 2 } });
    expect(settings.statusCode).toBe(200);
    expect(settings.json()).toMatchObject({ handlingDays: 2, defaultLeadTimeDays: 14 });
    expect(await line(order.id)).toMatchObject({ eta: '2026-04-03', etaSource: 'merchant_date' });
    expect(await etaEvents('MERCH-1')).toEqual([
      expect.objectContaining({
        orderId: order.id,
        lineId: order.lines[0].id,
        previousEta: '2026-04-01',
        eta: '2026-04-03',
      }),
    ]);
    await t.request('PATCH', '/v1/settings', { key: key(), body: { handlingDays: 0 } });
  });

  it('refuses bad settings and changes nothing', async () => {
    const before = (await t.request('GET', '/v1/settings', { key: key() })).json();
    for (const body of [
      {},
      { handlingDays: -1 },
      { handlingDays: 1.5 },
      { defaultLeadTimeDays: '3' },
      { x: 1 },
    ]) {
      const res = await t.request('PATCH', '/v1/settings', { key: key(), body });
      expect(res.statusCode, JSON.stringify(body)).toBe(422);
    }
    expect((await t.request('GET', '/v1/settings', { key: key() })).json()).toEqual(before);
    expect((await t.request('GET', '/v1/settings', { key: store.publishableKey })).statusCode).toBe(403);
  });
});

describe('pre-orders', () => {
  it('allocates before the release, promises the release date, and refuses to ship before it', async () => {
    await put('PRE-1', {
      ...variant('preorder'),
      backorder: { mode: 'preorder', limit: null, releaseDate: '2026-03-20' },
    });
    await restock('PRE-1', 1);
    const allocated = await place('PRE-1', 1);
    expect(allocated.lines[0]).toMatchObject({
      allocatedQuantity: 1,
      eta: '2026-03-20',
      etaSource: 'merchant_date',
    });
    const waiting = await place('PRE-1', 1);
    // Lead time (2026-03-24) is after the release: the later date wins.
    expect(waiting.lines[0]).toMatchObject({
      backorderedQuantity: 1,
      eta: '2026-03-24',
      etaSource: 'lead_time',
    });

    const early = await t.request('POST', `/v1/orders/${allocated.id}/shipments`, {
      key: key(),
      body: { lines: [{ lineId: allocated.lines[0].id, quantity: 1 }] },
    });
    expect(early.statusCode).toBe(409);
    expect(early.json()).toMatchObject({ code: 'not_released', releaseDate: '2026-03-20' });

    const refused = await t.request('PUT', '/v1/variants/PRE-2', {
      key: key(),
      body: { ...variant('backorder'), backorder: { mode: 'backorder', releaseDate: '2026-03-20' } },
    });
    expect(refused.statusCode).toBe(422);

    clock.set(new Date('2026-03-20T08:00:00Z'));
    const shipped = await t.request('POST', `/v1/orders/${allocated.id}/shipments`, {
      key: key(),
      body: { lines: [{ lineId: allocated.lines[0].id, quantity: 1 }] },
    });
    expect(shipped.statusCode).toBe(201);
    clock.set(new Date('2026-03-10T12:00:00Z'));
  });
});

describe('storefront expected date', () => {
  it('is the date an order of the given quantity would get, or null when it could not be placed', async () => {
    await put('SF-1', variant('backorder', 3));
    await restock('SF-1', 2);
    const ask = async (quantity: number) =>
      (
        await t.request('GET', `/v1/storefront/availability?sku=SF-1&quantity=${quantity}`, {
          key: store.publishableKey,
        })
      ).json();
    expect(await ask(1)).toMatchObject({ status: 'in_stock', expectedDate: '2026-03-10', quantity: 1 });
    expect(await ask(4)).toMatchObject({ status: 'in_stock', expectedDate: '2026-03-24' });
    expect(await ask(6)).toMatchObject({ expectedDate: null });
    const noQuantity = await t.request('GET', '/v1/storefront/availability?sku=SF-1', {
      key: store.publishableKey,
    });
    expect(noQuantity.json()).toMatchObject({ quantity: 1, expectedDate: '2026-03-10' });
    const bad = await t.request('GET', '/v1/storefront/availability?sku=SF-1&quantity=0', {
      key: store.publishableKey,
    });
    expect(bad.statusCode).toBe(422);
  });
});

describe('the daily job', () => {
  it('moves lead-time dates with the calendar, once per day', async () => {
    await put('DAY-1', variant('backorder'));
    const order = await place('DAY-1', 1);
    expect(order.lines[0].eta).toBe('2026-03-24');
    clock.advance(2 * DAY);
    await refreshDuePromises(t.app.deps, { storeIds: [store.id] });
    expect(await line(order.id)).toMatchObject({ eta: '2026-03-26', etaSource: 'lead_time' });
    expect(await etaEvents('DAY-1')).toEqual([
      expect.objectContaining({ lineId: order.lines[0].id, previousEta: '2026-03-24', eta: '2026-03-26' }),
    ]);
    // The same day again: nothing is due.
    const again = await refreshDuePromises(t.app.deps, { storeIds: [store.id] });
    expect(again.skus).toBe(0);
    expect(await etaEvents('DAY-1')).toHaveLength(1);
    clock.set(new Date('2026-03-10T12:00:00Z'));
  });

  /** Every waiting line of `sku` holds the promise of its place under today's schedule. */
  async function expectTodaysDates(sku: string) {
    const level = (await readLevels(t.app.deps.db, [{ storeId: store.id, sku }], { lock: false }))
      .values()
      .next().value!;
    const today = storeToday({ timezone: 'UTC' }, clock.now());
    expect(level.promiseApplied).toEqual({ day: today, segments: planSchedule(inputsOf(level), today) });
    const queue = (await t.request('GET', `/v1/backorders?sku=${sku}&limit=500`, { key: key() })).json();
    let through = 0;
    const expected = queue.data.map((b: Json) => {
      through += b.backorderedQuantity;
      const promise = promiseAt(level.promiseApplied!.segments, through);
      return { lineId: b.lineId, eta: promise.eta, etaLatest: promise.etaLatest, etaSource: promise.source };
    });
    expect(
      queue.data.map((b: Json) => ({
        lineId: b.lineId,
        eta: b.eta,
        etaLatest: b.etaLatest,
        etaSource: b.etaSource,
      })),
    ).toEqual(expected);
    expect(through).toBe(level.backordered);
  }

  it('re-dates a long queue in chunks, with orders, cancellations and restocks between them', async () => {
    await put('CHUNK-1', variant('backorder'));
    await purchaseOrder('CHUNK-1', 20, '2026-03-20');
    const orders: Json[] = [];
    for (let i = 0; i < 40; i++) orders.push(await place('CHUNK-1', 1 + (i % 3)));
    clock.advance(2 * DAY);
    const deps = t.app.deps;
    const scope = { id: store.id, currency: 'USD', timezone: 'UTC' };
    const chunk = () =>
      inTransaction(deps.db, async (tx) => {
        const level = (await lockLevels(tx, [{ storeId: store.id, sku: 'CHUNK-1' }])).values().next().value!;
        return redateChunk(tx, deps, scope, level, 6);
      });
    const between = [
      () => place('CHUNK-1', 2),
      () => t.request('POST', `/v1/orders/${orders[1].id}/cancel`, { key: key(), body: {} }),
      () => restock('CHUNK-1', 3),
      () => t.request('POST', `/v1/orders/${orders[30].id}/cancel`, { key: key(), body: {} }),
      () => place('CHUNK-1', 1),
      () => t.request('POST', `/v1/orders/${orders[12].id}/cancel`, { key: key(), body: {} }),
    ];
    let chunks = 0;
    for (let done = false; !done; chunks++) {
      done = await chunk();
      await between[chunks % between.length]!();
    }
    expect(chunks).toBeGreaterThan(5);
    await expectTodaysDates('CHUNK-1');
    // Nothing left for the job: the queue is re-dated.
    expect((await refreshDuePromises(deps, { storeIds: [store.id] })).skus).toBe(0);
    clock.set(new Date('2026-03-10T12:00:00Z'));
  });

  it('re-dates in chunks while orders and cancellations run at the same time', async () => {
    await put('CHUNK-2', variant('backorder'));
    await purchaseOrder('CHUNK-2', 30, '2026-03-20');
    const orders: Json[] = [];
    for (let i = 0; i < 40; i++) orders.push(await place('CHUNK-2', 1 + (i % 2)));
    clock.advance(3 * DAY);
    const job = refreshDuePromises(t.app.deps, { storeIds: [store.id], chunkLines: 4 });
    const traffic = (async () => {
      for (let i = 0; i < 10; i++) {
        await place('CHUNK-2', 1);
        await t.request('POST', `/v1/orders/${orders[i * 3]!.id}/cancel`, { key: key(), body: {} });
        if (i % 4 === 0) await restock('CHUNK-2', 2);
      }
    })();
    await Promise.all([job, traffic]);
    // A job that finished before the last changes leaves them to the commands, which keep the dates.
    await refreshDuePromises(t.app.deps, { storeIds: [store.id], chunkLines: 4 });
    await expectTodaysDates('CHUNK-2');
    clock.set(new Date('2026-03-10T12:00:00Z'));
  });
});

describe('what-if restock simulation', () => {
  it('lists the lines a restock would fill and changes nothing', async () => {
    await put('SIM-1', variant('backorder'));
    const a = await place('SIM-1', 2);
    const b = await place('SIM-1', 3);
    const c = await place('SIM-1', 1);
    const snapshot = async () => ({
      level: (await t.request('GET', '/v1/inventory/SIM-1', { key: key() })).json(),
      lines: await Promise.all([a, b, c].map((o) => line(o.id))),
    });
    const before = await snapshot();
    const res = await t.request('POST', '/v1/simulations/restock', {
      key: key(),
      body: { sku: 'SIM-1', quantity: 4 },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      sku: 'SIM-1',
      quantity: 4,
      date: '2026-03-10',
      putaway: 0,
      filled: [
        { orderId: a.id, lineId: a.lines[0].id, position: 1, quantity: 2 },
        { orderId: b.id, lineId: b.lines[0].id, position: 2, quantity: 2 },
      ],
    });
    // Each line names its order as the shopper knows it, the customer, and its date today.
    for (const [i, o] of [a, b].entries()) {
      expect(res.json().filled[i]).toMatchObject({
        number: o.number,
        customer: { name: null, email: null },
        previousEta: before.lines[i].eta,
      });
    }
    expect(await snapshot()).toEqual(before);

    const future = await t.request('POST', '/v1/simulations/restock', {
      key: key(),
      body: { sku: 'SIM-1', quantity: 5, date: '2026-03-15' },
    });
    expect(future.json()).toMatchObject({
      date: '2026-03-15',
      putaway: 0,
      filled: [
        { lineId: a.lines[0].id, quantity: 2 },
        { lineId: b.lines[0].id, quantity: 3 },
      ],
      rescheduledCount: 2,
      rescheduled: [
        {
          lineId: a.lines[0].id,
          position: 1,
          previousEta: '2026-03-24',
          eta: '2026-03-15',
          etaSource: 'purchase_order',
        },
        {
          lineId: b.lines[0].id,
          position: 2,
          previousEta: '2026-03-24',
          eta: '2026-03-15',
          number: b.number,
        },
      ],
    });
    expect(await snapshot()).toEqual(before);

    for (const body of [
      { sku: 'SIM-1', quantity: 0 },
      { sku: 'SIM-1', quantity: 1, date: '2026-02-30' },
    ]) {
      expect((await t.request('POST', '/v1/simulations/restock', { key: key(), body })).statusCode).toBe(422);
    }
    const unknown = await t.request('POST', '/v1/simulations/restock', {
      key: key(),
      body: { sku: 'NOPE-1', quantity: 1 },
    });
    expect(unknown.statusCode).toBe(404);
  });
});

describe('automatic backorder cap', () => {
  it('never lets more units wait than are coming on open purchase orders, plus the buffer', async () => {
    await t.request('PATCH', '/v1/settings', { key: key(), body: { autoLimitBuffer: 1 } });
    const created = await put('AUTO-1', {
      ...variant('backorder'),
      backorder: { mode: 'backorder', limit: 'auto' },
    });
    expect(created.backorder.limit).toBe('auto');
    const level = async () => (await t.request('GET', '/v1/inventory/AUTO-1', { key: key() })).json();
    expect(await level()).toMatchObject({ backorderLimit: 1, backorderRemaining: 1 });

    const po = await purchaseOrder('AUTO-1', 4, '2026-03-17', 5);
    expect(await level()).toMatchObject({ backorderLimit: 5, backorderRemaining: 5 });
    const first = await place('AUTO-1', 4);
    expect(first.lines[0]).toMatchObject({ eta: '2026-03-17', etaSource: 'purchase_order' });
    const beyond = await place('AUTO-1', 1);
    expect(beyond.lines[0]).toMatchObject({ etaSource: 'lead_time', eta: '2026-03-17' });
    const refused = await t.request('POST', '/v1/orders', {
      key: key(),
      body: { lines: [{ sku: 'AUTO-1', quantity: 1 }] },
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'insufficient_stock', backorderRemaining: 0 });

    // Receiving serves the waiting lines and the cap follows what is still coming.
    await t.request('POST', `/v1/purchase-orders/${po.id}/receipts`, {
      key: key(),
      body: { lines: [{ sku: 'AUTO-1', quantity: 4 }] },
    });
    expect(await level()).toMatchObject({ backordered: 1, backorderLimit: 1, backorderRemaining: 0 });
    await t.request('PATCH', '/v1/settings', { key: key(), body: { autoLimitBuffer: 0 } });
  });
});

describe('the optimistic placement gate', () => {
  it('refuses a decision made before the supply moved, even though no counter changed', async () => {
    await put('GATE-1', variant('backorder'));
    const keyOf = [{ storeId: store.id, sku: 'GATE-1' }];
    const stale = [...(await readLevels(t.app.deps.db, keyOf, { lock: false })).values()][0]!;
    await purchaseOrder('GATE-1', 2, '2026-03-12');
    const fresh = [...(await readLevels(t.app.deps.db, keyOf, { lock: false })).values()][0]!;
    expect(fresh).toMatchObject({
      onHand: stale.onHand,
      backordered: stale.backordered,
      queueTail: stale.queueTail,
    });
    expect(fresh.promiseVersion).toBeGreaterThan(stale.promiseVersion);
    const gate = (before: typeof stale) =>
      queryRows(t.app.deps.db, updateLevelsIfUnchanged([{ before, after: before }], clock.now()));
    expect(await gate(stale)).toHaveLength(0);
    expect(await gate(fresh)).toHaveLength(1);
  });
});

describe('the first change of a new day', () => {
  it('re-dates lines placed since the last refresh even when the date past the supply looks unchanged', async () => {
    clock.set(new Date('2026-06-01T12:00:00Z'));
    await put('NEWDAY-1', variant('backorder'));
    const early = await place('NEWDAY-1', 1);
    expect(early.lines[0].eta).toBe('2026-06-15');
    // The next day, before the daily job: a new order is dated with that day's lead time…
    clock.set(new Date('2026-06-02T12:00:00Z'));
    const late = await place('NEWDAY-1', 1);
    expect(late.lines[0].eta).toBe('2026-06-16');
    // …then the lead time shortens by a day, so the date past the supply is again 06-15.
    await t.request('PATCH', '/v1/settings', { key: key(), body: { defaultLeadTimeDays: 13 } });
    expect((await line(late.id)).eta).toBe('2026-06-15');
    expect((await line(early.id)).eta).toBe('2026-06-15');
    await t.request('PATCH', '/v1/settings', { key: key(), body: { defaultLeadTimeDays: 14 } });
    clock.set(new Date('2026-03-10T12:00:00Z'));
  });
});

describe('a late purchase order', () => {
  it('moves its promises to today, day after day, by the daily job', async () => {
    clock.set(new Date('2026-03-10T12:00:00Z'));
    await put('LATE-1', variant('backorder'));
    await purchaseOrder('LATE-1', 5, '2026-03-12');
    const order = await place('LATE-1', 2);
    expect(order.lines[0]).toMatchObject({ eta: '2026-03-12', etaSource: 'purchase_order' });
    clock.set(new Date('2026-03-14T12:00:00Z'));
    await refreshDuePromises(t.app.deps, { storeIds: [store.id] });
    expect(await line(order.id)).toMatchObject({ eta: '2026-03-14', etaSource: 'purchase_order' });
    clock.set(new Date('2026-03-15T12:00:00Z'));
    await refreshDuePromises(t.app.deps, { storeIds: [store.id] });
    expect(await line(order.id)).toMatchObject({ eta: '2026-03-15' });
    // Newest first.
    expect((await etaEvents('LATE-1')).map((e) => [e.previousEta, e.eta])).toEqual([
      ['2026-03-14', '2026-03-15'],
      ['2026-03-12', '2026-03-14'],
    ]);
    clock.set(new Date('2026-03-10T12:00:00Z'));
  });
});
