/**
 * Customer service finds an order by the shopper's name or the platform's id
 * (GET /v1/orders?name=…&externalId=…), and reads everything that happened to it
 * (GET /v1/orders/{id}/timeline): events, the messages as sent, payments and refunds.
 */
import { and, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Executor, queryRows } from '../src/db/client.ts';
import { EVENT_ORDER_ID } from '../src/db/outbox.tables.ts';
import type { Senders } from '../src/modules/messages/messages.channels.ts';
import { deliverDue } from '../src/modules/messages/messages.delivery.ts';
import { startRelayCursor } from '../src/modules/messages/messages.relay.ts';
import { orderListConditions } from '../src/modules/orders/orders.repository.ts';
import { orders } from '../src/modules/stock/stock.orders.tables.ts';
import { engineUnderTest, type StoreKeys, startTestApp, type TestApp, variant } from './support/harness.ts';
import { relayAll } from './support/relay.ts';
import { expectProblem } from './support/state.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely
type Json = any;

let t: TestApp;
let a: StoreKeys;
let b: StoreKeys;
const ids: Record<string, string> = {};

async function ok(key: string, method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, body?: unknown) {
  const res = await t.request(method, url, { key, body });
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
  return res.json();
}

async function place(key: string, customer: Json, externalId?: string, sku = 'NM-1'): Promise<string> {
  const order = await ok(key, 'POST', '/v1/orders', {
    customer,
    ...(externalId ? { externalId } : {}),
    lines: [{ sku, quantity: 1 }],
  });
  return order.id;
}

beforeAll(async () => {
  t = await startTestApp();
  a = await t.createStore('Search A');
  b = await t.createStore('Search B');
  for (const store of [a, b]) {
    await ok(store.secretKey, 'PUT', '/v1/variants/NM-1', variant('backorder'));
    await ok(store.secretKey, 'PUT', '/v1/variants/NM-STOCK', variant('backorder'));
    await ok(store.secretKey, 'POST', '/v1/inventory/adjustments', {
      sku: 'NM-STOCK',
      quantity: 10,
      reason: 'restock',
    });
  }
  ids.ada = await place(a.secretKey, { name: 'Ada Lovelace', email: 'ada@example.com' }, 'shop-1001');
  ids.adam = await place(a.secretKey, { name: 'adam smith' }, 'shop-1002', 'NM-STOCK');
  ids.grace = await place(a.secretKey, { name: 'Grace Hopper' }, 'SHOP-1001');
  ids.odd = await place(a.secretKey, { name: '100%_Real \\ Name' });
  ids.noName = await place(a.secretKey, { email: 'anon@example.com' }, 'shop-10');
  ids.otherStore = await place(b.secretKey, { name: 'Ada Lovelace' }, 'shop-1001');
});
afterAll(() => t?.close());

const list = async (key: string, query: string): Promise<string[]> =>
  (await ok(key, 'GET', `/v1/orders?${query}`)).data.map((o: Json) => o.id);

describe('GET /v1/orders?name=', () => {
  it('finds orders whose customer name starts with the text, ignoring case, newest first', async () => {
    expect(await list(a.secretKey, 'name=ada')).toEqual([ids.adam, ids.ada]);
    expect(await list(a.secretKey, 'name=ADA%20L')).toEqual([ids.ada]);
    expect(await list(a.secretKey, `name=${encodeURIComponent('Ada Lovelace')}`)).toEqual([ids.ada]);
    expect(await list(a.secretKey, 'name=grace%20hopper')).toEqual([ids.grace]);
  });

  it('is a prefix, not a substring; wildcards match themselves', async () => {
    expect(await list(a.secretKey, 'name=lovelace')).toEqual([]);
    expect(await list(a.secretKey, 'name=%25')).toEqual([]);
    expect(await list(a.secretKey, 'name=_')).toEqual([]);
    expect(await list(a.secretKey, 'name=a_a')).toEqual([]);
    expect(await list(a.secretKey, `name=${encodeURIComponent('100%_real \\')}`)).toEqual([ids.odd]);
  });

  it('combines with status and cursor pages; never shows another store', async () => {
    expect(await list(a.secretKey, 'name=ada&status=allocated')).toEqual([ids.adam]);
    expect(await list(a.secretKey, 'name=ada&status=backordered')).toEqual([ids.ada]);
    const first = await ok(a.secretKey, 'GET', '/v1/orders?name=ada&limit=1');
    expect(first.data.map((o: Json) => o.id)).toEqual([ids.adam]);
    const second = await ok(a.secretKey, 'GET', `/v1/orders?name=ada&limit=1&cursor=${first.nextCursor}`);
    expect(second.data.map((o: Json) => o.id)).toEqual([ids.ada]);
    expect(second.nextCursor).toBeNull();
    expect(await list(b.secretKey, 'name=ada')).toEqual([ids.otherStore]);
  });
});

