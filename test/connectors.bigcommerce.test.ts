/**
 * The BigCommerce connector end to end, without the internet: a stand-in of BigCommerce's API on
 * loopback (test/support/fake-bigcommerce.ts) and thin webhooks shaped like the reference's
 * examples, carrying the secret header the connection's hooks are created with. An order on
 * BigCommerce for an out-of-stock item waits in Backfill with a date; a restock in Backfill and a
 * shipment Backfill decides reach BigCommerce (on-hand, backorder_limit, the date metafield, and an
 * order shipment through the fulfilment push); replays, duplicates and reordered webhooks change
 * nothing; a forged secret is refused and stores nothing.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connectCommand } from '../src/cli.connectors.ts';
import { queryRows } from '../src/db/client.ts';
import { BACKORDER_UNLIMITED } from '../src/modules/connectors/connectors.bigcommerce.ts';
import { type ConnectorDeps, connectorDeps } from '../src/modules/connectors/connectors.context.ts';
import { pushFulfilmentsDue } from '../src/modules/connectors/connectors.fulfilments.ts';
import { processInbox } from '../src/modules/connectors/connectors.inbox.ts';
import { pushDue } from '../src/modules/connectors/connectors.outbound.ts';
import { findConnection, platformConnection } from '../src/modules/connectors/connectors.repository.ts';
import { ManualClock } from '../src/shared/clock.ts';
import {
  bigCommerceWebhook,
  type FakeBigCommerce,
  startFakeBigCommerce,
} from './support/fake-bigcommerce.ts';
import {
  engineUnderTest,
  type StoreKeys,
  startTestApp,
  type TestApp,
  testConfig,
  withStoreKey,
} from './support/harness.ts';

const SECRETS_KEY = randomBytes(32);
const WEBHOOK_SECRET = 'whsec_backfill_bigcommerce_0123456789';
const SHOP = 'backfill-test.mybigcommerce.com';

let fake: FakeBigCommerce;
let t: TestApp;
let store: StoreKeys;
let cdeps: ConnectorDeps;
let connectionId: string;
const clock = new ManualClock(new Date('2026-03-02T09:00:00Z'));
const api = () => withStoreKey(t);

async function deliver(webhook: { rawBody: string; headers: Record<string, string> }, id = connectionId) {
  return t.request('POST', `/v1/webhooks/bigcommerce/${id}`, webhook);
}
const hook = (scope: string, data: Record<string, unknown>, secret = WEBHOOK_SECRET) =>
  bigCommerceWebhook(scope, data, secret, { storeHash: fake.storeHash });

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
    shipments: await queryRows(
      t.app.deps.db,
      sql`SELECT id FROM shipments WHERE store_id = ${store.id} ORDER BY id`,
    ),
    levels: await queryRows(
      t.app.deps.db,
      sql`SELECT sku, on_hand, allocated, backordered FROM inventory_levels WHERE store_id = ${store.id} ORDER BY sku`,
    ),
  };
}

// Scoped to this file's store: other test files may share the database.
const processAll = () => processInbox(cdeps, { storeIds: [store.id] });
const pushAll = () => pushDue(cdeps, { storeIds: [store.id] });
const variantId = (sku: string) => fake.variantBySku(sku)!.id;

beforeAll(async () => {
  fake = await startFakeBigCommerce();
  fake.products.push(
    {
      id: 111,
      name: 'Trail Jacket',
      sku: 'JACKET',
      price: 129,
      // Not tracked by BigCommerce: new variants sell on when out of stock (mode backorder).
      inventory_tracking: 'none',
      custom_url: { url: '/trail-jacket/', is_customized: false },
      images: [{ id: 1, url_standard: 'https://cdn11.bigcommerce.com/jacket.png', is_thumbnail: true }],
      variants: [
        {
          id: 501,
          product_id: 111,
          sku: 'JACKET-M',
          price: null,
          calculated_price: 129,
          option_values: [{ label: 'M', option_display_name: 'Size' }],
          image_url: '',
        },
        {
          id: 502,
          product_id: 111,
          sku: 'JACKET-L',
          price: 135,
          calculated_price: 135,
          option_values: [{ label: 'L', option_display_name: 'Size' }],
          image_url: '',
        },
      ],
    },
    {
      id: 112,
      name: 'Cap',
      sku: 'CAP',
      price: 19.5,
      inventory_tracking: 'product',
      custom_url: { url: '/cap/', is_customized: false },
      images: [],
      variants: [
        {
          id: 503,
          product_id: 112,
          sku: 'CAP',
          price: null,
          calculated_price: 19.5,
          option_values: [],
          image_url: '',
        },
      ],
    },
  );
  t = await startTestApp({ clock, config: { secretsKey: SECRETS_KEY } });
  store = await t.createStore('BigCommerce store', 'USD');
  cdeps = connectorDeps(t.app.deps, { secretsKey: SECRETS_KEY, allowPrivateUrls: true });
});
afterAll(async () => {
  await t?.close();
  await fake?.close();
});

describe('connecting a BigCommerce store', () => {
  it('needs the store hash, token and webhook secret; never shows them', async () => {
    const missing = await api().call('POST', '/v1/connections', store, {
      platform: 'bigcommerce',
      shop: SHOP,
      apiUrl: fake.url,
      credentials: { accessToken: fake.token, storeHash: fake.storeHash },
    });
    expect(missing.statusCode).toBe(422);
    expect(JSON.stringify(missing.json())).toContain('/credentials/webhookSecret');
    const res = await api().call('POST', '/v1/connections', store, {
      platform: 'bigcommerce',
      shop: SHOP,
      apiUrl: fake.url,
      pushFulfilments: true,
      credentials: { storeHash: fake.storeHash, accessToken: fake.token, webhookSecret: WEBHOOK_SECRET },
    });
    expect(res.statusCode).toBe(201);
    const view = res.json();
    connectionId = view.id;
    expect(view).toMatchObject({
      platform: 'bigcommerce',
      shop: SHOP,
      pushFulfilments: true,
      webhookPath: `/v1/webhooks/bigcommerce/${view.id}`,
    });
    for (const body of [res.body, (await api().call('GET', `/v1/connections/${connectionId}`, store)).body]) {
      expect(body).not.toContain(fake.token);
      expect(body).not.toContain(WEBHOOK_SECRET);
    }
  });

  it('imports the catalogue and open orders, then sets on-hand and backorder_limit', async () => {
    fake.addOrder(240, [{ sku: 'JACKET-L', quantity: 1, price: '135.0000' }]);
    fake.addOrder(241, [{ sku: 'JACKET-L', quantity: 1 }], { status_id: 10 });
    const res = await api().call('POST', `/v1/connections/${connectionId}/import`, store);
    expect(res.statusCode).toBe(202);
    let detail = res.json();
    for (let i = 0; i < 100 && detail.import.state !== 'done'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      detail = await api().ok('GET', `/v1/connections/${connectionId}`, store);
    }
    expect(detail.import).toMatchObject({ state: 'done', variants: 3, orders: 1 });
    expect(await api().ok('GET', '/v1/variants/JACKET-M', store)).toMatchObject({
      title: 'Trail Jacket — M',
      price: 12900,
      imageUrl: 'https://cdn11.bigcommerce.com/jacket.png',
    });
    expect((await api().ok('GET', '/v1/variants/JACKET-L', store)).price).toBe(13500);
    expect(await orderByExternalId('240')).toMatchObject({ status: 'backordered' });
    expect(await orderByExternalId('241')).toBeNull();

    await pushAll();
    expect(fake.onHand.get(variantId('JACKET-M'))).toBe(0);
    expect(fake.backorderLimits.get(variantId('CAP'))).toBe(0);
    const calls = fake.requests.length;
    await pushAll();
    expect(fake.requests.length).toBe(calls);
  });
});

describe('an order on BigCommerce for an out-of-stock item', () => {
  const ORDER = 250;

  it('waits in Backfill with a date; BigCommerce shows the limit and the date', async () => {
    await api().ok('PATCH', '/v1/variants/JACKET-M', store, {
      backorder: { mode: 'backorder', limit: 10, expectedDate: '2026-04-15' },
    });
    fake.addOrder(ORDER, [{ sku: 'JACKET-M', quantity: 2 }]);
    const res = await deliver(hook('store/order/created', { type: 'order', id: ORDER }));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ received: true, duplicate: false });
    expect(await processAll()).toBe(1);
    const order = await orderByExternalId(String(ORDER));
    expect(order).toMatchObject({
      status: 'backordered',
      customer: { email: 'janedoe@example.com', name: 'Jane Doe' },
    });
    expect(order.lines[0]).toMatchObject({ sku: 'JACKET-M', quantity: 2, backorderedQuantity: 2 });
    expect(order.lines[0].eta).toMatch(/^\d{4}-\d{2}-\d{2}$/);

    await pushAll();
    const next = await t.request('GET', '/v1/storefront/availability?sku=JACKET-M&quantity=1', {
      key: store.publishableKey,
    });
    expect(fake.onHand.get(variantId('JACKET-M'))).toBe(0);
    expect(fake.backorderLimits.get(variantId('JACKET-M'))).toBe(8);
    expect(fake.expectedDate(variantId('JACKET-M'))).toBe(next.json().expectedDate);
    // Without a cap the limit is "unlimited".
    expect(fake.backorderLimits.get(variantId('JACKET-L'))).toBe(BACKORDER_UNLIMITED);
  });

  it('a restock fills the line; the shipment Backfill makes becomes a BigCommerce shipment', async () => {
    const restock = await api().ok('POST', '/v1/inventory/adjustments', store, {
      sku: 'JACKET-M',
      quantity: 5,
      reason: 'restock',
    });
    expect(restock.filled).toHaveLength(1);
    await pushAll();
    expect(fake.onHand.get(variantId('JACKET-M'))).toBe(3);

    const order = await orderByExternalId(String(ORDER));
    expect(order.status).toBe('allocated');
    await api().ok('POST', `/v1/orders/${order.id}/shipments`, store, {
      carrier: 'UPS',
      trackingNumber: '1Z999',
    });
    expect(await pushFulfilmentsDue(cdeps, { storeIds: [store.id] })).toEqual({ pushed: 1, failed: 0 });
    const platform = fake.orders.find((o) => o.id === ORDER)!;
    expect(platform.shipments).toHaveLength(1);
    expect(platform.shipments[0]).toMatchObject({
      tracking_number: '1Z999',
      items: [{ order_product_id: ORDER * 10, quantity: 2 }],
    });
    expect(platform.products[0]!.quantity_shipped).toBe(2);
    expect(platform.status_id).toBe(2);
    const detail = await api().ok('GET', `/v1/connections/${connectionId}`, store);
    expect(detail.counters).toMatchObject({ fulfilmentsPushed: 1, fulfilmentsPending: 0 });

    // The push again (a crash before its record): BigCommerce's shipment is found, not made twice.
    const [row] = await queryRows<{ shipment_id: string; platform_id: string }>(
      t.app.deps.db,
      sql`SELECT shipment_id, platform_id FROM connector_fulfilments WHERE store_id = ${store.id}`,
    );
    const connection = platformConnection(
      cdeps,
      (await findConnection(t.app.deps.db, store.id, connectionId))!,
    );
    const again = await cdeps.connectors.bigcommerce.pushFulfilment(connection, {
      shipmentId: row!.shipment_id,
      platformOrderId: String(ORDER),
      lines: [{ sku: 'JACKET-M', quantity: 2 }],
      carrier: 'UPS',
      trackingNumber: '1Z999',
      orderFulfilled: false,
    });
    expect(again.platformId).toBe(row!.platform_id);
    expect(platform.shipments).toHaveLength(1);

    // BigCommerce's webhook for that shipment ships nothing twice.
    const before = await snapshot();
    await deliver(
      hook('store/shipment/created', { type: 'shipment', id: platform.shipments[0]!.id, orderId: ORDER }),
    );
    await processAll();
    expect(await snapshot()).toEqual(before);
  });

  it('replays and duplicate deliveries change nothing', async () => {
    const before = await snapshot();
    const events = await countRows('connector_events');
    const created = hook('store/order/created', { type: 'order', id: ORDER });
    await deliver(created);
    await processAll();
    const events2 = await countRows('connector_events');
    expect(events2).toBe(events + 1);
    const replay = await deliver(created);
    expect(replay.json()).toEqual({ received: true, duplicate: true });
    await deliver(
      hook('store/order/statusUpdated', {
        type: 'order',
        id: ORDER,
        status: { previous_status_id: 11, new_status_id: 2 },
      }),
    );
    await processAll();
    expect(await countRows('connector_events')).toBe(events2 + 1);
    expect(await snapshot()).toEqual(before);
    expect(fake.orders.find((o) => o.id === ORDER)!.shipments).toHaveLength(1);
  });
});

describe('webhooks out of order', () => {
  it('a cancellation before its creation: one cancelled order', async () => {
    fake.addOrder(260, [{ sku: 'JACKET-L', quantity: 1 }], { status_id: 5 });
    await deliver(
      hook('store/order/statusUpdated', {
        type: 'order',
        id: 260,
        status: { previous_status_id: 11, new_status_id: 5 },
      }),
    );
    await processAll();
    await deliver(hook('store/order/created', { type: 'order', id: 260 }));
    await processAll();
    const order = await orderByExternalId('260');
    expect(order).toMatchObject({ status: 'cancelled' });
    expect(order.lines[0]).toMatchObject({ cancelledQuantity: 1, backorderedQuantity: 0 });
  });

  it('a BigCommerce shipment before its order waits for it, then ships; a refund cancels unshipped units', async () => {
    await api().ok('POST', '/v1/inventory/adjustments', store, {
      sku: 'CAP',
      quantity: 5,
      reason: 'restock',
    });
    const order = fake.addOrder(270, [{ sku: 'CAP', quantity: 3, price: '19.50' }]);
    order.products[0]!.quantity_shipped = 1;
    order.shipments.push({
      id: 7001,
      order_id: 270,
      order_address_id: 2700,
      tracking_number: 'EJ958083578US',
      shipping_provider: 'usps',
      tracking_carrier: '',
      comments: '',
      items: [{ order_product_id: 2700, product_id: 0, quantity: 1 }],
    });
    await deliver(hook('store/shipment/created', { type: 'shipment', id: 7001, orderId: 270 }));
    await processAll();
    expect((await api().ok('GET', `/v1/connections/${connectionId}`, store)).counters.eventsParked).toBe(1);
    await deliver(hook('store/order/created', { type: 'order', id: 270 }));
    await processAll();
    let mine = await orderByExternalId('270');
    expect(mine.lines[0]).toMatchObject({ shippedQuantity: 1, allocatedQuantity: 2 });
    expect(await countRows('connector_fulfilments')).toBe(2);

    order.refunds.push({
      id: 33,
      order_id: 270,
      items: [{ item_type: 'PRODUCT', item_id: 2700, quantity: 1, reason: 'changed mind' }],
    });
    const refund = hook('store/order/refund/created', { type: 'order', id: 270, refund: { refund_id: 33 } });
    await deliver(refund);
    await deliver(refund);
    await processAll();
    mine = await orderByExternalId('270');
    expect(mine.lines[0]).toMatchObject({ shippedQuantity: 1, allocatedQuantity: 1, cancelledQuantity: 1 });
  });
});

describe('catalogue and inventory webhooks', () => {
  it('a product update follows name and price; a stock change made on BigCommerce is answered with Backfill’s', async () => {
    const jacket = fake.products.find((p) => p.id === 111)!;
    jacket.variants[1]!.price = 139;
    await deliver(hook('store/product/updated', { type: 'product', id: 111 }));
    await processAll();
    expect((await api().ok('GET', '/v1/variants/JACKET-L', store)).price).toBe(13900);

    await pushAll();
    const level = await api().ok('GET', '/v1/inventory/JACKET-L', store);
    fake.onHand.set(variantId('JACKET-L'), 99);
    await deliver(
      hook('store/sku/inventory/updated', {
        type: 'sku',
        id: 461,
        inventory: { product_id: 111, method: 'absolute', value: 99, variant_id: variantId('JACKET-L') },
      }),
    );
    await processAll();
    await pushAll();
    expect(fake.onHand.get(variantId('JACKET-L'))).toBe(level.available);

    fake.onHand.set(variantId('CAP'), 50);
    await deliver(
      hook('store/product/inventory/updated', {
        type: 'product',
        id: 112,
        inventory: { product_id: 112, method: 'absolute', value: 50 },
      }),
    );
    await processAll();
    await pushAll();
    expect(fake.onHand.get(variantId('CAP'))).toBe(
      (await api().ok('GET', '/v1/inventory/CAP', store)).available,
    );
  });
});

describe('webhook secret', () => {
  it('a forged or missing secret is a 401 and stores nothing', async () => {
    const events = await countRows('connector_events');
    const orders = await countRows('orders');
    fake.addOrder(280, [{ sku: 'JACKET-M', quantity: 1 }]);
    const forged = await deliver(
      hook('store/order/created', { type: 'order', id: 280 }, 'whsec_wrong_secret_0000000'),
    );
    expect(forged.statusCode).toBe(401);
    const { rawBody, headers } = hook('store/order/created', { type: 'order', id: 280 });
    const { 'x-backfill-webhook-secret': _, ...bare } = headers;
    expect((await deliver({ rawBody, headers: bare })).statusCode).toBe(401);
    expect((await deliver({ rawBody, headers }, 'con_unknown')).statusCode).toBe(401);
    // A Shopify-signed body on the BigCommerce receiver is refused too.
    expect(
      (await t.request('POST', `/v1/webhooks/shopify/${connectionId}`, { rawBody, headers })).statusCode,
    ).toBe(401);
    await processAll();
    expect(await countRows('connector_events')).toBe(events);
    expect(await countRows('orders')).toBe(orders);
  });
});

describe('outbound rate limits and drift', () => {
  it('waits out a 429 (X-Rate-Limit-Time-Reset-Ms), then pushes', async () => {
    await api().ok('POST', '/v1/inventory/adjustments', store, {
      sku: 'JACKET-L',
      quantity: 4,
      reason: 'restock',
    });
    fake.rateLimitNext = 1;
    const before = fake.requests.length;
    await pushAll();
    const sent = fake.requests.slice(before);
    expect(sent[0]!.status).toBe(429);
    const level = await api().ok('GET', '/v1/inventory/JACKET-L', store);
    expect(fake.onHand.get(variantId('JACKET-L'))).toBe(level.available);
  });

  it('reconciliation finds what changed on BigCommerce and repairs it', async () => {
    const cap = await api().ok('GET', '/v1/inventory/CAP', store);
    fake.onHand.set(variantId('CAP'), 40);
    fake.backorderLimits.set(variantId('JACKET-M'), 0);
    const report = await api().ok('POST', `/v1/connections/${connectionId}/reconcile`, store);
    expect(report).toMatchObject({ checked: 3, found: 2, repaired: 2 });
    expect(report.items).toEqual(
      expect.arrayContaining([
        { sku: 'CAP', field: 'quantity', platform: 40, backfill: cap.available },
        { sku: 'JACKET-M', field: 'policy', platform: 'DENY', backfill: 'CONTINUE' },
      ]),
    );
    expect(fake.onHand.get(variantId('CAP'))).toBe(cap.available);
    expect(fake.backorderLimits.get(variantId('JACKET-M'))).toBe(10);
  });
});

describe('the CLI', () => {
  it('connect bigcommerce names the flags it lacks and changes nothing', async () => {
    const said: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((line: string) => void said.push(line));
    try {
      const code = await connectCommand(testConfig({ secretsKey: SECRETS_KEY }), [
        'bigcommerce',
        '--store',
        store.id,
        '--shop',
        'cli.mybigcommerce.com',
      ]);
      expect(code).toBe(2);
    } finally {
      spy.mockRestore();
    }
    expect(said.join('\n')).toContain('--store-hash, --token, --webhook-secret');
  });

  // The CLI opens the database by its URL: the test app's in-memory PGlite is not reachable that way.
  it.skipIf(engineUnderTest() !== 'postgres')('connect bigcommerce connects a store', async () => {
    const other = await t.createStore('CLI store', 'USD');
    const said: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((line: string) => void said.push(line));
    try {
      const code = await connectCommand(testConfig({ secretsKey: SECRETS_KEY }), [
        'bigcommerce',
        '--store',
        other.id,
        '--shop',
        'cli.mybigcommerce.com',
        '--store-hash',
        fake.storeHash,
        '--token',
        fake.token,
        '--webhook-secret',
        WEBHOOK_SECRET,
        '--api-url',
        fake.url,
        '--push-fulfilments',
      ]);
      expect(code).toBe(0);
    } finally {
      spy.mockRestore();
    }
    const list = await api().ok('GET', '/v1/connections', other);
    expect(list.data).toEqual([
      expect.objectContaining({
        platform: 'bigcommerce',
        shop: 'cli.mybigcommerce.com',
        pushFulfilments: true,
      }),
    ]);
    expect(said.join('\n')).toContain(`/v1/webhooks/bigcommerce/${list.data[0].id}`);
  });
});
