/** PATCH /v1/variants/{sku}: JSON Merge Patch (RFC 7396) on a variant, through the same use case as PUT. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StoreKeys, startTestApp, type TestApp, variant } from './support/harness.ts';
import { expectProblem, readAll, snapshot } from './support/state.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely
type Json = any;

let t: TestApp;
let store: StoreKeys;
let key: string;

beforeAll(async () => {
  t = await startTestApp();
  store = await t.createStore('Patch store');
  key = store.secretKey;
});
afterAll(() => t.close());

const FULL = {
  title: 'Trail Jacket — Red / M',
  productId: 'trail-jacket',
  attributes: { color: 'red', size: 'M' },
  tags: ['outdoor', 'jackets'],
  price: 12900,
  backorder: { mode: 'backorder', limit: 50, message: 'Ships in about 3 weeks', expectedDate: '2030-12-15' },
};

async function put(sku: string, body: Record<string, unknown> = FULL): Promise<Json> {
  const res = await t.request('PUT', `/v1/variants/${sku}`, { key, body });
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.json();
}
const patch = (sku: string, body: unknown, headers?: Record<string, string>) =>
  t.request('PATCH', `/v1/variants/${sku}`, { key, body, headers });
const get = async (sku: string) => (await t.request('GET', `/v1/variants/${sku}`, { key })).json();
const newestEvent = async () => (await t.request('GET', '/v1/events?limit=1', { key })).json().data[0];

describe('PATCH /v1/variants/{sku}: merge semantics', () => {
  it('changes only the fields sent: the message survives a price change (PUT would reset it)', async () => {
    await put('PT-1');
    const res = await patch('PT-1', { price: 9900 });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      ...FULL,
      sku: 'PT-1',
      price: 9900,
      backorder: { ...FULL.backorder, releaseDate: null, payment: null, depositPercent: null },
    });
    expect(await get('PT-1')).toEqual(body);
    // The contrast: PUT replaces every field, and a message left out is gone.
    const replaced = await put('PT-1', { title: 'T', price: 1, backorder: { mode: 'backorder' } });
    expect(replaced.backorder.message).toBeNull();
  });

  it('merges backorder field by field and attributes name by name; tags are replaced whole', async () => {
    await put('PT-2');
    const res = await patch('PT-2', { backorder: { limit: 20 }, attributes: { size: 'L' }, tags: ['sale'] });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      title: FULL.title,
      attributes: { color: 'red', size: 'L' },
      tags: ['sale'],
      backorder: {
        mode: 'backorder',
        limit: 20,
        message: FULL.backorder.message,
        expectedDate: '2030-12-15',
      },
    });
  });

  it('null clears an optional field, a nested one, or one attribute', async () => {
    await put('PT-3');
    const res = await patch('PT-3', {
      productId: null,
      attributes: { color: null },
      tags: null,
      backorder: { message: null, limit: null, expectedDate: null },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      productId: null,
      attributes: { size: 'M' },
      tags: [],
      backorder: { mode: 'backorder', limit: null, message: null, expectedDate: null },
    });
    expect(Object.keys(res.json().attributes)).toEqual(['size']);
    const all = await patch('PT-3', { attributes: null });
    expect(all.json().attributes).toEqual({});
  });

  it('takes application/merge-patch+json as well as application/json; other types → 415', async () => {
    await put('PT-4');
    const merge = await t.request('PATCH', '/v1/variants/PT-4', {
      key,
      rawBody: JSON.stringify({ title: 'Merged' }),
      headers: { 'content-type': 'application/merge-patch+json; charset=utf-8' },
    });
    expect(merge.statusCode, merge.body).toBe(200);
    expect(merge.json().title).toBe('Merged');
    const xml = await t.request('PATCH', '/v1/variants/PT-4', {
      key,
      rawBody: JSON.stringify({ title: 'Xml' }),
      headers: { 'content-type': 'application/xml' },
    });
    expectProblem(xml, 415, 'unsupported_media_type');
    // A merge patch is not a body PUT or POST takes.
    const onPut = await t.request('PUT', '/v1/variants/PT-4', {
      key,
      rawBody: JSON.stringify(FULL),
      headers: { 'content-type': 'application/merge-patch+json' },
    });
    expectProblem(onPut, 415, 'unsupported_media_type');
    expect((await get('PT-4')).title).toBe('Merged');
  });
});

describe('PATCH /v1/variants/{sku}: refusals change nothing', () => {
  beforeAll(async () => {
    await put('PT-R');
  });

  it('an unknown SKU → 404, and no variant is created', async () => {
    const before = await snapshot(t, key);
    expectProblem(await patch('PT-NOPE', { price: 1 }), 404, 'not_found');
    expectProblem(await t.request('GET', '/v1/variants/PT-NOPE', { key }), 404, 'not_found');
    expectProblem(await t.request('GET', '/v1/inventory/PT-NOPE', { key }), 404, 'not_found');
    expect(await snapshot(t, key)).toEqual(before);
  });

  it.each([
    ['a required field cleared', { title: null }, '/title'],
    ['the policy cleared', { backorder: null }, '/backorder'],
    ['a negative price', { price: -1 }, '/price'],
    ['an unknown field', { colour: 'red' }, '/colour'],
    ['an unknown mode', { backorder: { mode: 'sometimes' } }, '/backorder/mode'],
    ['a date that does not exist', { backorder: { expectedDate: '2030-02-30' } }, '/backorder/expectedDate'],
    [
      'a release date outside pre-orders',
      { backorder: { releaseDate: '2030-01-01' } },
      '/backorder/releaseDate',
    ],
    ['an unknown supplier', { supplierId: 'sup_0000000000000000000000000' }, '/supplierId'],
    ['not an object', ['title'], '/'],
  ])('%s → 422 validation_failed naming %j', async (_name, body, path) => {
    const before = await snapshot(t, key);
    const res = await patch('PT-R', body);
    expect(res.statusCode, res.body).toBe(422);
    const problem = res.json();
    expect(problem.code).toMatch(/^(validation_failed|unknown_supplier)$/);
    expect(problem.errors.map((e: Json) => e.path)).toContain(path);
    expect(await snapshot(t, key)).toEqual(before);
  });
});

describe('PATCH /v1/variants/{sku}: events, side effects, idempotency', () => {
  it('writes variant.updated when it changes something, and nothing when it does not', async () => {
    const created = await put('PT-E');
    const res = await patch('PT-E', { backorder: { message: 'Back in May' } });
    const event = await newestEvent();
    expect(event.type).toBe('variant.updated');
    expect(event.data.variant).toEqual(res.json());

    const events = (await readAll(t, key, '/v1/events')).length;
    const same = await patch('PT-E', { backorder: { message: 'Back in May' }, title: created.title });
    expect(same.statusCode).toBe(200);
    expect(same.json()).toEqual(res.json());
    expect(same.json().updatedAt).toBe(res.json().updatedAt);
    expect((await readAll(t, key, '/v1/events')).length).toBe(events);
  });

  it('a new limit reaches the stock level, a new date re-dates the waiting lines (as PUT does)', async () => {
    await put(
      'PT-S',
      variant('backorder', 10, { backorder: { mode: 'backorder', limit: 10, expectedDate: '2030-06-01' } }),
    );
    const order = await t.request('POST', '/v1/orders', {
      key,
      body: { customer: {}, lines: [{ sku: 'PT-S', quantity: 2 }] },
    });
    expect(order.statusCode, order.body).toBe(201);
    expect(order.json().lines[0]).toMatchObject({
      backorderedQuantity: 2,
      eta: '2030-06-01',
      etaSource: 'merchant_date',
    });

    expect((await patch('PT-S', { backorder: { limit: 3, expectedDate: '2030-09-15' } })).statusCode).toBe(
      200,
    );
    expect((await t.request('GET', '/v1/inventory/PT-S', { key })).json()).toMatchObject({
      backordered: 2,
      backorderLimit: 3,
      backorderRemaining: 1,
    });
    const line = (await t.request('GET', `/v1/orders/${order.json().id}`, { key })).json().lines[0];
    expect(line).toMatchObject({ eta: '2030-09-15', etaSource: 'merchant_date' });

    expect((await patch('PT-S', { backorder: { mode: 'deny' } })).statusCode).toBe(200);
    const refused = await t.request('POST', '/v1/orders', {
      key,
      body: { customer: {}, lines: [{ sku: 'PT-S', quantity: 1 }] },
    });
    expect(expectProblem(refused, 409, 'insufficient_stock').detail).toBe(
      'SKU "PT-S" has 0 available; this item cannot be backordered',
    );
  });

  it('an Idempotency-Key replays the first answer; another body under it → 422 idempotency_key_reused', async () => {
    await put('PT-I');
    const headers = { 'idempotency-key': 'patch-1' };
    const first = await patch('PT-I', { price: 500 }, headers);
    expect(first.statusCode).toBe(200);
    await patch('PT-I', { price: 700 });
    const again = await patch('PT-I', { price: 500 }, headers);
    expect(again.statusCode).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    expect((await get('PT-I')).price).toBe(700);
    expectProblem(await patch('PT-I', { price: 600 }, headers), 422, 'idempotency_key_reused');
  });
});
