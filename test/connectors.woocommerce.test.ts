/**
 * The WooCommerce connector end to end, without the internet: a stand-in of WooCommerce's REST API
 * v3 on loopback (test/support/fake-woocommerce.ts) and webhooks shaped like the REST payloads
 * WooCommerce delivers, signed as WooCommerce signs them. An order on the platform for an
 * out-of-stock item waits in Backfill with a date, the product's `backorders`, `stock_quantity` and
 * the date meta follow Backfill, a restock and Backfill's shipment complete the order on the
 * platform; replays, duplicates and reordered webhooks change nothing; forged signatures are
 * refused and store nothing; the ping a saved webhook sends is answered.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/client.ts';
import { type ConnectorDeps, connectorDeps } from '../src/modules/connectors/connectors.context.ts';
import { pushFulfilmentsDue } from '../src/modules/connectors/connectors.fulfilments.ts';
import { processInbox } from '../src/modules/connectors/connectors.inbox.ts';
import { storeInboxRow } from '../src/modules/connectors/connectors.inbox.writer.ts';
import { pushDue } from '../src/modules/connectors/connectors.outbound.ts';
import { openSecret } from '../src/modules/connectors/connectors.secrets.ts';
import { ManualClock } from '../src/shared/clock.ts';
import { type FakeWoo, signedWooWebhook, startFakeWoo, wooPing } from './support/fake-woocommerce.ts';
import { type StoreKeys, startTestApp, type TestApp, withStoreKey } from './support/harness.ts';

const SECRETS_KEY = randomBytes(32);
const WEBHOOK_SECRET = 'wc_webhook_secret_for_tests_0123';
const SHOP = 'shop.example.com';

let fake: FakeWoo;
let t: TestApp;
let store: StoreKeys;
let cdeps: ConnectorDeps;
let connectionId: string;
const clock = new ManualClock(new Date('2026-03-02T09:00:00Z'));
const api = () => withStoreKey(t);

/** An order as WooCommerce's REST API v3 shapes it (prices as numbers/decimals, line items with SKUs). */
function wooOrder(
  id: number,
  lines: { sku: string; quantity: number; price?: number }[],
  extra: Record<string, unknown> = {},
) {
  return {
    id,
    parent_id: 0,
    number: String(id),
    order_key: `wc_order_${id}`,
    created_via: 'checkout',
    status: 'processing',
    currency: 'USD',
    date_created: '2026-03-02T04:00:00',
    date_created_gmt: '2026-03-02T09:00:00',
    date_modified: '2026-03-02T04:00:01',
    date_modified_gmt: '2026-03-02T09:00:01',
    total: '258.00',
    customer_id: 25,
    billing: {
      first_name: 'Jon',
      last_name: 'Snow',
      address_1: '969 Market',
      city: 'San Francisco',
      state: 'CA',
      postcode: '94103',
      country: 'US',
      email: 'jon@example.com',
      phone: '(555) 555-5555',
    },
    shipping: { first_name: 'Jon', last_name: 'Snow', address_1: '969 Market', country: 'US' },
    payment_method: 'bacs',
    line_items: lines.map((l, i) => {
      const item = fake.bySku(l.sku);
      const price = l.price ?? 129;
      return {
        id: id * 10 + i,
        name: l.sku,
        product_id: item ? (item.type === 'variation' ? item.parent_id : item.id) : 0,
        variation_id: item?.type === 'variation' ? item.id : 0,
        quantity: l.quantity,
        tax_class: '',
        subtotal: (price * l.quantity).toFixed(2),
        total: (price * l.quantity).toFixed(2),
        sku: l.sku,
        price,
      };
    }),
    refunds: [],
    meta_data: [],
    ...extra,
  };
}

async function deliver(
  topic: string,
  payload: Record<string, unknown>,
  secret = WEBHOOK_SECRET,
  id = connectionId,
) {
  const { rawBody, headers } = signedWooWebhook(topic, payload, secret);
  return t.request('POST', `/v1/webhooks/woocommerce/${id}`, { rawBody, headers });
}

const countRows = async (table: 'connector_events' | 'orders' | 'connector_fulfilments') =>
  (
    await queryRows<{ n: number }>(
      t.app.deps.db,
      sql`SELECT count(*)::int AS n FROM ${sql.raw(table)} WHERE store_id = ${store.id}`,
    )
  )[0]!.n;