describe('GET /v1/orders?externalId=', () => {
  it('finds the one order with that id, exactly (case and prefix matter)', async () => {
    expect(await list(a.secretKey, 'externalId=shop-1001')).toEqual([ids.ada]);
    expect(await list(a.secretKey, 'externalId=SHOP-1001')).toEqual([ids.grace]);
    expect(await list(a.secretKey, 'externalId=shop-100')).toEqual([]);
    expect(await list(a.secretKey, 'externalId=shop-10')).toEqual([ids.noName]);
    expect(await list(b.secretKey, 'externalId=shop-1001')).toEqual([ids.otherStore]);
    expect(await list(a.secretKey, 'externalId=shop-1001&name=grace')).toEqual([]);
    expect(await list(a.secretKey, 'externalId=shop-1001&email=ADA%40example.com')).toEqual([ids.ada]);
  });

  it('an empty or overlong search → 422', async () => {
    for (const query of [
      'name=',
      'externalId=',
      `name=${'a'.repeat(201)}`,
      `externalId=${'x'.repeat(201)}`,
    ]) {
      expectProblem(await t.request('GET', `/v1/orders?${query}`, { key: a.secretKey }), 422);
    }
  });
});

/** The plan PostgreSQL picks for a search, with sequential scans priced out (tiny test tables). */
async function planOf(storeId: string, query: Parameters<typeof orderListConditions>[1]): Promise<string> {
  const db = t.app.deps.db;
  const select = db
    .select({ id: orders.id })
    .from(orders)
    .where(and(...orderListConditions(storeId, query)))
    .orderBy(sql`${orders.seq} DESC`)
    .limit(51)
    .toSQL();
  return db.transaction(async (tx: Executor) => {
    // Inline the parameters: EXPLAIN of a literal query plans as the API's unnamed statement does.
    let text = select.sql;
    select.params.forEach((value, i) => {
      text = text.replace(new RegExp(`\\$${i + 1}(?!\\d)`), `'${String(value).replace(/'/g, "''")}'`);
    });
    const rows = await queryRows<{ 'QUERY PLAN': string }>(tx, sql.raw(`EXPLAIN ${text}`));
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  });
}

