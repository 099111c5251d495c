/**
 * The console's orders, backorders and connections pages in a real browser (headless Chromium):
 * find an order by the shopper's name and by the platform's id, read its timeline (events and the
 * messages as sent), resend a message, ship its ready units; select waiting lines and cancel them
 * in bulk (one fails, and says why); connect a Shopify store (a stand-in on loopback), import it,
 * and retry a failed inbound event. Every page: axe (no serious/critical), not blank, no sideways
 * scroll at 390 px, screenshots at 1280 and 390 px in BACKFILL_SCREENSHOTS (default .screenshots/admin).
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Senders } from '../src/modules/messages/messages.channels.ts';
import { deliverDue } from '../src/modules/messages/messages.delivery.ts';
import { startRelayCursor } from '../src/modules/messages/messages.relay.ts';
import { checkPage as checkConsolePage, seriousViolations } from './support/admin-pages.ts';
import { launchChromium } from './support/browser.ts';
import { type FakeShopify, startFakeShopify } from './support/fake-shopify.ts';
import { OPERATOR_TOKEN, type StoreKeys, startTestApp, type TestApp, variant } from './support/harness.ts';
import { relayAll } from './support/relay.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely
type Json = any;

const EMAIL = 'owner@orders.example';
const PASSWORD = 'correct horse battery staple';
const suffix = Math.random().toString(36).slice(2, 7).toUpperCase();
const JACKET = `JACKET-${suffix}`;
const MUG = `MUG-${suffix}`;

let t: TestApp;
let fake: FakeShopify;
let origin: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let store: StoreKeys;
let ownerLink: string;
const orders: Record<string, Json> = {};
const problems: string[] = [];

async function call(method: 'GET' | 'PUT' | 'POST' | 'PATCH', url: string, body?: unknown): Promise<Json> {
  const res = await t.request(method, url, { key: store.secretKey, ...(body === undefined ? {} : { body }) });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.body ? res.json() : null;
}

const outboxOnly: Senders = {
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

/** Turns the store's events into messages and "sends" them to the built-in outbox. */
async function sendMessages(): Promise<void> {
  await relayAll(t.app.deps, { cursor: `orders-browser-${store.id}`, storeIds: [store.id] });
  await deliverDue(t.app.deps, outboxOnly, { storeIds: [store.id] });
}

beforeAll(async () => {
  fake = await startFakeShopify();
  fake.products.push({
    id: 7001,
    title: 'Trail cap',
    image: null,
    variants: [
      {
        id: 7101,
        product_id: 7001,
        sku: `CAP-${suffix}`,
        title: 'Default Title',
        price: '19.50',
        inventory_item_id: 7201,
        inventory_policy: 'continue',
      },
    ],
  });
  t = await startTestApp({ config: { secretsKey: randomBytes(32) } });
  await t.app.server.listen({ port: 0, host: '127.0.0.1' });
  origin = `http://127.0.0.1:${(t.app.server.server.address() as AddressInfo).port}`;
  const created = await t.request('POST', '/v1/stores', {
    key: OPERATOR_TOKEN,
    body: { name: 'Orders Outdoor', currency: 'USD', ownerEmail: EMAIL },
  });
  expect(created.statusCode).toBe(201);
  const body = created.json();
  store = { id: body.store.id, secretKey: body.secretKey, publishableKey: body.publishableKey };
  ownerLink = `${origin}/admin/sign-in${new URL(body.ownerSignInLink).hash}`;
  await startRelayCursor(t.app.deps, `orders-browser-${store.id}`);
  await call('PATCH', '/v1/settings/messaging', { email: { channel: 'outbox' } });

  await call('PUT', `/v1/variants/${JACKET}`, variant('backorder', null, { title: 'Alpine jacket' }));
  await call('PUT', `/v1/variants/${MUG}`, variant('backorder', null, { title: 'Enamel mug' }));
  await call('POST', '/v1/inventory/adjustments', { sku: MUG, quantity: 3, reason: 'restock' });
  for (const [name, email] of [
    ['Ben First', 'first@x.example'],
    ['Cleo Second', 'second@x.example'],
  ]) {
    orders[email!] = await call('POST', '/v1/orders', {
      customer: { name, email },
      lines: [{ sku: JACKET, quantity: 2 }],
    });
  }
  orders.ada = await call('POST', '/v1/orders', {
    externalId: 'shop-2002',
    customer: { name: 'Ada Lovelace', email: 'ada@example.com' },
    lines: [
      { sku: JACKET, quantity: 1 },
      { sku: MUG, quantity: 2 },
    ],
  });
  orders.adam = await call('POST', '/v1/orders', {
    externalId: 'shop-2003',
    customer: { name: 'Adam Smith', email: 'adam@example.com' },
    lines: [{ sku: MUG, quantity: 1 }],
  });
  await sendMessages();

  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
  page = await context.newPage();
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/Failed to load resource/.test(message.text()))
      problems.push(message.text());
  });
}, 180_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await t?.close();
  await fake?.close();
});