async function orderByExternalId(externalId: string) {
  const rows = await queryRows<{ id: string }>(
    t.app.deps.db,
    sql`SELECT id FROM orders WHERE store_id = ${store.id} AND external_id = ${externalId}`,
  );
  return rows.length === 0 ? null : api().ok('GET', `/v1/orders/${rows[0]!.id}`, store);
}

async function snapshot() {
  return {
    orders: await queryRows(
      t.app.deps.db,
      sql`SELECT id, external_id, status FROM orders WHERE store_id = ${store.id} ORDER BY id`,
    ),
    lines: await queryRows(
      t.app.deps.db,
      sql`SELECT id, allocated, backordered, shipped, cancelled FROM order_lines WHERE store_id = ${store.id} ORDER BY id`,
    ),
    levels: await queryRows(
      t.app.deps.db,
      sql`SELECT sku, on_hand, allocated, backordered FROM inventory_levels WHERE store_id = ${store.id} ORDER BY sku`,
    ),
    shipments: await queryRows(
      t.app.deps.db,
      sql`SELECT id, order_id FROM shipments WHERE store_id = ${store.id} ORDER BY id`,
    ),
  };
}

// Scoped to this file's store: other test files share the database and have their own secrets key.
const processAll = () => processInbox(cdeps, { storeIds: [store.id] });
const pushAll = () => pushDue(cdeps, { storeIds: [store.id] });
const pushShipments = () => pushFulfilmentsDue(cdeps, { storeIds: [store.id] });

beforeAll(async () => {
  fake = await startFakeWoo();
  fake.addVariable(700, 'Trail Jacket', [
    { id: 701, sku: 'JACKET-M', option: 'M', price: '129.00' },
    { id: 702, sku: 'JACKET-L', option: 'L', price: '129.00' },
  ]);
  fake.addSimple(710, { sku: 'CAP', name: 'Cap', price: '19.50', manage_stock: true, stock_quantity: 0 });
  fake.items.get(701)!.backorders = 'notify';
  fake.items.get(702)!.backorders = 'notify';
  t = await startTestApp({ clock, config: { secretsKey: SECRETS_KEY } });
  store = await t.createStore('Woo store', 'USD');
  cdeps = connectorDeps(t.app.deps, { secretsKey: SECRETS_KEY, allowPrivateUrls: true });
});
afterAll(async () => {
  await t?.close();
  await fake?.close();
});

