/**
 * Replenishment over HTTP: a run plans every SKU with a supplier from its demand counters and drafts
 * one purchase order per supplier, each line explained; rules (MOQ, packs, min/max) shape the
 * quantities; a later run replaces unordered drafts and counts ordered ones as supply; a supplier in
 * automatic mode gets the order placed and emailed with a CSV attachment. Figures worked out by hand.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forecastDemand } from '../src/modules/forecast/forecast.models.ts';
import { createSenders } from '../src/modules/messages/messages.channels.ts';
import { deliverDue } from '../src/modules/messages/messages.delivery.ts';
import { ManualClock } from '../src/shared/clock.ts';
import { parseCsv } from '../src/shared/csv.ts';
import { type StoreKeys, startTestApp, type TestApp, variant, withStoreKey } from './support/harness.ts';
import { type MailInbox, startMailInbox } from './support/inboxes.ts';

const clock = new ManualClock(new Date('2026-06-01T09:00:00Z'));
const onDay = (day: string) => clock.set(new Date(`${day}T09:00:00Z`));
const z95 = 1.6448536269514722; // Φ⁻¹(0.95)
let t: TestApp;
let inbox: MailInbox;
let ok: ReturnType<typeof withStoreKey>['ok'];
let call: ReturnType<typeof withStoreKey>['call'];

beforeAll(async () => {
  t = await startTestApp({ clock, config: { allowPrivateUrls: true } });
  inbox = await startMailInbox();
  ({ ok, call } = withStoreKey(t));
});
afterAll(async () => {
  await t.close();
  await inbox.close();
});

describe('a replenishment run', () => {
  let store: StoreKeys;
  let supplierId: string;

  beforeAll(async () => {
    store = await t.createStore('Runs');
    supplierId = (await ok('POST', '/v1/suppliers', store, { name: 'Tenday', leadTimeDays: 10 })).id;
    for (const sku of ['A', 'B', 'C']) {
      await ok('PUT', `/v1/variants/${sku}`, store, variant('backorder', null, { supplierId }));
    }
    await ok('PUT', '/v1/variants/NO-SUPPLIER', store, variant('backorder'));
    await ok('POST', '/v1/inventory/adjustments', store, { sku: 'B', quantity: 3, reason: 'restock' });
    await ok('POST', '/v1/inventory/adjustments', store, { sku: 'C', quantity: 100, reason: 'restock' });
    // Demand for A: 2, 4 and 6 units on three days, all waiting (nothing on hand).
    for (const [day, quantity] of [
      ['2026-06-01', 2],
      ['2026-06-02', 4],
      ['2026-06-03', 6],
    ] as const) {
      onDay(day);
      await ok('POST', '/v1/orders', store, { lines: [{ sku: 'A', quantity }] });
    }
    onDay('2026-06-04');
  });

  it('drafts one purchase order for the supplier, each line explained', async () => {
    await ok('PUT', '/v1/replenishment/rules/A', store, { moq: 100, packSize: 25 });
    await ok('PUT', '/v1/replenishment/rules/B', store, { min: 5, max: 20 });
    const run = await ok('POST', '/v1/replenishment/run', store);
    expect(run.replacedDrafts).toEqual([]);
    expect(run.drafts).toHaveLength(1);
    const draft = run.drafts[0];
    expect(draft).toMatchObject({
      supplierId,
      status: 'draft',
      expectedDate: '2026-06-14',
      emailMessageId: null,
    });
    // A: three days of history (too few for the methods): mean 4 a day, variance 4. P = 10 days → 40;
    // safety z × √(10 × 4) ≈ 10.40; ROP ≈ 50.40; up to ROP + 7 × 4 ≈ 78.40; position −12 (12 wait);
    // need ≈ 90.40 → 91 → MOQ 100 → whole packs of 25: 100. The first waiting line was promised
    // 2026-06-11 (placed 06-01 + 10 days): the last order keeping it was due 10 days before.
    const safety = Math.round(z95 * Math.sqrt(40) * 100) / 100;
    expect(draft.lines[0]).toEqual({
      sku: 'A',
      basis: 'forecast',
      method: 'mean',
      serviceLevel: 0.95,
      leadTimeDays: 10,
      protectionDays: 10,
      forecastOverLeadTime: 40,
      safetyStock: safety,
      reorderPoint: Math.round((40 + z95 * Math.sqrt(40)) * 100) / 100,
      orderUpTo: Math.round((68 + z95 * Math.sqrt(40)) * 100) / 100,
      onHand: 0,
      allocated: 0,
      waiting: 12,
      onOrder: 0,
      position: -12,
      quantity: 100,
      lastOrderDate: '2026-06-01',
    });
    // B: min/max 5/20, position 3 → 17.
    expect(draft.lines[1]).toMatchObject({
      sku: 'B',
      basis: 'min_max',
      position: 3,
      quantity: 17,
      lastOrderDate: null,
    });
    // C: no demand, 100 on hand: nothing to order. NO-SUPPLIER: not planned.
    expect(run.plans.map((p: { sku: string; quantity: number }) => [p.sku, p.quantity])).toEqual([
      ['A', 100],
      ['B', 17],
      ['C', 0],
    ]);
    const po = await ok('GET', `/v1/purchase-orders/${draft.purchaseOrderId}`, store);
    expect(po).toMatchObject({ status: 'draft', expectedDate: '2026-06-14' });
    expect(po.lines.map((l: { sku: string; quantity: number }) => [l.sku, l.quantity])).toEqual([
      ['A', 100],
      ['B', 17],
    ]);
  });

  it('replaces unordered drafts, and counts ordered ones as supply', async () => {
    const second = await ok('POST', '/v1/replenishment/run', store);
    const first = (await ok('GET', '/v1/purchase-orders?limit=10', store)).data.find(
      (p: { id: string }) => p.id !== second.drafts[0].purchaseOrderId,
    );
    expect(second.replacedDrafts).toEqual([first.id]);
    expect(first.status).toBe('cancelled');
    await ok('POST', `/v1/purchase-orders/${second.drafts[0].purchaseOrderId}/order`, store);
    const third = await ok('POST', '/v1/replenishment/run', store);
    // A: position −12 + 100 = 88 above its reorder point; B: 3 + 17 = 20 above 5.
    expect(third.drafts).toEqual([]);
    expect(third.replacedDrafts).toEqual([]);
    expect(
      third.plans.map((p: { sku: string; onOrder: number; position: number }) => [
        p.sku,
        p.onOrder,
        p.position,
      ]),
    ).toEqual([
      ['A', 100, 88],
      ['B', 17, 20],
      ['C', 0, 100],
    ]);
  });

  it('refuses bad rules and unknown SKUs, changing nothing', async () => {
    expect((await call('PUT', '/v1/replenishment/rules/A', store, { min: 5 })).statusCode).toBe(422);
    expect((await call('PUT', '/v1/replenishment/rules/A', store, { min: 5, max: 4 })).statusCode).toBe(422);
    expect((await call('PUT', '/v1/replenishment/rules/A', store, { packSize: 0 })).statusCode).toBe(422);
    expect((await call('PUT', '/v1/replenishment/rules/NOPE', store, {})).statusCode).toBe(404);
    expect(
      (await call('PUT', '/v1/replenishment/suppliers/sup_nope', store, { automatic: true })).statusCode,
    ).toBe(404);
    expect((await call('PATCH', '/v1/replenishment/settings', store, { serviceLevel: 1.5 })).statusCode).toBe(
      422,
    );
  });
});

describe('service level', () => {
  it('comes from the store default unless the variant sets its own', async () => {
    const store = await t.createStore('Levels');
    const supplierId = (await ok('POST', '/v1/suppliers', store, { name: 'S', leadTimeDays: 5 })).id;
    await ok('PUT', '/v1/variants/X', store, variant('backorder', null, { supplierId }));
    await ok('PUT', '/v1/variants/Y', store, variant('backorder', null, { supplierId }));
    onDay('2026-06-01');
    await ok('POST', '/v1/orders', store, { lines: [{ sku: 'X', quantity: 1 }] });
    await ok('POST', '/v1/orders', store, { lines: [{ sku: 'Y', quantity: 1 }] });
    onDay('2026-06-02');
    expect(await ok('PATCH', '/v1/replenishment/settings', store, { serviceLevel: 0.9 })).toMatchObject({
      serviceLevel: 0.9,
      reviewDays: 7,
    });
    await ok('PUT', '/v1/replenishment/rules/Y', store, { serviceLevel: 0.99 });
    const run = await ok('POST', '/v1/replenishment/run', store);
    const levels = run.plans.map((p: { sku: string; serviceLevel: number; safetyStock: number }) => [
      p.sku,
      p.serviceLevel,
      p.safetyStock,
    ]);
    // One day of history, 1 unit: mean 1, variance 1 a day; P = 5 → safety z × √5.
    expect(levels).toEqual([
      ['X', 0.9, Math.round(1.2815515655446004 * Math.sqrt(5) * 100) / 100],
      ['Y', 0.99, Math.round(2.3263478740408408 * Math.sqrt(5) * 100) / 100],
    ]);
  });
});

describe('forecasts', () => {
  it("use the forecast module's automatic choice on the daily demand counters", async () => {
    const store = await t.createStore('Weekly');
    const supplierId = (await ok('POST', '/v1/suppliers', store, { name: 'S', leadTimeDays: 7 })).id;
    await ok('PUT', '/v1/variants/W', store, variant('backorder', null, { supplierId }));
    // 12 weeks of demand with a weekly pattern (orders and refusals both count), ending yesterday.
    const week = [3, 5, 4, 6, 9, 12, 2];
    const days = Array.from({ length: 84 }, (_, i) => week[i % 7]! + (i % 5 === 0 ? 1 : 0));
    await t.app.deps.db.execute(sql`
      INSERT INTO demand_daily (store_id, sku, day, ordered_units)
      SELECT ${store.id}, 'W', '2026-03-09'::date + i, (${sql.param(days)}::int[])[i + 1] - 1
        FROM generate_series(0, 83) AS i`);
    await t.app.deps.db.execute(sql`
      INSERT INTO demand_refusals (store_id, sku, day, reason, units, lines)
      SELECT ${store.id}, 'W', '2026-03-09'::date + i, 'cap_reached', 1, 1 FROM generate_series(0, 83) AS i`);
    onDay('2026-06-01'); // the day after the last one
    const run = await ok('POST', '/v1/replenishment/run', store);
    const expected = forecastDemand(days, { horizon: 7 + 7, levels: [0.8] });
    const plan = run.plans[0];
    expect(plan.method).toBe(expected.method);
    expect(plan.method).not.toBe('mean');
    const overLead = expected.forecast.slice(0, 7).reduce((a, f) => a + Math.max(0, f), 0);
    expect(plan.forecastOverLeadTime).toBeCloseTo(overLead, 2);
    expect(plan.quantity).toBeGreaterThan(0);
  });
});

describe('automatic mode', () => {
  it('orders the draft and emails it to the supplier with the order as CSV', async () => {
    const store = await t.createStore('Auto');
    await ok('PATCH', '/v1/settings/messaging', store, {
      email: { smtpUrl: inbox.url, from: 'Shop <s@x.example>' },
    });
    const supplier = await ok('POST', '/v1/suppliers', store, {
      name: 'Boltworks',
      email: 'orders@bolts.example',
      leadTimeDays: 3,
    });
    await ok(
      'PUT',
      '/v1/variants/BOLT',
      store,
      variant('deny', null, { title: 'Bolt M6', supplierId: supplier.id }),
    );
    // An earlier PO (cancelled) gives the unit cost.
    const earlier = await ok('POST', '/v1/purchase-orders', store, {
      supplierId: supplier.id,
      expectedDate: '2026-06-10',
      lines: [{ sku: 'BOLT', quantity: 1, unitCost: 250 }],
    });
    await ok('POST', `/v1/purchase-orders/${earlier.id}/cancel`, store, {});
    await ok('PUT', '/v1/replenishment/rules/BOLT', store, { min: 1, max: 10 });
    await ok('PUT', `/v1/replenishment/suppliers/${supplier.id}`, store, { automatic: true });
    const run = await ok('POST', '/v1/replenishment/run', store);
    expect(run.drafts).toHaveLength(1);
    expect(run.drafts[0]).toMatchObject({ status: 'ordered', supplierId: supplier.id });
    expect(run.drafts[0].emailMessageId).toMatch(/^msg_/);
    expect((await ok('GET', `/v1/purchase-orders/${run.drafts[0].purchaseOrderId}`, store)).status).toBe(
      'ordered',
    );
    await deliverDue(t.app.deps, createSenders({ allowPrivateUrls: true }), { storeIds: [store.id] });
    const mail = inbox.mail.find((m) => m.to.includes('orders@bolts.example'));
    expect(mail?.subject).toContain('Purchase order');
    expect(mail?.attachments).toHaveLength(1);
    expect(mail!.attachments[0]!.contentType).toBe('text/csv');
    expect(parseCsv(mail!.attachments[0]!.content).map((r) => r.fields)).toEqual([
      ['sku', 'title', 'quantity', 'unitCost', 'lineTotal'],
      ['BOLT', 'Bolt M6', '10', '250', '2500'],
    ]);
  });
});
