/**
 * The Shopify connector end to end, without the internet: a stand-in of Shopify's Admin API on
 * loopback (test/support/fake-shopify.ts) and webhooks shaped like Shopify's documented examples,
 * signed as Shopify signs them. An order on the platform for an out-of-stock item waits in
 * Backfill with a date, a restock in Backfill reaches the platform's policy, quantity and date;
 * replays, duplicates and reordered webhooks change nothing; forged signatures are refused and
 * store nothing; credentials never appear in an answer.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction, queryRows } from '../src/db/client.ts';
import { type ConnectorDeps, connectorDeps } from '../src/modules/connectors/connectors.context.ts';
import { pushFulfilmentsDue } from '../src/modules/connectors/connectors.fulfilments.ts';
import { processInbox } from '../src/modules/connectors/connectors.inbox.ts';
import { pushDue } from '../src/modules/connectors/connectors.outbound.ts';
import { findConnection, platformConnection } from '../src/modules/connectors/connectors.repository.ts';
import { openSecret } from '../src/modules/connectors/connectors.secrets.ts';
import { SHOPIFY_API_VERSION } from '../src/modules/connectors/connectors.shopify.api.ts';
import { connectStore } from '../src/modules/connectors/connectors.usecases.ts';
import { ManualClock } from '../src/shared/clock.ts';
import { OutboundRefused } from '../src/shared/outbound.ts';
import { type FakeShopify, signedWebhook, startFakeShopify } from './support/fake-shopify.ts';
import { type StoreKeys, startTestApp, type TestApp, withStoreKey } from './support/harness.ts';

const SECRETS_KEY = randomBytes(32);
const CLIENT_SECRET = 'shpss_client_secret_for_tests_0123';
const SHOP = 'backfill-test.myshopify.com';

let fake: FakeShopify;
let t: TestApp;
let store: StoreKeys;
let cdeps: ConnectorDeps;
let connectionId: string;
const clock = new ManualClock(new Date('2026-03-02T09:00:00Z'));
const api = () => withStoreKey(t);

/** An order as Shopify's orders/create example shapes it (ids, prices as decimals, line items with SKUs). */
function shopifyOrder(
  id: number,
  lines: { sku: string; quantity: number; price?: string }[],
  extra: Record<string, unknown> = {},
) {
  return {
    id,
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    name: `#${1000 + (id % 1000)}`,
    email: 'jon@example.com',
    currency: 'USD',
    created_at: '2026-03-02T04:00:00-05:00',
    updated_at: '2026-03-02T04:00:01-05:00',
    cancelled_at: null,
    financial_status: 'paid',
    fulfillment_status: null,
    customer: {
      id: 1153106273147,
      email: 'jon@example.com',
      first_name: 'Jon',
      last_name: 'Snow',
      phone: null,
    },
    line_items: lines.map((l, i) => ({
      id: id * 10 + i,
      variant_id: fake.variantBySku(l.sku)?.id ?? null,
      sku: l.sku,
      title: l.sku,
      quantity: l.quantity,
      price: l.price ?? '129.00',
      fulfillable_quantity: l.quantity,
    })),
    ...extra,
  };
}

function fulfilment(id: number, orderId: number, lines: { sku: string; quantity: number }[]) {
  return {
    id,
    order_id: orderId,
    status: 'success',
    created_at: '2026-03-03T10:00:00-05:00',
    updated_at: '2026-03-03T10:00:00-05:00',
    tracking_company: 'UPS',
    tracking_number: '1Z2345',
    line_items: lines.map((l, i) => ({ id: orderId * 10 + i, sku: l.sku, quantity: l.quantity })),
  };
}

async function deliver(
  topic: string,
  payload: Record<string, unknown>,
  secret = CLIENT_SECRET,
  id = connectionId,
) {
  const { rawBody, headers } = signedWebhook(topic, payload, secret);
  return t.request('POST', `/v1/webhooks/shopify/${id}`, { rawBody, headers });
}

const countRows = async (table: 'connector_events' | 'orders') =>
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

