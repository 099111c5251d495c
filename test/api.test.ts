import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StoreKeys, startTestApp, type TestApp, variant } from './support/harness.ts';

let t: TestApp;
let store: StoreKeys;

beforeAll(async () => {
  t = await startTestApp();
  store = await t.createStore();
});
afterAll(() => t.close());

const order = (sku: string, quantity: number, extra: Record<string, unknown> = {}) => ({
  customer: { email: 'shopper@example.com' },
  lines: [{ sku, quantity }],
  ...extra,
});

describe('the backorder flow', () => {
  it('allocates what is available, queues the rest, and fills the queue head-first on restock', async () => {
    const key = store.secretKey;
    expect(
      (await t.request('PUT', '/v1/variants/FLOW-1', { key, body: variant('backorder', 5) })).statusCode,
    ).toBe(201);
    expect(
      (await t.request('PUT', '/v1/variants/FLOW-1', { key, body: variant('backorder', 5) })).statusCode,
    ).toBe(200);
    await t.request('POST', '/v1/inventory/adjustments', {
      key,
      body: { sku: 'FLOW-1', quantity: 2, reason: 'restock' },
    });

    const first = (await t.request('POST', '/v1/orders', { key, body: order('FLOW-1', 3) })).json();
    expect(first.status).toBe('backordered');
    expect(first.lines[0]).toMatchObject({ allocatedQuantity: 2, backorderedQuantity: 1, queuePosition: 1 });
    const second = (await t.request('POST', '/v1/orders', { key, body: order('FLOW-1', 2) })).json();
    expect(second.lines[0]).toMatchObject({ allocatedQuantity: 0, backorderedQuantity: 2, queuePosition: 2 });

    const refused = await t.request('POST', '/v1/orders', { key, body: order('FLOW-1', 3) });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({
      code: 'insufficient_stock',
      sku: 'FLOW-1',
      available: 0,
      backorderRemaining: 2,
    });

    const restock = await t.request('POST', '/v1/inventory/adjustments', {
      key,
      body: { sku: 'FLOW-1', quantity: 2, reason: 'restock' },
    });
    expect(restock.statusCode).toBe(201);
    expect(restock.json().filled).toEqual([
      { orderId: first.id, lineId: first.lines[0].id, quantity: 1 },
      { orderId: second.id, lineId: second.lines[0].id, quantity: 1 },
    ]);
    const level = (await t.request('GET', '/v1/inventory/FLOW-1', { key })).json();
    expect(level).toMatchObject({
      onHand: 4,
      allocated: 4,
      available: 0,
      backordered: 1,
      backorderRemaining: 4,
    });
    const queue = (await t.request('GET', '/v1/backorders?sku=FLOW-1', { key })).json();
    // quantity is the line's ordered quantity, as on the order; backorderedQuantity what still waits.
    expect(queue.data).toMatchObject([
      { orderId: second.id, quantity: 2, backorderedQuantity: 1, position: 1 },
    ]);

    // Cancelling the first (fully allocated) order frees 3 units: the next in line gets one.
    const cancelled = (await t.request('POST', `/v1/orders/${first.id}/cancel`, { key })).json();
    expect(cancelled.status).toBe('cancelled');
    const after = (await t.request('GET', `/v1/orders/${second.id}`, { key })).json();
    expect(after.lines[0]).toMatchObject({
      allocatedQuantity: 2,
      backorderedQuantity: 0,
      queuePosition: null,
    });
    expect((await t.request('GET', '/v1/inventory/FLOW-1', { key })).json()).toMatchObject({
      available: 2,
      backordered: 0,
    });

    const shipment = await t.request('POST', `/v1/orders/${second.id}/shipments`, {
      key,
      body: { lines: [{ lineId: second.lines[0].id, quantity: 2 }], carrier: 'UPS', trackingNumber: '1Z' },
    });
    expect(shipment.statusCode).toBe(201);
    expect((await t.request('GET', `/v1/orders/${second.id}`, { key })).json().status).toBe('fulfilled');
    const movements = (await t.request('GET', '/v1/inventory/FLOW-1/movements', { key })).json();
    expect(movements.data.map((m: { quantity: number }) => m.quantity)).toEqual([2, 2, -2]);
  });

  it('replays a retried order with the same Idempotency-Key and refuses a different body', async () => {
    const key = store.secretKey;
    await t.request('PUT', '/v1/variants/IDEM-1', { key, body: variant('backorder') });
    const headers = { 'idempotency-key': 'order-abc' };
    const a = await t.request('POST', '/v1/orders', { key, headers, body: order('IDEM-1', 1) });
    const b = await t.request('POST', '/v1/orders', { key, headers, body: order('IDEM-1', 1) });
    expect(a.statusCode).toBe(201);
    expect(b.statusCode).toBe(201);
    expect(b.json()).toEqual(a.json());
    expect(b.headers['idempotent-replayed']).toBe('true');
    const c = await t.request('POST', '/v1/orders', { key, headers, body: order('IDEM-1', 2) });
    expect(c.statusCode).toBe(422);
    expect(c.json().code).toBe('idempotency_key_reused');
    expect((await t.request('GET', '/v1/inventory/IDEM-1', { key })).json().backordered).toBe(1);
  });
});

describe('details a storefront or connector relies on', () => {
  it('accepts an order without customer details', async () => {
    const key = store.secretKey;
    await t.request('PUT', '/v1/variants/ANON-1', { key, body: variant('backorder') });
    const res = await t.request('POST', '/v1/orders', {
      key,
      body: { lines: [{ sku: 'ANON-1', quantity: 1 }] },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().customer).toEqual({});
  });

  it('shows the waiting message only while shoppers can wait, and the date an order placed now would get', async () => {
    const key = store.secretKey;
    const backorder = {
      mode: 'backorder',
      limit: 1,
      message: 'Ships in 3 weeks',
      expectedDate: '2026-12-15',
    };
    await t.request('PUT', '/v1/variants/SHELF-1', { key, body: { ...variant('backorder'), backorder } });
    const availability = async () =>
      (
        await t.request('GET', '/v1/storefront/availability?sku=SHELF-1', { key: store.publishableKey })
      ).json();
    expect(await availability()).toEqual({
      sku: 'SHELF-1',
      status: 'backorder',
      quantity: 1,
      availableNow: false,
      message: 'Ships in 3 weeks',
      expectedDate: '2026-12-15',
      expectedDateLatest: '2026-12-15',
      shipping: [],
      releaseDate: null,
    });
    await t.request('POST', '/v1/orders', { key, body: { lines: [{ sku: 'SHELF-1', quantity: 1 }] } });
    // The cap is reached: no order could be placed, so there is no date to promise.
    expect(await availability()).toEqual({
      sku: 'SHELF-1',
      status: 'out_of_stock',
      quantity: 1,
      availableNow: false,
      message: null,
      expectedDate: null,
      expectedDateLatest: null,
      shipping: [],
      releaseDate: null,
    });
    await t.request('POST', '/v1/inventory/adjustments', {
      key,
      body: { sku: 'SHELF-1', quantity: 5, reason: 'restock' },
    });
    // In stock: ready to ship today (the store has no handling days).
    const today = new Date().toISOString().slice(0, 10);
    expect(await availability()).toMatchObject({
      sku: 'SHELF-1',
      status: 'in_stock',
      availableNow: true,
      message: null,
    });
    expect((await availability()).expectedDate >= today).toBe(true);
  });
});
