/**
 * The insight reports over HTTP, on a scenario whose figures are worked out by hand in the comments
 * (not by the code under test): demand by day/week/month, by SKU, product and attribute value;
 * fill, backorder and refusal rates; waits and on-time promises; promise errors; the wait tolerance
 * curve; alert conversion; prepaid money per SKU; supplier lateness; CSV; bad input.
 */
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/client.ts';
import { releaseStockAlerts } from '../src/modules/alerts/alerts.usecases.ts';
import { ManualClock } from '../src/shared/clock.ts';
import { parseCsv } from '../src/shared/csv.ts';
import {
  engineUnderTest,
  type StoreKeys,
  startTestApp,
  type TestApp,
  variant,
  withStoreKey,
} from './support/harness.ts';

const clock = new ManualClock(new Date('2026-05-04T09:00:00Z'));
const onDay = (day: string) => clock.set(new Date(`${day}T09:00:00Z`));
let t: TestApp;
let ok: ReturnType<typeof withStoreKey>['ok'];
let call: ReturnType<typeof withStoreKey>['call'];
let store: StoreKeys;

const orderOf = (sku: string, quantity: number, email = 'shopper@x.example') =>
  call('POST', '/v1/orders', store, { customer: { email }, lines: [{ sku, quantity }] });
async function place(sku: string, quantity: number, email?: string) {
  const res = await orderOf(sku, quantity, email);
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; lines: { id: string; eta: string; etaLatest: string }[] };
}
const restock = (sku: string, quantity: number) =>
  ok('POST', '/v1/inventory/adjustments', store, { sku, quantity, reason: 'restock' });
const shipAll = (order: { id: string; lines: { id: string }[] }, quantity: number) =>
  ok('POST', `/v1/orders/${order.id}/shipments`, store, {
    lines: [{ lineId: order.lines[0]!.id, quantity }],
  });
const report = (path: string) => ok('GET', `/v1/analytics/${path}`, store);

beforeAll(async () => {
  t = await startTestApp({ clock });
  ({ ok, call } = withStoreKey(t));
  store = await t.createStore('Jackets');
  await ok('PATCH', '/v1/settings/messaging', store, { email: { channel: 'outbox' } });
  const tenDays = await ok('POST', '/v1/suppliers', store, { name: 'Tenday', leadTimeDays: 10 });
  const jacket = (color: string, size: string) => ({ productId: 'jacket', attributes: { color, size } });
  await ok(
    'PUT',
    '/v1/variants/JKT-RED-M',
    store,
    variant('backorder', null, { ...jacket('red', 'M'), supplierId: tenDays.id }),
  );
  await ok('PUT', '/v1/variants/JKT-BLUE-M', store, variant('backorder', null, jacket('blue', 'M')));
  await ok('PUT', '/v1/variants/JKT-RED-L', store, variant('deny', null, jacket('red', 'L')));
  await ok(
    'PUT',
    '/v1/variants/CAP-RED',
    store,
    variant('backorder', null, { productId: 'cap', attributes: { color: 'red' } }),
  );
  await restock('JKT-RED-L', 2);
  await restock('CAP-RED', 1);

  // Monday 2026-05-04.
  const redM = [await place('JKT-RED-M', 1), await place('JKT-RED-M', 1), await place('JKT-RED-M', 1)];
  // Ten days' lead time from the supplier; fourteen (the store's default) for the others.
  expect(redM[0]!.lines[0]).toMatchObject({ eta: '2026-05-14', etaLatest: '2026-05-14' });
  const blue1 = await place('JKT-BLUE-M', 1);
  expect(blue1.lines[0]).toMatchObject({ eta: '2026-05-18', etaLatest: '2026-05-18' });
  await place('JKT-RED-L', 1);
  await place('JKT-RED-L', 1);
  expect((await orderOf('JKT-RED-L', 1)).statusCode).toBe(409); // sold out: refused
  const cap = await place('CAP-RED', 2); // 1 from stock, 1 waits
  for (const email of ['ann@x.example', 'bob@x.example']) {
    const res = await t.request('POST', '/v1/storefront/stock-alerts', {
      key: store.publishableKey,
      body: { sku: 'JKT-RED-L', email },
    });
    expect(res.statusCode, res.body).toBe(201);
  }

  onDay('2026-05-05');
  await ok('POST', `/v1/orders/${redM[0]!.id}/cancel`, store, { reason: 'too long' });
  await place('JKT-BLUE-M', 2); // waits, promised 2026-05-19

  onDay('2026-05-06');
  await restock('JKT-RED-L', 2);
  await releaseStockAlerts(t.app.deps, { storeIds: [store.id] }); // both alerts go out today

  onDay('2026-05-08');
  await place('JKT-RED-L', 1, 'ann@x.example'); // within 7 days of her alert: converted

  onDay('2026-05-12');
  await restock('JKT-RED-M', 2);
  await shipAll(redM[1]!, 1); // waited 8 days, 2 days before its promise
  await shipAll(redM[2]!, 1);

  onDay('2026-05-20');
  await place('JKT-RED-L', 1, 'bob@x.example'); // 14 days after his alert: not converted
  await restock('JKT-BLUE-M', 1);
  await restock('CAP-RED', 1);
  await shipAll(blue1, 1); // waited 16 days, 2 days late
  await shipAll(cap, 2); // waited 16 days, 2 days late
});
afterAll(() => t.close());

