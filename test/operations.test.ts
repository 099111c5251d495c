/**
 * What an operator relies on: `/metrics` behind the operator token with the figures that matter,
 * `/health` as liveness and `/health/ready` as readiness (database reachable, migrations applied).
 */
import { sql } from 'drizzle-orm';
import PgBoss from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDraining } from '../src/http/system.ts';
import { startRelayCursor } from '../src/modules/messages/messages.relay.ts';
import { collectPayments } from '../src/modules/payments/payments.collector.ts';
import { type FakeStripe, providersFor, startFakeStripe } from './support/fake-stripe.ts';
import { OPERATOR_TOKEN, type StoreKeys, startTestApp, type TestApp, variant } from './support/harness.ts';
import { relayAll } from './support/relay.ts';

let t: TestApp;
let fake: FakeStripe;
let store: StoreKeys;

beforeAll(async () => {
  fake = await startFakeStripe();
  t = await startTestApp({ providers: providersFor(fake, 500) });
  store = await t.createStore('Metrics store');
});
afterAll(async () => {
  await t.close();
  await fake.close();
});

async function ok(method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, body?: unknown) {
  const res = await t.request(method, url, { key: store.secretKey, body });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json();
}

/** The scrape, as `name{labels}` → value (every sample line). */
async function scrape(): Promise<Map<string, number>> {
  const res = await t.request('GET', '/metrics', { key: OPERATOR_TOKEN });
  expect(res.statusCode).toBe(200);
  const samples = new Map<string, number>();
  for (const line of res.body.split('\n')) {
    const match = /^([a-z_]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (match) samples.set(match[1]!, Number(match[2]));
  }
  return samples;
}

/** Waits out the gauges' few-second cache, so the next scrape reads the database again. */
const freshGauges = () => new Promise((resolve) => setTimeout(resolve, 5_100));

describe('/metrics', () => {
  it('needs the operator token', async () => {
    expect((await t.request('GET', '/metrics')).statusCode).toBe(401);
    expect((await t.request('GET', '/metrics', { key: store.secretKey })).statusCode).toBe(403);
    expect((await t.request('GET', '/metrics', { key: 'not-the-token-0123456789' })).statusCode).toBe(401);
  });

  it("names Node's own figures once with the backfill_ prefix", async () => {
    const names = [...(await scrape()).keys()];
    expect(names).toContain('backfill_process_cpu_seconds_total');
    expect(names.some((n) => n.startsWith('backfill_nodejs_heap_size_used_bytes'))).toBe(true);
    expect(names.filter((n) => n.includes('process_process'))).toEqual([]);
  });

  it('counts orders placed and refused, units filled, waiting units and payment attempts', async () => {
    await ok('PATCH', '/v1/settings', { paymentProvider: 'stripe', paymentMode: 'upfront' });
    await ok('PUT', '/v1/variants/M-WAIT', variant('backorder', 10, { price: 1200 }));
    await ok('PUT', '/v1/variants/M-DENY', variant('deny'));
    const before = await scrape();
    const count = (m: Map<string, number>, name: string) => m.get(name) ?? 0;
    const payment = { customerId: 'cus_metrics', paymentMethodId: 'pm_card_visa' };

    const placedA = await ok('POST', '/v1/orders', { payment, lines: [{ sku: 'M-WAIT', quantity: 3 }] });
    await ok('POST', '/v1/orders', { payment, lines: [{ sku: 'M-WAIT', quantity: 2 }] });
    // A replay of the same Idempotency-Key is not a second order.
    const keyed = { payment, lines: [{ sku: 'M-WAIT', quantity: 1 }] };
    const headers = { 'idempotency-key': 'metrics-order-1' };
    for (let i = 0; i < 2; i++) {
      const res = await t.request('POST', '/v1/orders', { key: store.secretKey, body: keyed, headers });
      expect(res.statusCode).toBe(201);
    }
    const refusedStock = await t.request('POST', '/v1/orders', {
      key: store.secretKey,
      body: { lines: [{ sku: 'M-DENY', quantity: 1 }] },
    });
    expect(refusedStock.statusCode).toBe(409);
    const refusedLimit = await t.request('POST', '/v1/orders', {
      key: store.secretKey,
      body: { payment, lines: [{ sku: 'M-WAIT', quantity: 50 }] },
    });
    expect(refusedLimit.statusCode).toBe(409);
    const refusedCodes = [refusedStock.json().code, refusedLimit.json().code];

    // 6 units wait; a restock of 4 fills the first order's 3 and 1 of the second's.
    await ok('POST', '/v1/inventory/adjustments', { sku: 'M-WAIT', quantity: 4, reason: 'restock' });
    await collectPayments(t.app.deps, providersFor(fake, 500), { storeIds: [store.id] });
    await freshGauges();
    const after = await scrape();

    expect(count(after, 'backfill_orders_placed_total') - count(before, 'backfill_orders_placed_total')).toBe(
      3,
    );
    for (const code of new Set(refusedCodes)) {
      const name = `backfill_orders_refused_total{code="${code}"}`;
      expect(count(after, name) - count(before, name)).toBe(refusedCodes.filter((c) => c === code).length);
    }
    expect(count(after, 'backfill_units_filled_total') - count(before, 'backfill_units_filled_total')).toBe(
      4,
    );
    const level = await ok('GET', '/v1/inventory/M-WAIT');
    expect(level.backordered).toBe(2);
    // Other test files' stores are not in this in-memory database (PGlite); on PostgreSQL they may be.
    expect(count(after, 'backfill_waiting_units')).toBeGreaterThanOrEqual(2);
    const payments = await ok('GET', `/v1/orders/${placedA.id}/payments`);
    const succeeded = payments.attempts.filter((a: { status: string }) => a.status === 'succeeded');
    expect(succeeded.length).toBeGreaterThan(0);
    const op = succeeded[0].operation as string;
    expect(count(after, `backfill_payment_attempts{operation="${op}",status="succeeded"}`)).toBeGreaterThan(
      0,
    );
    expect(after.has('backfill_messages_relay_lag_seconds')).toBe(true);
    expect(after.has('backfill_messages_relay_backlog')).toBe(true);
  });

  it('shows messages by state and job queue depths', async () => {
    // A webhook endpoint makes every event a message; this store's are relayed on a cursor of its own.
    const scope = { cursor: `metrics-${store.id}`, storeIds: [store.id] };
    await startRelayCursor(t.app.deps, scope.cursor);
    await ok('POST', '/v1/webhook-endpoints', { url: 'http://127.0.0.1:9/metrics-hook' });
    await ok('POST', '/v1/orders', { lines: [{ sku: 'M-WAIT', quantity: 1 }] });
    await relayAll(t.app.deps, scope);
    const mine = (
      (await t.app.deps.db.execute(
        sql`SELECT count(*)::int AS n FROM messages WHERE store_id = ${store.id} AND channel = 'webhook' AND state = 'queued'`,
      )) as unknown as { rows: { n: number }[] }
    ).rows[0]!.n;
    expect(mine).toBeGreaterThan(0);

    const boss = new PgBoss({
      db: {
        executeSql: (text, values) => t.app.database.executeSql(text, values) as Promise<{ rows: never[] }>,
      },
      schema: 'pgboss',
    });
    await boss.start();
    const queue = `metrics-test-${store.id}`;
    await boss.createQueue(queue);
    await boss.send(queue, { n: 1 });
    await boss.send(queue, { n: 2 });
    await boss.stop({ graceful: false, wait: true });

    await freshGauges();
    const samples = await scrape();
    expect(samples.get('backfill_messages{state="queued",channel="webhook"}')).toBeGreaterThanOrEqual(mine);
    expect(samples.get(`backfill_jobs{queue="${queue}",state="created"}`)).toBe(2);
  });
});

describe('/health and /health/ready', () => {
  it('liveness answers ok; readiness checks the database and the migrations', async () => {
    expect((await t.request('GET', '/health')).json()).toEqual({ status: 'ok' });
    const ready = await t.request('GET', '/health/ready');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', checks: { database: 'ok', migrations: 'ok' } });
  });

  it('is not ready while a migration of this code is missing from the database', async () => {
    const db = t.app.deps.db;
    const rows = (
      (await db.execute(
        sql`SELECT id, hash, created_at FROM drizzle.__drizzle_migrations ORDER BY created_at DESC LIMIT 1`,
      )) as unknown as { rows: { id: number; hash: string; created_at: string }[] }
    ).rows;
    const last = rows[0]!;
    await db.execute(sql`DELETE FROM drizzle.__drizzle_migrations WHERE id = ${last.id}`);
    try {
      const res = await t.request('GET', '/health/ready');
      expect(res.statusCode).toBe(503);
      expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
      expect(res.json()).toMatchObject({
        code: 'not_ready',
        checks: { database: 'ok', migrations: '1 migration(s) not applied' },
      });
      // Liveness does not depend on it.
      expect((await t.request('GET', '/health')).statusCode).toBe(200);
    } finally {
      await db.execute(
        sql`INSERT INTO drizzle.__drizzle_migrations (id, hash, created_at) VALUES (${last.id}, ${last.hash}, ${last.created_at})`,
      );
    }
    expect((await t.request('GET', '/health/ready')).statusCode).toBe(200);
  });

  it('a process told not to migrate (BACKFILL_MIGRATE_ON_START=false) is live but not ready on an empty database', async () => {
    const bare = await startTestApp({ config: { databaseUrl: 'pglite://memory', migrateOnStart: false } });
    try {
      expect((await bare.request('GET', '/health')).statusCode).toBe(200);
      const res = await bare.request('GET', '/health/ready');
      expect(res.statusCode).toBe(503);
      expect(res.json().checks.migrations).toMatch(/^\d+ migration\(s\) not applied$/);
      await bare.app.database.migrate();
      expect((await bare.request('GET', '/health/ready')).statusCode).toBe(200);
    } finally {
      await bare.close();
    }
  });
});

describe('while shutting down (the drain before the listener closes)', () => {
  it('readiness answers 503 not_ready and every response closes its connection', async () => {
    const stopping = await startTestApp();
    try {
      expect((await stopping.request('GET', '/health/ready')).headers.connection).not.toBe('close');
      startDraining(stopping.app.server);
      const ready = await stopping.request('GET', '/health/ready');
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toMatchObject({ code: 'not_ready', checks: { shutdown: 'in progress' } });
      // Other requests are still served, on connections that then close.
      const health = await stopping.request('GET', '/health');
      expect(health.statusCode).toBe(200);
      expect(health.headers.connection).toBe('close');
      expect(ready.headers.connection).toBe('close');
    } finally {
      await stopping.close();
    }
  });
});