describe('connecting a WooCommerce store', () => {
  it('connects with a REST key and a webhook secret, sealed and never shown', async () => {
    const missing = await api().call('POST', '/v1/connections', store, {
      platform: 'woocommerce',
      shop: SHOP,
      apiUrl: fake.url,
      credentials: { consumerKey: fake.consumerKey, consumerSecret: fake.consumerSecret },
    });
    expect(missing.statusCode).toBe(422);
    expect(missing.body).toContain('webhookSecret');
    const res = await api().call('POST', '/v1/connections', store, {
      platform: 'woocommerce',
      shop: `https://${SHOP}/`,
      apiUrl: fake.url,
      credentials: {
        consumerKey: fake.consumerKey,
        consumerSecret: fake.consumerSecret,
        webhookSecret: WEBHOOK_SECRET,
      },
    });
    expect(res.statusCode).toBe(201);
    const view = res.json();
    connectionId = view.id;
    expect(view).toMatchObject({
      platform: 'woocommerce',
      shop: SHOP,
      state: 'active',
      webhookPath: `/v1/webhooks/woocommerce/${view.id}`,
    });
    const answers = [
      res.body,
      (await api().call('GET', '/v1/connections', store)).body,
      (await api().call('GET', `/v1/connections/${connectionId}`, store)).body,
    ];
    for (const body of answers) {
      expect(body).not.toContain(fake.consumerSecret);
      expect(body).not.toContain(WEBHOOK_SECRET);
    }
    const [row] = await queryRows<{ credentials: string }>(
      t.app.deps.db,
      sql`SELECT credentials FROM connections WHERE id = ${connectionId}`,
    );
    expect(row!.credentials).not.toContain(fake.consumerSecret);
    expect(JSON.parse(openSecret(SECRETS_KEY, row!.credentials, `${store.id}/${connectionId}`))).toEqual({
      consumerKey: fake.consumerKey,
      consumerSecret: fake.consumerSecret,
      webhookSecret: WEBHOOK_SECRET,
    });
  });

  it('answers the ping of a newly saved webhook and stores nothing', async () => {
    const { rawBody, headers } = wooPing();
    const res = await t.request('POST', `/v1/webhooks/woocommerce/${connectionId}`, { rawBody, headers });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ received: false, duplicate: false });
    expect(await countRows('connector_events')).toBe(0);
  });

  it('imports the catalogue (variations included) and open orders, then sets each SKU’s stock fields', async () => {
    fake.orders.set(4501, wooOrder(4501, [{ sku: 'JACKET-L', quantity: 1 }]));
    fake.orders.set(4502, wooOrder(4502, [{ sku: 'JACKET-L', quantity: 1 }], { status: 'completed' }));
    // Open, with one of its three units refunded: imported with that unit cancelled.
    fake.orders.set(4503, wooOrder(4503, [{ sku: 'JACKET-L', quantity: 3 }]));
    fake.refund(4503, [{ lineItemId: 45030, quantity: 1 }], '129.00');
    const res = await api().call('POST', `/v1/connections/${connectionId}/import`, store);
    expect(res.statusCode).toBe(202);
    let detail = res.json();
    for (let i = 0; i < 100 && detail.import.state !== 'done'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      detail = await api().ok('GET', `/v1/connections/${connectionId}`, store);
    }
    expect(detail.import).toMatchObject({ state: 'done', phase: 'done', variants: 3, orders: 2 });
    expect(detail.counters.skusMapped).toBe(3);
    expect(await api().ok('GET', '/v1/variants/JACKET-M', store)).toMatchObject({
      title: 'Trail Jacket — M',
      price: 12900,
      imageUrl: 'https://cdn.example.com/700.png',
      backorder: { mode: 'backorder' },
    });
    expect((await api().ok('GET', '/v1/variants/CAP', store)).backorder.mode).toBe('deny');
    expect(await orderByExternalId('4501')).toMatchObject({ status: 'backordered' });
    expect(await orderByExternalId('4502')).toBeNull();
    expect((await orderByExternalId('4503')).lines[0]).toMatchObject({
      quantity: 3,
      cancelledQuantity: 1,
      backorderedQuantity: 2,
    });

    const before = fake.requests.length;
    await pushAll();
    const batches = fake.requests.slice(before).filter((r) => r.method === 'POST');
    // One batch for the simple product, one for the variable product's variations.
    expect(batches.map((r) => r.path).sort()).toEqual([
      '/wp-json/wc/v3/products/700/variations/batch',
      '/wp-json/wc/v3/products/batch',
    ]);
    expect(fake.bySku('JACKET-M')).toMatchObject({
      manage_stock: true,
      stock_quantity: 0,
      backorders: 'notify',
    });
    expect(fake.bySku('CAP')).toMatchObject({ manage_stock: true, stock_quantity: 0, backorders: 'no' });
    const calls = fake.requests.length;
    await pushAll();
    expect(fake.requests.length).toBe(calls);
  });
});

