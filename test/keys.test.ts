/**
 * API keys: several per store, each with a name and a scope (full, read-only, storefront), shown
 * once and stored as hashes; read-only keys read and never write; a revoked key stops working on
 * every server process within a second (each process here is a server with its own memory of keys,
 * sharing the database).
 */
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/client.ts';
import { buildServer } from '../src/http/server.ts';
import { type StoreKeys, startTestApp, type TestApp, testConfig, variant } from './support/harness.ts';
import { expectProblem } from './support/state.ts';

let t: TestApp;
let other: FastifyInstance; // a second process: same database, its own memory of keys

beforeAll(async () => {
  t = await startTestApp();
  other = await buildServer(t.app.deps, testConfig(), { logger: false });
  await other.ready();
});
afterAll(async () => {
  await other.close();
  await t.close();
});

const as = (key: string) => ({ key });
const onOther = (url: string, key: string) =>
  other.inject({ method: 'GET', url, headers: { authorization: `Bearer ${key}` } });

async function newKey(store: StoreKeys, name: string, scope: string) {
  const res = await t.request('POST', '/v1/keys', { key: store.secretKey, body: { name, scope } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

describe('keys of a store', () => {
  it('lists the keys a store starts with, and new ones, never showing a key again', async () => {
    const store = await t.createStore();
    let list = (await t.request('GET', '/v1/keys', as(store.secretKey))).json().data;
    expect(list).toEqual([
      expect.objectContaining({ name: 'Secret key', scope: 'full', revokedAt: null }),
      expect.objectContaining({ name: 'Publishable key', scope: 'storefront', revokedAt: null }),
    ]);
    expect(list[0].hint).toBe(`sk_…${store.secretKey.slice(-4)}`);
    const created = await newKey(store, 'Reporting', 'read-only');
    expect(created).toMatchObject({
      name: 'Reporting',
      scope: 'read-only',
      lastUsedAt: null,
      revokedAt: null,
    });
    expect(created.key).toMatch(/^rk_[A-Za-z0-9_-]{32}$/);
    expect(created.id).toMatch(/^key_/);
    list = (await t.request('GET', '/v1/keys', as(store.secretKey))).json().data;
    expect(list).toHaveLength(3);
    expect(JSON.stringify(list)).not.toContain(created.key);
    // Only a hash is stored.
    const stored = await queryRows<Record<string, unknown>>(
      t.app.deps.db,
      sql`SELECT * FROM api_keys WHERE id = ${created.id}`,
    );
    expect(JSON.stringify(stored)).not.toContain(created.key);
    // Another store sees none of them.
    const stranger = await t.createStore();
    expect((await t.request('GET', '/v1/keys', as(stranger.secretKey))).json().data).toHaveLength(2);
    expectProblem(
      await t.request('POST', `/v1/keys/${created.id}/revoke`, as(stranger.secretKey)),
      404,
      'not_found',
    );
  });

  it('refuses a key without a name or with an unknown scope', async () => {
    const store = await t.createStore();
    for (const body of [{ name: ' ', scope: 'full' }, { name: 'x', scope: 'admin' }, { name: 'x' }]) {
      expectProblem(
        await t.request('POST', '/v1/keys', { key: store.secretKey, body }),
        422,
        'validation_failed',
      );
    }
    expect((await t.request('GET', '/v1/keys', as(store.secretKey))).json().data).toHaveLength(2);
  });

  it('gives each scope what it is for: read-only keys read and never write', async () => {
    const store = await t.createStore();
    await t.request('PUT', '/v1/variants/K-1', { key: store.secretKey, body: variant('backorder') });
    const readOnly = (await newKey(store, 'Dashboard', 'read-only')).key;
    const full = (await newKey(store, 'Scanner', 'full')).key;
    const storefront = (await newKey(store, 'Widget', 'storefront')).key;

    expect((await t.request('GET', '/v1/orders', as(readOnly))).statusCode).toBe(200);
    expect((await t.request('GET', '/v1/inventory/K-1', as(readOnly))).statusCode).toBe(200);
    expect((await t.request('GET', '/v1/keys', as(readOnly))).statusCode).toBe(200);
    // What-ifs and previews change nothing: allowed.
    expect(
      (
        await t.request('POST', '/v1/simulations/restock', {
          key: readOnly,
          body: { sku: 'K-1', quantity: 1 },
        })
      ).statusCode,
    ).toBe(200);
    for (const [method, url, body] of [
      ['POST', '/v1/orders', { lines: [{ sku: 'K-1', quantity: 1 }] }],
      ['PUT', '/v1/variants/K-2', variant('backorder')],
      ['PATCH', '/v1/settings', { handlingDays: 2 }],
      ['POST', '/v1/keys', { name: 'escalate', scope: 'full' }],
      ['POST', '/v1/inventory/adjustments', { sku: 'K-1', quantity: 5, reason: 'restock' }],
    ] as const) {
      const res = await t.request(method, url, { key: readOnly, body });
      expectProblem(res, 403, 'forbidden');
      expect(res.json().detail).toContain('read-only');
    }
    expect((await t.request('GET', '/v1/orders', as(store.secretKey))).json().data).toEqual([]);
    expect((await t.request('GET', '/v1/storefront/availability?sku=K-1', as(readOnly))).statusCode).toBe(
      403,
    );

    expect(
      (await t.request('POST', '/v1/orders', { key: full, body: { lines: [{ sku: 'K-1', quantity: 1 }] } }))
        .statusCode,
    ).toBe(201);
    expect((await t.request('GET', '/v1/storefront/availability?sku=K-1', as(storefront))).statusCode).toBe(
      200,
    );
    expect((await t.request('GET', '/v1/orders', as(storefront))).statusCode).toBe(403);
  });

  it('records when a key was last used', async () => {
    const store = await t.createStore();
    const created = await newKey(store, 'Cron', 'read-only');
    await t.request('GET', '/v1/orders', as(created.key));
    let seen: string | null = null;
    for (let i = 0; i < 50 && seen === null; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const list = (await t.request('GET', '/v1/keys', as(store.secretKey))).json().data;
      seen = list.find((k: { id: string }) => k.id === created.id).lastUsedAt;
    }
    expect(seen).not.toBeNull();
    expect(Date.parse(seen!)).toBeGreaterThan(Date.now() - 60_000);
  });
});

describe('revoking a key', () => {
  it('stops it on every process within a second', async () => {
    const store = await t.createStore();
    const created = await newKey(store, 'Leaked', 'full');
    // Both processes have just used the key, so both remember it.
    expect((await t.request('GET', '/v1/orders', as(created.key))).statusCode).toBe(200);
    expect((await onOther('/v1/orders', created.key)).statusCode).toBe(200);
    const revoked = await t.request('POST', `/v1/keys/${created.id}/revoke`, as(store.secretKey));
    expect(revoked.statusCode, revoked.body).toBe(200);
    expect(revoked.json().revokedAt).not.toBeNull();
    const at = Date.now();
    let status = 200;
    while (Date.now() - at < 2000) {
      status = (await onOther('/v1/orders', created.key)).statusCode;
      if (status === 401) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(status).toBe(401);
    expect(Date.now() - at).toBeLessThan(1000);
    expect((await t.request('GET', '/v1/orders', as(created.key))).statusCode).toBe(401);
    // The store's other keys go on working; revoking again changes nothing.
    expect((await onOther('/v1/orders', store.secretKey)).statusCode).toBe(200);
    const again = await t.request('POST', `/v1/keys/${created.id}/revoke`, as(store.secretKey));
    expect(again.json().revokedAt).toBe(revoked.json().revokedAt);
  });

  it('keeps the store’s last full key (409 last_full_key)', async () => {
    const store = await t.createStore();
    const list = (await t.request('GET', '/v1/keys', as(store.secretKey))).json().data;
    const original = list.find((k: { scope: string }) => k.scope === 'full');
    expectProblem(
      await t.request('POST', `/v1/keys/${original.id}/revoke`, as(store.secretKey)),
      409,
      'last_full_key',
    );
    const spare = await newKey(store, 'Spare', 'full');
    expect((await t.request('POST', `/v1/keys/${original.id}/revoke`, as(spare.key))).statusCode).toBe(200);
    expect((await t.request('GET', '/v1/orders', as(spare.key))).statusCode).toBe(200);
  });
});
