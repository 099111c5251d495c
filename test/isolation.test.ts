/**
 * Tenant isolation and authentication (API.md "Conventions"): store B's keys never read or change
 * store A's data, another store's ids answer 404 exactly like unknown ones, and each kind of key
 * only opens its own endpoints.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRelayCursor } from '../src/modules/messages/messages.relay.ts';
import { OPERATOR_TOKEN, type StoreKeys, startTestApp, type TestApp, variant } from './support/harness.ts';
import { relayAll } from './support/relay.ts';
import { expectProblem, type StoreState, snapshot } from './support/state.ts';

let t: TestApp;
let a: StoreKeys;
let b: StoreKeys;
// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely
const ids: Record<string, any> = {};
let before: StoreState;

const A_SKUS = ['ISO-DENY', 'ISO-BO', 'ISO-PRE'] as const;

async function ok(res: { statusCode: number; body: string }, status: number) {
  if (res.statusCode !== status) throw new Error(`expected ${status}, got ${res.statusCode}: ${res.body}`);
  return JSON.parse(res.body);
}

beforeAll(async () => {
  // Its webhook endpoints point at loopback (BACKFILL_ALLOW_PRIVATE_URLS=true).
  t = await startTestApp({ config: { allowPrivateUrls: true } });
  a = await t.createStore('Store A');
  b = await t.createStore('Store B');
  const key = a.secretKey;
  await ok(
    await t.request('PUT', '/v1/variants/ISO-DENY', {
      key,
      body: variant('deny', null, { title: 'A deny' }),
    }),
    201,
  );
  await ok(
    await t.request('PUT', '/v1/variants/ISO-BO', {
      key,
      body: variant('backorder', 10, { title: 'A backorder' }),
    }),
    201,
  );
  await ok(
    await t.request('PUT', '/v1/variants/ISO-PRE', {
      key,
      body: {
        title: 'A preorder',
        price: 5000,
        backorder: { mode: 'preorder', limit: null, message: 'Ships in spring', expectedDate: '2027-03-01' },
      },
    }),
    201,
  );
  await ok(
    await t.request('POST', '/v1/inventory/adjustments', {
      key,
      body: { sku: 'ISO-DENY', quantity: 5, reason: 'restock' },
    }),
    201,
  );
  await ok(
    await t.request('POST', '/v1/inventory/adjustments', {
      key,
      headers: { 'idempotency-key': 'shared-key-1' },
      body: { sku: 'ISO-BO', quantity: 2, reason: 'restock' },
    }),
    201,
  );
  const order = (sku: string, quantity: number, externalId: string) => ({
    externalId,
    customer: { email: 'alice@a.example', name: 'Alice A' },
    lines: [{ sku, quantity }],
  });
  ids.allocated = await ok(
    await t.request('POST', '/v1/orders', { key, body: order('ISO-DENY', 2, 'a-1') }),
    201,
  );
  ids.waiting = await ok(
    await t.request('POST', '/v1/orders', { key, body: order('ISO-BO', 3, 'a-2') }),
    201,
  );
  ids.shipped = await ok(
    await t.request('POST', '/v1/orders', { key, body: order('ISO-DENY', 1, 'a-3') }),
    201,
  );
  ids.cancelled = await ok(
    await t.request('POST', '/v1/orders', { key, body: order('ISO-PRE', 1, 'a-4') }),
    201,
  );
  ids.shipment = await ok(
    await t.request('POST', `/v1/orders/${ids.shipped.id}/shipments`, {
      key,
      body: { lines: [{ lineId: ids.shipped.lines[0].id, quantity: 1 }] },
    }),
    201,
  );
  await ok(
    await t.request('POST', `/v1/orders/${ids.cancelled.id}/cancel`, {
      key,
      body: { reason: 'changed mind' },
    }),
    200,
  );
  expect(ids.allocated.status).toBe('allocated');
  expect(ids.waiting.status).toBe('backordered');

  await ok(
    await t.request('PUT', '/v1/variants/B-ONLY', { key: b.secretKey, body: variant('backorder') }),
    201,
  );
  before = await snapshot(t, a.secretKey, A_SKUS);
});
afterAll(() => t.close());

/** Every id or SKU of store A that must never show up in store B's answers. */
function aSecrets(): string[] {
  const list: string[] = ['ISO-DENY', 'ISO-PRE', 'alice@a.example', 'Alice A', ids.shipment.id];
  for (const o of [ids.allocated, ids.waiting, ids.shipped, ids.cancelled]) {
    list.push(o.id, o.externalId);
    for (const l of o.lines) list.push(l.id);
  }
  return list;
}

