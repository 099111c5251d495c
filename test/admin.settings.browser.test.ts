/**
 * The console's Messages and Settings pages in a real browser (headless Chromium), and role-aware
 * navigation: the owner reads an email kept by the built-in outbox as the shopper saw it, edits a
 * template and watches the preview follow, sends a test through the outbox, invites staff, creates
 * an API key (shown once) and revokes it, and reads the audit log; a support user sees only their
 * areas and is told plainly when an address is not for their role. Every page passes axe-core
 * (no serious or critical violation), is not blank, and fits 390 px; screenshots at 1280 and 390 px.
 */
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSenders } from '../src/modules/messages/messages.channels.ts';
import { deliverDue } from '../src/modules/messages/messages.delivery.ts';
import { startRelayCursor } from '../src/modules/messages/messages.relay.ts';
import { checkPage } from './support/admin-pages.ts';
import { launchChromium } from './support/browser.ts';
import { OPERATOR_TOKEN, startTestApp, type TestApp, variant } from './support/harness.ts';
import { relayAll } from './support/relay.ts';

const run = Math.random().toString(36).slice(2, 7);
const OWNER = `owner.${run}@fjord.example`;
const SUPPORT = `support.${run}@fjord.example`;
const PASSWORD = 'correct horse battery staple';
const LAMP = `LAMP-${run.toUpperCase()}`;

let t: TestApp;
let origin: string;
let browser: Browser;
let storeId: string;
let secretKey: string;
let ownerLink: string;
let supportLink: string;
const senders = createSenders({ allowPrivateUrls: true });

/** Delivers what is due in this store now (the worker's job, done by the test). */
const deliver = () => deliverDue(t.app.deps, senders, { storeIds: [storeId] });

beforeAll(async () => {
  t = await startTestApp();
  await t.app.server.listen({ port: 0, host: '127.0.0.1' });
  origin = `http://127.0.0.1:${(t.app.server.server.address() as AddressInfo).port}`;
  const created = await t.request('POST', '/v1/stores', {
    key: OPERATOR_TOKEN,
    body: { name: 'Fjord Lighting', ownerEmail: OWNER },
  });
  expect(created.statusCode, created.body).toBe(201);
  storeId = created.json().store.id;
  secretKey = created.json().secretKey;
  ownerLink = `${origin}/admin/sign-in${new URL(created.json().ownerSignInLink).hash}`;
  const key = secretKey;
  const scope = { cursor: `test-${storeId}`, storeIds: [storeId] };
  await startRelayCursor(t.app.deps, scope.cursor);
  await t.request('PATCH', '/v1/settings/messaging', { key, body: { email: { channel: 'outbox' } } });
  await t.request('PUT', `/v1/variants/${LAMP}`, {
    key,
    body: variant('backorder', null, { title: 'Brass desk lamp' }),
  });
  const order = await t.request('POST', '/v1/orders', {
    key,
    body: { customer: { email: 'ada@example.com', name: 'Ada' }, lines: [{ sku: LAMP, quantity: 1 }] },
  });
  expect(order.statusCode, order.body).toBe(201);
  await relayAll(t.app.deps, scope);
  expect((await deliver()).sent).toBeGreaterThan(0);
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  senders.close?.();
  await browser?.close();
  await t?.close();
});

async function newPage(context: BrowserContext, problems: string[]): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/Failed to load resource/.test(message.text()))
      problems.push(message.text());
  });
  return page;
}

/** Opens a one-time sign-in link in the browser and chooses the password, as a new staff member does. */
async function signInByLink(page: Page, link: string): Promise<void> {
  await page.goto(link);
  await page.getByRole('heading', { name: 'Choose your password' }).waitFor();
  await page.locator('input[autocomplete="new-password"]').first().fill(PASSWORD);
  await page.locator('input[autocomplete="new-password"]').nth(1).fill(PASSWORD);
  await page.getByRole('button', { name: 'Set password and sign in' }).click();
  await page.waitForURL(/\/admin\/?$/);
}

