/**
 * `<backfill-availability>` in headless Chromium against a real server: each state on the demo
 * product page, the quantity input it follows, the notify-me form driven by keyboard alone, the
 * shopper's language, the merchant's texts and theme, shipping methods when the answer has them,
 * and a shop page of another origin, refused and then allowed. axe-core checks every state.
 * `WIDGET_SCREENSHOTS=<dir>` keeps a PNG of each state for a person to look at.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, launchChromium, startPageServer } from './support/browser.ts';
import { type StoreKeys, startTestApp, type TestApp } from './support/harness.ts';

let t: TestApp;
let store: StoreKeys;
let api: string;
let browser: Browser;
let context: BrowserContext;
let shop: Awaited<ReturnType<typeof startPageServer>>;
const shopPages: Record<string, string> = {};
const screenshots = process.env.WIDGET_SCREENSHOTS;

async function ok(method: 'PUT' | 'POST' | 'PATCH', url: string, body: unknown) {
  const res = await t.request(method, url, { key: store.secretKey, body });
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.json();
}

/** The element has keyboard focus (inside the widget's shadow root). */
const focused = (el: Element) =>
  el === (el.getRootNode() as unknown as { activeElement: unknown }).activeElement;

const widget = (page: Page) => page.locator('backfill-availability');
const part = (page: Page, name: string) => widget(page).locator(`[part~="${name}"]`);

async function stateOf(page: Page, state: string): Promise<void> {
  await page.waitForSelector(`backfill-availability[state="${state}"]`, { timeout: 10_000 });
}