describe('an order on WooCommerce for an out-of-stock item', () => {
  const ORDER = 5801;

  it('waits in Backfill with a date, and the variation shows `notify` and that date', async () => {
    await api().ok('PATCH', '/v1/variants/JACKET-M', store, { backorder: { expectedDate: '2026-04-15' } });
    const res = await deliver('order.created', wooOrder(ORDER, [{ sku: 'JACKET-M', quantity: 2 }]));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ received: true, duplicate: false });
    expect(await processAll()).toBe(1);
    const order = await orderByExternalId(String(ORDER));
    expect(order).toMatchObject({
      status: 'backordered',
      customer: { email: 'jon@example.com', name: 'Jon Snow' },
    });
    expect(order.lines[0]).toMatchObject({
      sku: 'JACKET-M',
      quantity: 2,
      backorderedQuantity: 2,
      unitPrice: 12900,
    });
    expect(order.lines[0].eta).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect((await api().ok('GET', '/v1/backorders?sku=JACKET-M', store)).data).toHaveLength(1);
    // Recorded as the connection's order (the fulfilment push addresses WooCommerce's order through it).
    expect(
      await queryRows(
        t.app.deps.db,
        sql`SELECT platform_order_id, order_id FROM connector_orders
             WHERE store_id = ${store.id} AND connection_id = ${connectionId} AND platform_order_id = ${String(ORDER)}`,
      ),
    ).toEqual([{ platform_order_id: String(ORDER), order_id: order.id }]);

    await pushAll();
    const next = await t.request('GET', '/v1/storefront/availability?sku=JACKET-M&quantity=1', {
      key: store.publishableKey,
    });
    expect(fake.bySku('JACKET-M')).toMatchObject({
      manage_stock: true,
      stock_quantity: 0,
      backorders: 'notify',
    });
    expect(fake.expectedDate('JACKET-M')).toBe(next.json().expectedDate);
  });

  it('a restock reaches WooCommerce; Backfill’s shipment completes the order there, once', async () => {
    const restock = await api().ok('POST', '/v1/inventory/adjustments', store, {
      sku: 'JACKET-M',
      quantity: 5,
      reason: 'restock',
    });
    expect(restock.filled).toHaveLength(1);
    await pushAll();
    expect(fake.bySku('JACKET-M')!.stock_quantity).toBe(3);
    const beyond = await t.request('GET', '/v1/storefront/availability?sku=JACKET-M&quantity=4', {
      key: store.publishableKey,
    });
    expect(fake.expectedDate('JACKET-M')).toBe(beyond.json().expectedDate);

    fake.orders.set(ORDER, wooOrder(ORDER, [{ sku: 'JACKET-M', quantity: 2 }]));
    const order = await orderByExternalId(String(ORDER));
    // The push is the merchant's choice per connection: off, a shipment stays in Backfill.
    expect((await api().ok('GET', `/v1/connections/${connectionId}`, store)).pushFulfilments).toBe(false);
    await api().ok('POST', '/v1/inventory/adjustments', store, {
      sku: 'CAP',
      quantity: 1,
      reason: 'restock',
    });
    const capOrder = 5800;
    await deliver('order.created', wooOrder(capOrder, [{ sku: 'CAP', quantity: 1, price: 19.5 }]));
    await processAll();
    const cap = await orderByExternalId(String(capOrder));
    await api().ok('POST', `/v1/orders/${cap.id}/shipments`, store, {});
    expect(await pushShipments()).toEqual({ pushed: 0, failed: 0 });
    expect(fake.notes.get(capOrder)).toBeUndefined();
    expect(
      await api().ok('PATCH', `/v1/connections/${connectionId}`, store, { pushFulfilments: true }),
    ).toMatchObject({ pushFulfilments: true });
    await api().ok('POST', `/v1/orders/${order.id}/shipments`, store, {
      carrier: 'UPS',
      trackingNumber: '1Z999',
    });
    // A failing platform first: the push is retried, then goes through.
    fake.rateLimitNext = 1;
    fake.retryAfterSeconds = 0;
    expect(await pushShipments()).toMatchObject({ pushed: 1, failed: 0 });
    expect(fake.orders.get(ORDER)!.status).toBe('completed');
    const notes = fake.notes.get(ORDER)!;
    expect(notes).toHaveLength(1);
    expect(notes[0]!.note).toContain('2 × JACKET-M');
    expect(notes[0]!.note).toContain('UPS tracking 1Z999');
    // Nothing is due any more; a repeat of the same push adds nothing.
    expect(await pushShipments()).toMatchObject({ pushed: 0 });
    await t.app.deps.db.execute(
      sql`UPDATE connector_fulfilments SET state = 'pending', next_attempt_at = NULL WHERE store_id = ${store.id}`,
    );
    expect(await pushShipments()).toMatchObject({ pushed: 1 });
    expect(fake.notes.get(ORDER)).toHaveLength(1);

    // WooCommerce then tells of the completion it was told: nothing moves in Backfill.
    const before = await snapshot();
    await deliver(
      'order.updated',
      wooOrder(ORDER, [{ sku: 'JACKET-M', quantity: 2 }], {
        status: 'completed',
        date_modified_gmt: '2026-03-03T10:00:00',
      }),
    );
    await processAll();
    expect(await snapshot()).toEqual(before);
    expect(await orderByExternalId(String(ORDER))).toMatchObject({ status: 'fulfilled' });
  });

  it('replays and duplicate deliveries change nothing', async () => {
    const before = await snapshot();
    const events = await countRows('connector_events');
    const replay = await deliver('order.created', wooOrder(ORDER, [{ sku: 'JACKET-M', quantity: 2 }]));
    expect(replay.json()).toEqual({ received: true, duplicate: true });
    expect(await countRows('connector_events')).toBe(events);
    // A later version of the order, and the completion again: applied, and nothing moves twice.
    await deliver(
      'order.updated',
      wooOrder(ORDER, [{ sku: 'JACKET-M', quantity: 2 }], { date_modified_gmt: '2026-03-03T11:00:00' }),
    );
    await deliver(
      'order.updated',
      wooOrder(ORDER, [{ sku: 'JACKET-M', quantity: 2 }], {
        status: 'completed',
        date_modified_gmt: '2026-03-03T12:00:00',
      }),
    );
    await processAll();
    await pushShipments();
    expect(await snapshot()).toEqual(before);
    expect(fake.notes.get(ORDER)).toHaveLength(1);
  });
});