describe.runIf(engineUnderTest() === 'postgres')('the searches use their indexes (PostgreSQL)', () => {
  it('name → orders_customer_name_idx; externalId → orders_external_id_idx', async () => {
    // A store with 20,000 orders, few of them Ada's: walking the newest orders and filtering would
    // read most of them.
    const big = await t.createStore('Search plans');
    await t.app.deps.db.execute(sql`
      INSERT INTO orders (id, store_id, external_id, status, customer, currency, line_count, created_at, updated_at)
      SELECT 'ord_plan' || n, ${big.id}, 'plan-' || n, 'fulfilled',
             jsonb_build_object('name', CASE WHEN n % 5000 = 0 THEN 'Ada ' || n ELSE 'Zoe ' || n END,
                                'email', 'shopper' || n || '@example.com'),
             'USD', 1, now(), now()
        FROM generate_series(1, 20000) AS n`);
    await t.app.deps.db.execute(sql`ANALYZE orders`);
    const byName = await planOf(big.id, { name: 'ada', before: null });
    expect(byName).toContain('orders_customer_name_idx');
    expect(byName).toMatch(/Index Cond: .*lower/);
    expect(await planOf(big.id, { externalId: 'plan-77', before: null })).toContain('orders_external_id_idx');
    expect(await planOf(big.id, { email: 'shopper7@example.com', before: null })).toContain(
      'orders_customer_email_idx',
    );
    expect(await list(big.secretKey, 'name=ADA')).toHaveLength(4);
  });

  it("an order's events → events_order_idx (the timeline and the shopper's date history)", async () => {
    const plan = await t.app.deps.db.transaction(async (tx: Executor) => {
      await tx.execute(sql`SET LOCAL enable_seqscan = off`);
      const rows = await queryRows<{ 'QUERY PLAN': string }>(
        tx,
        sql.raw(
          `EXPLAIN SELECT id FROM events WHERE store_id = '${a.id}' AND ${EVENT_ORDER_ID} = '${ids.ada}' ORDER BY seq LIMIT 501`,
        ),
      );
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    expect(plan).toContain('events_order_idx');
  });
});

describe('GET /v1/orders/{id}/timeline', () => {
  const refusing: Senders = {
    email: async () => {
      throw new Error('outbox only');
    },
    sms: async () => {
      throw new Error('outbox only');
    },
    webhook: async () => {
      throw new Error('outbox only');
    },
  };

  it('lists the events, the messages as rendered, the payment and the refund, oldest first', async () => {
    const store = await t.createStore('Timeline shop');
    const key = store.secretKey;
    const scope = { cursor: `timeline-${store.id}`, storeIds: [store.id] };
    await startRelayCursor(t.app.deps, scope.cursor);
    await ok(key, 'PATCH', '/v1/settings/messaging', { email: { channel: 'outbox' } });
    await ok(key, 'PATCH', '/v1/settings', { paymentProvider: 'manual', paymentMode: 'upfront' });
    await ok(
      key,
      'PUT',
      '/v1/variants/TL-LAMP',
      variant('backorder', null, { title: 'Brass lamp', price: 2500 }),
    );
    await ok(key, 'POST', '/v1/inventory/adjustments', { sku: 'TL-LAMP', quantity: 1, reason: 'restock' });
    const order = await ok(key, 'POST', '/v1/orders', {
      customer: { email: 'ada@example.com', name: 'Ada' },
      lines: [{ sku: 'TL-LAMP', quantity: 2, unitPrice: 2500 }],
    });
    await ok(key, 'POST', `/v1/orders/${order.id}/payments`, { amount: 5000, reference: 'pos-1' });
    await ok(key, 'POST', `/v1/orders/${order.id}/shipments`, {
      lines: [{ lineId: order.lines[0].id, quantity: 1 }],
    });
    await ok(key, 'POST', `/v1/orders/${order.id}/cancel`, { reason: 'changed mind' });
    await relayAll(t.app.deps, scope);
    await deliverDue(t.app.deps, refusing, { storeIds: [store.id] });
    // Another order's events stay out.
    await ok(key, 'POST', '/v1/orders', { lines: [{ sku: 'TL-LAMP', quantity: 1 }] });

    const timeline = await ok(key, 'GET', `/v1/orders/${order.id}/timeline`);
    expect(timeline.orderId).toBe(order.id);
    expect(timeline.truncated).toBe(false);
    const entries: Json[] = timeline.data;
    const times = entries.map((e) => e.at);
    expect(times).toEqual([...times].sort());
    const events = entries.filter((e) => e.kind === 'event');
    const types = events.map((e) => e.type);
    for (const type of [
      'order.placed',
      'payment.captured',
      'shipment.created',
      'order.cancelled',
      'payment.refunded',
    ]) {
      expect(types, type).toContain(type);
    }
    expect(types.indexOf('order.placed')).toBe(0);
    for (const e of events) {
      const about = e.data.orderId ?? e.data.order?.id ?? e.data.shipment?.orderId;
      expect(about, e.type).toBe(order.id);
      expect(e.message).toBeNull();
    }
    expect(events.find((e) => e.type === 'payment.captured').data.amount).toBe(5000);
    const messages = entries.filter((e) => e.kind === 'message');
    expect(messages.length).toBeGreaterThan(0);
    const confirmation = messages.find((m) => m.type === 'order_confirmation');
    expect(confirmation.id).toMatch(/^msg_/);
    expect(confirmation.message).toMatchObject({
      channel: 'email',
      state: 'sent',
      recipient: 'ada@example.com',
    });
    expect(confirmation.message.body).toContain(`Thank you for your order ${order.number}`);
    expect(confirmation.message.subject).toBeTruthy();
    expect(confirmation.data).toBeNull();
  });

  it('404 for an unknown order or another store’s; 422 for a malformed id', async () => {
    expectProblem(
      await t.request('GET', '/v1/orders/ord_nope/timeline', { key: a.secretKey }),
      404,
      'not_found',
    );
    expectProblem(
      await t.request('GET', `/v1/orders/${ids.otherStore}/timeline`, { key: a.secretKey }),
      404,
      'not_found',
    );
    expectProblem(await t.request('GET', '/v1/orders/nope/timeline', { key: a.secretKey }), 422);
    const own = await ok(a.secretKey, 'GET', `/v1/orders/${ids.ada}/timeline`);
    expect(own.data.map((e: Json) => e.type)).toContain('order.placed');
  });
});