describe('demand', () => {
  it('by day for an attribute value across products', async () => {
    const body = await report('demand?attribute=color:red&from=2026-05-04&to=2026-05-04');
    // Red: 3 JKT-RED-M waiting, 2 JKT-RED-L from stock + 1 refused, 2 CAP-RED (1 + 1 waiting).
    expect(body).toEqual({
      from: '2026-05-04',
      to: '2026-05-04',
      grain: 'day',
      data: [
        {
          period: '2026-05-04',
          key: null,
          demandUnits: 8,
          orderedUnits: 7,
          orderedLines: 6,
          allocatedUnits: 3,
          waitingUnits: 4,
          refusedUnits: 1,
          alertSignups: 2,
          cancelledUnits: 0,
          shippedUnits: 0,
        },
      ],
    });
  });

  it("split by an attribute's values within a product", async () => {
    const body = await report(
      'demand?productId=jacket&splitBy=attribute.size&grain=month&from=2026-05-01&to=2026-05-31',
    );
    const rows = body.data.map((r: Record<string, unknown>) => [
      r.period,
      r.key,
      r.demandUnits,
      r.orderedUnits,
    ]);
    // Size M: 3 red + 1 blue on the 4th, 2 blue on the 5th. Size L: 2 + 1 refused on the 4th, 1 on the 8th, 1 on the 20th.
    expect(rows).toEqual([
      ['2026-05-01', 'L', 5, 4],
      ['2026-05-01', 'M', 6, 6],
    ]);
  });

  it('by ISO week for one SKU, with cancellations and shipments on their own days', async () => {
    const body = await report('demand?sku=JKT-RED-M&grain=week&from=2026-05-01&to=2026-05-31');
    expect(
      body.data.map((r: Record<string, unknown>) => [
        r.period,
        r.orderedUnits,
        r.cancelledUnits,
        r.shippedUnits,
      ]),
    ).toEqual([
      ['2026-05-04', 3, 1, 0], // the week from Monday the 4th: 3 ordered, 1 cancelled on the 5th
      ['2026-05-11', 0, 0, 2],
    ]);
  });

  it('answers CSV with the row fields as header', async () => {
    const res = await call(
      'GET',
      '/v1/analytics/demand?sku=CAP-RED&format=csv&from=2026-05-04&to=2026-05-04',
      store,
    );
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const records = parseCsv(res.body).map((r) => r.fields);
    expect(records[0]!.slice(0, 4)).toEqual(['period', 'key', 'demandUnits', 'orderedUnits']);
    expect(records.slice(1)).toEqual([['2026-05-04', '', '2', '2', '1', '1', '1', '0', '0', '0', '0']]);
  });
});

