/**
 * The shopper's order page in a real browser (headless Chromium driven by playwright-core): at
 * 360 px and at desktop width it fits without sideways scrolling, passes axe-core's checks, speaks
 * German and French, works from the keyboard, carries out keep and cancel, and prints without
 * its buttons. Screenshots go to BACKFILL_SCREENSHOTS (default: a temporary directory) to look at;
 * they are not part of the repository.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/shared/clock.ts';
import { type StoreKeys, startTestApp, type TestApp, variant } from './support/harness.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely
type Json = any;

const CHROMIUM = process.env.BACKFILL_CHROMIUM ?? '/usr/bin/chromium';
const SCREENSHOTS = process.env.BACKFILL_SCREENSHOTS ?? join(tmpdir(), 'backfill-screenshots');
const AXE_SOURCE: string = (createRequire(import.meta.url)('axe-core') as { source: string }).source;
const WIDTHS = [
  { name: 'phone', width: 360, height: 780 },
  { name: 'desktop', width: 1280, height: 900 },
] as const;

// Wednesday 11 March 2026, 09:00 in the store's zone (UTC).
const clock = new ManualClock(new Date('2026-03-11T09:00:00Z'));
let t: TestApp;
let origin: string;
let browser: Browser;
let store: StoreKeys;

async function call(method: 'GET' | 'PUT' | 'PATCH' | 'POST', url: string, body?: unknown): Promise<Json> {
  const res = await t.request(method, url, { key: store.secretKey, ...(body === undefined ? {} : { body }) });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.body ? res.json() : null;
}

/** An order with a line waiting on a purchase order (moved once), one in stock and one shipped. */
async function richOrder(): Promise<{ id: string; status: string }> {
  const n = Math.random().toString(36).slice(2, 7).toUpperCase();
  const jacket = `JACKET-${n}`;
  const mug = `MUG-${n}`;
  const cap = `CAP-${n}`;
  await call('PUT', `/v1/variants/${jacket}`, {
    ...variant('backorder', null, {
      title: 'Alpine insulated jacket — Forest green / M',
      url: 'https://shop.example/products/alpine-jacket',
      imageUrl: 'https://shop.example/img/alpine-jacket.jpg',
    }),
  });
  await call('PUT', `/v1/variants/${mug}`, variant('backorder', null, { title: 'Enamel camping mug' }));
  await call('PUT', `/v1/variants/${cap}`, variant('backorder', null, { title: 'Wool cap' }));
  await call('POST', '/v1/inventory/adjustments', { sku: mug, quantity: 1, reason: 'restock' });
  await call('POST', '/v1/inventory/adjustments', { sku: cap, quantity: 1, reason: 'restock' });
  const supplier = await call('POST', '/v1/suppliers', { name: `Peak Outfitters ${n}`, leadTimeDays: 30 });
  const po = await call('POST', '/v1/purchase-orders', {
    supplierId: supplier.id,
    expectedDate: '2026-03-20',
    lines: [{ sku: jacket, quantity: 5, unitCost: 4000 }],
  });
  // Two earlier shoppers wait for the jacket.
  for (const email of ['a@x.example', 'b@x.example']) {
    await call('POST', '/v1/orders', { customer: { email }, lines: [{ sku: jacket, quantity: 1 }] });
  }
  const order = await call('POST', '/v1/orders', {
    customer: { name: 'Ada', email: 'ada@example.com' },
    shippingMethod: 'standard',
    lines: [
      { sku: jacket, quantity: 1 },
      { sku: mug, quantity: 1 },
      { sku: cap, quantity: 1 },
    ],
  });
  await call('POST', `/v1/orders/${order.id}/shipments`, {
    lines: [{ lineId: order.lines[2].id, quantity: 1 }],
  });
  // The supplier's shipment slips a week.
  await call('PATCH', `/v1/purchase-orders/${po.id}`, { expectedDate: '2026-03-27' });
  const links = await call('POST', `/v1/orders/${order.id}/self-service-links`);
  const status = new URL(links.status);
  return { id: order.id, status: `${origin}${status.pathname}${status.search}` };
}

beforeAll(async () => {
  t = await startTestApp({ clock });
  await t.app.server.listen({ port: 0, host: '127.0.0.1' });
  origin = `http://127.0.0.1:${(t.app.server.server.address() as AddressInfo).port}`;
  store = await t.createStore('Summit Outdoor');
  await call('PUT', '/v1/settings/shipping/methods/standard', {
    name: 'Standard',
    transitDaysMin: 2,
    transitDaysMax: 4,
  });
  await call('PUT', '/v1/settings/shipping/methods/express', {
    name: 'Express',
    transitDaysMin: 1,
    transitDaysMax: 1,
  });
  await call('PATCH', '/v1/settings/shipping', { defaultMethod: 'standard' });
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (set BACKFILL_CHROMIUM)`);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  mkdirSync(SCREENSHOTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

async function open(
  url: string,
  options: { width: number; height: number; locale?: string },
): Promise<{ page: Page; context: BrowserContext; problems: string[] }> {
  const context = await browser.newContext({
    viewport: { width: options.width, height: options.height },
    locale: options.locale ?? 'en-GB',
  });
  // Pictures come from the merchant's host, which does not exist here: answer with a small image.
  await context.route('https://shop.example/**', (route) =>
    route.fulfill({
      contentType: 'image/svg+xml',
      body: '<svg xmlns="http://www.w3.org/2000/svg" width="72" height="72"><rect width="72" height="72" fill="#2f5d50"/></svg>',
    }),
  );
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  const response = await page.goto(url);
  expect(response?.status()).toBe(200);
  return { page, context, problems };
}

async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(async () => {
    // biome-ignore lint/suspicious/noExplicitAny: axe is injected into the page
    const axe = (globalThis as any).axe;
    return axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa', 'best-practice'] },
    });
  });
  return (result.violations as { id: string; help: string; nodes: { target: string[] }[] }[]).map(
    (v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`,
  );
}

