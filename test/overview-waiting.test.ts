/**
 * The overview's waiting figures (waiting orders, oldest wait, lines past their latest date) are
 * read from the SKUs' stock rows, each queue's head and the applied schedules rather than from
 * every waiting line: on a store driven at random through the API — orders of one to three lines,
 * restocks, write-offs that send allocated lines back ahead of the queue, cancellations, days
 * passing, the daily re-dating job run whole or stopped after its first chunk — they must equal a
 * plain count over the waiting lines after every step.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { queryRows } from '../src/db/client.ts';
import { waitingFigures } from '../src/modules/overview/overview.queries.ts';
import { refreshDuePromises } from '../src/modules/promises/promises.jobs.ts';
import { ManualClock } from '../src/shared/clock.ts';
import type { StoreScope } from '../src/shared/context.ts';
import { storeToday } from '../src/shared/dates.ts';
import { OPERATOR_TOKEN, startTestApp, type TestApp, variant } from './support/harness.ts';

const clock = new ManualClock(new Date('2026-03-02T15:00:00Z'));
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ clock });
});
afterAll(async () => {
  await t.close();
});

/** mulberry32: a small seeded generator, so a failure can be replayed (OVERVIEW_SEED). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296;
  };
}

describe('the overview waiting figures', () => {
  it('equal a plain count over the waiting lines on a store driven at random', async () => {
    const seed = process.env.OVERVIEW_SEED ? Number(process.env.OVERVIEW_SEED) : Date.now() % 1_000_000;
    onTestFailed(() => console.error(`overview seed: ${seed} (replay with OVERVIEW_SEED=${seed})`));
    const rnd = random(seed);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;

    const created = await t.request('POST', '/v1/stores', {
      key: OPERATOR_TOKEN,
      body: { name: 'Random shop', timezone: 'America/New_York' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const key = created.json().secretKey as string;
    const store: StoreScope = { id: created.json().store.id, currency: 'USD', timezone: 'America/New_York' };
    const call = (method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown) =>
      t.request(method, url, { key, body });
    const ok = async (method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown) => {
      const res = await call(method, url, body);
      expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
      return res.json();
    };

    const skus = ['JACKET', 'BOOTS', 'MUG', 'HAT'];
    await ok('PUT', '/v1/variants/JACKET', variant('backorder'));
    // Dated by the merchant two days out: its lines fall past their latest date as days pass.
    await ok(
      'PUT',
      '/v1/variants/BOOTS',
      variant('backorder', null, { backorder: { mode: 'backorder', expectedDate: '2026-03-04' } }),
    );
    await ok('PUT', '/v1/variants/MUG', variant('preorder'));
    await ok('PUT', '/v1/variants/HAT', variant('backorder'));
    await ok('POST', '/v1/inventory/adjustments', { sku: 'HAT', quantity: 6, reason: 'restock' });
    const supplier = await ok('POST', '/v1/suppliers', { name: 'Summit', leadTimeDays: 3 });
    await ok('POST', '/v1/purchase-orders', {
      supplierId: supplier.id,
      expectedDate: '2026-03-03',
      lines: [
        { sku: 'JACKET', quantity: 4, unitCost: 100 },
        { sku: 'MUG', quantity: 3, unitCost: 100 },
      ],
    });

    const orders: string[] = [];
    const seen = { waiting: 0, multi: 0, past: 0, stale: 0 };
    for (let step = 0; step < 80; step++) {
      const r = rnd();
      if (r < 0.4) {
        const lines = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => ({
          sku: pick(skus),
          quantity: 1 + Math.floor(rnd() * 3),
        }));
        const res = await call('POST', '/v1/orders', { customer: { email: `s${step}@example.com` }, lines });
        if (res.statusCode < 300) orders.push(res.json().id);
        clock.advance(Math.floor(rnd() * 120_000));
      } else if (r < 0.55) {
        await ok('POST', '/v1/inventory/adjustments', {
          sku: pick(skus),
          quantity: 1 + Math.floor(rnd() * 4),
          reason: 'restock',
        });
      } else if (r < 0.65) {
        // Below the allocated units: the newest allocated lines wait again, ahead of the queue.
        const res = await call('POST', '/v1/inventory/adjustments', {
          sku: pick(skus),
          quantity: -(1 + Math.floor(rnd() * 3)),
          reason: 'damage',
        });
        expect([200, 201, 409, 422], res.body).toContain(res.statusCode);
      } else if (r < 0.75 && orders.length > 0) {
        const res = await call('POST', `/v1/orders/${pick(orders)}/cancel`, {});
        expect([200, 409], res.body).toContain(res.statusCode);
      } else if (r < 0.88) {
        clock.advance(Math.floor(rnd() * 36) * 3_600_000);
      } else {
        // The daily job, whole or stopped after its first chunk (its cursor left on the stock row).
        const controller = new AbortController();
        const whole = rnd() < 0.5;
        await refreshDuePromises(t.app.deps, {
          storeIds: [store.id],
          chunkLines: 1 + Math.floor(rnd() * 3),
          signal: controller.signal,
          onChunk: () => {
            if (!whole) controller.abort();
          },
        });
      }

      const today = storeToday(store, clock.now());
      const [plain] = await queryRows<{
        orders: number;
        oldest: Date | string | null;
        past: number;
        multi: number;
      }>(
        t.app.deps.db,
        sql`SELECT count(DISTINCT order_id)::int AS orders, min(created_at) AS oldest,
                   count(*) FILTER (WHERE eta_latest < ${today}::date)::int AS past,
                   count(*) FILTER (WHERE multi_line)::int AS multi
              FROM order_lines WHERE store_id = ${store.id} AND backordered > 0`,
      );
      const [stale] = await queryRows<{ n: number }>(
        t.app.deps.db,
        sql`SELECT count(*)::int AS n FROM inventory_levels
             WHERE store_id = ${store.id} AND waiting_lines > 0
               AND (promise_applied->>'day' < ${today} OR promise_applied ? 'pendingAfter')`,
      );
      const figures = await waitingFigures(t.app.deps.db, store.id, today);
      const overview = await ok('GET', '/v1/overview');
      const context = `step ${step} (seed ${seed})`;
      expect(overview.waitingOrders, context).toBe(plain!.orders);
      expect(overview.oldestWaitingSince, context).toBe(
        plain!.oldest ? new Date(plain!.oldest).toISOString() : null,
      );
      expect(figures.past, context).toBe(plain!.past);
      if (plain!.orders > 0) seen.waiting += 1;
      if (plain!.multi > 0) seen.multi += 1;
      if (plain!.past > 0) seen.past += 1;
      if (stale!.n > 0) seen.stale += 1;
    }
    // The walk went through the cases the figures read differently (not a vacuous pass).
    expect(seen.waiting, JSON.stringify(seen)).toBeGreaterThan(10);
    expect(seen.multi, JSON.stringify(seen)).toBeGreaterThan(5);
    expect(seen.past + seen.stale, JSON.stringify(seen)).toBeGreaterThan(3);
  });
});