describe('service', () => {
  it('fill, backorder and refusal rates, waits and on-time promises', async () => {
    const body = await report('service?from=2026-05-01&to=2026-05-31');
    // Ordered: 3 + 1 + 2 + 2 (the 4th) + 2 (the 5th) + 1 + 1 (alerts' orders) = 12; from stock 2 + 1 + 1 + 1 = 5;
    // waiting 3 + 1 + 1 + 2 = 7; refused 1. Shipped in full after waiting: two red (8 days, 2 early),
    // blue and the cap (16 days, 2 late): mean 12, p90 (4th of 4) 16, on time 2 of 4 by either date.
    expect(body).toEqual({
      from: '2026-05-01',
      to: '2026-05-31',
      orderedUnits: 12,
      allocatedUnits: 5,
      waitingUnits: 7,
      refusedUnits: 1,
      fillRate: 5 / 12,
      backorderRate: 7 / 12,
      refusalRate: 1 / 13,
      linesShipped: 4,
      averageWaitDays: 12,
      p90WaitDays: 16,
      onTimeFirstPromise: 0.5,
      onTimeLatest: 0.5,
    });
    const jacketOnly = await report('service?productId=jacket&from=2026-05-01&to=2026-05-31');
    // Without the cap: red ×2 (8 days) and blue (16): mean 32 / 3, p90 = 3rd of 3 = 16, 2 of 3 on time.
    expect(jacketOnly).toMatchObject({ linesShipped: 3, p90WaitDays: 16, onTimeFirstPromise: 2 / 3 });
    expect(jacketOnly.averageWaitDays).toBeCloseTo(32 / 3, 12);
  });

  it('the distribution of promise errors in days', async () => {
    expect(await report('promise-errors?from=2026-05-01&to=2026-05-31')).toEqual({
      from: '2026-05-01',
      to: '2026-05-31',
      lines: 4,
      data: [
        { errorDays: -2, lines: 2, share: 0.5 },
        { errorDays: 2, lines: 2, share: 0.5 },
      ],
    });
  });
});

