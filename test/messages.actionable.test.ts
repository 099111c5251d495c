/**
 * Messages shoppers can act on, over HTTP with real receivers (SMTP and an SMS API on loopback):
 * product links and pictures, refund wording only where a refund follows, order numbers instead
 * of internal ids, text messages within two segments with short links, the store's spacing of
 * back-in-stock batches, and webhook secrets shown only when they are new.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseStockAlerts } from '../src/modules/alerts/alerts.usecases.ts';
import { createSenders } from '../src/modules/messages/messages.channels.ts';
import { deliverDue } from '../src/modules/messages/messages.delivery.ts';
import { startRelayCursor } from '../src/modules/messages/messages.relay.ts';
import { ManualClock } from '../src/shared/clock.ts';
import { type StoreKeys, startTestApp, type TestApp, variant } from './support/harness.ts';
import { type HttpReceiver, type MailInbox, startHttpReceiver, startMailInbox } from './support/inboxes.ts';
import { relayAll } from './support/relay.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely
type Json = any;

const START = new Date('2026-03-02T10:00:00Z'); // a Monday
const clock = new ManualClock(START);
let t: TestApp;
let inbox: MailInbox;
let smsApi: HttpReceiver;
// The SMS API stand-in runs on loopback: private addresses are allowed (BACKFILL_ALLOW_PRIVATE_URLS=true).
const senders = createSenders({ timeoutMs: 2000, allowPrivateUrls: true });

beforeAll(async () => {
  t = await startTestApp({ clock, config: { allowPrivateUrls: true } });
  inbox = await startMailInbox();
  smsApi = await startHttpReceiver();
  smsApi.fallback = { status: 201, body: '{"sid":"SM1","status":"queued"}' };
});
afterAll(async () => {
  await t.close();
  await inbox.close();
  await smsApi.close();
});

interface Shop extends StoreKeys {
  pump(): Promise<Record<string, number>>;
  call(method: 'GET' | 'PUT' | 'PATCH' | 'POST' | 'DELETE', url: string, body?: unknown): Promise<Json>;
}

let shops = 0;
async function openShop(messaging: Record<string, unknown> = {}): Promise<Shop> {
  const store = await t.createStore(`Corner Shop ${++shops}`);
  const scope = { cursor: `test-${store.id}`, storeIds: [store.id] };
  await startRelayCursor(t.app.deps, scope.cursor);
  const call: Shop['call'] = async (method, url, body) => {
    const res = await t.request(method, url, {
      key: store.secretKey,
      ...(body === undefined ? {} : { body }),
    });
    return { status: res.statusCode, body: res.body ? res.json() : null, raw: res };
  };
  const res = await call('PATCH', '/v1/settings/messaging', {
    email: { smtpUrl: inbox.url, from: 'Corner Shop <orders@corner.example>' },
    sms: { baseUrl: smsApi.url, accountSid: 'AC0001', authToken: 'token-0001', from: '+15550001111' },
    publicUrl: 'https://orders.corner.example',
    ...messaging,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return {
    ...store,
    call,
    async pump() {
      await relayAll(t.app.deps, scope);
      return deliverDue(t.app.deps, senders, { storeIds: [store.id] });
    },
  };
}

const mailTo = (address: string) => inbox.mail.filter((m) => m.to.includes(address));
const smsTo = (phone: string) =>
  smsApi.requests
    .filter((r) => new URLSearchParams(r.body).get('To') === phone)
    .map((r) => new URLSearchParams(r.body).get('Body')!);

async function place(shop: Shop, body: Record<string, unknown>): Promise<Json> {
  const res = await shop.call('POST', '/v1/orders', body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

const MUG = {
  title: 'Blue mug',
  price: 1200,
  url: 'https://corner.example/products/blue-mug',
  imageUrl: 'https://cdn.corner.example/blue-mug.jpg',
};

describe('product links', () => {
  it('are stored on variants (http and https only), and cleared by a patch', async () => {
    const shop = await openShop();
    const put = await shop.call('PUT', '/v1/variants/MUG-1', variant('backorder', null, MUG));
    expect(put.status).toBe(201);
    expect(put.body).toMatchObject({ url: MUG.url, imageUrl: MUG.imageUrl });
    expect((await shop.call('GET', '/v1/variants/MUG-1')).body).toMatchObject({ url: MUG.url });
    for (const url of [
      'javascript:alert(1)',
      'ftp://corner.example/mug',
      '/products/mug',
      'https://x.example/a b',
    ]) {
      const bad = await shop.call('PATCH', '/v1/variants/MUG-1', { url });
      expect(bad.status, url).toBe(422);
    }
    expect((await shop.call('GET', '/v1/variants/MUG-1')).body.url).toBe(MUG.url);
    const cleared = await shop.call('PATCH', '/v1/variants/MUG-1', { imageUrl: null });
    expect(cleared.body).toMatchObject({ url: MUG.url, imageUrl: null });
    const plain = await shop.call('PUT', '/v1/variants/MUG-2', variant('deny'));
    expect(plain.body).toMatchObject({ url: null, imageUrl: null });
  });

  it('the confirmation links each item to its product page and shows its picture', async () => {
    const shop = await openShop();
    await shop.call('PUT', '/v1/variants/MUG-1', variant('backorder', null, MUG));
    await shop.call('POST', '/v1/inventory/adjustments', { sku: 'MUG-1', quantity: 1, reason: 'restock' });
    await place(shop, { customer: { email: 'ada@mugs.example' }, lines: [{ sku: 'MUG-1', quantity: 3 }] });
    await shop.pump();
    const [mail] = mailTo('ada@mugs.example');
    expect(mail, 'the confirmation').toBeDefined();
    expect(mail!.text).toContain(MUG.url);
    expect(mail!.html).toContain(`<img src="${MUG.imageUrl}" alt="Blue mug"`);
    expect(mail!.html).toContain(`<a href="${MUG.url}"`);
  });

  it('the back-in-stock email links to the product and shows it', async () => {
    const shop = await openShop();
    await shop.call('PUT', '/v1/variants/MUG-9', variant('deny', null, MUG));
    const signup = await t.request('POST', '/v1/storefront/stock-alerts', {
      key: shop.publishableKey,
      body: { sku: 'MUG-9', email: 'bea@mugs.example' },
    });
    expect(signup.statusCode, signup.body).toBe(201);
    await shop.call('POST', '/v1/inventory/adjustments', { sku: 'MUG-9', quantity: 1, reason: 'restock' });
    await releaseStockAlerts(t.app.deps, { storeIds: [shop.id] });
    await deliverDue(t.app.deps, senders, { storeIds: [shop.id] });
    const [mail] = mailTo('bea@mugs.example');
    expect(mail?.subject).toBe('Back in stock: Blue mug');
    expect(mail!.text).toContain(`Order it here: ${MUG.url}`);
    expect(mail!.html).toContain(`<img src="${MUG.imageUrl}"`);
    expect(mail!.html).toMatch(new RegExp(`<a href="${MUG.url}"[^>]*>Order it now</a>`));
  });
});

/** Places a waiting order, then moves the variant's date two weeks: a delay notice by email and SMS. */
async function delayNotice(shop: Shop, email: string, phone: string) {
  const put = (expectedDate: string) =>
    shop.call('PUT', '/v1/variants/LAMP-1', {
      ...variant('backorder', null, { title: 'Desk lamp' }),
      backorder: { mode: 'backorder', expectedDate },
    });
  await put('2026-04-01');
  const order = await place(shop, { customer: { email, phone }, lines: [{ sku: 'LAMP-1', quantity: 1 }] });
  await shop.pump();
  await put('2026-04-15');
  await shop.pump();
  const notice = mailTo(email).find((m) => m.subject.startsWith('A delay'));
  expect(notice, 'a delay notice').toBeDefined();
  const sms = smsTo(phone).find((b) => b.includes('delayed'));
  expect(sms, 'a delay text').toBeDefined();
  return { order, notice: notice!, sms: sms! };
}

