/**
 * Write-offs below the allocated units and cycle counts (issue 11): units no longer on hand are
 * taken back from the latest accepted allocated lines, which wait again ahead of the queue in
 * acceptance order, are re-dated, announced by `order.line.requeued`, and served first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StoreKeys, startTestApp, type TestApp, variant } from './support/harness.ts';
import { expectProblem } from './support/state.ts';

let t: TestApp;
let store: StoreKeys;
// biome-ignore lint/suspicious/noExplicitAny: response bodies are read loosely
type Json = any;

beforeAll(async () => {
  t = await startTestApp();
  store = await t.createStore();
});
afterAll(() => t.close());

const key = () => store.secretKey;
const put = (sku: string, body: Record<string, unknown>) =>
  t.request('PUT', `/v1/variants/${sku}`, { key: key(), body });
async function adjust(sku: string, quantity: number, reason = 'restock'): Promise<Json> {
  const res = await t.request('POST', '/v1/inventory/adjustments', {
    key: key(),
    body: { sku, quantity, reason },
  });
  if (res.statusCode !== 201) throw new Error(`adjust ${sku} ${quantity}: ${res.statusCode} ${res.body}`);
  return res.json();
}
async function place(sku: string, quantity: number): Promise<Json> {
  const res = await t.request('POST', '/v1/orders', {
    key: key(),
    body: { customer: { email: 'w@example.com' }, lines: [{ sku, quantity }] },
  });
  if (res.statusCode !== 201) throw new Error(`order: ${res.statusCode} ${res.body}`);
  return res.json();
}
const order = async (id: string): Promise<Json> =>
  (await t.request('GET', `/v1/orders/${id}`, { key: key() })).json();
const level = async (sku: string): Promise<Json> =>
  (await t.request('GET', `/v1/inventory/${sku}`, { key: key() })).json();
const queue = async (sku: string): Promise<Json[]> =>
  (await t.request('GET', `/v1/backorders?sku=${sku}`, { key: key() })).json().data;
const events = async (type: string): Promise<Json[]> =>
  (await t.request('GET', `/v1/events?type=${type}&limit=500`, { key: key() })).json().data;

describe('write-off below the allocated units', () => {
  it('takes units back last in, first out, and queues those lines ahead in acceptance order', async () => {
    await put('WO-1', variant('backorder'));
    await adjust('WO-1', 5);
    const a = await place('WO-1', 2);
    const b = await place('WO-1', 2);
    const c = await place('WO-1', 1);
    const d = await place('WO-1', 3); // waits: nothing is left
    expect(d.lines[0]).toMatchObject({ backorderedQuantity: 3, queuePosition: 1 });
    const before = (await events('order.line.requeued')).length;

    const res = await adjust('WO-1', -3, 'damage');
    // c (the latest accepted) gives its unit, then b its two; a keeps its units.
    expect(res.requeued).toEqual([
      { orderId: b.id, lineId: b.lines[0].id, quantity: 2 },
      { orderId: c.id, lineId: c.lines[0].id, quantity: 1 },
    ]);
    expect(res.level).toMatchObject({ onHand: 2, allocated: 2, available: 0, backordered: 6 });
    expect((await queue('WO-1')).map((l) => [l.orderId, l.position])).toEqual([
      [b.id, 1],
      [c.id, 2],
      [d.id, 3],
    ]);
    expect((await order(a.id)).lines[0]).toMatchObject({ allocatedQuantity: 2, status: 'allocated' });
    const bNow = await order(b.id);
    expect(bNow.status).toBe('backordered');
    expect(bNow.lines[0]).toMatchObject({ allocatedQuantity: 0, backorderedQuantity: 2, queuePosition: 1 });
    // Re-dated from the queue (no supply: the lead time), no longer "ready from stock".
    expect(bNow.lines[0].etaSource).toBe('lead_time');
    const requeued = (await events('order.line.requeued')).slice(0, 2 + 0);
    expect((await events('order.line.requeued')).length - before).toBe(2);
    expect(requeued.map((e) => e.data).sort((x: Json, y: Json) => x.quantity - y.quantity)).toEqual([
      { orderId: c.id, lineId: c.lines[0].id, sku: 'WO-1', quantity: 1 },
      { orderId: b.id, lineId: b.lines[0].id, sku: 'WO-1', quantity: 2 },
    ]);
    // The ledger still sums to onHand.
    const movements = (await t.request('GET', '/v1/inventory/WO-1/movements', { key: key() })).json().data;
    expect(movements.reduce((sum: number, m: Json) => sum + m.quantity, 0)).toBe(2);

    // Stock coming back serves the requeued lines first, in acceptance order.
    const restock = await adjust('WO-1', 4);
    expect(restock.filled).toEqual([
      { orderId: b.id, lineId: b.lines[0].id, quantity: 2 },
      { orderId: c.id, lineId: c.lines[0].id, quantity: 1 },
      { orderId: d.id, lineId: d.lines[0].id, quantity: 1 },
    ]);
    expect((await order(c.id)).lines[0]).toMatchObject({ allocatedQuantity: 1, etaSource: 'stock' });
  });

  it('takes from the partly served head line first, which keeps its place', async () => {
    await put('WO-2', variant('backorder'));
    await adjust('WO-2', 2);
    const a = await place('WO-2', 1);
    const h = await place('WO-2', 3); // 1 allocated, 2 waiting: the head
    const w = await place('WO-2', 1);
    const res = await adjust('WO-2', -2, 'count');
    expect(res.requeued).toEqual([
      { orderId: a.id, lineId: a.lines[0].id, quantity: 1 },
      { orderId: h.id, lineId: h.lines[0].id, quantity: 1 },
    ]);
    expect((await queue('WO-2')).map((l) => [l.orderId, l.backorderedQuantity ?? l.quantity])).toEqual([
      [a.id, 1],
      [h.id, 3],
      [w.id, 1],
    ]);
    expect(await level('WO-2')).toMatchObject({ onHand: 0, allocated: 0, backordered: 5 });
  });

  it('may leave the queue above the cap: no new unit waits until it is back under it', async () => {
    await put('WO-3', variant('backorder', 2));
    await adjust('WO-3', 3);
    await place('WO-3', 3);
    await place('WO-3', 2); // waits, reaching the cap
    const res = await adjust('WO-3', -2, 'damage');
    expect(res.level).toMatchObject({
      backordered: 4,
      backorderLimit: 2,
      backorderRemaining: 0,
      status: 'out_of_stock',
    });
    const refused = await t.request('POST', '/v1/orders', {
      key: key(),
      body: { customer: {}, lines: [{ sku: 'WO-3', quantity: 1 }] },
    });
    expect(expectProblem(refused, 409, 'insufficient_stock')).toMatchObject({
      sku: 'WO-3',
      backorderRemaining: 0,
    });
  });

  it('refuses to take on-hand below zero, and changes nothing', async () => {
    await put('WO-4', variant('backorder'));
    await adjust('WO-4', 2);
    await place('WO-4', 1);
    const before = await level('WO-4');
    const res = await t.request('POST', '/v1/inventory/adjustments', {
      key: key(),
      body: { sku: 'WO-4', quantity: -3, reason: 'damage' },
    });
    expect(expectProblem(res, 409, 'insufficient_stock').detail).toContain('2 on hand');
    expect(await level('WO-4')).toEqual(before);
  });
});

describe('POST /v1/inventory/counts', () => {
  it('sets on-hand to the counted figures, writing each difference with reason count', async () => {
    await put('CNT-1', variant('backorder'));
    await put('CNT-2', variant('backorder'));
    await put('CNT-3', variant('backorder'));
    await adjust('CNT-1', 10);
    await adjust('CNT-3', 4);
    const waiting = await place('CNT-2', 2);
    const res = await t.request('POST', '/v1/inventory/counts', {
      key: key(),
      body: {
        counts: [
          { sku: 'CNT-1', onHand: 7 },
          { sku: 'CNT-2', onHand: 5 },
          { sku: 'CNT-3', onHand: 4 },
        ],
        reason: 'December count',
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    const [one, two, three] = res.json().data;
    expect(one).toMatchObject({ sku: 'CNT-1', counted: 7, previousOnHand: 10, difference: -3 });
    expect(one.adjustment).toMatchObject({ quantity: -3, reason: 'count', note: 'December count' });
    expect(two).toMatchObject({ sku: 'CNT-2', difference: 5 });
    expect(two.filled).toEqual([{ orderId: waiting.id, lineId: waiting.lines[0].id, quantity: 2 }]);
    expect(three).toMatchObject({ sku: 'CNT-3', difference: 0, adjustment: null, filled: [], requeued: [] });
    expect(await level('CNT-1')).toMatchObject({ onHand: 7 });
    expect(await level('CNT-2')).toMatchObject({ onHand: 5, allocated: 2, available: 3 });
  });

  it('is all or nothing: an unknown or repeated SKU refuses the whole count', async () => {
    const before = await level('CNT-1');
    const unknown = await t.request('POST', '/v1/inventory/counts', {
      key: key(),
      body: {
        counts: [
          { sku: 'CNT-1', onHand: 1 },
          { sku: 'NOPE', onHand: 1 },
        ],
      },
    });
    expect(expectProblem(unknown, 422, 'unknown_sku').errors[0].path).toBe('/counts/1/sku');
    const repeated = await t.request('POST', '/v1/inventory/counts', {
      key: key(),
      body: {
        counts: [
          { sku: 'CNT-1', onHand: 1 },
          { sku: 'CNT-1', onHand: 2 },
        ],
      },
    });
    expectProblem(repeated, 422, 'validation_failed');
    const negative = await t.request('POST', '/v1/inventory/counts', {
      key: key(),
      body: { counts: [{ sku: 'CNT-1', onHand: -1 }] },
    });
    expect(negative.statusCode).toBe(422);
    expect(await level('CNT-1')).toEqual(before);
  });

  it('applies a count retried with the same Idempotency-Key once, and answers the retry alike', async () => {
    await put('CNT-IDEM', variant('backorder'));
    await adjust('CNT-IDEM', 10);
    const count = () =>
      t.request('POST', '/v1/inventory/counts', {
        key: key(),
        headers: { 'idempotency-key': 'count-cnt-idem' },
        body: { counts: [{ sku: 'CNT-IDEM', onHand: 6 }] },
      });
    const first = await count();
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json().data[0]).toMatchObject({ previousOnHand: 10, difference: -4 });
    const again = await count();
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    expect(await level('CNT-IDEM')).toMatchObject({ onHand: 6 });
    const ledger = await t.request('GET', '/v1/inventory/CNT-IDEM/movements', { key: key() });
    expect(ledger.json().data.map((m: { quantity: number }) => m.quantity)).toEqual([10, -4]);
    // The same key with another body is a misuse, refused without applying it.
    const other = await t.request('POST', '/v1/inventory/counts', {
      key: key(),
      headers: { 'idempotency-key': 'count-cnt-idem' },
      body: { counts: [{ sku: 'CNT-IDEM', onHand: 1 }] },
    });
    expect(other.statusCode).toBe(422);
    expect(await level('CNT-IDEM')).toMatchObject({ onHand: 6 });
  });
});