describe("store B's secret key against store A's data", () => {
  it('walks every endpoint and sees or changes nothing of A', async () => {
    const key = b.secretKey;
    const aOrder = ids.allocated;

    // Variants: reading A's SKU is a 404; PUT creates B's own variant.
    expectProblem(await t.request('GET', '/v1/variants/ISO-DENY', { key }), 404, 'not_found');
    const put = await t.request('PUT', '/v1/variants/ISO-BO', {
      key,
      body: variant('deny', null, { title: 'B own variant', price: 77 }),
    });
    expect(put.statusCode).toBe(201);
    expect(put.json()).toMatchObject({ sku: 'ISO-BO', title: 'B own variant', price: 77 });
    expect((await t.request('GET', '/v1/inventory/ISO-BO', { key })).json()).toMatchObject({
      onHand: 0,
      allocated: 0,
      backordered: 0,
      backorderLimit: 0,
    });
    // Same SKU and same Idempotency-Key as A used: B gets a fresh adjustment, not A's replay.
    const bAdjust = await t.request('POST', '/v1/inventory/adjustments', {
      key,
      headers: { 'idempotency-key': 'shared-key-1' },
      body: { sku: 'ISO-BO', quantity: 2, reason: 'restock' },
    });
    expect(bAdjust.statusCode).toBe(201);
    expect(bAdjust.headers['idempotent-replayed']).toBeUndefined();
    expect(bAdjust.json().level).toMatchObject({ onHand: 2, allocated: 0 });
    expect(bAdjust.json().filled).toEqual([]);

    // Inventory of a SKU only A has.
    expectProblem(await t.request('GET', '/v1/inventory/ISO-DENY', { key }), 404, 'not_found');
    expectProblem(await t.request('GET', '/v1/inventory/ISO-PRE/movements', { key }), 404, 'not_found');
    const adj = await t.request('POST', '/v1/inventory/adjustments', {
      key,
      body: { sku: 'ISO-DENY', quantity: 3, reason: 'restock' },
    });
    expect(adj.statusCode).toBeGreaterThanOrEqual(400);
    expect(adj.statusCode).toBeLessThan(500);
    expectProblem(adj, adj.statusCode);
    const batch = await t.request('POST', '/v1/inventory/adjustments/batch', {
      key,
      body: { adjustments: [{ sku: 'ISO-DENY', quantity: 3, reason: 'restock' }] },
    });
    expectProblem(batch, 422, 'unknown_sku');

    // Orders: placing on A's SKU, reading, cancelling and shipping A's orders.
    const place = await t.request('POST', '/v1/orders', {
      key,
      body: { customer: {}, lines: [{ sku: 'ISO-PRE', quantity: 1 }] },
    });
    expect(place.statusCode).toBeGreaterThanOrEqual(400);
    expect(place.statusCode).toBeLessThan(500);
    expectProblem(place, place.statusCode);
    for (const o of [ids.allocated, ids.waiting, ids.shipped, ids.cancelled]) {
      expectProblem(await t.request('GET', `/v1/orders/${o.id}`, { key }), 404, 'not_found');
      expectProblem(await t.request('POST', `/v1/orders/${o.id}/cancel`, { key }), 404, 'not_found');
      expectProblem(
        await t.request('POST', `/v1/orders/${o.id}/cancel`, { key, body: {} }),
        404,
        'not_found',
      );
      expectProblem(
        await t.request('POST', `/v1/orders/${o.id}/cancel`, {
          key,
          body: { lines: [{ lineId: o.lines[0].id, quantity: 1 }] },
        }),
        404,
        'not_found',
      );
    }
    expectProblem(
      await t.request('POST', `/v1/orders/${aOrder.id}/shipments`, {
        key,
        body: { lines: [{ lineId: aOrder.lines[0].id, quantity: 1 }] },
      }),
      404,
      'not_found',
    );
    expectProblem(await t.request('GET', `/v1/shipments/${ids.shipment.id}`, { key }), 404, 'not_found');
    // A 404 for another store's id is exactly the 404 for an id that never existed (apart from the id).
    const foreign = (await t.request('GET', `/v1/orders/${aOrder.id}`, { key })).json();
    const unknownId = 'ord_00000000000000000000000000';
    const unknown = (await t.request('GET', `/v1/orders/${unknownId}`, { key })).json();
    expect({ ...foreign, detail: foreign.detail.replace(aOrder.id, 'X') }).toEqual({
      ...unknown,
      detail: unknown.detail.replace(unknownId, 'X'),
    });

    // Lists with B's key contain nothing of A.
    const lists = [
      '/v1/orders',
      '/v1/orders?status=backordered',
      '/v1/orders?status=allocated',
      '/v1/orders?status=fulfilled',
      '/v1/orders?status=cancelled',
      '/v1/backorders',
      '/v1/backorders?sku=ISO-BO',
      '/v1/backorders?sku=ISO-DENY',
      '/v1/events',
      '/v1/events?type=order.placed',
      '/v1/events?order=asc&limit=500',
      '/v1/variants',
      '/v1/inventory/ISO-BO/movements',
    ];
    for (const url of lists) {
      const res = await t.request('GET', url, { key });
      expect(res.statusCode, url).toBe(200);
      for (const secret of aSecrets()) expect(res.body, `${url} leaks ${secret}`).not.toContain(secret);
    }
    expect((await t.request('GET', '/v1/orders', { key })).json().data).toEqual([]);
    expect((await t.request('GET', '/v1/backorders', { key })).json().data).toEqual([]);
    const bVariants = (await t.request('GET', '/v1/variants', { key })).json().data;
    expect(bVariants.map((v: { sku: string }) => v.sku)).toEqual(['B-ONLY', 'ISO-BO']);
    expect(bVariants[1].title).toBe('B own variant');
    const bMovements = (await t.request('GET', '/v1/inventory/ISO-BO/movements', { key })).json().data;
    expect(bMovements.map((m: { quantity: number }) => m.quantity)).toEqual([2]);

    // What-if and settings: A's SKUs do not exist for B, and B's settings are B's own.
    expectProblem(
      await t.request('POST', '/v1/simulations/restock', { key, body: { sku: 'ISO-PRE', quantity: 1 } }),
      404,
      'not_found',
    );
    expect((await t.request('GET', '/v1/settings', { key })).json().storeId).toBe(b.id);

    // Storefront with B's publishable key.
    expectProblem(
      await t.request('GET', '/v1/storefront/availability?sku=ISO-DENY', { key: b.publishableKey }),
      404,
      'not_found',
    );
    expectProblem(
      await t.request('GET', '/v1/storefront/availability?sku=ISO-PRE', { key: b.publishableKey }),
      404,
      'not_found',
    );
    const sf = await t.request('GET', '/v1/storefront/availability?sku=ISO-BO', { key: b.publishableKey });
    expect(sf.statusCode).toBe(200);
    expect(sf.json().status).toBe('in_stock');

    // And A is exactly as it was.
    const after = await snapshot(t, a.secretKey, A_SKUS);
    expect(after).toEqual(before);
    const aVariant = (await t.request('GET', '/v1/variants/ISO-BO', { key: a.secretKey })).json();
    expect(aVariant).toMatchObject({ title: 'A backorder', backorder: { mode: 'backorder', limit: 10 } });
    expect((await t.request('GET', '/v1/inventory/ISO-BO', { key: a.secretKey })).json()).toMatchObject({
      onHand: 2,
      allocated: 2,
      backordered: 1,
    });
    const sfA = await t.request('GET', '/v1/storefront/availability?sku=ISO-PRE', { key: a.publishableKey });
    expect(sfA.json()).toEqual({
      sku: 'ISO-PRE',
      status: 'preorder',
      quantity: 1,
      availableNow: false,
      message: 'Ships in spring',
      expectedDate: '2027-03-01',
      expectedDateLatest: '2027-03-01',
      shipping: [],
      releaseDate: null,
    });
  });
});

