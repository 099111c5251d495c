/** A shipment without lines ships every allocated unit of the order, as a cancel without lines cancels every open one. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StoreKeys, startTestApp, type TestApp, variant } from './support/harness.ts';
import { expectProblem, snapshot } from './support/state.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely
type Json = any;

let t: TestApp;
let store: StoreKeys;
let key: string;
const SKUS = ['SH-A', 'SH-B', 'SH-W'];

beforeAll(async () => {
  t = await startTestApp();
  store = await t.createStore('Shipments store');
  key = store.secretKey;
  for (const sku of SKUS) {
    const res = await t.request('PUT', `/v1/variants/${sku}`, { key, body: variant('backorder') });
    expect(res.statusCode).toBe(201);
  }
  for (const [sku, quantity] of [
    ['SH-A', 100],
    ['SH-B', 2],
  ] as const) {
    const res = await t.request('POST', '/v1/inventory/adjustments', {
      key,
      body: { sku, quantity, reason: 'restock' },
    });
    expect(res.statusCode).toBe(201);
  }
});
afterAll(() => t.close());

async function place(lines: { sku: string; quantity: number }[]): Promise<Json> {
  const res = await t.request('POST', '/v1/orders', { key, body: { customer: {}, lines } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}
const getOrder = async (id: string) => (await t.request('GET', `/v1/orders/${id}`, { key })).json();

describe('POST /v1/orders/{id}/shipments without lines', () => {
  it('{} ships every allocated unit and leaves waiting units waiting', async () => {
    // SH-B has 2 units for 3 ordered: 2 allocated, 1 waiting.
    const order = await place([
      { sku: 'SH-A', quantity: 3 },
      { sku: 'SH-B', quantity: 3 },
      { sku: 'SH-W', quantity: 1 },
    ]);
    const res = await t.request('POST', `/v1/orders/${order.id}/shipments`, { key, body: {} });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().lines).toEqual([
      { lineId: order.lines[0].id, sku: 'SH-A', quantity: 3 },
      { lineId: order.lines[1].id, sku: 'SH-B', quantity: 2 },
    ]);
    const after = await getOrder(order.id);
    expect(
      after.lines.map((l: Json) => [l.shippedQuantity, l.allocatedQuantity, l.backorderedQuantity]),
    ).toEqual([
      [3, 0, 0],
      [2, 0, 1],
      [0, 0, 1],
    ]);
    const level = (await t.request('GET', '/v1/inventory/SH-B', { key })).json();
    expect(level).toMatchObject({ onHand: 0, allocated: 0, backordered: 1 });
  });

  it('no body at all, or carrier details only, does the same', async () => {
    const noBody = await place([{ sku: 'SH-A', quantity: 2 }]);
    const res = await t.request('POST', `/v1/orders/${noBody.id}/shipments`, { key });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().lines).toEqual([{ lineId: noBody.lines[0].id, sku: 'SH-A', quantity: 2 }]);
    expect((await getOrder(noBody.id)).status).toBe('fulfilled');

    const carrierOnly = await place([{ sku: 'SH-A', quantity: 1 }]);
    const withCarrier = await t.request('POST', `/v1/orders/${carrierOnly.id}/shipments`, {
      key,
      body: { carrier: 'UPS', trackingNumber: '1Z999' },
    });
    expect(withCarrier.statusCode, withCarrier.body).toBe(201);
    expect(withCarrier.json()).toMatchObject({
      carrier: 'UPS',
      trackingNumber: '1Z999',
      lines: [{ lineId: carrierOnly.lines[0].id, quantity: 1 }],
    });
  });

  it('nothing allocated → 409 not_allocated, nothing changes', async () => {
    const waiting = await place([{ sku: 'SH-W', quantity: 2 }]);
    const before = await snapshot(t, key, SKUS);
    for (const body of [{}, undefined]) {
      const res = await t.request('POST', `/v1/orders/${waiting.id}/shipments`, { key, body });
      expect(expectProblem(res, 409, 'not_allocated').detail).toBe(
        `Order "${waiting.id}" has no allocated units to ship`,
      );
    }
    expect(await snapshot(t, key, SKUS)).toEqual(before);
  });

  it('an Idempotency-Key replays the first shipment instead of shipping again', async () => {
    const order = await place([{ sku: 'SH-A', quantity: 2 }]);
    const headers = { 'idempotency-key': 'ship-all-1' };
    const first = await t.request('POST', `/v1/orders/${order.id}/shipments`, { key, headers, body: {} });
    expect(first.statusCode).toBe(201);
    const again = await t.request('POST', `/v1/orders/${order.id}/shipments`, { key, headers, body: {} });
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
  });
});
