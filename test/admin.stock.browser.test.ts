/**
 * The stock pages of the console in a real browser (headless Chromium), used by an `ops` staff
 * member signed in through the form: the stock list with its filters, a variant's policy, bulk
 * edit, a CSV import with one bad row (its error shown, nothing changed), a write-off, suppliers,
 * a purchase order moved, received in part and its cross-dock pick list opened (and printed), and a
 * what-if restock. Every page: axe-clean, not blank, no sideways scrolling at 390 px, screenshots.
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPage, SCREENSHOTS, seriousViolations, signInWithForm } from './support/admin-pages.ts';
import { launchChromium } from './support/browser.ts';
import { startTestApp, type TestApp, variant } from './support/harness.ts';
import { invite, PASSWORD, storeWithOwner } from './support/staff.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely
type Json = any;

let t: TestApp;
let origin: string;
let browser: Browser;
let key: string;
const suffix = Math.random().toString(36).slice(2, 7).toUpperCase();
const JACKET = `JACKET-${suffix}`;
const MUG = `MUG-${suffix}`;
const BOOT = `BOOT-${suffix}`;
const REFERENCE = `PO-${suffix}`;
const OPS_EMAIL = `ops.${suffix.toLowerCase()}@summit.example`;
let grace: Json;
let alan: Json;
let po: Json;

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

async function call(method: 'GET' | 'PUT' | 'POST' | 'PATCH', url: string, body?: unknown): Promise<Json> {
  const res = await t.request(method, url, { key, ...(body === undefined ? {} : { body }) });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.body ? res.json() : null;
}

beforeAll(async () => {
  t = await startTestApp();
  await t.app.server.listen({ port: 0, host: '127.0.0.1' });
  origin = `http://127.0.0.1:${(t.app.server.server.address() as AddressInfo).port}`;
  const shop = await storeWithOwner(t, `owner.${suffix.toLowerCase()}@summit.example`, 'Summit Outdoor');
  key = shop.secretKey;
  await invite(t, shop.owner, OPS_EMAIL, 'ops');

  await call(
    'PUT',
    `/v1/variants/${JACKET}`,
    variant('backorder', null, { title: 'Alpine jacket, red / M' }),
  );
  await call('PUT', `/v1/variants/${MUG}`, variant('backorder', null, { title: 'Enamel mug' }));
  await call('PUT', `/v1/variants/${BOOT}`, variant('preorder', 30, { title: 'Trail boot 42' }));
  await call('POST', '/v1/inventory/adjustments', { sku: MUG, quantity: 3, reason: 'restock' });
  grace = await call('POST', '/v1/orders', {
    customer: { name: 'Grace Hopper', email: 'grace@example.com' },
    lines: [{ sku: JACKET, quantity: 2 }],
  });
  alan = await call('POST', '/v1/orders', {
    customer: { name: 'Alan Turing', email: 'alan@example.com' },
    lines: [{ sku: JACKET, quantity: 3 }],
  });
  const supplier = await call('POST', '/v1/suppliers', { name: 'Nordic Textiles', leadTimeDays: 21 });
  po = await call('POST', '/v1/purchase-orders', {
    supplierId: supplier.id,
    reference: REFERENCE,
    expectedDate: inDays(10),
    lines: [
      { sku: JACKET, quantity: 10, unitCost: 4200 },
      { sku: MUG, quantity: 6, unitCost: 300 },
    ],
  });
  browser = await launchChromium();
  mkdirSync(SCREENSHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('the stock pages, as ops', () => {
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
    page = await context.newPage();
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' && !/Failed to load resource/.test(message.text()))
        problems.push(message.text());
    });
    await signInWithForm(page, origin, OPS_EMAIL, PASSWORD);
  });
  afterAll(() => context?.close());

  it('lists stock levels with mode, limit and waiting units; filters and searches by SKU', async () => {
    await page.getByRole('link', { name: 'Variants and stock' }).click();
    await page.waitForURL(/\/admin\/variants/);
    const table = page.getByRole('table', { name: 'Stock levels' });
    await table.waitFor();
    await checkPage(page, 'variants');
    const jacket = table.locator(`tr[data-sku="${JACKET}"]`);
    const cells = await jacket.getByRole('cell').allInnerTexts();
    expect(cells.slice(2).map((c) => c.toLowerCase())).toEqual([
      'backorder',
      'no cap',
      '0',
      '0',
      '0',
      '5',
      'backorder',
    ]);
    expect((await table.locator(`tr[data-sku="${BOOT}"]`).getByRole('cell').allInnerTexts())[3]).toBe('30');
    await page.getByLabel('Waiting', { exact: true }).selectOption('true');
    await expect.poll(() => table.locator('tbody tr').count()).toBe(1);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.getByLabel('Search SKUs').fill(`mug-${suffix.toLowerCase()}`);
    await page.keyboard.press('Enter');
    await page.waitForURL(/q=/);
    await expect.poll(() => table.locator('tbody tr').count()).toBe(1);
    expect(await table.locator('tbody tr').getAttribute('data-sku')).toBe(MUG);
    // The export link asks for the same filters as CSV.
    const href = await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href');
    expect(href).toContain('format=csv');
    const csv = await page.request.get(`${origin}${href}`);
    expect(csv.headers()['content-type']).toMatch(/^text\/csv/);
    expect((await csv.text()).split('\r\n')[1]).toMatch(new RegExp(`^${MUG},3,`));
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.getByLabel('Search SKUs').waitFor();
  });

  it('edits a variant’s policy in its drawer', async () => {
    await page.getByRole('button', { name: `Open ${JACKET}` }).click();
    const drawer = page.getByRole('dialog');
    await drawer.getByRole('heading', { name: 'Backorder policy' }).waitFor();
    await drawer.getByLabel('Waiting units limit').selectOption('units');
    await drawer.getByLabel('Units that may wait').fill('40');
    await drawer.getByLabel('Message to shoppers (optional)').fill('Back in the middle of the month');
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'variant-drawer-1280.png') });
    await drawer.getByRole('button', { name: 'Save policy' }).click();
    await expect.poll(() => drawer.getByRole('status').innerText()).toMatch(/saved/);
    const saved = await call('GET', `/v1/variants/${JACKET}`);
    expect(saved.backorder).toMatchObject({
      mode: 'backorder',
      limit: 40,
      message: 'Back in the middle of the month',
    });
    await page.keyboard.press('Escape');
    await expect
      .poll(() => page.locator(`tr[data-sku="${JACKET}"]`).getByRole('cell').nth(3).innerText())
      .toBe('40');
  });

  it('edits the policy of several selected variants at once', async () => {
    await page.getByLabel(`Select ${MUG}`).check();
    await page.getByLabel(`Select ${BOOT}`).check();
    await page.getByRole('button', { name: 'Edit policy of 2…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Waiting units limit').selectOption('units');
    await dialog.getByLabel('Units that may wait').fill('25');
    await dialog.getByRole('button', { name: 'Apply to 2 variants' }).click();
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: '2 variants updated' }).count())
      .toBe(1);
    const [mug, boot] = await Promise.all([
      call('GET', `/v1/variants/${MUG}`),
      call('GET', `/v1/variants/${BOOT}`),
    ]);
    expect(mug.backorder).toMatchObject({ mode: 'backorder', limit: 25 });
    expect(boot.backorder).toMatchObject({ mode: 'preorder', limit: 25 });
    expect(mug.title).toBe('Enamel mug');
  });

  it('imports a CSV with one bad row: the row’s error is shown and nothing changes', async () => {
    await page.getByRole('button', { name: 'Import CSV' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import a CSV file' });
    await dialog.getByLabel('CSV file').setInputFiles({
      name: 'delivery.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(
        `sku,quantity,reason,note\r\n${MUG},5,restock,pallet 1\r\nNO-SUCH-SKU,2,restock,\r\n`,
      ),
    });
    await expect.poll(() => dialog.getByText('about 2 rows').count()).toBe(1);
    await dialog.getByRole('button', { name: 'Import stock adjustments' }).click();
    const refused = dialog.getByRole('table', { name: 'Rows refused' });
    await refused.waitFor();
    expect(await refused.locator('tbody tr').count()).toBe(1);
    const cells = await refused.locator('tbody tr').getByRole('cell').allInnerTexts();
    expect(cells[0]).toBe('3');
    expect(cells[1]).toBe('sku');
    expect(cells[2]).toMatch(/NO-SUCH-SKU/);
    expect(await dialog.getByRole('alert').innerText()).toMatch(/Nothing was imported/);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'variants-import-error-1280.png') });
    expect((await call('GET', `/v1/inventory/${MUG}`)).onHand).toBe(3);

    // The file fixed: every row applied, with the progress shown on the way.
    await dialog.getByLabel('CSV file').setInputFiles({
      name: 'delivery.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`sku,quantity,reason,note\r\n${MUG},5,restock,pallet 1\r\n`),
    });
    await dialog.getByRole('button', { name: 'Import stock adjustments' }).click();
    await expect.poll(() => dialog.getByRole('status').innerText()).toMatch(/1 adjustment applied/);
    expect((await call('GET', `/v1/inventory/${MUG}`)).onHand).toBe(8);
    await dialog.getByRole('button', { name: 'Done' }).click();
  });

  it('writes off damaged units from the variant drawer', async () => {
    await page.getByRole('button', { name: `Open ${MUG}` }).click();
    const drawer = page.getByRole('dialog');
    await drawer.getByText('Write off', { exact: true }).click();
    await drawer.getByLabel('Units to write off').fill('2');
    await drawer.getByRole('button', { name: 'Write off units' }).click();
    await expect.poll(() => drawer.getByRole('status').innerText()).toMatch(/2 units written off/);
    const level = await call('GET', `/v1/inventory/${MUG}`);
    expect(level.onHand).toBe(6);
    const movements = await call('GET', `/v1/inventory/${MUG}/movements`);
    expect(movements.data.at(-1)).toMatchObject({ type: 'adjustment', quantity: -2 });
    await page.keyboard.press('Escape');
  });

  it('adds a supplier', async () => {
    await page.getByRole('link', { name: 'Suppliers and purchase orders' }).click();
    await page.getByRole('table', { name: 'Purchase orders' }).waitFor();
    await checkPage(page, 'purchase-orders');
    await page.getByRole('tab', { name: 'Suppliers' }).click();
    await page.getByRole('button', { name: 'Add a supplier' }).first().click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('Fjord Ceramics');
    await dialog.getByLabel('Lead time in days').fill('12');
    await dialog.getByRole('button', { name: 'Add supplier' }).click();
    const table = page.getByRole('table', { name: 'Suppliers' });
    await expect.poll(() => table.getByRole('row').filter({ hasText: 'Fjord Ceramics' }).count()).toBe(1);
    await checkPage(page, 'suppliers');
  });

  it('creates a draft purchase order, places it, then cancels it', async () => {
    await page.getByRole('button', { name: 'New purchase order' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'New purchase order' });
    await dialog.getByLabel('Supplier').selectOption({ label: 'Fjord Ceramics' });
    await dialog.getByLabel('Your reference (optional)').fill(`${REFERENCE}-B`);
    await dialog.getByLabel('Expected delivery').fill(inDays(30));
    await dialog.getByText('Draft', { exact: true }).click();
    await dialog.getByLabel('SKU, line 1').fill(MUG);
    await dialog.getByLabel('Units, line 1').fill('12');
    await dialog.getByRole('button', { name: 'Create purchase order' }).click();
    await page.getByRole('heading', { name: new RegExp(`Purchase order ${REFERENCE}-B`) }).waitFor();
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toMatch(/draft/i);
    // The draft's lines are edited before it is placed.
    await page.getByRole('button', { name: 'Edit lines…' }).click();
    const lines = page.getByRole('dialog', { name: `Lines of ${REFERENCE}-B` });
    await lines.getByLabel('Units, line 1').fill('15');
    await lines.getByRole('button', { name: 'Save lines' }).click();
    await page.getByRole('status').filter({ hasText: 'Lines saved' }).waitFor();
    const draftId = page.url().split('/').at(-1)!;
    expect((await call('GET', `/v1/purchase-orders/${draftId}`)).lines).toMatchObject([
      { sku: MUG, quantity: 15 },
    ]);
    await page.getByRole('button', { name: 'Place the order' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText()).toMatch(/ordered/i);
    await page.getByRole('button', { name: 'Cancel…' }).click();
    await page.getByRole('button', { name: 'Cancel the purchase order' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText()).toMatch(/cancelled/i);
  });

  it('moves a purchase order’s date with a reason, shown in its date history', async () => {
    await page.getByRole('link', { name: '← All purchase orders' }).click();
    await page.locator(`tr[data-po="${REFERENCE}"]`).getByRole('link').click();
    await page.waitForURL(new RegExp(`/admin/purchase-orders/${po.id}$`));
    await page.getByRole('button', { name: 'Move the date…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('New expected date').fill(inDays(14));
    await dialog.getByLabel('Reason').fill('Held at customs');
    await dialog.getByRole('button', { name: 'Move the date' }).click();
    const history = page.getByRole('table', { name: 'Date history' });
    await expect.poll(() => history.getByRole('row').filter({ hasText: 'Held at customs' }).count()).toBe(1);
    expect((await call('GET', `/v1/purchase-orders/${po.id}`)).expectedDate).toBe(inDays(14));
  });

  it('receives a purchase order in part and opens its cross-dock pick list, which prints cleanly', async () => {
    await checkPage(page, 'purchase-order');
    await page.getByLabel(`Units of ${JACKET} arrived now`).fill('3');
    await page.getByLabel(`Units of ${MUG} arrived now`).fill('0');
    await page.getByRole('button', { name: 'Receive 3 units' }).click();
    const done = page.getByRole('status').filter({ hasText: 'Received 3 units' });
    await expect.poll(() => done.innerText()).toMatch(/3 go straight to 2 waiting orders/);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toMatch(/partly received/i);
    const after = await call('GET', `/v1/purchase-orders/${po.id}`);
    expect(after.lines.map((l: Json) => [l.sku, l.receivedQuantity, l.openQuantity])).toEqual([
      [JACKET, 3, 7],
      [MUG, 0, 6],
    ]);
    await done.getByRole('link', { name: 'Open the pick list' }).click();
    await page.waitForURL(/\/admin\/purchase-orders\/receipts\/rcp_/);
    const orders = page.getByRole('table', { name: 'Into waiting orders' });
    await orders.waitFor();
    await checkPage(page, 'pick-list');
    const byOrder = await orders
      .locator('tbody.pick-order')
      .evaluateAll((bodies) =>
        bodies.map((b) => [
          b.getAttribute('data-order'),
          (b as HTMLElement).innerText.replace(/\s+/g, ' ').trim(),
        ]),
      );
    const expected = [grace, alan]
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .map((o) => [
        o.number,
        o === grace
          ? `${o.number} Grace Hopper grace@example.com ${JACKET} 2`
          : `${o.number} Alan Turing alan@example.com ${JACKET} 1`,
      ]);
    expect(byOrder).toEqual(expected);
    expect(await page.getByText('Nothing: every unit goes to a waiting order.').count()).toBe(1);

    await page.emulateMedia({ media: 'print' });
    const printed = await page.evaluate(() => ({
      navigation: getComputedStyle(document.querySelector('.mantine-AppShell-navbar')!).display,
      header: getComputedStyle(document.querySelector('.mantine-AppShell-header')!).display,
      printButton: getComputedStyle(
        [...document.querySelectorAll('button')]
          .find((b) => b.textContent === 'Print')!
          .closest('.no-print')!,
      ).display,
      cellColor: getComputedStyle(document.querySelector('.pick-list td')!).color,
    }));
    expect(printed).toEqual({
      navigation: 'none',
      header: 'none',
      printButton: 'none',
      cellColor: 'rgb(0, 0, 0)',
    });
    await page.screenshot({ path: join(SCREENSHOTS, 'pick-list-print.png'), fullPage: true });
    await page.emulateMedia({ media: 'screen' });
  });

  it('runs a what-if restock and shows who would be filled and whose dates move', async () => {
    await page.getByRole('link', { name: 'What-if restock' }).click();
    await page.waitForURL(/\/admin\/what-if/);
    await checkPage(page, 'what-if');
    await page.getByLabel('SKU').fill(JACKET);
    await page.getByLabel('Units arriving').fill('2');
    await page.getByRole('button', { name: 'Show what would happen' }).click();
    const filled = page.getByRole('table', { name: 'Orders that would be filled' });
    await filled.waitFor();
    const rows = await filled.locator('tbody tr').allInnerTexts();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain(alan.number);
    expect(rows[0]).toContain('Alan Turing');
    expect(rows[0]).toMatch(/ready now/i);
    expect(await page.locator('[data-figure="Orders filled"]').innerText()).toMatch(/1$/);
    await checkPage(page, 'what-if-result');
    // Arriving in 3 days instead (before the purchase order's 14): Alan's date moves earlier.
    await page.getByLabel('Arriving on').fill(inDays(3));
    await page.getByRole('button', { name: 'Show what would happen' }).click();
    const moved = page.getByRole('table', { name: 'Dates that would move' });
    await moved.waitFor();
    const movedRows = await moved.locator('tbody tr').allInnerTexts();
    expect(movedRows).toHaveLength(1);
    expect(movedRows[0]).toContain('Alan Turing');
    const day = (iso: string) =>
      new Intl.DateTimeFormat('en-GB', {
        day: 'numeric',
        month: 'short',
        year: 'numeric',
        timeZone: 'UTC',
      }).format(new Date(`${iso}T00:00:00Z`));
    expect(movedRows[0]).toContain(day(inDays(14)));
    expect(movedRows[0]).toContain(day(inDays(3)));
    await checkPage(page, 'what-if-dates');
    // Nothing was written.
    expect((await call('GET', `/v1/inventory/${JACKET}`)).backordered).toBe(2);
    expect(problems).toEqual([]);
  });
});