/** Everything Backfill holds that the tests compare before and after a replay. */
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
  };
}

// Scoped to this file's store: other test files share the database and have their own secrets key.
const processAll = () => processInbox(cdeps, { storeIds: [store.id] });
const pushAll = () => pushDue(cdeps, { storeIds: [store.id] });

beforeAll(async () => {
  fake = await startFakeShopify();
  fake.products.push(
    {
      id: 632910392,
      title: 'Trail Jacket',
      image: { src: 'https://cdn.example.com/jacket.png' },
      variants: [
        {
          id: 808950810,
          product_id: 632910392,
          sku: 'JACKET-M',
          title: 'M',
          price: '129.00',
          inventory_item_id: 39072856,
          inventory_policy: 'continue',
        },
        {
          id: 808950811,
          product_id: 632910392,
          sku: 'JACKET-L',
          title: 'L',
          price: '129.00',
          inventory_item_id: 39072857,
          inventory_policy: 'continue',
        },
      ],
    },
    {
      id: 632910393,
      title: 'Cap',
      image: null,
      variants: [
        {
          id: 808950812,
          product_id: 632910393,
          sku: 'CAP',
          title: 'Default Title',
          price: '19.50',
          inventory_item_id: 39072858,
          inventory_policy: 'deny',
        },
      ],
    },
  );
  t = await startTestApp({ clock, config: { secretsKey: SECRETS_KEY } });
  store = await t.createStore('Shopify store', 'USD');
  cdeps = connectorDeps(t.app.deps, { secretsKey: SECRETS_KEY, allowPrivateUrls: true });
});
afterAll(async () => {
  await t?.close();
  await fake?.close();
});

