import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StoreKeys, startTestApp, type TestApp, variant } from './support/harness.ts';

let t: TestApp;
let store: StoreKeys;

beforeAll(async () => {
  t = await startTestApp();
  store = await t.createStore();
  for (const sku of ['BATCH-A', 'BATCH-B']) {
    await t.request('PUT', `/v1/variants/${sku}`, { key: store.secretKey, body: variant('backorder') });
  }
});
afterAll(() => t.close());

const place = async (sku: string, quantity: number) =>
  (
    await t.request('POST', '/v1/orders', {
      key: store.secretKey,
      body: { customer: { email: 'a@example.com' }, lines: [{ sku, quantity }] },
    })
  ).json();

const level = async (sku: string) =>
  (await t.request('GET', `/v1/inventory/${sku}`, { key: store.secretKey })).json();

describe('POST /v1/inventory/adjustments/batch', () => {
  it('restocks several SKUs in one request and fills each queue head-first', async () => {
    const a1 = await place('BATCH-A', 2);
    const a2 = await place('BATCH-A', 2);
    const b1 = await place('BATCH-B', 1);
    const res = await t.request('POST', '/v1/inventory/adjustments/batch', {
      key: store.secretKey,
      body: {
        adjustments: [
          { sku: 'BATCH-A', quantity: 3, reason: 'restock' },
          { sku: 'BATCH-B', quantity: 5, reason: 'restock', note: 'PO 17' },
        ],
      },
    });
    expect(res.statusCode).toBe(201);
    const [a, b] = res.json().data;
    expect(a.filled).toEqual([
      { orderId: a1.id, lineId: a1.lines[0].id, quantity: 2 },
      { orderId: a2.id, lineId: a2.lines[0].id, quantity: 1 },
    ]);
    expect(b.filled).toEqual([{ orderId: b1.id, lineId: b1.lines[0].id, quantity: 1 }]);
    expect(await level('BATCH-A')).toMatchObject({ onHand: 3, allocated: 3, backordered: 1, available: 0 });
    expect(await level('BATCH-B')).toMatchObject({ onHand: 5, allocated: 1, backordered: 0, available: 4 });
  });

  it('is all or nothing: an unknown SKU or a repeated SKU changes nothing', async () => {
    const before = [await level('BATCH-A'), await level('BATCH-B')];
    const unknown = await t.request('POST', '/v1/inventory/adjustments/batch', {
      key: store.secretKey,
      body: {
        adjustments: [
          { sku: 'BATCH-A', quantity: 1, reason: 'restock' },
          { sku: 'NOPE', quantity: 1, reason: 'restock' },
        ],
      },
    });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json()).toMatchObject({ code: 'unknown_sku', errors: [{ path: '/adjustments/1/sku' }] });
    const repeated = await t.request('POST', '/v1/inventory/adjustments/batch', {
      key: store.secretKey,
      body: {
        adjustments: [
          { sku: 'BATCH-B', quantity: 1, reason: 'restock' },
          { sku: 'BATCH-B', quantity: 2, reason: 'restock' },
        ],
      },
    });
    expect(repeated.statusCode).toBe(422);
    const tooMuch = await t.request('POST', '/v1/inventory/adjustments/batch', {
      key: store.secretKey,
      body: {
        adjustments: [
          { sku: 'BATCH-B', quantity: 1, reason: 'restock' },
          { sku: 'BATCH-A', quantity: -4, reason: 'damage' },
        ],
      },
    });
    expect(tooMuch.statusCode).toBe(409);
    expect(tooMuch.json().code).toBe('insufficient_stock');
    expect([await level('BATCH-A'), await level('BATCH-B')]).toEqual(before);
  });
});