const nav = (page: Page) => page.locator('#console-navigation');

/** The navigation's area names, once the signed-in layout is on screen. */
async function navLabels(page: Page): Promise<string[]> {
  await nav(page).getByRole('link', { name: 'Overview' }).waitFor();
  return (await nav(page).getByRole('link').allInnerTexts()).map((l) => l.split('\n')[0]!);
}

describe('the owner', () => {
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
    page = await newPage(context, problems);
    await signInByLink(page, ownerLink);
  });
  afterAll(() => context?.close());

  it('sees every area in the navigation', async () => {
    expect(await navLabels(page)).toEqual(
      expect.arrayContaining(['Overview', 'Backorders', 'Messages', 'Settings', 'What-if restock']),
    );
  });

  it('reads an email kept by the built-in outbox, rendered as the shopper saw it, in a sandboxed frame', async () => {
    await nav(page).getByRole('link', { name: 'Messages' }).click();
    await page.waitForURL(/\/admin\/messages$/);
    await expect.poll(() => page.getByText('Built-in outbox', { exact: true }).count()).toBe(1);
    const row = page
      .getByRole('table', { name: 'Messages' })
      .getByRole('row')
      .filter({ hasText: 'ada@example.com' });
    await expect.poll(() => row.count()).toBeGreaterThan(0);
    await checkPage(page, 'messages');
    await row.first().getByRole('button').click();
    await page.waitForURL(/message=msg_/);
    const dialog = page.getByRole('dialog');
    const frame = dialog.locator('iframe');
    await frame.waitFor();
    expect(await frame.getAttribute('sandbox')).toBe('');
    expect(await frame.getAttribute('srcdoc')).toContain('Brass desk lamp');
    await expect
      .poll(() => page.frameLocator('dialog iframe, [role="dialog"] iframe').locator('body').innerText())
      .toContain('Brass desk lamp');
    expect(await dialog.innerText()).toMatch(/\bsent\b/i);
    expect(await dialog.innerText()).toMatch(/outbox/);
    await checkPage(page, 'message');
    await page.keyboard.press('Escape');
    await page.waitForURL(/\/admin\/messages$/);
  });

  it('edits a template and sees the preview change as it types', async () => {
    await page.getByRole('tab', { name: 'Templates' }).click();
    await page.waitForURL(/tab=templates/);
    const preview = page.getByTestId('preview-subject');
    await preview.waitFor();
    const before = await preview.innerText();
    await checkPage(page, 'templates');
    await page.getByLabel('Subject').fill('Lamp news for order {{ order.number }}');
    await expect.poll(() => preview.innerText()).toMatch(/Lamp news for order \S+/);
    const after = await preview.innerText();
    expect(after).not.toBe(before);
    expect(after).not.toContain('{{');
    // A broken template is said in words, in the preview.
    await page.getByLabel('Subject').fill('Broken {{ order.number');
    await expect.poll(() => page.getByText('The template has problems').count()).toBe(1);
    await page.getByLabel('Subject').fill('Lamp news for order {{ order.number }}');
    await expect.poll(() => page.getByText('The template has problems').count()).toBe(0);
    await page.getByRole('button', { name: 'Save template' }).click();
    await expect.poll(() => page.getByText('Saved: messages use it from now on.').count()).toBe(1);
    const saved = await t.request('GET', '/v1/message-templates/order_confirmation/email', {
      key: secretKey,
    });
    expect(saved.json()).toMatchObject({
      source: 'custom',
      subject: 'Lamp news for order {{ order.number }}',
    });
  });

  it('sends a test through the channel and sees it sent', async () => {
    await page.getByRole('tab', { name: 'Channels' }).click();
    await page.waitForURL(/tab=channels/);
    await page.getByRole('button', { name: 'Send a test' }).waitFor();
    await checkPage(page, 'channels');
    await page.getByLabel('Send to (email)').fill('me@fjord.example');
    await page.getByRole('button', { name: 'Send a test' }).click();
    await expect.poll(() => page.getByText('On its way…').count()).toBe(1);
    await deliver();
    await expect.poll(() => page.getByText('Sent to me@fjord.example.').count(), { timeout: 10_000 }).toBe(1);
  });

  it('adds a webhook endpoint and is shown its secret once', async () => {
    await page.getByRole('tab', { name: 'Webhooks' }).click();
    await page.waitForURL(/tab=webhooks/);
    await page.getByText('No webhook endpoints').waitFor();
    await checkPage(page, 'webhooks-empty');
    await page.getByLabel('URL').fill('http://127.0.0.1:9/backfill');
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const secret = page.locator('[data-secret]');
    await secret.waitFor();
    expect(await secret.innerText()).toMatch(/^whsec_/);
    await checkPage(page, 'webhooks');
    await page.getByRole('button', { name: 'I have kept it' }).click();
    await expect.poll(() => page.locator('[data-secret]').count()).toBe(0);
  });

  it('opens every settings tab', async () => {
    await nav(page).getByRole('link', { name: 'Settings' }).click();
    await page.waitForURL(/\/admin\/settings$/);
    await page.getByText('Fjord Lighting').first().waitFor();
    await checkPage(page, 'settings-store');
    for (const [tab, name, ready] of [
      ['Dates', 'settings-dates', 'Handling days'],
      ['Payments', 'settings-payments', 'Deposit (%)'],
      ['Messaging links', 'settings-links', 'Public address of this server'],
    ] as const) {
      await page.getByRole('tab', { name: tab }).click();
      await page.getByLabel(ready).waitFor();
      await checkPage(page, name);
    }
    await page.getByRole('tab', { name: 'Dates' }).click();
    await page.getByLabel('Handling days').fill('3');
    await page.getByRole('button', { name: 'Save dates' }).click();
    await expect.poll(() => page.getByText('Saved.').count()).toBe(1);
    expect((await t.request('GET', '/v1/settings', { key: secretKey })).json().handlingDays).toBe(3);
  });

  it('invites a support user by email (the outbox), and sends the invitation again as a link', async () => {
    await page.getByRole('tab', { name: 'Staff and roles' }).click();
    await page.getByRole('table', { name: 'Staff' }).waitFor();
    await page.getByLabel('Email').fill(SUPPORT);
    await page.getByRole('combobox', { name: 'Role', exact: true }).click();
    await page.getByRole('option', { name: /^Support/ }).click();
    await page.getByRole('button', { name: 'Send invitation' }).click();
    // The store's email channel (the outbox) carries the link: the page does not show it.
    await expect.poll(() => page.getByText(`Invitation emailed to ${SUPPORT}`).count()).toBe(1);
    const row = page.locator(`tr[data-staff="${SUPPORT}"]`);
    expect(await row.innerText()).toMatch(/invited/i);
    await checkPage(page, 'settings-staff');
    // Without an email channel, the new link is shown to pass on (and the first one stops working).
    await t.request('PATCH', '/v1/settings/messaging', { key: secretKey, body: { email: null } });
    await row.getByRole('button', { name: 'Resend invitation' }).click();
    const link = page.locator('[data-secret]');
    await link.waitFor();
    expect(await link.innerText()).toMatch(/#link=/);
    supportLink = `${origin}/admin/sign-in${new URL(await link.innerText()).hash}`;
    await page.getByRole('button', { name: 'I have kept it' }).click();
  });

  it('creates an API key, shown once with a copy button, and revokes it', async () => {
    await page.getByRole('tab', { name: 'API keys' }).click();
    await page.getByRole('table', { name: 'API keys' }).waitFor();
    await page.getByLabel('Name').fill('Warehouse scanner');
    await page.getByRole('button', { name: 'Create key' }).click();
    const shown = page.locator('[data-secret]');
    await shown.waitFor();
    const key = await shown.innerText();
    expect(key).toMatch(/^rk_/);
    await checkPage(page, 'settings-keys');
    await page.getByRole('button', { name: 'Copy' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Copied' }).count()).toBe(1);
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);
    expect((await t.request('GET', '/v1/orders', { key })).statusCode).toBe(200);
    await page.getByRole('button', { name: 'I have kept it' }).click();
    // Never shown again: the list has a hint only, and a reload does not bring it back.
    await page.reload();
    const row = page.locator('tr[data-key="Warehouse scanner"]');
    await row.waitFor();
    expect(await page.locator('body').innerText()).not.toContain(key);
    expect(await row.innerText()).toContain(key.slice(-4));
    await row.getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke key' }).click();
    await expect.poll(() => row.innerText()).toMatch(/revoked/i);
    expect((await t.request('GET', '/v1/orders', { key })).statusCode).toBe(401);
  });

  it('reads the audit log, with what each change sent and what was there before', async () => {
    await page.getByRole('tab', { name: 'Audit log' }).click();
    const entry = page.locator('[data-audit="patchSettings"]');
    await entry.waitFor();
    await entry.getByText('What changed').click();
    const change = entry.locator('[data-field="handlingDays"]');
    await expect.poll(() => change.innerText()).toMatch(/handlingDays: was 0, now 3/);
    expect(await page.locator('[data-audit="createKey"]').count()).toBe(1);
    expect(await page.locator('[data-audit="resendStaffInvite"]').count()).toBe(1);
    await checkPage(page, 'settings-audit');
    expect(problems).toEqual([]);
  });
});