describe('webhooks out of order', () => {
  it('a cancellation before its creation: one cancelled order, whichever came first', async () => {
    const inOrder = 5901;
    const reversed = 5902;
    const cancelled = { status: 'cancelled', date_modified_gmt: '2026-03-02T10:00:00' };
    await deliver('order.created', wooOrder(inOrder, [{ sku: 'JACKET-L', quantity: 1 }]));
    await processAll();
    await deliver('order.updated', wooOrder(inOrder, [{ sku: 'JACKET-L', quantity: 1 }], cancelled));
    await processAll();

    await deliver('order.updated', wooOrder(reversed, [{ sku: 'JACKET-L', quantity: 1 }], cancelled));
    await processAll();
    await deliver('order.created', wooOrder(reversed, [{ sku: 'JACKET-L', quantity: 1 }]));
    await processAll();

    for (const id of [inOrder, reversed]) {
      const order = await orderByExternalId(String(id));
      expect(order).toMatchObject({ status: 'cancelled' });
      expect(order.lines[0]).toMatchObject({
        cancelledQuantity: 1,
        backorderedQuantity: 0,
        allocatedQuantity: 0,
      });
    }
  });

  it('a completion before its creation ships the units, and the late creation changes nothing', async () => {
    await api().ok('POST', '/v1/inventory/adjustments', store, {
      sku: 'CAP',
      quantity: 10,
      reason: 'restock',
    });
    const id = 5903;
    await deliver(
      'order.updated',
      wooOrder(id, [{ sku: 'CAP', quantity: 2, price: 19.5 }], {
        status: 'completed',
        date_modified_gmt: '2026-03-02T11:00:00',
        meta_data: [
          {
            id: 9,
            key: '_wc_shipment_tracking_items',
            value: [{ tracking_provider: 'USPS', tracking_number: '9400' }],
          },
        ],
      }),
    );
    await processAll();
    await deliver('order.created', wooOrder(id, [{ sku: 'CAP', quantity: 2, price: 19.5 }]));
    await processAll();
    const order = await orderByExternalId(String(id));
    expect(order).toMatchObject({ status: 'fulfilled' });
    expect(order.lines[0]).toMatchObject({ shippedQuantity: 2, unitPrice: 1950 });
    const shipments = await queryRows(
      t.app.deps.db,
      sql`SELECT carrier, tracking_number FROM shipments WHERE store_id = ${store.id} AND order_id = ${order.id}`,
    );
    expect(shipments).toEqual([{ carrier: 'USPS', tracking_number: '9400' }]);
    // A shipment that came from WooCommerce is not sent back.
    const notesBefore = fake.notes.get(id)?.length ?? 0;
    fake.orders.set(id, wooOrder(id, [{ sku: 'CAP', quantity: 2 }], { status: 'completed' }));
    await pushShipments();
    expect(fake.notes.get(id)?.length ?? 0).toBe(notesBefore);
  });

  it('pending and failed orders are not sales yet', async () => {
    const orders = await countRows('orders');
    await deliver('order.created', wooOrder(5904, [{ sku: 'CAP', quantity: 1 }], { status: 'pending' }));
    await deliver(
      'order.updated',
      wooOrder(5904, [{ sku: 'CAP', quantity: 1 }], {
        status: 'failed',
        date_modified_gmt: '2026-03-02T12:00:00',
      }),
    );
    await processAll();
    expect(await countRows('orders')).toBe(orders);
  });
});