describe('monthly totals (migration 0021)', () => {
  /** Each monthly table against its daily table summed by month, for one store. */
  async function monthlyMismatches(storeId: string): Promise<unknown[]> {
    const db = t.app.deps.db;
    const pairs: [string, string][] = [
      [
        `SELECT sku, month, ordered_units::int AS a, allocated_units::int AS b, waiting_units::int AS c, 0 AS d, false AS e, 0 AS f
           FROM demand_monthly WHERE store_id = $1 AND (ordered_units, allocated_units, waiting_units) <> (0, 0, 0)`,
        `SELECT sku, date_trunc('month', day::timestamp)::date AS month, sum(ordered_units)::int AS a,
                sum(allocated_units)::int AS b, sum(waiting_units)::int AS c, 0 AS d, false AS e, 0 AS f
           FROM demand_daily WHERE store_id = $1 GROUP BY 1, 2
          HAVING (sum(ordered_units), sum(allocated_units), sum(waiting_units)) <> (0, 0, 0)`,
      ],
      [
        `SELECT sku, month, units::int AS a, 0 AS b, 0 AS c, 0 AS d, false AS e, 0 AS f
           FROM demand_refusals_monthly WHERE store_id = $1 AND units <> 0`,
        `SELECT sku, date_trunc('month', day::timestamp)::date AS month, sum(units)::int AS a, 0 AS b, 0 AS c, 0 AS d,
                false AS e, 0 AS f
           FROM demand_refusals WHERE store_id = $1 GROUP BY 1, 2 HAVING sum(units) <> 0`,
      ],
      [
        `SELECT sku, month, lines::int AS a, 0 AS b, 0 AS c, wait_days AS d, by_latest AS e, error_days AS f
           FROM demand_outcomes_monthly WHERE store_id = $1 AND lines <> 0`,
        `SELECT sku, date_trunc('month', day::timestamp)::date AS month, sum(lines)::int AS a, 0 AS b, 0 AS c,
                wait_days AS d, by_latest AS e, error_days AS f
           FROM demand_outcomes WHERE store_id = $1 GROUP BY sku, 2, wait_days, by_latest, error_days HAVING sum(lines) <> 0`,
      ],
    ];
    const out: unknown[] = [];
    for (const [monthly, daily] of pairs) {
      const q = (text: string) =>
        queryRows<Record<string, unknown>>(db, sql.raw(text.replaceAll('$1', `'${storeId}'`)));
      const key = (r: Record<string, unknown>) => JSON.stringify(Object.values(r).map(String));
      const a = (await q(monthly)).map(key).sort();
      const b = (await q(daily)).map(key).sort();
      if (JSON.stringify(a) !== JSON.stringify(b)) out.push({ monthly: a, fromDaily: b });
    }
    return out;
  }

  it('equal the daily counters summed by month, after the real flows above', async () => {
    expect(await monthlyMismatches(store.id)).toEqual([]);
    const [row] = await queryRows<{ n: number }>(
      t.app.deps.db,
      sql`SELECT count(*)::int AS n FROM demand_monthly WHERE store_id = ${store.id}`,
    );
    expect(row!.n).toBeGreaterThan(0);
  });

  it('follow any sequence of inserts, upserts, updates and deletes of the daily rows', async () => {
    const other = await t.createStore('Monthly');
    const db = t.app.deps.db;
    const days = ['2026-01-31', '2026-02-01', '2026-02-28', '2026-03-01', '2026-03-15'];
    const step = fc.record({
      kind: fc.constantFrom('upsert', 'update', 'delete'),
      table: fc.constantFrom('daily', 'refusals', 'outcomes'),
      sku: fc.constantFrom('A', 'B'),
      day: fc.constantFrom(...days),
      source: fc.constantFrom(...days),
      units: fc.integer({ min: 0, max: 5 }),
      other: fc.integer({ min: 0, max: 5 }),
      wait: fc.integer({ min: 0, max: 2 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
        for (const s of steps) {
          const where = sql`store_id = ${other.id} AND sku = ${s.sku} AND day = ${s.day}::date`;
          if (s.table === 'daily') {
            if (s.kind === 'upsert')
              await db.execute(sql`
                INSERT INTO demand_daily AS d (store_id, sku, day, ordered_units, waiting_units, shipped_units)
                VALUES (${other.id}, ${s.sku}, ${s.day}::date, ${s.units}, ${s.other}, ${s.units})
                ON CONFLICT (store_id, sku, day) DO UPDATE SET ordered_units = d.ordered_units + excluded.ordered_units,
                  waiting_units = d.waiting_units + excluded.waiting_units`);
            else if (s.kind === 'update')
              await db.execute(
                sql`UPDATE demand_daily SET allocated_units = allocated_units + ${s.units}, shipped_units = ${s.other}
                     WHERE store_id = ${other.id} AND sku = ${s.sku}`,
              );
            else await db.execute(sql`DELETE FROM demand_daily WHERE ${where}`);
          } else if (s.table === 'refusals') {
            if (s.kind === 'upsert')
              await db.execute(sql`
                INSERT INTO demand_refusals AS r (store_id, sku, day, reason, units, lines)
                VALUES (${other.id}, ${s.sku}, ${s.day}::date, 'sold_out', ${s.units}, 1)
                ON CONFLICT (store_id, sku, day, reason) DO UPDATE SET units = r.units + excluded.units`);
            else if (s.kind === 'update')
              await db.execute(sql`UPDATE demand_refusals SET units = ${s.other} WHERE ${where}`);
            else await db.execute(sql`DELETE FROM demand_refusals WHERE ${where}`);
          } else if (s.kind === 'upsert')
            await db.execute(sql`
              INSERT INTO demand_outcomes AS o (store_id, sku, day, wait_days, error_days, by_latest, lines, units)
              VALUES (${other.id}, ${s.sku}, ${s.day}::date, ${s.wait}, ${s.wait - 1}, ${s.wait < 2}, ${s.units}, 1)
              ON CONFLICT (store_id, sku, day, wait_days, error_days, by_latest) DO UPDATE SET lines = o.lines + excluded.lines`);
          else if (s.kind === 'update')
            // Moves rows between keys too (a month's totals lose what another gains).
            await db.execute(sql`UPDATE demand_outcomes SET lines = lines + ${s.units}, day = ${s.day}::date
                                  WHERE store_id = ${other.id} AND sku = ${s.sku} AND wait_days = ${s.wait}
                                    AND day = ${s.source}::date AND NOT EXISTS (SELECT 1 FROM demand_outcomes x WHERE x.store_id = ${other.id}
                                      AND x.sku = ${s.sku} AND x.day = ${s.day}::date AND x.wait_days = ${s.wait})`);
          else await db.execute(sql`DELETE FROM demand_outcomes WHERE ${where}`);
        }
        expect(await monthlyMismatches(other.id)).toEqual([]);
      }),
      { numRuns: 100 },
    );
  }, 180_000);

  it('give a service report the same figures, whatever months and days its period cuts into', async () => {
    const periods = [
      ['2026-05-01', '2026-05-31'],
      ['2026-05-02', '2026-05-30'],
      ['2026-04-20', '2026-06-10'],
      ['2026-04-01', '2026-06-30'],
      ['2026-05-10', '2026-06-30'],
    ];
    for (const [from, to] of periods) {
      const body = await report(`service?from=${from}&to=${to}`);
      // The oracle: the daily rows alone, over exactly the period.
      const [units] = await queryRows<{ o: number; r: number; l: number }>(
        t.app.deps.db,
        sql`SELECT (SELECT coalesce(sum(ordered_units), 0)::int FROM demand_daily
                     WHERE store_id = ${store.id} AND day BETWEEN ${from}::date AND ${to}::date) AS o,
                   (SELECT coalesce(sum(units), 0)::int FROM demand_refusals
                     WHERE store_id = ${store.id} AND day BETWEEN ${from}::date AND ${to}::date) AS r,
                   (SELECT coalesce(sum(lines), 0)::int FROM demand_outcomes
                     WHERE store_id = ${store.id} AND day BETWEEN ${from}::date AND ${to}::date) AS l`,
      );
      expect(body, `${from}..${to}`).toMatchObject({
        orderedUnits: units!.o,
        refusedUnits: units!.r,
        linesShipped: units!.l,
      });
    }
    // May holds the whole story (see the service test above): a period of May's days only agrees.
    expect((await report('service?from=2026-05-01&to=2026-05-31')).orderedUnits).toBe(
      (await report('service?from=2026-04-30&to=2026-06-01')).orderedUnits,
    );
  });
});

describe('wait tolerance', () => {
  it('per product, the share of waiting lines cancelled by promised wait', async () => {
    const body = await report('wait-tolerance?buckets=0,14&from=2026-05-01&to=2026-05-31');
    // Jacket: 3 red lines promised 10 days (1 cancelled), 2 blue promised 14. Cap: 1 line promised 14.
    expect(body.data).toEqual([
      { product: 'cap', fromDays: 0, toDays: 13, waitingLines: 0, cancelledLines: 0, cancelledShare: null },
      { product: 'cap', fromDays: 14, toDays: null, waitingLines: 1, cancelledLines: 0, cancelledShare: 0 },
      {
        product: 'jacket',
        fromDays: 0,
        toDays: 13,
        waitingLines: 3,
        cancelledLines: 1,
        cancelledShare: 1 / 3,
      },
      {
        product: 'jacket',
        fromDays: 14,
        toDays: null,
        waitingLines: 2,
        cancelledLines: 0,
        cancelledShare: 0,
      },
    ]);
  });
});

describe('alerts', () => {
  it('conversion: orders by the alerted address within 7 days of the alert', async () => {
    const body = await report('alerts?from=2026-05-01&to=2026-05-31');
    expect(body.data).toEqual([{ sku: 'JKT-RED-L', signups: 2, notified: 2, converted: 1, conversion: 0.5 }]);
  });
});

describe('supplier lateness', () => {
  it('per supplier and month: mean, p90 and on-time share of deliveries', async () => {
    const supplier = await ok('POST', '/v1/suppliers', store, { name: 'Boltworks', leadTimeDays: 5 });
    await ok('PUT', '/v1/variants/BOLT', store, variant('deny', null, { supplierId: supplier.id }));
    const receive = async (expectedDate: string, receivedOn: string) => {
      const po = await ok('POST', '/v1/purchase-orders', store, {
        supplierId: supplier.id,
        expectedDate,
        lines: [{ sku: 'BOLT', quantity: 1, unitCost: 10 }],
      });
      onDay(receivedOn);
      await ok('POST', `/v1/purchase-orders/${po.id}/receipts`, store, {
        lines: [{ sku: 'BOLT', quantity: 1 }],
      });
    };
    await receive('2026-05-10', '2026-05-12'); // 2 late
    await receive('2026-05-15', '2026-05-14'); // 1 early
    await receive('2026-06-01', '2026-06-06'); // 5 late
    const body = await report(`supplier-lateness?supplierId=${supplier.id}&from=2026-05-01&to=2026-06-30`);
    expect(body.data).toEqual([
      {
        supplierId: supplier.id,
        supplierName: 'Boltworks',
        period: '2026-05-01',
        receipts: 2,
        averageLateDays: 0.5,
        p90LateDays: 2,
        onTimeShare: 0.5,
      },
      {
        supplierId: supplier.id,
        supplierName: 'Boltworks',
        period: '2026-06-01',
        receipts: 1,
        averageLateDays: 5,
        p90LateDays: 5,
        onTimeShare: 0,
      },
    ]);
  });
});

describe('prepaid money held', () => {
  it('per SKU: captured for units not shipped yet', async () => {
    const paid = await t.createStore('Prepaid');
    await ok('PATCH', '/v1/settings', paid, { paymentProvider: 'manual', paymentMode: 'upfront' });
    await ok('PUT', '/v1/variants/P1', paid, variant('backorder', null, { price: 1000 }));
    await ok('PUT', '/v1/variants/P2', paid, variant('backorder', null, { price: 500 }));
    const pay = async (sku: string, quantity: number, amount: number | null) => {
      const order = await ok('POST', '/v1/orders', paid, { lines: [{ sku, quantity }] });
      if (amount !== null) await ok('POST', `/v1/orders/${order.id}/payments`, paid, { amount });
    };
    await pay('P1', 2, 2000);
    await pay('P2', 1, 500);
    await pay('P1', 1, null); // nothing captured
    expect(await ok('GET', '/v1/analytics/prepaid', paid)).toEqual({
      currency: 'USD',
      total: 2500,
      data: [
        { sku: 'P1', amount: 2000, lines: 1 },
        { sku: 'P2', amount: 500, lines: 1 },
      ],
    });
  });
});

describe('bad input', () => {
  it('is a 422 naming the problem, for every report', async () => {
    for (const path of [
      'demand?from=2026-05-10&to=2026-05-01',
      'demand?from=2026-02-30',
      'demand?sku=A&productId=B',
      'demand?grain=year',
      'demand?splitBy=colour',
      'service?from=2020-01-01&to=2026-01-01',
      'wait-tolerance?buckets=7,14',
      'wait-tolerance?buckets=0,14,10',
      'supplier-lateness?grain=fortnight',
    ]) {
      const res = await call('GET', `/v1/analytics/${path}`, store);
      expect(res.statusCode, path).toBe(422);
      expect(res.json().code, path).toBe('validation_failed');
    }
  });

  it("never shows another store's figures", async () => {
    const other = await t.createStore('Other');
    const body = await ok('GET', '/v1/analytics/service?from=2026-05-01&to=2026-05-31', other);
    expect(body).toMatchObject({ orderedUnits: 0, fillRate: null, linesShipped: 0, averageWaitDays: null });
    expect((await ok('GET', '/v1/analytics/demand?sku=JKT-RED-M', other)).data).toEqual([]);
  });
});

describe('a store with a million orders', () => {
  it('answers every report from the counters, never the orders', async () => {
    const big = await t.createStore('Big');
    const db = t.app.deps.db;
    // 400 SKUs (20 products × 4 colours × 5 sizes) × 365 days × 7 units a day ≈ 1M ordered units,
    // with refusals, outcomes and tolerance rows in proportion: what a million orders leave behind.
    await db.execute(sql`
      INSERT INTO variants (store_id, sku, title, product_id, attributes, price, backorder_mode, created_at, updated_at)
      SELECT ${big.id}, 'S' || i, 'Variant ' || i, 'P' || (i % 20),
             jsonb_build_object('color', (ARRAY['red','blue','green','black'])[1 + i % 4], 'size', 'S' || (i % 5)),
             1000, 'backorder', now(), now()
        FROM generate_series(0, 399) AS i`);
    await db.execute(sql`
      INSERT INTO demand_daily (store_id, sku, day, ordered_units, ordered_lines, allocated_units, waiting_units,
                                waiting_lines, alert_signups, cancelled_units, shipped_units)
      SELECT ${big.id}, 'S' || i, '2026-01-01'::date + d, 7, 6, 4, 3, 2, 1, 1, 5
        FROM generate_series(0, 399) AS i, generate_series(0, 364) AS d`);
    await db.execute(sql`
      INSERT INTO demand_refusals (store_id, sku, day, reason, units, lines)
      SELECT ${big.id}, 'S' || i, '2026-01-01'::date + d, 'cap_reached', 2, 1
        FROM generate_series(0, 399) AS i, generate_series(0, 364) AS d`);
    await db.execute(sql`
      INSERT INTO demand_outcomes (store_id, sku, day, wait_days, error_days, by_latest, lines, units)
      SELECT ${big.id}, 'S' || i, '2026-01-01'::date + d, 10 + e, e, e <= 0, 1, 1
        FROM generate_series(0, 399) AS i, generate_series(0, 364) AS d, generate_series(-1, 1) AS e`);
    await db.execute(sql`
      INSERT INTO demand_tolerance (store_id, sku, day, promised_wait_days, waiting_lines, cancelled_lines)
      SELECT ${big.id}, 'S' || i, '2026-01-01'::date + d, 7 + (d % 30), 2, d % 2
        FROM generate_series(0, 399) AS i, generate_series(0, 364) AS d`);
    await db.execute(sql`ANALYZE demand_daily`);
    await db.execute(sql`ANALYZE demand_refusals`);
    await db.execute(sql`ANALYZE demand_outcomes`);
    await db.execute(sql`ANALYZE demand_tolerance`);
    const paths = [
      'service?from=2026-01-01&to=2026-12-31',
      'demand?grain=month&splitBy=attribute.color&attribute=size:S1&from=2026-01-01&to=2026-12-31',
      'demand?grain=week&productId=P3&from=2026-01-01&to=2026-12-31',
      'wait-tolerance?from=2026-01-01&to=2026-12-31',
      'promise-errors?from=2026-10-01&to=2026-12-31',
    ];
    const timings: Record<string, number> = {};
    for (const path of paths) {
      const runs: number[] = [];
      for (let i = 0; i < 3; i++) {
        const started = performance.now();
        const res = await t.request('GET', `/v1/analytics/${path}`, { key: big.secretKey });
        runs.push(performance.now() - started);
        expect(res.statusCode, res.body).toBe(200);
      }
      timings[path] = Math.round(runs.sort((a, b) => a - b)[1]!);
    }
    console.log(`analytics on ~1M orders (${engineUnderTest()}), median ms:`, timings);
    const service = await ok('GET', '/v1/analytics/service?from=2026-01-01&to=2026-12-31', big);
    expect(service).toMatchObject({
      orderedUnits: 400 * 365 * 7,
      linesShipped: 400 * 365 * 3,
      p90WaitDays: 11,
    });
    // The goal is 200 ms on an unloaded machine (bench/README.md records the figures and the load);
    // the bound here only catches a report that reads orders (seconds) on a busy test machine.
    const limit = engineUnderTest() === 'postgres' ? 1000 : 10_000;
    for (const [path, ms] of Object.entries(timings)) expect(ms, path).toBeLessThan(limit);
  }, 300_000);
});