describe('connecting a Shopify store', () => {
  it('refuses to store credentials without BACKFILL_SECRETS_KEY', async () => {
    const withoutKey = { ...cdeps, secretsKey: null };
    const storeScope = { id: store.id, currency: 'USD', timezone: 'UTC' };
    await expect(
      inTransaction(t.app.deps.db, (tx) =>
        connectStore(tx, withoutKey, storeScope, {
          platform: 'shopify',
          shop: SHOP,
          credentials: { accessToken: fake.token, clientSecret: CLIENT_SECRET },
        }),
      ),
    ).rejects.toMatchObject({ code: 'secrets_key_not_configured' });
  });

  it('connects, seals the credentials and never shows them', async () => {
    const bad = await api().call('POST', '/v1/connections', store, {
      platform: 'shopify',
      shop: 'not a domain',
      credentials: { accessToken: 'x', clientSecret: 'y' },
    });
    expect(bad.statusCode).toBe(422);
    const withCredentials = await api().call('POST', '/v1/connections', store, {
      platform: 'shopify',
      shop: SHOP,
      apiUrl: fake.url.replace('://', '://user:secret@'),
      credentials: { accessToken: fake.token, clientSecret: CLIENT_SECRET },
    });
    expect(withCredentials.statusCode).toBe(422);
    expect(withCredentials.json().errors).toEqual([{ path: '/apiUrl', message: expect.any(String) }]);
    const res = await api().call('POST', '/v1/connections', store, {
      platform: 'shopify',
      shop: `https://${SHOP}/`,
      apiUrl: fake.url,
      credentials: { accessToken: fake.token, clientSecret: CLIENT_SECRET },
    });
    expect(res.statusCode).toBe(201);
    const view = res.json();
    connectionId = view.id;
    expect(view).toMatchObject({
      platform: 'shopify',
      shop: SHOP,
      state: 'active',
      webhookPath: `/v1/webhooks/shopify/${view.id}`,
    });
    const again = await api().call('POST', '/v1/connections', store, {
      platform: 'shopify',
      shop: SHOP,
      apiUrl: fake.url,
      credentials: { accessToken: fake.token, clientSecret: CLIENT_SECRET },
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('duplicate_connection');
    const answers = [
      res.body,
      again.body,
      (await api().call('GET', '/v1/connections', store)).body,
      (await api().call('GET', `/v1/connections/${connectionId}`, store)).body,
    ];
    for (const body of answers) {
      expect(body).not.toContain(fake.token);
      expect(body).not.toContain(CLIENT_SECRET);
    }
    const [row] = await queryRows<{ credentials: string }>(
      t.app.deps.db,
      sql`SELECT credentials FROM connections WHERE id = ${connectionId}`,
    );
    expect(row!.credentials).not.toContain(fake.token);
    expect(JSON.parse(openSecret(SECRETS_KEY, row!.credentials, `${store.id}/${connectionId}`))).toEqual({
      accessToken: fake.token,
      clientSecret: CLIENT_SECRET,
    });
    // Sealed for this connection: it does not open as another one's.
    expect(() => openSecret(SECRETS_KEY, row!.credentials, `${store.id}/con_other`)).toThrow();
  });

  it('imports the catalogue and open orders, with progress, then tells Shopify each SKU’s state', async () => {
    fake.orders.push(shopifyOrder(450789469, [{ sku: 'JACKET-L', quantity: 1 }]));
    const res = await api().call('POST', `/v1/connections/${connectionId}/import`, store);
    expect(res.statusCode).toBe(202);
    let detail = res.json();
    for (let i = 0; i < 100 && detail.import.state !== 'done'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      detail = await api().ok('GET', `/v1/connections/${connectionId}`, store);
    }
    expect(detail.import).toMatchObject({ state: 'done', phase: 'done', variants: 3, orders: 1 });
    expect(detail.counters.skusMapped).toBe(3);
    const jacket = await api().ok('GET', '/v1/variants/JACKET-M', store);
    expect(jacket).toMatchObject({
      title: 'Trail Jacket — M',
      price: 12900,
      backorder: { mode: 'backorder' },
    });
    expect((await api().ok('GET', '/v1/variants/CAP', store)).backorder.mode).toBe('deny');
    expect(await orderByExternalId('450789469')).toMatchObject({ status: 'backordered' });

    await pushAll();
    expect(fake.variantBySku('JACKET-M')!.inventory_policy).toBe('continue');
    expect(fake.variantBySku('CAP')!.inventory_policy).toBe('deny');
    expect(fake.available.get(39072856)).toBe(0);
    // Nothing changed since: a second pass calls Shopify for nothing.
    const calls = fake.requests.length;
    await pushAll();
    expect(fake.requests.length).toBe(calls);
  });
});

describe('an order on Shopify for an out-of-stock item', () => {
  const ORDER = 582098294508;

  it('waits in Backfill with a date, and Shopify shows that date', async () => {
    await api().ok('PATCH', '/v1/variants/JACKET-M', store, { backorder: { expectedDate: '2026-04-15' } });
    const res = await deliver('orders/create', shopifyOrder(ORDER, [{ sku: 'JACKET-M', quantity: 2 }]));
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
    const waiting = await api().ok('GET', '/v1/backorders?sku=JACKET-M', store);
    expect(waiting.data).toHaveLength(1);

    await pushAll();
    const variant = fake.variantBySku('JACKET-M')!;
    const next = await t.request('GET', '/v1/storefront/availability?sku=JACKET-M&quantity=1', {
      key: store.publishableKey,
    });
    expect(variant.inventory_policy).toBe('continue');
    expect(fake.available.get(variant.inventory_item_id)).toBe(0);
    expect(fake.expectedDates.get(variant.id)).toBe(next.json().expectedDate);
  });

  it('a restock in Backfill fills the line and reaches Shopify; Shopify’s fulfilment ships the units', async () => {
    const restock = await api().ok('POST', '/v1/inventory/adjustments', store, {
      sku: 'JACKET-M',
      quantity: 5,
      reason: 'restock',
    });
    expect(restock.filled).toHaveLength(1);
    await pushAll();
    const variant = fake.variantBySku('JACKET-M')!;
    expect(fake.available.get(variant.inventory_item_id)).toBe(3);
    // The date shown is the one a unit beyond the stock would get.
    const beyond = await t.request('GET', '/v1/storefront/availability?sku=JACKET-M&quantity=4', {
      key: store.publishableKey,
    });
    expect(fake.expectedDates.get(variant.id)).toBe(beyond.json().expectedDate);

    const res = await deliver(
      'fulfillments/create',
      fulfilment(255858046, ORDER, [{ sku: 'JACKET-M', quantity: 2 }]),
    );
    expect(res.statusCode).toBe(200);
    await processAll();
    const order = await orderByExternalId(String(ORDER));
    expect(order).toMatchObject({ status: 'fulfilled' });
    expect(order.lines[0].shippedQuantity).toBe(2);
  });

  it('replays and duplicate deliveries change nothing', async () => {
    const before = await snapshot();
    const events = await countRows('connector_events');
    const replay = await deliver('orders/create', shopifyOrder(ORDER, [{ sku: 'JACKET-M', quantity: 2 }]));
    expect(replay.json()).toEqual({ received: true, duplicate: true });
    const again = await deliver(
      'fulfillments/create',
      fulfilment(255858046, ORDER, [{ sku: 'JACKET-M', quantity: 2 }]),
    );
    expect(again.json().duplicate).toBe(true);
    expect(await countRows('connector_events')).toBe(events);
    // A later version of the same order and of the same fulfilment: applied, and nothing moves twice.
    await deliver(
      'orders/updated',
      shopifyOrder(ORDER, [{ sku: 'JACKET-M', quantity: 2 }], { updated_at: '2026-03-03T11:00:00-05:00' }),
    );
    await deliver('fulfillments/create', {
      ...fulfilment(255858046, ORDER, [{ sku: 'JACKET-M', quantity: 2 }]),
      updated_at: '2026-03-03T12:00:00-05:00',
    });
    await processAll();
    expect(await snapshot()).toEqual(before);
  });
});

describe('webhooks out of order', () => {
  it('a cancellation before its creation: one cancelled order, whichever came first', async () => {
    const inOrder = 582098294601;
    const reversed = 582098294602;
    const cancelledAt = {
      cancelled_at: '2026-03-02T05:00:00-05:00',
      updated_at: '2026-03-02T05:00:00-05:00',
      cancel_reason: 'customer',
    };
    await deliver('orders/create', shopifyOrder(inOrder, [{ sku: 'JACKET-L', quantity: 1 }]));
    await processAll();
    await deliver('orders/cancelled', shopifyOrder(inOrder, [{ sku: 'JACKET-L', quantity: 1 }], cancelledAt));
    await processAll();

    await deliver(
      'orders/cancelled',
      shopifyOrder(reversed, [{ sku: 'JACKET-L', quantity: 1 }], cancelledAt),
    );
    await processAll();
    await deliver('orders/create', shopifyOrder(reversed, [{ sku: 'JACKET-L', quantity: 1 }]));
    await processAll();

    const a = await orderByExternalId(String(inOrder));
    const b = await orderByExternalId(String(reversed));
    for (const order of [a, b]) {
      expect(order).toMatchObject({ status: 'cancelled' });
      expect(order.lines[0]).toMatchObject({
        cancelledQuantity: 1,
        backorderedQuantity: 0,
        allocatedQuantity: 0,
      });
    }
    const count = await queryRows<{ n: number }>(
      t.app.deps.db,
      sql`SELECT count(*)::int AS n FROM orders WHERE store_id = ${store.id} AND external_id IN (${String(inOrder)}, ${String(reversed)})`,
    );
    expect(count[0]!.n).toBe(2);
  });

  it('a fulfilment before its order waits for it, then ships', async () => {
    const id = 582098294603;
    await deliver('fulfillments/create', fulfilment(255858099, id, [{ sku: 'JACKET-M', quantity: 1 }]));
    await processAll();
    const detail = await api().ok('GET', `/v1/connections/${connectionId}`, store);
    expect(detail.counters.eventsParked).toBe(1);
    await deliver('orders/create', shopifyOrder(id, [{ sku: 'JACKET-M', quantity: 1 }]));
    await processAll();
    expect(await orderByExternalId(String(id))).toMatchObject({ status: 'fulfilled' });
    expect((await api().ok('GET', `/v1/connections/${connectionId}`, store)).counters.eventsParked).toBe(0);
  });
});

describe('signatures', () => {
  it('a forged or missing signature is a 401 and stores nothing', async () => {
    const events = await countRows('connector_events');
    const orders = await countRows('orders');
    const forged = await deliver(
      'orders/create',
      shopifyOrder(999, [{ sku: 'JACKET-M', quantity: 1 }]),
      'shpss_wrong_secret',
    );
    expect(forged.statusCode).toBe(401);
    expect(forged.headers['content-type']).toContain('application/problem+json');
    const { rawBody, headers } = signedWebhook(
      'orders/create',
      shopifyOrder(998, [{ sku: 'JACKET-M', quantity: 1 }]),
      CLIENT_SECRET,
    );
    const tampered = await t.request('POST', `/v1/webhooks/shopify/${connectionId}`, {
      rawBody: rawBody.replace('"quantity":1', '"quantity":9'),
      headers,
    });
    expect(tampered.statusCode).toBe(401);
    const { 'x-shopify-hmac-sha256': _, ...unsigned } = headers;
    expect(
      (await t.request('POST', `/v1/webhooks/shopify/${connectionId}`, { rawBody, headers: unsigned }))
        .statusCode,
    ).toBe(401);
    expect(
      (await deliver('orders/create', shopifyOrder(997, []), CLIENT_SECRET, 'con_unknown')).statusCode,
    ).toBe(401);
    await processAll();
    expect(await countRows('connector_events')).toBe(events);
    expect(await countRows('orders')).toBe(orders);
  });
});

describe('outbound rate limits and drift', () => {
  it('waits out a 429 and a THROTTLED answer, then pushes', async () => {
    await api().ok('POST', '/v1/inventory/adjustments', store, {
      sku: 'JACKET-L',
      quantity: 4,
      reason: 'restock',
    });
    fake.rateLimitNext = 1;
    fake.throttleNext = 1;
    const before = fake.requests.length;
    await pushAll();
    const sent = fake.requests.slice(before);
    expect(sent.map((r) => r.status)[0]).toBe(429);
    expect(sent.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(2);
    const level = await api().ok('GET', '/v1/inventory/JACKET-L', store);
    expect(fake.available.get(39072857)).toBe(level.available);
  });

  it('reconciliation finds what changed on Shopify and repairs it', async () => {
    fake.variantBySku('JACKET-M')!.inventory_policy = 'deny';
    fake.available.set(39072858, 40);
    const report = await api().ok('POST', `/v1/connections/${connectionId}/reconcile`, store);
    expect(report).toMatchObject({ checked: 3, found: 2, repaired: 2 });
    expect(report.items).toEqual(
      expect.arrayContaining([
        { sku: 'JACKET-M', field: 'policy', platform: 'DENY', backfill: 'CONTINUE' },
        { sku: 'CAP', field: 'quantity', platform: 40, backfill: 0 },
      ]),
    );
    expect(fake.variantBySku('JACKET-M')!.inventory_policy).toBe('continue');
    expect(fake.available.get(39072858)).toBe(0);
    expect((await api().ok('GET', `/v1/connections/${connectionId}`, store)).drift.found).toBe(2);
  });
});

describe('failures and retries', () => {
  it('an order Backfill refuses is retried, then failed, listed, and can be retried by hand', async () => {
    const id = 582098294700;
    await deliver('orders/create', shopifyOrder(id, [{ sku: 'CAP', quantity: 3, price: '19.50' }]));
    for (let i = 0; i < 6; i++) {
      await processAll();
      clock.advance(2 * 60 * 60_000);
    }
    const detail = await api().ok('GET', `/v1/connections/${connectionId}`, store);
    const failed = detail.failedEvents.find((e: { resourceId: string }) => e.resourceId === String(id));
    expect(failed).toMatchObject({ state: 'failed', attempts: 5, topic: 'orders/create' });
    expect(failed.lastError).toContain('insufficient_stock');
    expect(await orderByExternalId(String(id))).toBeNull();

    const early = await api().call(
      'POST',
      `/v1/connections/${connectionId}/events/${failed.id}/retry`,
      store,
    );
    expect(early.statusCode).toBe(200);
    await api().ok('POST', '/v1/inventory/adjustments', store, {
      sku: 'CAP',
      quantity: 3,
      reason: 'restock',
    });
    await processAll();
    expect(await orderByExternalId(String(id))).toMatchObject({ status: 'allocated' });
    const twice = await api().call(
      'POST',
      `/v1/connections/${connectionId}/events/${failed.id}/retry`,
      store,
    );
    expect(twice.statusCode).toBe(409);
    expect(twice.json().code).toBe('event_not_failed');
  });
});

describe('fulfilment push', () => {
  it('off by default; when on, a shipment Backfill makes becomes a Shopify fulfilment, once', async () => {
    // Shopify's own fulfilments earlier queued nothing: the connection did not push.
    const queued = await queryRows<{ n: number }>(
      t.app.deps.db,
      sql`SELECT count(*)::int AS n FROM connector_fulfilments WHERE store_id = ${store.id}`,
    );
    expect(queued[0]!.n).toBe(0);
    const on = await api().ok('PATCH', `/v1/connections/${connectionId}`, store, { pushFulfilments: true });
    expect(on.pushFulfilments).toBe(true);

    const id = 582098294900;
    await api().ok('POST', '/v1/inventory/adjustments', store, {
      sku: 'JACKET-L',
      quantity: 2,
      reason: 'restock',
    });
    const payload = shopifyOrder(id, [{ sku: 'JACKET-L', quantity: 1 }]);
    fake.orders.push(payload);
    await deliver('orders/create', payload);
    await processAll();
    const order = await orderByExternalId(String(id));
    expect(order.status).toBe('allocated');
    await api().ok('POST', `/v1/orders/${order.id}/shipments`, store, {
      carrier: 'UPS',
      trackingNumber: '1ZBF01',
    });
    expect(await pushFulfilmentsDue(cdeps, { storeIds: [store.id] })).toEqual({ pushed: 1, failed: 0 });
    const made = fake.fulfillments.get(id)!;
    expect(made).toEqual([
      { id: expect.any(Number), trackingNumber: '1ZBF01', lines: [{ sku: 'JACKET-L', quantity: 1 }] },
    ]);

    // Pushed again (a crash before its record): Shopify's fulfilment is found, not made twice.
    const connection = platformConnection(
      cdeps,
      (await findConnection(t.app.deps.db, store.id, connectionId))!,
    );
    const [shipment] = await queryRows<{ shipment_id: string }>(
      t.app.deps.db,
      sql`SELECT shipment_id FROM connector_fulfilments WHERE store_id = ${store.id} AND state = 'done'`,
    );
    const again = await cdeps.connectors.shopify.pushFulfilment(connection, {
      shipmentId: shipment!.shipment_id,
      platformOrderId: String(id),
      lines: [{ sku: 'JACKET-L', quantity: 1 }],
      carrier: 'UPS',
      trackingNumber: '1ZBF01',
      orderFulfilled: false,
    });
    expect(again.platformId).toBe(String(made[0]!.id));
    expect(fake.fulfillments.get(id)).toHaveLength(1);

    // Shopify's fulfillments/create for it ships nothing twice.
    const before = await snapshot();
    await deliver('fulfillments/create', fulfilment(made[0]!.id, id, [{ sku: 'JACKET-L', quantity: 1 }]));
    await processAll();
    expect(await snapshot()).toEqual(before);
    await api().ok('PATCH', `/v1/connections/${connectionId}`, store, { pushFulfilments: false });
  });
});

describe('privacy webhooks', () => {
  it('customers/data_request exports the shopper’s orders; customers/redact erases them', async () => {
    const request = {
      shop_id: 954889,
      shop_domain: SHOP,
      orders_requested: [582098294508],
      customer: { id: 191167, email: 'jon@example.com', phone: '555-625-1199' },
      data_request: { id: 9999 },
    };
    const res = await deliver('customers/data_request', request);
    expect(res.statusCode).toBe(200);
    await processAll();
    const [event] = await queryRows<{ id: string }>(
      t.app.deps.db,
      sql`SELECT id FROM connector_events WHERE store_id = ${store.id} AND topic = 'customers/data_request'`,
    );
    const exported = await api().ok('GET', `/v1/connections/${connectionId}/events/${event!.id}`, store);
    expect(exported.state).toBe('done');
    const orders = exported.result.export.orders as { externalId: string; customer: { email: string } }[];
    expect(orders.map((o) => o.externalId)).toContain('582098294508');
    expect(orders.every((o) => o.customer.email === 'jon@example.com')).toBe(true);

    await deliver('customers/redact', {
      shop_id: 954889,
      shop_domain: SHOP,
      customer: request.customer,
      orders_to_redact: [582098294508],
    });
    await processAll();
    const order = await orderByExternalId('582098294508');
    expect(order.customer).toEqual({});
    const left = await queryRows<{ n: number }>(
      t.app.deps.db,
      sql`SELECT count(*)::int AS n FROM orders WHERE store_id = ${store.id} AND customer->>'email' = 'jon@example.com'`,
    );
    expect(left[0]!.n).toBe(0);
    const payloads = await queryRows<{ n: number }>(
      t.app.deps.db,
      sql`SELECT count(*)::int AS n FROM connector_events WHERE store_id = ${store.id} AND payload::text LIKE '%jon@example.com%'
            AND topic NOT IN ('customers/redact', 'customers/data_request')`,
    );
    expect(payloads[0]!.n).toBe(0);
  });

  it('disconnecting deletes the connection and its inbox', async () => {
    const res = await t.request('DELETE', `/v1/connections/${connectionId}`, { key: store.secretKey });
    expect(res.statusCode).toBe(204);
    expect((await api().call('GET', `/v1/connections/${connectionId}`, store)).statusCode).toBe(404);
    expect(await countRows('connector_events')).toBe(0);
  });
});

describe('where the Admin API is reached', () => {
  const connection = (baseUrl: string) => ({
    id: 'con_elsewhere',
    storeId: store.id,
    shop: SHOP,
    baseUrl,
    locationId: null,
    credentials: { accessToken: fake.token, clientSecret: CLIENT_SECRET },
  });

  it('a redirect is not followed: it fails with the status, and its target receives nothing', async () => {
    // The API answers 302 to Shopify's stand-in, which would answer the token it receives.
    const redirector = createServer((_request, response) => {
      response.writeHead(302, { location: `${fake.url}/admin/api/${SHOPIFY_API_VERSION}/locations.json` });
      response.end('x'.repeat(5000));
    });
    redirector.listen(0, '127.0.0.1');
    await once(redirector, 'listening');
    try {
      const before = fake.requests.length;
      const redirecting = connection(`http://127.0.0.1:${(redirector.address() as AddressInfo).port}`);
      const failure = await cdeps.connectors.shopify.findLocation(redirecting).catch((error: Error) => error);
      expect(failure).toMatchObject({ name: 'ShopifyApiError', status: 302 });
      expect((failure as Error).message).toContain('redirects to');
      expect((failure as Error).message).not.toContain('x'.repeat(201));
      expect(fake.requests.length).toBe(before);
    } finally {
      redirector.closeAllConnections();
      redirector.close();
    }
  });

  it('without BACKFILL_ALLOW_PRIVATE_URLS, an API on a private address is refused before it is reached', async () => {
    const guarded = connectorDeps(t.app.deps, { secretsKey: SECRETS_KEY, allowPrivateUrls: false });
    const before = fake.requests.length;
    await expect(guarded.connectors.shopify.findLocation(connection(fake.url))).rejects.toBeInstanceOf(
      OutboundRefused,
    );
    expect(fake.requests.length).toBe(before);
  });
});
