/** GET /v1/orders?email=…: customer service looks a shopper's orders up by email. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StoreKeys, startTestApp, type TestApp, variant } from './support/harness.ts';
import { expectProblem } from './support/state.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely
type Json = any;

let t: TestApp;
let a: StoreKeys;
let b: StoreKeys;
const ids: Record<string, string> = {};

async function place(key: string, email: string | undefined, sku: string): Promise<string> {
  const res = await t.request('POST', '/v1/orders', {
    key,
    body: { customer: email === undefined ? {} : { email }, lines: [{ sku, quantity: 1 }] },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id;
}

beforeAll(async () => {
  t = await startTestApp();
  a = await t.createStore('Lookup A');
  b = await t.createStore('Lookup B');
  for (const store of [a, b]) {
    await t.request('PUT', '/v1/variants/LK-1', { key: store.secretKey, body: variant('backorder') });
    await t.request('PUT', '/v1/variants/LK-STOCK', { key: store.secretKey, body: variant('backorder') });
    await t.request('POST', '/v1/inventory/adjustments', {
      key: store.secretKey,
      body: { sku: 'LK-STOCK', quantity: 10, reason: 'restock' },
    });
  }
  ids.first = await place(a.secretKey, 'Ada.Lovelace@Example.com', 'LK-1');
  ids.other = await place(a.secretKey, 'bob@example.com', 'LK-1');
  ids.second = await place(a.secretKey, 'ada.lovelace@example.com', 'LK-STOCK');
  ids.similar = await place(a.secretKey, 'ada.lovelace@example.co', 'LK-1');
  ids.none = await place(a.secretKey, undefined, 'LK-1');
  ids.third = await place(a.secretKey, 'ADA.LOVELACE@EXAMPLE.COM', 'LK-1');
  ids.otherStore = await place(b.secretKey, 'ada.lovelace@example.com', 'LK-1');
});
afterAll(() => t.close());

const list = async (key: string, query: string): Promise<Json> => {
  const res = await t.request('GET', `/v1/orders?${query}`, { key });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};
const idsOf = (page: Json) => page.data.map((o: Json) => o.id);

describe('GET /v1/orders?email=', () => {
  it('finds every order of the address, ignoring case, newest first — and only those', async () => {
    for (const email of ['ada.lovelace@example.com', 'Ada.Lovelace@EXAMPLE.com']) {
      const page = await list(a.secretKey, `email=${encodeURIComponent(email)}`);
      expect(idsOf(page)).toEqual([ids.third, ids.second, ids.first]);
      expect(page.nextCursor).toBeNull();
    }
    expect(idsOf(await list(a.secretKey, 'email=bob%40example.com'))).toEqual([ids.other]);
  });

  it('is an exact match: no prefixes, no wildcards', async () => {
    for (const email of [
      'ada.lovelace@example',
      'ada.lovelace@example.c',
      'ada%25',
      'ada.lovelace@example.co_',
      '%25',
    ]) {
      expect(idsOf(await list(a.secretKey, `email=${email}`)), email).toEqual([]);
    }
  });

  it('combines with status and with cursor pages', async () => {
    const email = 'email=ADA.lovelace%40example.com';
    expect(idsOf(await list(a.secretKey, `${email}&status=backordered`))).toEqual([ids.third, ids.first]);
    expect(idsOf(await list(a.secretKey, `${email}&status=allocated`))).toEqual([ids.second]);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await list(a.secretKey, `${email}&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.data.length).toBeLessThanOrEqual(1);
      seen.push(...idsOf(page));
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== null && pages < 10);
    expect(seen).toEqual([ids.third, ids.second, ids.first]);
  });

  it("never shows another store's orders", async () => {
    const page = await list(b.secretKey, 'email=ada.lovelace%40example.com');
    expect(idsOf(page)).toEqual([ids.otherStore]);
    expect(idsOf(await list(b.secretKey, 'email=bob%40example.com'))).toEqual([]);
  });

  it('an empty or overlong email → 422', async () => {
    expectProblem(await t.request('GET', '/v1/orders?email=', { key: a.secretKey }), 422);
    expectProblem(
      await t.request('GET', `/v1/orders?email=${'a'.repeat(321)}`, { key: a.secretKey }),
      422,
      'validation_failed',
    );
  });
});