describe('partial refunds', () => {
  /** Units neither shipped nor cancelled (allocated or waiting: the SKU's stock differs by test). */
  const open = (l: { allocatedQuantity: number; backorderedQuantity: number }) =>
    l.allocatedQuantity + l.backorderedQuantity;
  /** The order as WooCommerce now has it (the stand-in answers its refunds), delivered as order.updated. */
  async function deliverUpdate(id: number, modified: string) {
    const order = fake.orders.get(id)!;
    await deliver('order.updated', { ...order, date_modified_gmt: modified });
  }

  it('cancels the refunded units that had not shipped, once, whatever the order of the webhooks', async () => {
    const id = 5910;
    fake.orders.set(id, wooOrder(id, [{ sku: 'JACKET-M', quantity: 3 }]));
    await deliver('order.created', fake.orders.get(id)!);
    await processAll();
    expect(open((await orderByExternalId(String(id))).lines[0])).toBe(3);

    // One unit refunded: its webhook lists the refund's amount only; its units come from the API.
    fake.refund(id, [{ lineItemId: id * 10, quantity: 1 }], '129.00');
    const before = fake.requests.filter((r) => r.path.includes(`orders/${id}/refunds`)).length;
    await deliverUpdate(id, '2026-03-02T10:00:00');
    await processAll();
    expect(fake.requests.filter((r) => r.path.includes(`orders/${id}/refunds`)).length).toBe(before + 1);
    let order = await orderByExternalId(String(id));
    expect(order.lines[0]).toMatchObject({ cancelledQuantity: 1 });
    expect(open(order.lines[0])).toBe(2);
    expect(order.status).not.toBe('cancelled');

    // The same delivery again, and a second refund whose webhook comes before a late copy of the first.
    await deliverUpdate(id, '2026-03-02T10:00:00');
    fake.refund(id, [{ lineItemId: id * 10, quantity: 1 }], '129.00');
    await deliverUpdate(id, '2026-03-02T11:00:00');
    await processAll();
    await deliver('order.updated', {
      ...fake.orders.get(id)!,
      refunds: (fake.orders.get(id)!.refunds as unknown[]).slice(0, 1),
      date_modified_gmt: '2026-03-02T10:30:00',
    });
    await processAll();
    order = await orderByExternalId(String(id));
    expect(order.lines[0]).toMatchObject({ cancelledQuantity: 2 });
    expect(open(order.lines[0])).toBe(1);
    const events = await queryRows<{ state: string }>(
      t.app.deps.db,
      sql`SELECT state FROM connector_events WHERE store_id = ${store.id} AND resource_id = ${String(id)}`,
    );
    expect(events.map((e) => e.state).sort()).toEqual(['done', 'done', 'done', 'skipped']);
  });

  it('a refund seen before the order’s creation: placed, then the refunded units cancelled', async () => {
    const id = 5911;
    fake.orders.set(id, wooOrder(id, [{ sku: 'JACKET-M', quantity: 2 }]));
    fake.refund(id, [{ lineItemId: id * 10, quantity: 1 }], '129.00');
    await deliverUpdate(id, '2026-03-02T10:00:00');
    await processAll();
    await deliver('order.created', wooOrder(id, [{ sku: 'JACKET-M', quantity: 2 }]));
    await processAll();
    const order = await orderByExternalId(String(id));
    expect(order.lines[0]).toMatchObject({ quantity: 2, cancelledQuantity: 1 });
    expect(open(order.lines[0])).toBe(1);
    expect(await countRows('orders')).toBeGreaterThan(0);
  });

  it('units the merchant cancelled in Backfill first are not cancelled twice by their refund', async () => {
    const id = 5912;
    fake.orders.set(id, wooOrder(id, [{ sku: 'JACKET-M', quantity: 3 }]));
    await deliver('order.created', fake.orders.get(id)!);
    await processAll();
    const placed = await orderByExternalId(String(id));
    await api().ok('POST', `/v1/orders/${placed.id}/cancel`, store, {
      lines: [{ lineId: placed.lines[0].id, quantity: 1 }],
    });
    fake.refund(id, [{ lineItemId: id * 10, quantity: 1 }], '129.00');
    await deliverUpdate(id, '2026-03-02T10:00:00');
    await processAll();
    const order = await orderByExternalId(String(id));
    expect(order.lines[0]).toMatchObject({ cancelledQuantity: 1 });
    expect(open(order.lines[0])).toBe(2);
  });
});