describe("store B's secret key on the lists, CSV, patch and batch endpoints", () => {
  it('sees nothing of A and changes nothing of A', async () => {
    const key = b.secretKey;
    const aBefore = await snapshot(t, a.secretKey, A_SKUS);

    // PATCH: A's SKUs do not exist for B; B's own ISO-BO is B's.
    for (const sku of ['ISO-DENY', 'ISO-PRE']) {
      expectProblem(
        await t.request('PATCH', `/v1/variants/${sku}`, { key, body: { price: 1 } }),
        404,
        'not_found',
      );
    }
    const patched = await t.request('PATCH', '/v1/variants/ISO-BO', { key, body: { title: 'B patched' } });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ sku: 'ISO-BO', title: 'B patched', price: 77 });

    // Batches: B's variant batch writes B's variants; B's adjustment CSV cannot reach A's SKUs.
    const batch = await t.request('POST', '/v1/variants/batch', {
      key,
      body: { variants: [{ sku: 'ISO-BO', title: 'B batch', price: 78, backorder: { mode: 'deny' } }] },
    });
    expect(batch.statusCode).toBe(200);
    expect(batch.json().data[0]).toMatchObject({ created: false, variant: { title: 'B batch' } });
    const csv = await t.request('POST', '/v1/inventory/adjustments/batch', {
      key,
      rawBody: 'sku,quantity,reason\r\nISO-DENY,3,restock\r\n',
      headers: { 'content-type': 'text/csv' },
    });
    expect(expectProblem(csv, 422, 'unknown_sku').errors).toEqual([
      { path: '/rows/2/sku', message: 'unknown SKU "ISO-DENY"' },
    ]);

    // Lists and exports hold nothing of A: inventory, backorders as CSV, a look-up of A's customer.
    const lists = [
      '/v1/inventory',
      '/v1/inventory?waiting=true',
      '/v1/inventory?mode=deny',
      '/v1/inventory?availableAtMost=0',
      '/v1/inventory?format=csv',
      '/v1/inventory?format=csv&limit=1',
      '/v1/backorders?format=csv',
      '/v1/backorders?format=csv&sku=ISO-BO',
      '/v1/orders?email=alice%40a.example',
      '/v1/orders?email=ALICE%40A.EXAMPLE&status=backordered',
    ];
    for (const url of lists) {
      const res = await t.request('GET', url, { key });
      expect(res.statusCode, url).toBe(200);
      for (const secret of aSecrets()) expect(res.body, `${url} leaks ${secret}`).not.toContain(secret);
    }
    const levels = (await t.request('GET', '/v1/inventory', { key })).json().data;
    expect(levels.map((l: { sku: string }) => l.sku)).toEqual(['B-ONLY', 'ISO-BO']);
    expect(levels[1]).toMatchObject({ onHand: 2, allocated: 0, backordered: 0 });
    expect((await t.request('GET', '/v1/orders?email=alice%40a.example', { key })).json().data).toEqual([]);
    const backordersCsv = (await t.request('GET', '/v1/backorders?format=csv', { key })).body;
    expect(backordersCsv.trim().split('\r\n')).toHaveLength(1);

    // A's key still sees A's own (the checks above can fail), and A is as it was.
    const aLookup = (
      await t.request('GET', '/v1/orders?email=alice%40a.example', { key: a.secretKey })
    ).json();
    expect(aLookup.data.length).toBe(4);
    const aLevels = (await t.request('GET', '/v1/inventory', { key: a.secretKey })).json().data;
    expect(aLevels.map((l: { sku: string }) => l.sku)).toEqual(expect.arrayContaining([...A_SKUS]));
    expect(await snapshot(t, a.secretKey, A_SKUS)).toEqual(aBefore);
    expect((await t.request('GET', '/v1/variants/ISO-BO', { key: a.secretKey })).json().title).toBe(
      'A backorder',
    );
  });
});

