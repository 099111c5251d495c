/**
 * Demand as shoppers expressed it: every unit ordered (allocated or waiting), refused (by reason),
 * every stock-alert sign-up, cancellation (with its reason and the wait promised) and shipment is
 * counted per store, SKU and day (the store's time zone) in the transaction of the change. The
 * expected counts below are worked out by hand from the scenario, not from the code.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/client.ts';
import { ManualClock } from '../src/shared/clock.ts';
import {
  OPERATOR_TOKEN,
  type StoreKeys,
  startTestApp,
  type TestApp,
  variant,
  withStoreKey,
} from './support/harness.ts';

const clock = new ManualClock(new Date('2026-03-02T10:00:00Z'));
let t: TestApp;
let ok: ReturnType<typeof withStoreKey>['ok'];
let call: ReturnType<typeof withStoreKey>['call'];

beforeAll(async () => {
  t = await startTestApp({ clock });
  ({ ok, call } = withStoreKey(t));
});
afterAll(() => t.close());

async function newYorkStore(): Promise<StoreKeys> {
  const res = await t.request('POST', '/v1/stores', {
    key: OPERATOR_TOKEN,
    body: { name: 'Tee Shop', timezone: 'America/New_York' },
  });
  expect(res.statusCode, res.body).toBe(201);
  const body = res.json();
  return { id: body.store.id, secretKey: body.secretKey, publishableKey: body.publishableKey };
}

const rows = (query: ReturnType<typeof sql>) => queryRows<Record<string, unknown>>(t.app.deps.db, query);
const daily = (store: StoreKeys) =>
  rows(sql`SELECT sku, day::text, ordered_units, ordered_lines, allocated_units, waiting_units, waiting_lines,
                  alert_signups, cancelled_units, cancelled_lines, cancelled_waiting_units, shipped_units
             FROM demand_daily WHERE store_id = ${store.id} ORDER BY sku, day`);

const placeOrder = (store: StoreKeys, lines: { sku: string; quantity: number }[], email = 'a@b.example') =>
  call('POST', '/v1/orders', store, { customer: { email }, lines });

describe('demand capture', () => {
  let store: StoreKeys;
  const ids: Record<string, { orderId: string; lineId: string }> = {};

  beforeAll(async () => {
    store = await newYorkStore();
    await ok('PATCH', '/v1/settings/messaging', store, { email: { channel: 'outbox' } });
    await ok('PUT', '/v1/variants/TEE-RED-M', store, variant('backorder', 3));
    await ok('PUT', '/v1/variants/TEE-BLUE-M', store, variant('deny'));
    await ok('POST', '/v1/inventory/adjustments', store, {
      sku: 'TEE-RED-M',
      quantity: 2,
      reason: 'restock',
    });
    await ok('POST', '/v1/inventory/adjustments', store, {
      sku: 'TEE-BLUE-M',
      quantity: 1,
      reason: 'restock',
    });
  });

  it('counts units ordered, allocated and waiting, and units refused by reason', async () => {
    const expectPlaced = async (name: string, lines: { sku: string; quantity: number }[]) => {
      const res = await placeOrder(store, lines);
      expect(res.statusCode, res.body).toBe(201);
      ids[name] = { orderId: res.json().id, lineId: res.json().lines[0].id };
      return res.json();
    };
    const expectRefused = async (lines: { sku: string; quantity: number }[], status = 409) =>
      expect((await placeOrder(store, lines)).statusCode).toBe(status);

    await expectPlaced('first', [{ sku: 'TEE-RED-M', quantity: 1 }]); // 1 allocated
    const second = await expectPlaced('second', [{ sku: 'TEE-RED-M', quantity: 2 }]); // 1 allocated, 1 waits
    // Default lead time 14 days from the store's 2026-03-02: the waiting line's first promise.
    expect(second.lines[0]).toMatchObject({ eta: '2026-03-16', etaLatest: '2026-03-16' });
    await expectRefused([{ sku: 'TEE-RED-M', quantity: 3 }]); // 3 would wait, 2 places left: cap
    await expectPlaced('fourth', [{ sku: 'TEE-RED-M', quantity: 2 }]); // 2 wait: the cap is full
    await expectRefused([
      { sku: 'TEE-BLUE-M', quantity: 2 }, // deny with 1 available: not backorderable
      { sku: 'TEE-RED-M', quantity: 1 }, // refused with it
    ]);
    await expectPlaced('blue', [{ sku: 'TEE-BLUE-M', quantity: 1 }]); // the last one
    await expectRefused([{ sku: 'TEE-BLUE-M', quantity: 1 }]); // sold out
    await expectRefused([{ sku: 'NO-SUCH-SKU', quantity: 1 }], 422); // not demand for anything we sell

    expect(await daily(store)).toEqual([
      {
        sku: 'TEE-BLUE-M',
        day: '2026-03-02',
        ordered_units: 1,
        ordered_lines: 1,
        allocated_units: 1,
        waiting_units: 0,
        waiting_lines: 0,
        alert_signups: 0,
        cancelled_units: 0,
        cancelled_lines: 0,
        cancelled_waiting_units: 0,
        shipped_units: 0,
      },
      {
        sku: 'TEE-RED-M',
        day: '2026-03-02',
        ordered_units: 5,
        ordered_lines: 3,
        allocated_units: 2,
        waiting_units: 3,
        waiting_lines: 2,
        alert_signups: 0,
        cancelled_units: 0,
        cancelled_lines: 0,
        cancelled_waiting_units: 0,
        shipped_units: 0,
      },
    ]);
    expect(
      await rows(sql`SELECT sku, day::text, reason, units, lines FROM demand_refusals
                      WHERE store_id = ${store.id} ORDER BY sku, reason`),
    ).toEqual([
      { sku: 'TEE-BLUE-M', day: '2026-03-02', reason: 'not_backorderable', units: 2, lines: 1 },
      { sku: 'TEE-BLUE-M', day: '2026-03-02', reason: 'sold_out', units: 1, lines: 1 },
      { sku: 'TEE-RED-M', day: '2026-03-02', reason: 'cap_reached', units: 3, lines: 1 },
      { sku: 'TEE-RED-M', day: '2026-03-02', reason: 'other_line', units: 1, lines: 1 },
    ]);
    expect(
      await rows(sql`SELECT line_id, placed_on::text, waiting_units, promised_on::text, promised_wait_days
                       FROM demand_waits WHERE store_id = ${store.id} ORDER BY placed_on, waiting_units`),
    ).toEqual([
      {
        line_id: ids.second!.lineId,
        placed_on: '2026-03-02',
        waiting_units: 1,
        promised_on: '2026-03-16',
        promised_wait_days: 14,
      },
      {
        line_id: ids.fourth!.lineId,
        placed_on: '2026-03-02',
        waiting_units: 2,
        promised_on: '2026-03-16',
        promised_wait_days: 14,
      },
    ]);
  });

  it("counts alert sign-ups on the store's day, merged ones too", async () => {
    // 04:30 UTC on the 3rd is still the 2nd in New York.
    clock.set(new Date('2026-03-03T04:30:00Z'));
    for (let i = 0; i < 2; i++) {
      const res = await t.request('POST', '/v1/storefront/stock-alerts', {
        key: store.publishableKey,
        body: { sku: 'TEE-BLUE-M', email: 'wait@b.example' },
      });
      expect(res.statusCode, res.body).toBeLessThan(300);
    }
    const blue = (await daily(store)).filter((r) => r.sku === 'TEE-BLUE-M');
    expect(blue.map((r) => [r.day, r.alert_signups])).toEqual([['2026-03-02', 2]]);
  });

  it('counts cancellations with their reason and the wait the waiting lines had been promised', async () => {
    clock.set(new Date('2026-03-03T15:00:00Z'));
    const fourth = ids.fourth!;
    for (let i = 0; i < 2; i++) {
      await ok('POST', `/v1/orders/${fourth.orderId}/cancel`, store, {
        lines: [{ lineId: fourth.lineId, quantity: 1 }],
        reason: 'too slow',
      });
    }
    // An allocated unit, no reason given: it goes to the waiting unit of the second order.
    await ok('POST', `/v1/orders/${ids.first!.orderId}/cancel`, store, {});
    expect(
      await rows(sql`SELECT sku, day::text, reason, units, lines, waiting_units, waiting_lines, promised_wait_days
                       FROM demand_cancellations WHERE store_id = ${store.id} ORDER BY reason`),
    ).toEqual([
      {
        sku: 'TEE-RED-M',
        day: '2026-03-03',
        reason: 'cancelled',
        units: 1,
        lines: 1,
        waiting_units: 0,
        waiting_lines: 0,
        promised_wait_days: 0,
      },
      {
        sku: 'TEE-RED-M',
        day: '2026-03-03',
        reason: 'too slow',
        units: 2,
        lines: 2,
        waiting_units: 2,
        waiting_lines: 1, // one line, cancelled in two steps
        promised_wait_days: 14,
      },
    ]);
    expect(
      await rows(sql`SELECT sku, day::text, promised_wait_days, waiting_lines, cancelled_lines
                       FROM demand_tolerance WHERE store_id = ${store.id}`),
    ).toEqual([
      { sku: 'TEE-RED-M', day: '2026-03-02', promised_wait_days: 14, waiting_lines: 2, cancelled_lines: 1 },
    ]);
    const red = (await daily(store)).find((r) => r.sku === 'TEE-RED-M' && r.day === '2026-03-03');
    expect(red).toMatchObject({
      cancelled_units: 3,
      cancelled_lines: 3,
      cancelled_waiting_units: 2,
      ordered_units: 0,
    });
  });

  it('counts a waiting line once it has shipped in full: its wait and how far its promise was off', async () => {
    const second = ids.second!;
    clock.set(new Date('2026-03-19T15:00:00Z'));
    await ok('POST', `/v1/orders/${second.orderId}/shipments`, store, {
      lines: [{ lineId: second.lineId, quantity: 1 }],
    });
    expect(await rows(sql`SELECT * FROM demand_outcomes WHERE store_id = ${store.id}`)).toEqual([]);
    clock.set(new Date('2026-03-20T15:00:00Z'));
    await ok('POST', `/v1/orders/${second.orderId}/shipments`, store, {
      lines: [{ lineId: second.lineId, quantity: 1 }],
    });
    // Placed on the 2nd, promised for the 16th, shipped in full on the 20th.
    expect(
      await rows(sql`SELECT sku, day::text, wait_days, error_days, by_latest, lines, units
                       FROM demand_outcomes WHERE store_id = ${store.id}`),
    ).toEqual([
      {
        sku: 'TEE-RED-M',
        day: '2026-03-20',
        wait_days: 18,
        error_days: 4,
        by_latest: false,
        lines: 1,
        units: 2,
      },
    ]);
    const shipped = (await daily(store)).filter((r) => (r.shipped_units as number) > 0);
    expect(shipped.map((r) => [r.sku, r.day, r.shipped_units])).toEqual([
      ['TEE-RED-M', '2026-03-19', 1],
      ['TEE-RED-M', '2026-03-20', 1],
    ]);
  });
});

describe('demand capture under a flash sale', () => {
  it('counts every request once: accepted units ordered, the rest refused', async () => {
    clock.set(new Date('2026-04-01T12:00:00Z'));
    const store = await t.createStore('Flash');
    await ok('PUT', '/v1/variants/HOT', store, variant('backorder', 20));
    await ok('POST', '/v1/inventory/adjustments', store, { sku: 'HOT', quantity: 10, reason: 'restock' });
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        placeOrder(store, [{ sku: 'HOT', quantity: 1 }], `s${i}@x.example`),
      ),
    );
    expect(answers.filter((a) => a.statusCode === 201)).toHaveLength(30);
    expect(await daily(store)).toEqual([
      expect.objectContaining({
        sku: 'HOT',
        day: '2026-04-01',
        ordered_units: 30,
        ordered_lines: 30,
        allocated_units: 10,
        waiting_units: 20,
        waiting_lines: 20,
      }),
    ]);
    expect(
      await rows(sql`SELECT reason, units, lines FROM demand_refusals WHERE store_id = ${store.id}`),
    ).toEqual([{ reason: 'cap_reached', units: 30, lines: 30 }]);
    const waits = await rows(sql`SELECT count(*)::int AS n FROM demand_waits WHERE store_id = ${store.id}`);
    expect(waits).toEqual([{ n: 20 }]);
  });
});