describe('products', () => {
  it('a variation’s update follows its title, price and URL; a new simple product is created', async () => {
    const variation = fake.view(fake.items.get(702)!);
    await deliver('product.updated', {
      ...variation,
      price: '119.00',
      date_modified_gmt: '2026-03-04T10:00:00',
    });
    fake.addSimple(720, { sku: 'SOCKS', name: 'Socks', price: '9.00', backorders: 'notify' });
    await deliver('product.created', fake.view(fake.items.get(720)!));
    await processAll();
    expect(await api().ok('GET', '/v1/variants/JACKET-L', store)).toMatchObject({ price: 11900 });
    expect(await api().ok('GET', '/v1/variants/SOCKS', store)).toMatchObject({
      title: 'Socks',
      price: 900,
      backorder: { mode: 'backorder' },
    });
    await pushAll();
    expect(fake.bySku('SOCKS')).toMatchObject({
      manage_stock: true,
      stock_quantity: 0,
      backorders: 'notify',
    });
  });
});

describe('signatures', () => {
  it('a forged, tampered or missing signature is a 401 and stores nothing', async () => {
    const events = await countRows('connector_events');
    const orders = await countRows('orders');
    const forged = await deliver(
      'order.created',
      wooOrder(999, [{ sku: 'JACKET-M', quantity: 1 }]),
      'wrong_secret',
    );
    expect(forged.statusCode).toBe(401);
    expect(forged.headers['content-type']).toContain('application/problem+json');
    const { rawBody, headers } = signedWooWebhook(
      'order.created',
      wooOrder(998, [{ sku: 'JACKET-M', quantity: 1 }]),
      WEBHOOK_SECRET,
    );
    const tampered = await t.request('POST', `/v1/webhooks/woocommerce/${connectionId}`, {
      rawBody: rawBody.replace('"quantity":1', '"quantity":9'),
      headers,
    });
    expect(tampered.statusCode).toBe(401);
    const { 'x-wc-webhook-signature': _, ...unsigned } = headers;
    expect(
      (await t.request('POST', `/v1/webhooks/woocommerce/${connectionId}`, { rawBody, headers: unsigned }))
        .statusCode,
    ).toBe(401);
    // Signed for WooCommerce, sent to the Shopify receiver: the connection is not a Shopify one.
    expect(
      (await t.request('POST', `/v1/webhooks/shopify/${connectionId}`, { rawBody, headers })).statusCode,
    ).toBe(401);
    expect(
      (await deliver('order.created', wooOrder(997, []), WEBHOOK_SECRET, 'con_unknown')).statusCode,
    ).toBe(401);
    const ping = wooPing();
    expect((await t.request('POST', '/v1/webhooks/woocommerce/con_unknown', ping)).statusCode).toBe(401);
    await processAll();
    expect(await countRows('connector_events')).toBe(events);
    expect(await countRows('orders')).toBe(orders);
  });
});