describe("store B's secret key against store A's messages, endpoints, templates and alerts", () => {
  it('sees and changes nothing of them', async () => {
    const ka = a.secretKey;
    const kb = b.secretKey;
    const endpoint = await ok(
      await t.request('POST', '/v1/webhook-endpoints', {
        key: ka,
        body: { url: 'http://127.0.0.1:9/a-hooks', description: 'A hooks' },
      }),
      201,
    );
    await ok(
      await t.request('PATCH', '/v1/settings/messaging', {
        key: ka,
        body: { email: { smtpUrl: 'smtp://127.0.0.1:9', from: 'shop@a.example' } },
      }),
      200,
    );
    const template = { subject: 'A shipped', body: 'A shipped {{ order.externalId }}' };
    await ok(await t.request('PUT', '/v1/message-templates/shipped/email', { key: ka, body: template }), 200);
    await ok(
      await t.request('PUT', '/v1/variants/ISO-ALERT', {
        key: ka,
        body: variant('deny', null, { title: 'A alert' }),
      }),
      201,
    );
    const alert = await ok(
      await t.request('POST', '/v1/storefront/stock-alerts', {
        key: a.publishableKey,
        body: { sku: 'ISO-ALERT', email: 'alert@a.example' },
      }),
      201,
    );
    const scope = { cursor: `iso-${a.id}`, storeIds: [a.id] };
    await startRelayCursor(t.app.deps, scope.cursor);
    const placed = await ok(
      await t.request('POST', '/v1/orders', {
        key: ka,
        body: { customer: { email: 'alice@a.example' }, lines: [{ sku: 'ISO-BO', quantity: 1 }] },
      }),
      201,
    );
    await relayAll(t.app.deps, scope);
    const aMessages = (await ok(await t.request('GET', '/v1/messages?limit=500', { key: ka }), 200)).data;
    expect(aMessages.length).toBeGreaterThan(0);
    const snapshotOfA = async () => ({
      endpoints: (await t.request('GET', '/v1/webhook-endpoints', { key: ka })).json(),
      messages: (await t.request('GET', '/v1/messages?limit=500', { key: ka })).json(),
      template: (await t.request('GET', '/v1/message-templates/shipped/email', { key: ka })).json(),
      alerts: (await t.request('GET', '/v1/stock-alerts', { key: ka })).json(),
      settings: (await t.request('GET', '/v1/settings/messaging', { key: ka })).json(),
    });
    const beforeA = await snapshotOfA();

    // A's ids are unknown to B, whatever B does with them.
    const notFound = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown) =>
      expectProblem(await t.request(method, url, { key: kb, body }), 404, 'not_found');
    await notFound('GET', `/v1/webhook-endpoints/${endpoint.id}`);
    await notFound('PATCH', `/v1/webhook-endpoints/${endpoint.id}`, { rotateSecret: true });
    await notFound('DELETE', `/v1/webhook-endpoints/${endpoint.id}`);
    for (const m of aMessages) {
      await notFound('GET', `/v1/messages/${m.id}`);
      await notFound('POST', `/v1/messages/${m.id}/replay`);
    }
    await notFound('DELETE', `/v1/stock-alerts/${alert.id}`);
    for (const o of [ids.allocated, ids.waiting]) {
      await notFound('POST', `/v1/orders/${o.id}/self-service-links`);
      await notFound('GET', `/v1/orders/${o.id}/incentives`);
    }
    // B's lists and settings hold nothing of A; B's template is B's (the default).
    const secrets = [
      placed.id,
      endpoint.id,
      endpoint.secret,
      'a-hooks',
      'A shipped',
      alert.id,
      'alert@a.example',
      'ISO-ALERT',
    ];
    for (const m of aMessages) secrets.push(m.id);
    for (const url of [
      '/v1/webhook-endpoints',
      '/v1/messages?limit=500',
      `/v1/messages?orderId=${ids.waiting.id}`,
      '/v1/message-templates',
      '/v1/message-templates/shipped/email',
      '/v1/stock-alerts',
      '/v1/stock-alerts/summary',
      '/v1/settings/messaging',
    ]) {
      const res = await t.request('GET', url, { key: kb });
      expect(res.statusCode, url).toBe(200);
      for (const secret of [...secrets, ...aSecrets()])
        expect(res.body, `${url} leaks ${secret}`).not.toContain(secret);
    }
    expect((await t.request('GET', '/v1/message-templates/shipped/email', { key: kb })).json().source).toBe(
      'default',
    );
    // B's own writes stay B's: the same template kind, an endpoint.
    await ok(
      await t.request('PUT', '/v1/message-templates/shipped/email', {
        key: kb,
        body: { subject: 'B', body: 'B' },
      }),
      200,
    );
    expect((await t.request('DELETE', '/v1/message-templates/shipped/email', { key: kb })).statusCode).toBe(
      204,
    );
    await ok(
      await t.request('POST', '/v1/webhook-endpoints', { key: kb, body: { url: 'http://127.0.0.1:9/b' } }),
      201,
    );

    expect(await snapshotOfA()).toEqual(beforeA);
  });
});

