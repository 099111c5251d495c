/**
 * `seed --demo` builds a store that shows everything, dated from today: every backorder mode and
 * limits, a late purchase order, about 200 orders with live queues, payments in several modes,
 * and messages delivered to the outbox channel.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoResult, seedDemo } from '../src/db/seed.ts';
import { storeToday } from '../src/shared/dates.ts';
import { startTestApp, type TestApp } from './support/harness.ts';

let t: TestApp;
let demo: DemoResult;

beforeAll(async () => {
  t = await startTestApp();
  // Its speed is not asserted here: a timed unit test fails on a loaded machine.
  demo = await seedDemo(t.app.deps);
}, 240_000);
afterAll(async () => {
  await t.close();
});

const get = async (url: string) => {
  const res = await t.request('GET', url, { key: demo.secretKey });
  expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
  return res.json();
};

describe('seed --demo', () => {
  it('has 20 variants in every mode, with and without limits, in stock and out', async () => {
    const variants = (await get('/v1/variants?limit=100')).data as {
      sku: string;
      backorder: { mode: string; limit: number | null };
    }[];
    expect(variants).toHaveLength(20);
    expect(new Set(variants.map((v) => v.backorder.mode))).toEqual(
      new Set(['deny', 'backorder', 'preorder']),
    );
    expect(variants.some((v) => v.backorder.mode === 'backorder' && v.backorder.limit !== null)).toBe(true);
    expect(variants.some((v) => v.backorder.mode === 'backorder' && v.backorder.limit === null)).toBe(true);
    const statuses = new Set<string>();
    for (const v of variants) statuses.add((await get(`/v1/inventory/${v.sku}`)).status);
    expect(statuses).toEqual(new Set(['in_stock', 'backorder', 'preorder', 'out_of_stock']));
  });

  it('has suppliers with one late purchase order, and the overview shows a live store', async () => {
    expect((await get('/v1/suppliers')).data.length).toBeGreaterThanOrEqual(2);
    const today = storeToday(demo.store, new Date());
    const open = (await get('/v1/purchase-orders?limit=100')).data as {
      status: string;
      expectedDate: string;
    }[];
    const late = open.filter(
      (po) => ['ordered', 'partially_received'].includes(po.status) && po.expectedDate < today,
    );
    expect(late).toHaveLength(1);
    // Every date is relative to today: nothing of the demo is stale.
    expect(open.some((po) => po.expectedDate > today)).toBe(true);

    const overview = await get('/v1/overview');
    expect(overview.latePurchaseOrders).toBe(1);
    expect(overview.waitingOrders).toBeGreaterThan(20);
    expect(overview.waitingUnits).toBeGreaterThan(overview.waitingOrders - 1);
    expect(overview.atRiskLines).toBeGreaterThan(0);
    expect(overview.prepaidHeld.amount).toBeGreaterThan(0);
    expect(overview.filledToday.units).toBeGreaterThan(0);
    expect(new Date(overview.oldestWaitingSince).getTime()).toBeLessThan(Date.now() - 7 * 86_400_000);
  });

  it('has about 200 orders, some waiting, some shipped, paid in several modes', async () => {
    expect(demo.orders).toBeGreaterThanOrEqual(180);
    expect(demo.orders).toBeLessThanOrEqual(230);
    const statuses = new Set<string>();
    let cursor: string | null = null;
    let count = 0;
    do {
      const page: { data: { status: string }[]; nextCursor: string | null } = await get(
        `/v1/orders?limit=500${cursor ? `&cursor=${cursor}` : ''}`,
      );
      for (const o of page.data) statuses.add(o.status);
      count += page.data.length;
      cursor = page.nextCursor;
    } while (cursor);
    expect(count).toBe(demo.orders);
    for (const status of ['backordered', 'allocated', 'fulfilled', 'cancelled'])
      expect(statuses).toContain(status);
    expect((await get('/v1/backorders?sku=JACKET-RED-M')).data.length).toBeGreaterThan(0);
    const summary = await get('/v1/payments/summary');
    expect(summary.prepaidHeld).toBeGreaterThan(0);
    expect(summary.depositsHeld).toBeGreaterThan(0);
    expect(summary.balanceOutstanding).toBeGreaterThan(0);
  });

  it('has messages delivered to the outbox, with their rendered bodies', async () => {
    const settings = await get('/v1/settings/messaging');
    expect(settings.email).toEqual({ channel: 'outbox' });
    const sent = (await get('/v1/messages?state=sent&limit=500')).data as {
      channel: string;
      body: string | null;
      kind: string;
    }[];
    expect(sent.length).toBeGreaterThan(100);
    expect(new Set(sent.map((m) => m.channel))).toEqual(new Set(['email', 'sms']));
    expect(sent.every((m) => (m.body ?? '').length > 0)).toBe(true);
    expect(new Set(sent.map((m) => m.kind)).size).toBeGreaterThan(1);
    expect((await get('/v1/messages?state=queued')).data).toEqual([]);
  });
});