async function openDemo(sku: string, extra = ''): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${api}/widget/demo?store=${store.publishableKey}&sku=${sku}${extra}`);
  return page;
}

async function expectAccessible(page: Page, name: string): Promise<void> {
  const violations = await axeViolations(page);
  expect(violations, `${name}: ${JSON.stringify(violations, null, 1)}`).toEqual([]);
  if (screenshots) {
    mkdirSync(screenshots, { recursive: true });
    await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
  }
}

beforeAll(async () => {
  t = await startTestApp();
  await t.app.server.listen({ port: 0, host: '127.0.0.1' });
  const address = t.app.server.server.address();
  api = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  store = await t.createStore('Widget shop');
  await ok('PATCH', '/v1/settings/messaging', {
    email: { smtpUrl: 'smtp://127.0.0.1:9', from: 'Shop <shop@example.com>' },
    sms: { baseUrl: 'http://127.0.0.1:9', accountSid: 'AC1', authToken: 'token-1', from: '+15550001111' },
  });
  const variant = (mode: string, backorder: Record<string, unknown> = {}) => ({
    title: 'Trail Jacket',
    price: 12900,
    backorder: { mode, limit: null, ...backorder },
  });
  await ok('PUT', '/v1/variants/JACKET-IN', variant('backorder', { limit: 20, expectedDate: '2031-03-14' }));
  await ok('POST', '/v1/inventory/adjustments', { sku: 'JACKET-IN', quantity: 5, reason: 'restock' });
  await ok(
    'PUT',
    '/v1/variants/JACKET-BO',
    variant('backorder', { message: 'Ships in about 3 weeks', expectedDate: '2031-03-14' }),
  );
  await ok('PUT', '/v1/variants/JACKET-PRE', variant('preorder', { releaseDate: '2031-05-20' }));
  await ok('PUT', '/v1/variants/JACKET-OUT', variant('deny'));
  shop = await startPageServer(shopPages);
  browser = await launchChromium();
  context = await browser.newContext({ locale: 'en-US', viewport: { width: 1000, height: 760 } });
});

afterAll(async () => {
  await browser?.close();
  await shop?.close();
  await t?.close();
});

describe('the demo product page', () => {
  it('in stock, with the date for the quantity; accessible', async () => {
    const page = await openDemo('JACKET-IN');
    await stateOf(page, 'in-stock');
    expect(await part(page, 'headline').textContent()).toBe('In stock');
    expect(await part(page, 'details').textContent()).toMatch(/^Expected to ship on \w+ \d+/);
    expect(await part(page, 'status').getAttribute('aria-live')).toBe('polite');
    expect(await part(page, 'form').isHidden()).toBe(true);
    await expectAccessible(page, 'in-stock');
    await page.close();
  });

  it('follows the quantity input: partly in stock, then more than can be ordered, then back', async () => {
    const page = await openDemo('JACKET-IN');
    await stateOf(page, 'in-stock');
    // Keyboard only: 5 are on hand, 20 may wait.
    await page.locator('#qty').focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('8');
    await stateOf(page, 'partial');
    expect(await part(page, 'headline').textContent()).toBe('Partly in stock');
    expect(await part(page, 'details').textContent()).toContain('Some of the 8 items ship later.');
    expect(await part(page, 'details').textContent()).toContain('Expected to ship on March 14, 2031.');
    await expectAccessible(page, 'partial');
    await page.locator('#qty').fill('26');
    await stateOf(page, 'unavailable');
    expect(await part(page, 'headline').textContent()).toBe('Not available in this quantity');
    await page.locator('#qty').fill('1');
    await page.locator('#qty').dispatchEvent('change');
    await stateOf(page, 'in-stock');
    await page.close();
  });

  it("backorder: the merchant's message and date", async () => {
    const page = await openDemo('JACKET-BO', '&quantity=3');
    await stateOf(page, 'backorder');
    expect(await part(page, 'headline').textContent()).toBe('Available on backorder');
    expect(await part(page, 'details').textContent()).toBe(
      'Expected to ship on March 14, 2031.Date for 3 items.',
    );
    expect(await part(page, 'message').textContent()).toBe('Ships in about 3 weeks');
    await expectAccessible(page, 'backorder');
    await page.close();
  });

  it('pre-order with the release date, in German and in French', async () => {
    const page = await openDemo('JACKET-PRE');
    await stateOf(page, 'preorder');
    expect(await part(page, 'headline').textContent()).toBe('Available for pre-order');
    expect(await part(page, 'details').textContent()).toContain('Release date: May 20, 2031.');
    await expectAccessible(page, 'preorder');
    await page.goto(`${api}/widget/demo?store=${store.publishableKey}&sku=JACKET-PRE&lang=de`);
    await stateOf(page, 'preorder');
    expect(await part(page, 'headline').textContent()).toBe('Vorbestellbar');
    expect(await part(page, 'details').textContent()).toContain('Erscheinungsdatum: 20. Mai 2031.');
    await page.goto(`${api}/widget/demo?store=${store.publishableKey}&sku=JACKET-PRE&lang=fr`);
    await stateOf(page, 'preorder');
    expect(await part(page, 'headline').textContent()).toBe('Disponible en précommande');
    expect(await part(page, 'details').textContent()).toContain('Expédition prévue le 20 mai 2031.');
    await page.close();
  });

  it('sold out: the notify-me form, by keyboard alone, with refusals it explains', async () => {
    const page = await openDemo('JACKET-OUT');
    await stateOf(page, 'sold-out');
    expect(await part(page, 'headline').textContent()).toBe('Sold out');
    await expectAccessible(page, 'sold-out');
    const email = widget(page).locator('input[type=email]');
    const phone = widget(page).locator('input[type=tel]');
    const consent = widget(page).locator('input[type=checkbox]');
    // Every field has a visible label.
    expect(await widget(page).getByLabel('Email address').count()).toBe(1);
    expect(await widget(page).getByLabel('Mobile number (optional)').count()).toBe(1);
    expect(
      await widget(page).getByLabel('Yes, text me at this number when it is back in stock.').count(),
    ).toBe(1);

    await page.locator('#qty').focus();
    await page.keyboard.press('Tab');
    expect(await email.evaluate(focused)).toBe(true);
    await page.keyboard.type('not-an-email');
    await page.keyboard.press('Enter');
    await expect
      .poll(() => part(page, 'feedback').textContent())
      .toBe('Enter a valid email address, e.g. name@example.com.');
    expect(await email.getAttribute('aria-invalid')).toBe('true');
    expect(await email.evaluate(focused)).toBe(true);

    await page.keyboard.press('Control+A');
    await page.keyboard.type('ada@example.com');
    await page.keyboard.press('Tab');
    await page.keyboard.type('+1 555 010 0000');
    await page.keyboard.press('Enter');
    await expect
      .poll(() => part(page, 'feedback').textContent())
      .toBe('To get a text message, tick the box, or leave the number empty.');
    expect(await consent.evaluate(focused)).toBe(true);
    await expectAccessible(page, 'sold-out-refusal');
    await page.keyboard.press('Space');
    expect(await consent.isChecked()).toBe(true);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await expect
      .poll(() => part(page, 'feedback').textContent())
      .toBe('Thank you! We will let you know when it is back in stock.');
    expect(await email.isHidden()).toBe(true);
    expect(await phone.isHidden()).toBe(true);
    await expectAccessible(page, 'sold-out-subscribed');

    const alerts = (
      await t.request('GET', '/v1/stock-alerts?sku=JACKET-OUT', { key: store.secretKey })
    ).json();
    expect(
      alerts.data.map((a: { channel: string; contact: string }) => `${a.channel} ${a.contact}`).sort(),
    ).toEqual(['email ada@example.com', 'sms +15550100000']);
    await page.close();
  });

  it("shows each shipping method's window when the answer has them, and nothing when it has none", async () => {
    const page = await context.newPage();
    // Shipping methods come with another part of the API: add them to the answer in flight.
    await page.route('**/v1/storefront/availability?*', async (route) => {
      const response = await route.fetch();
      const body = await response.json();
      body.shipping = [
        { code: 'standard', name: 'Standard', deliveryEta: '2031-03-17', deliveryEtaLatest: '2031-03-19' },
        { code: 'express', name: 'Express', deliveryEta: '2031-03-15', deliveryEtaLatest: '2031-03-15' },
      ];
      await route.fulfill({ response, json: body });
    });
    await page.goto(`${api}/widget/demo?store=${store.publishableKey}&sku=JACKET-BO`);
    await stateOf(page, 'backorder');
    expect(await widget(page).locator('[part~="shipping-method"]').allTextContents()).toEqual([
      'Standard: arrives between March 17, 2031 and March 19, 2031',
      'Express: arrives on March 15, 2031',
    ]);
    await expectAccessible(page, 'shipping');
    await page.unroute('**/v1/storefront/availability?*');
    await page.reload();
    await stateOf(page, 'backorder');
    expect(await part(page, 'shipping').isHidden()).toBe(true);
    expect(await widget(page).locator('[part~="shipping-method"]').count()).toBe(0);
    await page.close();
  });
});

describe("on a shop's own page (another origin)", () => {
  const shopPage = (attributes: string, style = '') => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Shop</title><style>${style}</style>
<script src="${api}/widget.js" defer></script></head>
<body><main><h1>Jacket</h1>
<backfill-availability store="${store.publishableKey}" ${attributes}></backfill-availability>
</main></body></html>`;

  it('is refused until the store allows the origin, then works', async () => {
    const origin = `http://localhost:${shop.port}`;
    await ok('PATCH', '/v1/settings', { allowedOrigins: ['https://elsewhere.example'] });
    shopPages['/product'] = shopPage('sku="JACKET-IN"');
    const page = await context.newPage();
    const refusals: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') refusals.push(message.text());
    });
    await page.goto(`${origin}/product`);
    // The script itself loads from any origin; the data does not.
    await stateOf(page, 'error');
    expect(await part(page, 'headline').textContent()).toBe('Availability could not be loaded.');
    expect(refusals.join('\n')).toMatch(/CORS|Access-Control-Allow-Origin/);

    await ok('PATCH', '/v1/settings', { allowedOrigins: ['https://elsewhere.example', origin] });
    await page.reload();
    await stateOf(page, 'in-stock');
    expect(await part(page, 'headline').textContent()).toBe('In stock');
    await page.close();
  });

  it("takes the merchant's texts and theme", async () => {
    const origin = `http://localhost:${shop.port}`;
    await ok('PATCH', '/v1/settings', { allowedOrigins: [origin] });
    shopPages['/themed'] = shopPage(
      'sku="JACKET-OUT" text-sold-out="Gone for now" text-submit="Tell me" phone="off"',
      'backfill-availability{--backfill-sold-out-color:rgb(120, 0, 60)}' +
        'backfill-availability::part(headline){text-transform:uppercase}',
    );
    const page = await context.newPage();
    await page.goto(`${origin}/themed`);
    await stateOf(page, 'sold-out');
    const headline = part(page, 'headline');
    expect(await headline.textContent()).toBe('Gone for now');
    expect(await headline.evaluate((el) => getComputedStyle(el).color)).toBe('rgb(120, 0, 60)');
    expect(await headline.evaluate((el) => getComputedStyle(el).textTransform)).toBe('uppercase');
    expect(await part(page, 'button').textContent()).toBe('Tell me');
    expect(await widget(page).locator('input[type=tel]').isHidden()).toBe(true);
    // Texts set from script apply too (attributes still win).
    await widget(page).evaluate((el) => {
      (el as unknown as { texts: Record<string, string> }).texts = { notifyIntro: 'We will write.' };
    });
    expect(await part(page, 'intro').textContent()).toBe('We will write.');
    await expectAccessible(page, 'themed');
    await page.close();
  });
});