describe('authentication and key kinds', () => {
  const adminCalls: [method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, body?: unknown][] = [
    ['GET', '/v1/orders'],
    ['GET', '/v1/orders?email=alice%40a.example'],
    ['GET', '/v1/inventory'],
    ['GET', '/v1/inventory?format=csv'],
    ['GET', '/v1/backorders?format=csv'],
    ['PATCH', '/v1/variants/ISO-BO', { price: 1 }],
    ['POST', '/v1/variants/batch', { variants: [{ sku: 'NEW-SKU', ...variant('deny') }] }],
    [
      'POST',
      '/v1/inventory/adjustments/batch',
      { adjustments: [{ sku: 'ISO-BO', quantity: 1, reason: 'restock' }] },
    ],
    ['POST', '/v1/orders', { customer: {}, lines: [{ sku: 'ISO-BO', quantity: 1 }] }],
    ['GET', '/v1/variants'],
    ['PUT', '/v1/variants/NEW-SKU', variant('deny')],
    ['GET', '/v1/inventory/ISO-BO'],
    ['POST', '/v1/inventory/adjustments', { sku: 'ISO-BO', quantity: 1, reason: 'restock' }],
    ['GET', '/v1/backorders'],
    ['GET', '/v1/events'],
    ['GET', '/v1/messages'],
    ['GET', '/v1/webhook-endpoints'],
    ['POST', '/v1/webhook-endpoints', { url: 'http://127.0.0.1:9/x' }],
    ['GET', '/v1/message-templates'],
    ['GET', '/v1/stock-alerts'],
    ['GET', '/v1/settings/messaging'],
  ];

  it('missing or invalid keys → 401 unauthorized', async () => {
    const before = await snapshot(t, a.secretKey, A_SKUS);
    const badHeaders: (Record<string, string> | undefined)[] = [
      undefined,
      { authorization: '' },
      { authorization: 'Bearer' },
      { authorization: 'Bearer garbage' },
      { authorization: `Basic ${Buffer.from('x:y').toString('base64')}` },
      { authorization: 'Bearer sk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
      { authorization: 'Bearer pk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
      { authorization: `Bearer ${a.secretKey}x` },
      { authorization: `Bearer ${OPERATOR_TOKEN}x` },
    ];
    for (const headers of badHeaders) {
      for (const [method, url, body] of [
        ...adminCalls,
        ['GET', '/v1/storefront/availability?sku=ISO-BO'] as const,
        ['POST', '/v1/stores', { name: 'Nope' }] as const,
      ]) {
        const res = await t.request(method, url, { headers, body });
        expectProblem(res, 401, 'unauthorized');
      }
    }
    expect(await snapshot(t, a.secretKey, A_SKUS)).toEqual(before);
  });

  it('the wrong kind of key → 403 forbidden', async () => {
    const before = await snapshot(t, a.secretKey, A_SKUS);
    for (const [method, url, body] of adminCalls) {
      expectProblem(await t.request(method, url, { key: a.publishableKey, body }), 403, 'forbidden');
      expectProblem(await t.request(method, url, { key: OPERATOR_TOKEN, body }), 403, 'forbidden');
    }
    const orderId = ids.allocated.id;
    for (const key of [a.publishableKey, OPERATOR_TOKEN]) {
      expectProblem(await t.request('GET', `/v1/orders/${orderId}`, { key }), 403, 'forbidden');
      expectProblem(await t.request('POST', `/v1/orders/${orderId}/cancel`, { key }), 403, 'forbidden');
      expectProblem(
        await t.request('POST', `/v1/orders/${orderId}/shipments`, {
          key,
          body: { lines: [{ lineId: ids.allocated.lines[0].id, quantity: 1 }] },
        }),
        403,
        'forbidden',
      );
      expectProblem(await t.request('GET', `/v1/shipments/${ids.shipment.id}`, { key }), 403, 'forbidden');
      expectProblem(await t.request('GET', '/v1/inventory/ISO-BO/movements', { key }), 403, 'forbidden');
      expectProblem(await t.request('GET', '/v1/variants/ISO-BO', { key }), 403, 'forbidden');
    }
    for (const key of [a.secretKey, OPERATOR_TOKEN]) {
      expectProblem(
        await t.request('GET', '/v1/storefront/availability?sku=ISO-BO', { key }),
        403,
        'forbidden',
      );
    }
    for (const key of [a.secretKey, a.publishableKey, b.secretKey]) {
      expectProblem(
        await t.request('POST', '/v1/stores', { key, body: { name: 'Sneaky' } }),
        403,
        'forbidden',
      );
    }
    expect(await snapshot(t, a.secretKey, A_SKUS)).toEqual(before);
  });

  it('the right kind of key works (the checks above can fail)', async () => {
    expect((await t.request('GET', '/v1/orders', { key: a.secretKey })).statusCode).toBe(200);
    expect(
      (await t.request('GET', '/v1/storefront/availability?sku=ISO-BO', { key: a.publishableKey }))
        .statusCode,
    ).toBe(200);
    const created = await t.request('POST', '/v1/stores', { key: OPERATOR_TOKEN, body: { name: 'Third' } });
    expect(created.statusCode).toBe(201);
    expect(created.json().secretKey).toMatch(/^sk_/);
    expect(created.json().publishableKey).toMatch(/^pk_/);
  });
});
