/**
 * The storefront over HTTP: per-store allowed origins, CORS preflights and real requests, ETags
 * and 304s, collection-page reads of many SKUs, and the per-process answer cache staying honest.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction } from '../src/db/client.ts';
import { adjustStock } from '../src/modules/stock/stock.adjust.ts';
import { type StoreKeys, startTestApp, type TestApp, variant } from './support/harness.ts';
import { expectProblem } from './support/state.ts';

let t: TestApp;
let a: StoreKeys;
let b: StoreKeys;
const SHOP_A = 'https://shop-a.example';
const SHOP_B = 'http://localhost:8080';

const ok = async (
  method: 'PUT' | 'POST' | 'PATCH',
  url: string,
  key: string,
  body: unknown,
): Promise<ReturnType<typeof JSON.parse>> => {
  const res = await t.request(method, url, { key, body });
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.json();
};

const availability = (store: StoreKeys, query: string, headers: Record<string, string> = {}) =>
  t.request('GET', `/v1/storefront/availability?${query}`, { key: store.publishableKey, headers });

beforeAll(async () => {
  t = await startTestApp();
  a = await t.createStore('Shop A');
  b = await t.createStore('Shop B');
  await ok('PATCH', '/v1/settings', a.secretKey, { allowedOrigins: [SHOP_A] });
  await ok('PATCH', '/v1/settings', b.secretKey, { allowedOrigins: [SHOP_B] });
  await ok('PUT', '/v1/variants/TENT-2', a.secretKey, variant('backorder', 10, { title: 'Tent' }));
  await ok('POST', '/v1/inventory/adjustments', a.secretKey, {
    sku: 'TENT-2',
    quantity: 2,
    reason: 'restock',
  });
  await ok('PUT', '/v1/variants/TENT-2', b.secretKey, variant('deny', null, { title: 'B tent' }));
});
afterAll(() => t.close());

describe('allowed origins (PATCH /v1/settings)', () => {
  it('are stored as browsers send Origin: lower-cased, default port and slash dropped, once each', async () => {
    const store = await t.createStore('Origins');
    expect((await t.request('GET', '/v1/settings', { key: store.secretKey })).json().allowedOrigins).toEqual(
      [],
    );
    const set = await ok('PATCH', '/v1/settings', store.secretKey, {
      allowedOrigins: ['https://Shop.Example/', 'https://shop.example:443', 'http://127.0.0.1:3001'],
    });
    expect(set.allowedOrigins).toEqual(['https://shop.example', 'http://127.0.0.1:3001']);
    expect((await t.request('GET', '/v1/settings', { key: store.secretKey })).json().allowedOrigins).toEqual([
      'https://shop.example',
      'http://127.0.0.1:3001',
    ]);
  });

  it('refuses what is not an origin, and changes nothing', async () => {
    const store = await t.createStore('Bad origins');
    await ok('PATCH', '/v1/settings', store.secretKey, { allowedOrigins: ['https://ok.example'] });
    for (const bad of [
      '*',
      'shop.example',
      'ftp://shop.example',
      'https://shop.example/path',
      'https://u:p@x.example',
      'https://x.example/?q=1',
    ]) {
      const res = await t.request('PATCH', '/v1/settings', {
        key: store.secretKey,
        body: { allowedOrigins: ['https://fine.example', bad], handlingDays: 3 },
      });
      const problem = expectProblem(res, 422, 'validation_failed');
      expect(problem.errors[0].path).toBe('/allowedOrigins/1');
    }
    const tooMany = Array.from({ length: 51 }, (_, i) => `https://s${i}.example`);
    expectProblem(
      await t.request('PATCH', '/v1/settings', { key: store.secretKey, body: { allowedOrigins: tooMany } }),
      422,
    );
    const now = (await t.request('GET', '/v1/settings', { key: store.secretKey })).json();
    expect(now.allowedOrigins).toEqual(['https://ok.example']);
    expect(now.handlingDays).toBe(0);
  });
});

describe('CORS', () => {
  const preflight = (url: string, origin?: string, method = 'GET') =>
    t.app.server.inject({
      method: 'OPTIONS',
      url,
      headers: {
        ...(origin ? { origin } : {}),
        'access-control-request-method': method,
        'access-control-request-headers': 'authorization',
      },
    });

  it('a preflight passes when some store allows the origin, and says what may be sent', async () => {
    for (const origin of [SHOP_A, SHOP_B]) {
      const res = await preflight('/v1/storefront/availability?sku=TENT-2', origin);
      expect(res.statusCode).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe(origin);
      expect(String(res.headers['access-control-allow-methods'])).toMatch(/GET/);
      expect(String(res.headers['access-control-allow-headers'])).toMatch(/Authorization/);
      expect(String(res.headers['access-control-allow-headers'])).toMatch(/If-None-Match/);
      expect(Number(res.headers['access-control-max-age'])).toBeGreaterThan(0);
      expect(String(res.headers.vary)).toMatch(/Origin/);
    }
    const post = await preflight('/v1/storefront/stock-alerts', SHOP_A, 'POST');
    expect(post.statusCode).toBe(204);
    expect(String(post.headers['access-control-allow-methods'])).toMatch(/POST/);
  });

  it('a preflight from an origin no store allows is refused', async () => {
    const res = await preflight('/v1/storefront/availability?sku=TENT-2', 'https://evil.example');
    expectProblem(res as never, 403, 'origin_not_allowed');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expectProblem((await preflight('/v1/storefront/availability', undefined)) as never, 400);
  });

  it('admin (secret-key) endpoints never answer cross-origin', async () => {
    for (const url of ['/v1/orders', '/v1/inventory/TENT-2', '/v1/settings']) {
      const res = await preflight(url, SHOP_A);
      expect(res.statusCode).toBe(404);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    }
    const read = await t.request('GET', '/v1/inventory/TENT-2', {
      key: a.secretKey,
      headers: { origin: SHOP_A },
    });
    expect(read.statusCode).toBe(200);
    expect(read.headers['access-control-allow-origin']).toBeUndefined();
    // A secret key on the storefront is refused (403), and not to another site either.
    const wrongKey = await t.request('GET', '/v1/storefront/availability?sku=TENT-2', {
      key: a.secretKey,
      headers: { origin: SHOP_A },
    });
    expect(wrongKey.statusCode).toBe(403);
    expect(wrongKey.headers['access-control-allow-origin']).toBeUndefined();
  });

  it("the real request is allowed only for origins of the key's own store, and varies by Origin", async () => {
    const own = await availability(a, 'sku=TENT-2', { origin: SHOP_A });
    expect(own.statusCode).toBe(200);
    expect(own.headers['access-control-allow-origin']).toBe(SHOP_A);
    expect(String(own.headers['access-control-expose-headers'])).toMatch(/ETag/);
    expect(String(own.headers.vary)).toMatch(/Origin/);
    // Store B allows SHOP_B, which is enough for a preflight, but not for store A's key.
    const other = await availability(a, 'sku=TENT-2', { origin: SHOP_B });
    expect(other.statusCode).toBe(200);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    expect(String(other.headers.vary)).toMatch(/Origin/);
    const sameSite = await availability(a, 'sku=TENT-2');
    expect(sameSite.headers['access-control-allow-origin']).toBeUndefined();
    expect(String(sameSite.headers.vary)).toMatch(/Origin/);
    // Refusals the page must be able to read (an unknown SKU) carry it too.
    const unknown = await availability(a, 'sku=NOPE-1', { origin: SHOP_A });
    expectProblem(unknown, 404, 'not_found');
    expect(unknown.headers['access-control-allow-origin']).toBe(SHOP_A);
  });

  it("availability answers carry an API's security headers; other answers keep the documents' set", async () => {
    const own = await availability(a, 'sku=TENT-2', { origin: SHOP_A });
    expect(own.headers['x-content-type-options']).toBe('nosniff');
    expect(own.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(own.headers['cross-origin-resource-policy']).toBe('cross-origin');
    expect(own.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(own.headers['cross-origin-opener-policy']).toBeUndefined();
    const admin = await t.request('GET', '/v1/inventory/TENT-2', { key: a.secretKey });
    expect(admin.headers['cross-origin-resource-policy']).toBe('same-origin');
    expect(admin.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(String(admin.headers['content-security-policy'])).toMatch(/script-src 'self'/);
  });

  it('the stock-alert sign-up answers allowed origins too', async () => {
    const res = await t.request('POST', '/v1/storefront/stock-alerts', {
      key: a.publishableKey,
      headers: { origin: SHOP_A },
      body: { sku: 'TENT-2', email: 'x@example.com' },
    });
    // TENT-2 can be ordered: no alert is needed, and the page can read why.
    expectProblem(res, 409, 'in_stock');
    expect(res.headers['access-control-allow-origin']).toBe(SHOP_A);
  });

  it('removing an origin takes effect at once in this process', async () => {
    const store = await t.createStore('Fickle');
    await ok('PUT', '/v1/variants/F-1', store.secretKey, variant('backorder'));
    await ok('PATCH', '/v1/settings', store.secretKey, { allowedOrigins: ['https://fickle.example'] });
    const before = await availability(store, 'sku=F-1', { origin: 'https://fickle.example' });
    expect(before.headers['access-control-allow-origin']).toBe('https://fickle.example');
    await ok('PATCH', '/v1/settings', store.secretKey, { allowedOrigins: [] });
    const after = await availability(store, 'sku=F-1', { origin: 'https://fickle.example' });
    expect(after.headers['access-control-allow-origin']).toBeUndefined();
    expect(
      (
        await t.app.server.inject({
          method: 'OPTIONS',
          url: '/v1/storefront/availability',
          headers: { origin: 'https://fickle.example', 'access-control-request-method': 'GET' },
        })
      ).statusCode,
    ).toBe(403);
  });
});

describe('availability answers', () => {
  it('say whether the chosen quantity ships from stock, and its date', async () => {
    const one = (await availability(a, 'sku=TENT-2&quantity=1')).json();
    expect(one).toMatchObject({ sku: 'TENT-2', status: 'in_stock', quantity: 1, availableNow: true });
    expect(one.expectedDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const three = (await availability(a, 'sku=TENT-2&quantity=3')).json();
    expect(three).toMatchObject({ status: 'in_stock', quantity: 3, availableNow: false, releaseDate: null });
    expect(three.expectedDate > one.expectedDate).toBe(true);
    // Store B's TENT-2 is its own: mode deny, nothing on hand.
    expect((await availability(b, 'sku=TENT-2')).json()).toMatchObject({
      status: 'out_of_stock',
      availableNow: false,
      expectedDate: null,
    });
  });

  it("give a pre-order's release date", async () => {
    await ok('PUT', '/v1/variants/GAME-1', a.secretKey, {
      title: 'Game',
      price: 5000,
      backorder: { mode: 'preorder', limit: null, releaseDate: '2031-05-20' },
    });
    expect((await availability(a, 'sku=GAME-1')).json()).toMatchObject({
      status: 'preorder',
      availableNow: false,
      releaseDate: '2031-05-20',
      expectedDate: '2031-05-20',
    });
  });

  it('carry an ETag and Cache-Control; If-None-Match gets a 304 until the answer changes', async () => {
    await ok('PUT', '/v1/variants/LAMP-1', a.secretKey, variant('backorder', 5));
    const first = await availability(a, 'sku=LAMP-1');
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^"[^"]+"$/);
    const cacheControl = String(first.headers['cache-control']);
    expect(cacheControl).toMatch(/(^|, )private(,|$)/);
    expect(Number(/max-age=(\d+)/.exec(cacheControl)?.[1])).toBeGreaterThan(0);
    expect(Number(/max-age=(\d+)/.exec(cacheControl)?.[1])).toBeLessThanOrEqual(60);
    expect(Number(/stale-while-revalidate=(\d+)/.exec(cacheControl)?.[1])).toBeGreaterThan(0);

    const same = await availability(a, 'sku=LAMP-1', { 'if-none-match': etag });
    expect(same.statusCode).toBe(304);
    expect(same.body).toBe('');
    expect(same.headers.etag).toBe(etag);
    for (const header of [`W/${etag}`, `"other", ${etag}`, '*']) {
      expect((await availability(a, 'sku=LAMP-1', { 'if-none-match': header })).statusCode).toBe(304);
    }
    expect((await availability(a, 'sku=LAMP-1', { 'if-none-match': '"other"' })).statusCode).toBe(200);
    // Another quantity is another answer.
    expect((await availability(a, 'sku=LAMP-1&quantity=6', { 'if-none-match': etag })).statusCode).toBe(200);

    // An order fills the cap: the next read (same process) says so, with another ETag.
    await ok('POST', '/v1/orders', a.secretKey, { lines: [{ sku: 'LAMP-1', quantity: 5 }] });
    const changed = await availability(a, 'sku=LAMP-1', { 'if-none-match': etag });
    expect(changed.statusCode).toBe(200);
    expect(changed.json().status).toBe('out_of_stock');
    expect(changed.headers.etag).not.toBe(etag);
  });

  it('a change made outside this process shows within the cache time, never later', async () => {
    const quick = await startTestApp({ config: { storefrontCacheMs: 400 } });
    try {
      const store = await quick.createStore('Elsewhere');
      await quick.request('PUT', '/v1/variants/E-1', { key: store.secretKey, body: variant('deny') });
      const read = async () =>
        (
          await quick.request('GET', '/v1/storefront/availability?sku=E-1', { key: store.publishableKey })
        ).json().status;
      expect(await read()).toBe('out_of_stock');
      // A restock that does not pass through this server's HTTP (the worker, another process).
      await inTransaction(quick.app.deps.db, (tx) =>
        adjustStock(
          tx,
          quick.app.deps,
          { id: store.id, currency: 'USD', timezone: 'UTC' },
          {
            sku: 'E-1',
            quantity: 4,
            reason: 'restock',
          },
        ),
      );
      // The cache time counts from the commit (a loaded machine may take long to get there).
      const started = performance.now();
      let status = await read();
      while (status === 'out_of_stock' && performance.now() - started < 2000) {
        await new Promise((r) => setTimeout(r, 50));
        status = await read();
      }
      expect(status).toBe('in_stock');
      expect(performance.now() - started).toBeLessThan(400 + 300);
    } finally {
      await quick.close();
    }
  });
});

describe('many SKUs at once (?skus=)', () => {
  it('answers each in the order asked, once, leaving out SKUs the store does not have', async () => {
    const res = await availability(a, 'skus=GAME-1,TENT-2,NOPE-9,TENT-2&quantity=2');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.data.map((d: { sku: string }) => d.sku)).toEqual(['GAME-1', 'TENT-2']);
    for (const item of body.data) {
      expect(item).toEqual((await availability(a, `sku=${item.sku}&quantity=2`)).json());
    }
    expect(String(res.headers['cache-control'])).toMatch(/max-age/);
    expect(
      (
        await availability(a, 'skus=GAME-1,TENT-2,NOPE-9,TENT-2&quantity=2', {
          'if-none-match': String(res.headers.etag),
        })
      ).statusCode,
    ).toBe(304);
    // Another store's list is its own.
    expect(
      (await availability(b, 'skus=GAME-1,TENT-2')).json().data.map((d: { sku: string }) => d.sku),
    ).toEqual(['TENT-2']);
  });

  it('100 SKUs are fine; more, none, or something that is not a SKU is a 400', async () => {
    const hundred = Array.from({ length: 100 }, (_, i) => `S-${i}`);
    hundred[99] = 'TENT-2';
    const res = await availability(a, `skus=${hundred.join(',')}`);
    expect(res.statusCode).toBe(200);
    expect(res.json().data).toHaveLength(1);
    const tooMany = [...hundred, 'S-100'];
    expect(expectProblem(await availability(a, `skus=${tooMany.join(',')}`), 400).detail).toMatch(
      /at most 100/,
    );
    for (const empty of ['skus=', 'skus=,,', 'skus=%20']) {
      expect(expectProblem(await availability(a, empty), 400).detail).toMatch(/empty/);
    }
    expectProblem(await availability(a, 'skus=TENT-2,bad%20sku'), 400);
    expectProblem(await availability(a, 'sku=TENT-2&skus=TENT-2'), 422, 'validation_failed');
    expectProblem(await availability(a, 'quantity=2'), 422, 'validation_failed');
  });
});
