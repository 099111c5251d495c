/**
 * The merchant console in a real browser (headless Chromium driven by playwright-core), as a
 * person uses it: sign in from the keyboard, read the overview (and see it change live), find an
 * order by the shopper's email and cancel one of its lines, read the queues. Every page passes
 * axe-core with no serious or critical violation, renders something, and fits 390 px without
 * sideways scrolling; screenshots at 1280 and 390 px go to BACKFILL_SCREENSHOTS (default
 * .screenshots/admin, kept out of git). The first page's JavaScript must stay under 300 kB gzipped.
 *
 * Sign-in is the real one: the store's first owner opens the one-time link `POST /v1/stores`
 * printed, chooses a password, signs out, and signs in again with email and password.
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPage, SCREENSHOTS } from './support/admin-pages.ts';
import { axeViolations, launchChromium } from './support/browser.ts';
import { OPERATOR_TOKEN, type StoreKeys, startTestApp, type TestApp, variant } from './support/harness.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely
type Json = any;

const EMAIL = 'owner@summit.example';
const PASSWORD = 'correct horse battery staple';
const SHOPPER = 'ada@example.com';

let t: TestApp;
let origin: string;
let browser: Browser;
let store: StoreKeys;
let ownerLink: string;
let orderId: string;
const suffix = Math.random().toString(36).slice(2, 7).toUpperCase();
const JACKET = `JACKET-${suffix}`;
const MUG = `MUG-${suffix}`;

async function call(method: 'GET' | 'PUT' | 'POST' | 'PATCH', url: string, body?: unknown): Promise<Json> {
  const res = await t.request(method, url, { key: store.secretKey, ...(body === undefined ? {} : { body }) });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.body ? res.json() : null;
}

beforeAll(async () => {
  t = await startTestApp();
  await t.app.server.listen({ port: 0, host: '127.0.0.1' });
  origin = `http://127.0.0.1:${(t.app.server.server.address() as AddressInfo).port}`;
  const created = await t.request('POST', '/v1/stores', {
    key: OPERATOR_TOKEN,
    body: { name: 'Summit Outdoor', currency: 'USD', ownerEmail: EMAIL },
  });
  expect(created.statusCode).toBe(201);
  const body = created.json();
  store = { id: body.store.id, secretKey: body.secretKey, publishableKey: body.publishableKey };
  // The link names the configured public URL; the fragment carries the token.
  ownerLink = `${origin}/admin/sign-in${new URL(body.ownerSignInLink).hash}`;

  await call('PUT', `/v1/variants/${JACKET}`, variant('backorder', null, { title: 'Alpine jacket' }));
  await call('PUT', `/v1/variants/${MUG}`, variant('backorder', null, { title: 'Enamel mug' }));
  await call('POST', '/v1/inventory/adjustments', { sku: MUG, quantity: 3, reason: 'restock' });
  for (const email of ['first@x.example', 'second@x.example']) {
    await call('POST', '/v1/orders', { customer: { email }, lines: [{ sku: JACKET, quantity: 2 }] });
  }
  const order = await call('POST', '/v1/orders', {
    customer: { name: 'Ada Lovelace', email: SHOPPER },
    lines: [
      { sku: JACKET, quantity: 3 },
      { sku: MUG, quantity: 1 },
    ],
  });
  orderId = order.id;
  browser = await launchChromium();
  mkdirSync(SCREENSHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('the console in a browser', () => {
  let context: BrowserContext;
  let page: Page;
  const writes: Request[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
    page = await context.newPage();
    page.on('request', (request) => {
      if (request.method() !== 'GET' && new URL(request.url()).pathname.startsWith('/v1/'))
        writes.push(request);
    });
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      // A failed fetch is an answer the page shows in words (the 401 before sign-in).
      if (message.type() === 'error' && !/Failed to load resource/.test(message.text()))
        problems.push(message.text());
    });
  });
  afterAll(() => context?.close());

  it('the first owner’s one-time link sets a password and signs in', async () => {
    expect(ownerLink).toMatch(/#link=.+/);
    await page.goto(ownerLink);
    await page.getByRole('heading', { name: 'Choose your password' }).waitFor();
    // The token leaves the address bar at once.
    expect(page.url()).not.toContain('link=');
    await checkPage(page, 'sign-in-link');
    await page.locator('input[autocomplete="new-password"]').first().fill(PASSWORD);
    await page.locator('input[autocomplete="new-password"]').nth(1).fill('something else entirely');
    await page.getByRole('button', { name: 'Set password and sign in' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toMatch(/differ/);
    await page.locator('input[autocomplete="new-password"]').nth(1).fill(PASSWORD);
    await page.getByRole('button', { name: 'Set password and sign in' }).click();
    await page.waitForURL(/\/admin\/?$/);
    expect(await page.getByTestId('store-name').innerText()).toBe('Summit Outdoor');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/admin\/sign-in/);
  });

  it('GET / leads to the sign-in page; a wrong password is said in words; signs in from the keyboard', async () => {
    await page.goto(`${origin}/`);
    await page.waitForURL(/\/admin\/sign-in/);
    await checkPage(page, 'sign-in');
    // Email has focus on arrival; Tab to the password, Enter submits.
    await page.keyboard.type(EMAIL);
    await page.keyboard.press('Tab');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(outline).not.toBe('none');
    await page.keyboard.type('not the password');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('alert').innerText()).toMatch(/password/i);
    await page.locator('input[autocomplete="current-password"]').fill(PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/admin\/?$/);
    expect(await page.getByTestId('store-name').innerText()).toBe('Summit Outdoor');
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'backfill_session');
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe('Lax');
  });

  it('the overview shows the figures and changes live when an order waits', async () => {
    await checkPage(page, 'overview');
    const waiting = page.locator('[data-figure="Waiting units"]');
    // 2 + 2 + 3 jackets wait (the mug is in stock).
    await expect.poll(() => waiting.innerText()).toBe('7');
    await call('POST', '/v1/orders', {
      customer: { email: 'late@x.example' },
      lines: [{ sku: JACKET, quantity: 4 }],
    });
    const started = Date.now();
    await expect.poll(() => waiting.innerText(), { timeout: 12_000 }).toBe('11');
    console.log(
      `overview updated ${Date.now() - started} ms after the order (live: ${await page.getByRole('status').first().innerText()})`,
    );
  });

  it('the first page loads under 300 kB of gzipped JavaScript', async () => {
    const fresh = await context.newPage();
    const scripts: Promise<number>[] = [];
    fresh.on('response', (response) => {
      if (response.url().endsWith('.js'))
        scripts.push(response.body().then((b) => gzipSync(b, { level: 9 }).length));
    });
    await fresh.goto(`${origin}/admin`);
    await fresh.waitForSelector('[data-figure="Waiting units"]');
    await fresh.waitForLoadState('networkidle');
    const sizes = await Promise.all(scripts);
    const total = sizes.reduce((a, b) => a + b, 0);
    console.log(`first page (overview): ${sizes.length} scripts, ${(total / 1024).toFixed(1)} kB gzipped`);
    expect(total).toBeLessThan(300 * 1024);
    await fresh.close();
  });

  it('finds an order by email and cancels one line (with the CSRF token)', async () => {
    await page.getByRole('link', { name: 'Orders and customers' }).click();
    await page.waitForURL(/\/admin\/orders$/);
    await checkPage(page, 'orders');
    await page.getByLabel('Customer email').fill(SHOPPER.toUpperCase());
    await page.keyboard.press('Enter');
    await page.waitForURL(/email=/);
    const row = page.getByRole('row').filter({ hasText: 'Ada Lovelace' });
    await expect.poll(() => row.count()).toBe(1);
    await row.getByRole('link').click();
    await page.waitForURL(new RegExp(`/admin/orders/${orderId}$`));
    await checkPage(page, 'order');
    const jacketRow = page.locator(`tr[data-line="${JACKET}"]`);
    expect(await jacketRow.innerText()).toMatch(/#3 in queue/);
    await jacketRow.getByRole('button', { name: `Cancel units of ${JACKET}` }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Units to cancel').fill('1');
    await dialog.getByLabel('Reason (optional)').fill('Shopper asked by phone');
    const axeDialog = (await axeViolations(page)).filter(
      (v) => v.impact === 'serious' || v.impact === 'critical',
    );
    expect(axeDialog.map((v) => v.id)).toEqual([]);
    await dialog.getByRole('button', { name: 'Cancel 1 unit' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Cancelled' }).count()).toBe(1);
    const after = await call('GET', `/v1/orders/${orderId}`);
    const jacket = after.lines.find((l: Json) => l.sku === JACKET);
    expect(jacket.cancelledQuantity).toBe(1);
    expect(jacket.backorderedQuantity).toBe(2);
    expect(after.lines.find((l: Json) => l.sku === MUG).cancelledQuantity).toBe(0);
    // The owner's audit log names who cancelled what.
    const audit = await (await page.request.get(`${origin}/v1/audit-log`)).json();
    const entry = audit.data.find((a: Json) => a.action === 'cancelOrder');
    expect(entry?.staff.email).toBe(EMAIL);
    expect(JSON.stringify(entry?.target)).toContain(orderId);
    const cancel = writes.find((r) => r.url().endsWith(`/v1/orders/${orderId}/cancel`))!;
    expect(cancel).toBeDefined();
    expect((await cancel.allHeaders())['x-csrf-token']).toBeTruthy();
    expect(await jacketRow.innerText()).toMatch(/\b2\b/);
  });

  it('lists the queues with position, units ahead, customer and dates; filters by SKU and customer', async () => {
    await page.getByRole('link', { name: 'Backorders' }).click();
    await page.waitForURL(/\/admin\/backorders/);
    await checkPage(page, 'backorders');
    const table = page.getByRole('table', { name: 'Waiting lines' });
    const ada = table.getByRole('row').filter({ hasText: SHOPPER });
    // first@ (2) and second@ (2) are ahead of Ada's 2 remaining jackets.
    const cells = await ada.getByRole('cell').allInnerTexts();
    expect(cells[0]).toBe(JACKET);
    expect(cells[1]).toBe('3');
    expect(cells[2]).toBe('4');
    expect(cells[3]).toMatch(/^2/);
    await page.getByLabel('Customer or order').fill('second@');
    await page.keyboard.press('Enter');
    await expect.poll(() => table.getByRole('row').count()).toBe(2); // header + one line
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.getByLabel('SKU').fill('NO-SUCH-SKU');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByText('Nobody waits for NO-SUCH-SKU').count()).toBe(1);
    await checkPage(page, 'backorders-empty');
  });

  it('sign out returns to sign-in, and signing in again leads back to the page asked for', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/admin\/sign-in/);
    await page.goto(`${origin}/admin/backorders?sku=${JACKET}`);
    await page.waitForURL(/\/admin\/sign-in\?next=/);
    // Signing in leads back to the page asked for.
    await page.getByLabel('Email').fill(EMAIL);
    await page.locator('input[autocomplete="current-password"]').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(new RegExp(`/admin/backorders\\?sku=${JACKET}$`));
    await page.getByRole('table', { name: 'Waiting lines' }).waitFor();
    expect(problems).toEqual([]);
  });
});