/** Every page: axe-clean, not blank, no sideways scroll at 390 px; screenshots (shared check). */
const checkPage = (name: string): Promise<void> => checkConsolePage(page, name);

/** An open dialog: no serious or critical axe violation. */
async function dialogAxe(): Promise<void> {
  expect(await seriousViolations(page)).toEqual([]);
}

describe('orders, backorders and connections in a browser', () => {
  it('signs in with the owner’s one-time link', async () => {
    await page.goto(ownerLink);
    await page.getByRole('heading', { name: 'Choose your password' }).waitFor();
    await page.locator('input[autocomplete="new-password"]').first().fill(PASSWORD);
    await page.locator('input[autocomplete="new-password"]').nth(1).fill(PASSWORD);
    await page.getByRole('button', { name: 'Set password and sign in' }).click();
    await page.waitForURL(/\/admin\/?$/);
  });

  it('finds orders by the start of the name and by the platform’s order id', async () => {
    await page.getByRole('link', { name: 'Orders and customers' }).click();
    await page.waitForURL(/\/admin\/orders$/);
    await page.getByLabel('Search by').selectOption('name');
    await page.getByLabel('Customer name').fill('ADA');
    await page.keyboard.press('Enter');
    await page.waitForURL(/name=ADA/);
    const rows = page.getByRole('row').filter({ hasText: /Ada Lovelace|Adam Smith/ });
    await expect.poll(() => rows.count()).toBe(2);
    await page.getByLabel('Customer name').fill('ada l');
    await page.keyboard.press('Enter');
    await expect.poll(() => rows.count()).toBe(1);
    await checkPage('orders-by-name');
    await page.getByLabel('Search by').selectOption('externalId');
    await page.getByLabel('Your platform’s order id').fill('shop-2003');
    await page.keyboard.press('Enter');
    await page.waitForURL(/externalId=shop-2003/);
    await expect.poll(() => page.getByRole('row').filter({ hasText: 'Adam Smith' }).count()).toBe(1);
    await expect.poll(() => page.getByRole('row').filter({ hasText: 'Ada Lovelace' }).count()).toBe(0);
    await page.getByLabel('Your platform’s order id').fill('SHOP-2003');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByText('No orders for order id SHOP-2003').count()).toBe(1);
    await checkPage('orders-by-id-none');
  });

  it('an order shows its timeline with the message as sent; resends it; ships the ready units', async () => {
    await page.goto(`${origin}/admin/orders?name=ada%20l`);
    await page.getByRole('row').filter({ hasText: 'Ada Lovelace' }).getByRole('link').click();
    await page.waitForURL(new RegExp(`/admin/orders/${orders.ada.id}$`));
    const timeline = page.getByRole('list', { name: 'What happened to this order' });
    await expect.poll(() => timeline.locator('[data-entry="order.placed"]').count()).toBe(1);
    expect(await timeline.locator('[data-entry="order.placed"]').innerText()).toContain('Order placed');
    const confirmation = timeline.locator('[data-entry="order_confirmation"]');
    await expect.poll(() => confirmation.count()).toBe(1);
    expect(await confirmation.innerText()).toMatch(/Email: Order confirmation/);
    await confirmation.locator('summary').click();
    expect(await confirmation.innerText()).toContain(`Thank you for your order ${orders.ada.number}`);
    await checkPage('order-timeline');

    await confirmation.getByRole('button', { name: /Resend the order confirmation/ }).click();
    await expect.poll(() => confirmation.getByText('Queued to send again').count()).toBe(1);
    const messages = await call('GET', `/v1/messages?orderId=${orders.ada.id}`);
    expect(messages.data.some((m: Json) => m.kind === 'order_confirmation' && m.state === 'queued')).toBe(
      true,
    );

    await page.getByRole('button', { name: 'Ship 2 ready units…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel(`Units of ${MUG} to ship`).fill('1');
    await dialog.getByLabel('Carrier (optional)').fill('UPS');
    await dialog.getByLabel('Tracking number (optional)').fill('1Z999');
    await dialogAxe();
    await dialog.getByRole('button', { name: 'Ship 1 unit' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Shipped 1 unit' }).count()).toBe(1);
    await expect.poll(() => timeline.locator('[data-entry="shipment.created"]').count()).toBe(1);
    expect(await timeline.locator('[data-entry="shipment.created"]').innerText()).toMatch(/UPS 1Z999/);
    const after = await call('GET', `/v1/orders/${orders.ada.id}`);
    expect(after.lines.find((l: Json) => l.sku === MUG).shippedQuantity).toBe(1);
  });

  it('cancels selected waiting lines in bulk, saying which failed and why', async () => {
    await page.getByRole('link', { name: 'Backorders' }).click();
    await page.waitForURL(/\/admin\/backorders/);
    const table = page.getByRole('table', { name: 'Waiting lines' });
    await table.getByRole('checkbox', { name: `Select ${JACKET} for first@x.example` }).check();
    await table.getByRole('checkbox', { name: `Select ${JACKET} for second@x.example` }).check();
    await expect.poll(() => page.getByText('2 lines selected in 2 orders').count()).toBe(1);
    await checkPage('backorders-selected');
    // Meanwhile the second shopper's order is cancelled elsewhere.
    await call('POST', `/v1/orders/${orders['second@x.example'].id}/cancel`, {});
    await page.getByRole('button', { name: 'Cancel selected…' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.innerText()).toMatch(/refunded automatically/);
    await dialogAxe();
    await dialog.getByLabel('Reason (optional)').fill('Supplier discontinued');
    await dialog.getByRole('button', { name: 'Cancel 4 units' }).click();
    const results = dialog.getByRole('list', { name: 'Results per order' });
    await expect.poll(() => results.getByRole('listitem').count()).toBe(2);
    await dialog.getByRole('button', { name: 'Close', exact: true }).waitFor();
    const ok = results.locator('[data-outcome="ok"]');
    const failed = results.locator('[data-outcome="failed"]');
    expect(await ok.innerText()).toContain(orders['first@x.example'].id);
    expect(await ok.innerText()).toMatch(/Cancelled 2 waiting units/);
    expect(await failed.innerText()).toContain(orders['second@x.example'].id);
    expect(await failed.innerText()).toMatch(/not done — .+/);
    expect(await dialog.innerText()).toMatch(/1 of 2 done, 1 failed/);
    await dialogAxe();
    await dialog.getByRole('button', { name: 'Close', exact: true }).click();
    const first = await call('GET', `/v1/orders/${orders['first@x.example'].id}`);
    expect(first.status).toBe('cancelled');
    const events = await call('GET', '/v1/events?type=order.cancelled');
    expect(events.data.some((e: Json) => e.data.reason === 'Supplier discontinued')).toBe(true);
  });

  it('resends the latest message of each selected order, saying which had none', async () => {
    await sendMessages();
    const quiet = await call('POST', '/v1/orders', {
      customer: { email: 'quiet@x.example' },
      lines: [{ sku: JACKET, quantity: 1 }],
    });
    await page.reload();
    const table = page.getByRole('table', { name: 'Waiting lines' });
    await table.getByRole('checkbox', { name: `Select ${JACKET} for ada@example.com` }).check();
    await table.getByRole('checkbox', { name: `Select ${JACKET} for quiet@x.example` }).check();
    await page.getByRole('button', { name: 'Resend latest message…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Resend 2' }).click();
    await dialog.getByRole('button', { name: 'Close', exact: true }).waitFor();
    const results = dialog.getByRole('list', { name: 'Results per order' });
    expect(await results.locator('[data-outcome="ok"]').innerText()).toMatch(
      new RegExp(`${orders.ada.id}.*Resent .* to ada@example.com`),
    );
    const failed = results.locator('[data-outcome="failed"]');
    expect(await failed.innerText()).toContain(quiet.id);
    expect(await failed.innerText()).toMatch(/No message was sent for this order yet/);
    await dialogAxe();
    await dialog.getByRole('button', { name: 'Close', exact: true }).click();
    const log = await call('GET', `/v1/messages?orderId=${orders.ada.id}&state=queued`);
    expect(log.data.length).toBe(1);
  });

  it('connects a Shopify store, imports it, and retries a failed event', async () => {
    await page.getByRole('link', { name: 'Connections' }).click();
    await page.waitForURL(/\/admin\/connections$/);
    await expect.poll(() => page.getByText('No store connected').count()).toBe(1);
    await checkPage('connections-empty');
    // Each platform asks for its own credentials.
    const platform = page.getByRole('combobox', { name: 'Platform' });
    await platform.selectOption('woocommerce');
    await page.getByLabel('Consumer key').waitFor();
    expect(await page.getByLabel('Admin API access token').count()).toBe(0);
    await platform.selectOption('bigcommerce');
    await page.getByLabel('Store hash').waitFor();
    await platform.selectOption('shopify');
    await page.getByLabel('Shop domain').fill('orders-test.myshopify.com');
    await page.getByLabel('Admin API access token').fill(fake.token);
    await page.getByLabel('Client secret').fill('shpss_browser_test_secret');
    await page.getByLabel('API address (optional)').fill(fake.url);
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    const card = page.getByRole('region', { name: 'orders-test.myshopify.com' });
    await card.waitFor();
    expect(await card.innerText()).toMatch(/Connected/i);
    expect(await card.innerText()).toMatch(/\/v1\/webhooks\/shopify\/con_/);
    // The fulfilment push: off as connected, switched on from the card.
    const push = card.getByRole('switch', { name: 'Push fulfilments to Shopify' });
    expect(await push.isChecked()).toBe(false);
    await push.click();
    await expect.poll(async () => (await call('GET', '/v1/connections')).data[0].pushFulfilments).toBe(true);
    await expect.poll(() => push.isChecked()).toBe(true);
    await card.getByRole('button', { name: 'Start import' }).click();
    await expect.poll(() => card.innerText(), { timeout: 20_000 }).toMatch(/Imported: 1 variant,/);

    // An inbound event that failed its retries (as the worker leaves it).
    const [connection] = (await call('GET', '/v1/connections')).data;
    const eventId = t.app.deps.ids.next('cev');
    await t.app.deps.db.execute(sql`
      INSERT INTO connector_events (id, store_id, connection_id, topic, resource_id, version, dedupe_key, payload,
                                    state, attempts, last_error, received_at)
      VALUES (${eventId}, ${store.id}, ${connection.id}, 'orders/create', '450789469', '1', 'orders/create:450789469:1',
              '{}'::jsonb, 'failed', 5, 'SKU "CAP-X" is out of stock and does not allow backorders', now())`);
    await page.reload();
    const failedRow = card.locator(`tr[data-event="${eventId}"]`);
    await failedRow.waitFor();
    expect(await failedRow.innerText()).toMatch(/out of stock/);
    await checkPage('connections');
    await failedRow.getByRole('button', { name: 'Retry the orders/create event 450789469' }).click();
    await expect.poll(() => card.getByText('Retried the orders/create event 450789469').count()).toBe(1);
    await expect.poll(() => failedRow.count()).toBe(0);
    const event = await call('GET', `/v1/connections/${connection.id}/events/${eventId}`);
    expect(event.state).not.toBe('failed');
    await card.getByRole('button', { name: 'Reconcile now' }).click();
    await expect.poll(() => card.innerText(), { timeout: 20_000 }).toMatch(/SKUs checked/);
    expect(problems).toEqual([]);
  });
});