describe('refund wording', () => {
  it('promises no refund where Backfill does not manage the money', async () => {
    const shop = await openShop();
    expect((await shop.call('GET', '/v1/settings')).body.paymentProvider).toBe('none');
    const { notice, sms } = await delayNotice(shop, 'none@lamps.example', '+15550102001');
    expect(`${notice.text}\n${notice.html}\n${sms}`).not.toMatch(/refund/i);
    expect(notice.text).toMatch(/- Cancel: https:\/\/orders\.corner\.example\/self-service\?/);
    // The order page and the cancel page say nothing about a refund either.
    const page = await t.request('GET', pathOf(/https?:\/\/\S+a=cancel\S*/.exec(notice.text)![0]));
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toMatch(/refund/i);
  });

  it('promises a full refund where the merchant says refunds are automatic', async () => {
    const shop = await openShop({ refundsAutomatic: true });
    expect((await shop.call('GET', '/v1/settings/messaging')).body.refundsAutomatic).toBe(true);
    const { notice } = await delayNotice(shop, 'auto@lamps.example', '+15550102002');
    expect(notice.text).toContain('- Cancel for a full refund: https://');
  });

  it('promises a full refund where Backfill manages the money', async () => {
    const shop = await openShop();
    const res = await shop.call('PATCH', '/v1/settings', {
      paymentProvider: 'manual',
      paymentMode: 'on_ship',
    });
    expect(res.status).toBe(200);
    const { notice } = await delayNotice(shop, 'managed@lamps.example', '+15550102003');
    expect(notice.html).toContain('Cancel for a full refund');
  });
});