const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

describe('the order page in a browser', () => {
  let order: { id: string; status: string };
  beforeAll(async () => {
    order = await richOrder();
  });

  for (const size of WIDTHS) {
    it(`reads clearly at ${size.width} px: no sideways scroll, no axe violations`, async () => {
      const { page, context, problems } = await open(order.status, size);
      try {
        expect(await page.locator('h1').innerText()).toMatch(/^Your order [0-9A-Z]{5}-[0-9A-Z]{5}$/);
        const cards = page.locator('li.line');
        expect(await cards.count()).toBe(3);
        const jacket = await cards.nth(0).innerText();
        expect(jacket).toContain('Waiting for stock');
        expect(jacket).toContain(
          "2 orders are ahead of you; the supplier's shipment is due on 27 March 2026.",
        );
        expect(jacket).toMatch(/first promised to ship by 20 March 2026/);
        expect(jacket).toMatch(/moved to 27 March 2026 \(7 days later\)/);
        expect(jacket).toContain('between 31 March 2026 and 2 April 2026');
        expect(await cards.nth(1).innerText()).toContain('Ready to ship');
        expect(await cards.nth(2).innerText()).toContain('Shipped');
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow).toBeLessThanOrEqual(0);
        // The picture loaded, within the CSP.
        expect(await page.locator('li.line img').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(
          72,
        );
        expect(problems).toEqual([]);
        expect(await axeViolations(page)).toEqual([]);
        await shot(page, `order-${size.name}`);
      } finally {
        await context.close();
      }
    });
  }

  it("speaks the shopper's language, and switches on request", async () => {
    const { page, context } = await open(order.status, { width: 360, height: 780, locale: 'de-DE' });
    try {
      expect(await page.getAttribute('html', 'lang')).toBe('de');
      expect(await page.locator('h1').innerText()).toMatch(/^Ihre Bestellung /);
      expect(await page.locator('li.line').first().innerText()).toContain(
        'Vor Ihnen sind noch 2 Bestellungen; die Lieferung des Herstellers wird am 27. März 2026 erwartet.',
      );
      await shot(page, 'order-phone-de');
      await page.getByRole('link', { name: 'Français' }).click();
      await page.waitForURL(/lang=fr/);
      expect(await page.getAttribute('html', 'lang')).toBe('fr');
      expect(await page.locator('li.line').first().innerText()).toContain(
        'la livraison du fournisseur est attendue le 27 mars 2026',
      );
      expect(await axeViolations(page)).toEqual([]);
      await shot(page, 'order-phone-fr');
    } finally {
      await context.close();
    }
  });

  it('works from the keyboard: keep waiting, then cancel an item after confirming', async () => {
    const own = await richOrder();
    const { page, context } = await open(own.status, { width: 1280, height: 900 });
    try {
      // The first focusable control in the jacket's card is its product link, then "Keep waiting".
      const keep = page.getByRole('button', { name: /Keep waiting/ });
      await keep.focus();
      const outline = await keep.evaluate((el) => getComputedStyle(el).outlineStyle);
      expect(outline).not.toBe('none');
      await page.keyboard.press('Enter');
      // Waits for the next page (a POST answered with a page).
      await page.locator('h1', { hasText: 'Thanks for waiting' }).waitFor();
      await shot(page, 'kept');
      await page.goBack();
      await page.reload();
      await page.getByRole('link', { name: /Cancel this item: Enamel camping mug/ }).click();
      await page.locator('h1', { hasText: 'Cancel Enamel camping mug?' }).waitFor();
      await shot(page, 'cancel-confirm');
      expect(await axeViolations(page)).toEqual([]);
      await page.getByRole('button', { name: 'Yes, cancel' }).click();
      await page.locator('h1', { hasText: /^Cancelled$/ }).waitFor();
      const after = await call('GET', `/v1/orders/${own.id}`);
      expect(after.lines[1]).toMatchObject({ cancelledQuantity: 1, allocatedQuantity: 0 });
      expect(after.lines[0]).toMatchObject({ backorderedQuantity: 1, cancelledQuantity: 0 });
    } finally {
      await context.close();
    }
  });

  it('prints the order without its buttons and forms', async () => {
    const { page, context } = await open(order.status, { width: 1280, height: 900 });
    try {
      await page.emulateMedia({ media: 'print' });
      expect(await page.locator('.actions').first().isVisible()).toBe(false);
      expect(await page.locator('nav.langs').isVisible()).toBe(false);
      expect(await page.locator('.print-only').isVisible()).toBe(true);
      expect(await page.locator('.print-only').innerText()).toBe('Printed on 11 March 2026.');
      await shot(page, 'order-print');
      const pdf = await page.pdf({ format: 'A4' });
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    } finally {
      await context.close();
    }
  });
});