describe('webhooks arriving together (group commit of the inbox)', () => {
  it('each is answered after its own row is stored; copies in one group are duplicates but one', async () => {
    const events = await countRows('connector_events');
    const ids = [7101, 7102, 7103, 7104, 7105, 7106, 7107, 7108];
    // Every order three times, all at once: most rows share a statement with copies of themselves.
    const answers = await Promise.all(
      [...ids, ...ids, ...ids].map((id) =>
        deliver('order.created', wooOrder(id, [{ sku: 'NOT-SOLD-HERE', quantity: 1 }])),
      ),
    );
    expect(answers.map((a) => a.statusCode)).toEqual(answers.map(() => 200));
    const fresh = answers.filter((a) => a.json().duplicate === false);
    expect(fresh).toHaveLength(ids.length);
    expect(answers.filter((a) => a.json().duplicate === true)).toHaveLength(ids.length * 2);
    expect(await countRows('connector_events')).toBe(events + ids.length);
    const stored = await queryRows<{ resource_id: string; payload: { id: number } }>(
      t.app.deps.db,
      sql`SELECT resource_id, payload FROM connector_events
           WHERE store_id = ${store.id} AND resource_id = ANY(${sql.param(ids.map(String))}::text[])
           ORDER BY resource_id`,
    );
    expect(stored.map((r) => [r.resource_id, r.payload.id])).toEqual(ids.map((id) => [String(id), id]));
    await processAll();
    const states = await queryRows<{ state: string }>(
      t.app.deps.db,
      sql`SELECT state FROM connector_events
           WHERE store_id = ${store.id} AND resource_id = ANY(${sql.param(ids.map(String))}::text[])`,
    );
    expect(states.map((r) => r.state)).toEqual(ids.map(() => 'skipped'));
  });

  it('a row that spoils its group is refused alone; the others of the group are stored', async () => {
    const rowFor = (n: number, connection = connectionId) => ({
      id: t.app.deps.ids.next('cev'),
      storeId: store.id,
      connectionId: connection,
      topic: 'order.created',
      resourceId: String(7200 + n),
      version: 'v1',
      dedupeKey: `order.created|${7200 + n}|v1`,
      webhookId: null,
      payloadJson: JSON.stringify({ id: 7200 + n }),
      receivedAt: clock.now(),
    });
    // A connection deleted meanwhile: its row breaks the foreign key of whichever statement holds it.
    const rows = [rowFor(1), rowFor(2), rowFor(3), rowFor(4, 'con_gone'), rowFor(5), rowFor(2), rowFor(6)];
    const outcomes = await Promise.allSettled(rows.map((row) => storeInboxRow(t.app.deps.db, row)));
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : 'refused'))).toEqual([
      true,
      true,
      true,
      'refused',
      true,
      false,
      true,
    ]);
    const refused = outcomes[3] as PromiseRejectedResult;
    expect(
      (refused.reason as { cause?: { code?: string }; code?: string }).cause?.code ?? refused.reason.code,
    ).toBe('23503');
    await processAll();
  });
});

describe('outbound rate limits and drift', () => {
  it('waits out a 429, then pushes', async () => {
    await api().ok('POST', '/v1/inventory/adjustments', store, {
      sku: 'JACKET-L',
      quantity: 4,
      reason: 'restock',
    });
    fake.rateLimitNext = 1;
    fake.retryAfterSeconds = 1;
    const before = fake.requests.length;
    await pushAll();
    const sent = fake.requests.slice(before);
    expect(sent[0]!.status).toBe(429);
    expect(sent.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(1);
    const level = await api().ok('GET', '/v1/inventory/JACKET-L', store);
    expect(fake.bySku('JACKET-L')!.stock_quantity).toBe(level.available);
  });

  it('reconciliation finds what changed on WooCommerce and repairs it', async () => {
    fake.bySku('JACKET-M')!.backorders = 'no';
    fake.bySku('CAP')!.stock_quantity = 40;
    const cap = await api().ok('GET', '/v1/inventory/CAP', store);
    const report = await api().ok('POST', `/v1/connections/${connectionId}/reconcile`, store);
    expect(report).toMatchObject({ checked: 4, found: 2, repaired: 2 });
    expect(report.items).toEqual(
      expect.arrayContaining([
        { sku: 'JACKET-M', field: 'policy', platform: 'DENY', backfill: 'CONTINUE' },
        { sku: 'CAP', field: 'quantity', platform: 40, backfill: cap.available },
      ]),
    );
    expect(fake.bySku('JACKET-M')!.backorders).toBe('notify');
    expect(fake.bySku('CAP')!.stock_quantity).toBe(cap.available);
  });

  it('disconnecting deletes the connection, its inbox and its fulfilments', async () => {
    expect(await countRows('connector_fulfilments')).toBeGreaterThan(0);
    const res = await t.request('DELETE', `/v1/connections/${connectionId}`, { key: store.secretKey });
    expect(res.statusCode).toBe(204);
    expect(await countRows('connector_events')).toBe(0);
    expect(await countRows('connector_fulfilments')).toBe(0);
  });
});