const pathOf = (url: string) => {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
};

describe('order numbers', () => {
  it('name an order by its external id, else a short number, never by its internal id', async () => {
    const shop = await openShop();
    await shop.call('PUT', '/v1/variants/CUP-1', variant('backorder', null, { title: 'Cup' }));
    const own = await place(shop, {
      externalId: 'shop-1001',
      customer: { email: 'own@cups.example' },
      lines: [{ sku: 'CUP-1', quantity: 1 }],
    });
    const bare = await place(shop, {
      customer: { email: 'bare@cups.example', phone: '+15550103000' },
      lines: [{ sku: 'CUP-1', quantity: 1 }],
    });
    expect(own.number).toBe('shop-1001');
    expect(bare.number).toMatch(/^[0-9A-Z]{5}-[0-9A-Z]{5}$/);
    expect(bare.id.toUpperCase().replace(/[^0-9A-Z]/g, '')).toContain(bare.number.replace('-', ''));
    expect((await shop.call('GET', `/v1/orders/${bare.id}`)).body.number).toBe(bare.number);
    await shop.call('POST', `/v1/orders/${bare.id}/cancel`, {});
    await shop.pump();
    const mails = [...mailTo('own@cups.example'), ...mailTo('bare@cups.example')];
    expect(mails.length).toBeGreaterThanOrEqual(3);
    // Links carry the ids they act on; the words around them never do.
    const words = (text: string) => text.replace(/https?:\/\/[^\s"<>]+/g, '');
    for (const mail of mails)
      expect(words(`${mail.subject}\n${mail.text}\n${mail.html}`)).not.toMatch(/ord_|line_/);
    expect(mailTo('own@cups.example')[0]!.subject).toContain('shop-1001');
    expect(mailTo('bare@cups.example')[0]!.subject).toContain(bare.number);
    const texts = smsTo('+15550103000');
    expect(texts.length).toBeGreaterThanOrEqual(2);
    for (const text of texts) expect(text).toContain(bare.number);
    for (const text of texts) expect(text).not.toMatch(/ord_|line_/);
  });
});

describe('text messages', () => {
  it('stay within two segments, with short links that redirect to the signed pages', async () => {
    const shop = await openShop();
    const title = 'Handmade stoneware serving bowl — speckled oatmeal glaze, extra large (32 cm)';
    await shop.call('PUT', '/v1/variants/BOWL-1', {
      ...variant('backorder', null, { title }),
      backorder: { mode: 'backorder', expectedDate: '2026-04-01' },
    });
    await place(shop, {
      customer: { phone: '+15550104000' },
      lines: [{ sku: 'BOWL-1', quantity: 1 }],
    });
    await shop.pump();
    await shop.call('PUT', '/v1/variants/BOWL-1', {
      ...variant('backorder', null, { title }),
      backorder: { mode: 'backorder', expectedDate: '2026-04-20' },
    });
    await shop.pump();
    const texts = smsTo('+15550104000');
    expect(texts).toHaveLength(2);
    for (const text of texts) {
      // Plain GSM characters (the em dash was written as "-"), 306 at most: two segments of 153.
      expect(text).toMatch(/^[\n\x20-\x7e]*$/);
      expect(text.length, text).toBeLessThanOrEqual(306);
      expect(text).not.toContain('self-service?');
      expect(text).toMatch(/https:\/\/orders\.corner\.example\/s\/[0-9A-Za-z_-]{16}(\s|$)/);
    }
    const link = /https:\/\/orders\.corner\.example(\/s\/[0-9A-Za-z_-]{16})/.exec(texts[1]!)![1]!;
    const res = await t.request('GET', link);
    expect(res.statusCode).toBe(303);
    const target = new URL(res.headers.location as string);
    expect(target.origin).toBe('https://orders.corner.example');
    const page = await t.request('GET', `${target.pathname}${target.search}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('serving bowl');

    // A changed signature, an unknown token, and an expired link open nothing.
    const forged = `${link.slice(0, -1)}${link.endsWith('A') ? 'B' : 'A'}`;
    expect((await t.request('GET', forged)).statusCode).toBe(403);
    expect((await t.request('GET', '/s/AAAAAAAAAAAAAAAA')).statusCode).toBe(403);
    expect((await t.request('GET', '/s/short')).statusCode).toBe(403);
    clock.advance(91 * 86_400_000);
    try {
      const expired = await t.request('GET', link);
      expect(expired.statusCode).toBe(410);
      expect(expired.body).toContain('expired');
    } finally {
      clock.set(START);
    }
  });
});

describe('back-in-stock spacing', () => {
  it("follows the store's alertBatchIntervalMinutes", async () => {
    const shop = await openShop();
    const get = await shop.call('GET', '/v1/settings/messaging');
    expect(get.body.alertBatchIntervalMinutes).toBe(15);
    const set = await shop.call('PATCH', '/v1/settings/messaging', { alertBatchIntervalMinutes: 5 });
    expect(set.body.alertBatchIntervalMinutes).toBe(5);
    for (const bad of [0, 10081, 2.5, '5']) {
      const res = await shop.call('PATCH', '/v1/settings/messaging', { alertBatchIntervalMinutes: bad });
      expect(res.status, String(bad)).toBe(422);
    }
    await shop.call('PUT', '/v1/variants/LAMP-9', variant('deny'));
    for (const email of ['a@lamps9.example', 'b@lamps9.example']) {
      const res = await t.request('POST', '/v1/storefront/stock-alerts', {
        key: shop.publishableKey,
        body: { sku: 'LAMP-9', email },
      });
      expect(res.statusCode).toBe(201);
      clock.advance(1000);
    }
    await shop.call('POST', '/v1/inventory/adjustments', { sku: 'LAMP-9', quantity: 1, reason: 'restock' });
    try {
      expect(await releaseStockAlerts(t.app.deps, { storeIds: [shop.id] })).toHaveLength(1);
      clock.advance(4 * 60_000);
      expect(await releaseStockAlerts(t.app.deps, { storeIds: [shop.id] })).toHaveLength(0);
      clock.advance(60_000);
      expect(await releaseStockAlerts(t.app.deps, { storeIds: [shop.id] })).toHaveLength(1);
    } finally {
      clock.set(START);
    }
  });
});

describe('webhook secrets', () => {
  it('are shown when an endpoint is created or its secret rotated, never on reads', async () => {
    const shop = await openShop();
    const created = await shop.call('POST', '/v1/webhook-endpoints', { url: 'https://hooks.example/a' });
    expect(created.status).toBe(201);
    const secret: string = created.body.secret;
    expect(secret).toMatch(/^whsec_/);
    expect(created.body.secretHint).toBe(`whsec_…${secret.slice(-4)}`);
    const id = created.body.id;
    const read = await shop.call('GET', `/v1/webhook-endpoints/${id}`);
    expect(read.body).not.toHaveProperty('secret');
    expect(read.body.secretHint).toBe(created.body.secretHint);
    expect(JSON.stringify((await shop.call('GET', '/v1/webhook-endpoints')).body)).not.toContain(secret);
    const renamed = await shop.call('PATCH', `/v1/webhook-endpoints/${id}`, { description: 'orders' });
    expect(renamed.body).not.toHaveProperty('secret');
    const rotated = await shop.call('PATCH', `/v1/webhook-endpoints/${id}`, { rotateSecret: true });
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(secret);
    expect(JSON.stringify((await shop.call('GET', `/v1/webhook-endpoints/${id}`)).body)).not.toContain(
      rotated.body.secret,
    );
  });
});