describe('a support user', () => {
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];
  /** API paths the console asked for: an area the role cannot open must never load. */
  const asked: string[] = [];

  beforeAll(async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
    page = await newPage(context, problems);
    page.on('request', (request) => {
      const path = new URL(request.url()).pathname;
      if (path.startsWith('/v1/')) asked.push(path);
    });
    expect(supportLink).toBeDefined();
    await signInByLink(page, supportLink);
  });
  afterAll(() => context?.close());

  it('sees only overview, backorders, orders and messages in the navigation', async () => {
    expect(await navLabels(page)).toEqual(['Overview', 'Backorders', 'Orders and customers', 'Messages']);
  });

  it('cannot open settings: the address answers that the role cannot open it', async () => {
    await page.goto(`${origin}/admin/settings?tab=keys`);
    await page.getByRole('heading', { name: 'Your role cannot open this' }).waitFor();
    expect(await page.locator('main').innerText()).toMatch(/customer support role/);
    await checkPage(page, 'forbidden');
    // Nothing of the page was asked for: the server would refuse it anyway.
    const refused = await page.request.get(`${origin}/v1/keys`);
    expect(refused.status()).toBe(403);
  });

  it('reads the message log and templates, without the owner’s tabs', async () => {
    await nav(page).getByRole('link', { name: 'Messages' }).click();
    await page.waitForURL(/\/admin\/messages$/);
    await page.getByRole('tab', { name: 'Message log' }).waitFor();
    const tabs = await page.getByRole('tab').allInnerTexts();
    expect(tabs).toEqual(['Message log', 'Templates']);
    await page.getByRole('table', { name: 'Messages' }).waitFor();
    await checkPage(page, 'messages-support');
    await page.getByRole('tab', { name: 'Templates' }).click();
    await page.getByTestId('preview-subject').waitFor();
    expect(await page.getByLabel('Subject').getAttribute('readonly')).not.toBeNull();
    expect(await page.getByRole('button', { name: 'Save template' }).count()).toBe(0);
    expect(
      asked.filter((path) => /^\/v1\/(settings|keys|staff|audit-log|webhook-endpoints)/.test(path)),
    ).toEqual([]);
    expect(problems).toEqual([]);
  });
});
