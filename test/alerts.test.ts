/**
 * Back-in-stock alerts over HTTP: shoppers sign up with the publishable key, restocks release
 * alerts in batches sized to the free units (read as real emails from an SMTP server on loopback),
 * waiting backorders come first, and one store never sees another's alerts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseStockAlerts } from '../src/modules/alerts/alerts.usecases.ts';
import { createSenders } from '../src/modules/messages/messages.channels.ts';
import { deliverDue } from '../src/modules/messages/messages.delivery.ts';
import { ManualClock } from '../src/shared/clock.ts';
import { type StoreKeys, startTestApp, type TestApp, variant } from './support/harness.ts';
import { type HttpReceiver, type MailInbox, startHttpReceiver, startMailInbox } from './support/inboxes.ts';

const MINUTE = 60_000;
const clock = new ManualClock(new Date('2026-03-02T10:00:00Z'));
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
  /** Releases this store's alerts, as the worker's tick does. */
  release(): Promise<string[]>;
  deliver(): Promise<Record<string, number>>;
}

async function openShop(messaging: Record<string, unknown> | null = {}): Promise<Shop> {
  const store = await t.createStore('Lamp Shop');
  if (messaging !== null) {
    const res = await t.request('PATCH', '/v1/settings/messaging', {
      key: store.secretKey,
      body: { email: { smtpUrl: inbox.url, from: 'Shop <s@x.example>' }, ...messaging },
    });
    expect(res.statusCode, res.body).toBe(200);
  }
  return {
    ...store,
    release: () => releaseStockAlerts(t.app.deps, { storeIds: [store.id] }),
    deliver: () => deliverDue(t.app.deps, senders, { storeIds: [store.id] }),
  };
}

async function putVariant(
  shop: StoreKeys,
  sku: string,
  mode: 'deny' | 'backorder' | 'preorder',
  title = sku,
) {
  const res = await t.request('PUT', `/v1/variants/${sku}`, {
    key: shop.secretKey,
    body: variant(mode, null, { title }),
  });
  expect(res.statusCode, res.body).toBeLessThan(300);
}

async function restock(shop: StoreKeys, sku: string, quantity: number) {
  const res = await t.request('POST', '/v1/inventory/adjustments', {
    key: shop.secretKey,
    body: { sku, quantity, reason: 'restock' },
  });
  expect(res.statusCode, res.body).toBe(201);
}

async function order(shop: StoreKeys, sku: string, quantity: number) {
  const res = await t.request('POST', '/v1/orders', {
    key: shop.secretKey,
    body: { customer: { name: 'Buyer' }, lines: [{ sku, quantity }] },
  });
  expect(res.statusCode, res.body).toBe(201);
}

const signUp = (shop: StoreKeys, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  t.request('POST', '/v1/storefront/stock-alerts', { key: shop.publishableKey, body, headers });

/** `count` shoppers sign up one second apart, oldest first; returns their addresses. */
async function signUpMany(shop: StoreKeys, sku: string, count: number, tag: string): Promise<string[]> {
  const emails: string[] = [];
  for (let i = 0; i < count; i++) {
    const email = `${tag}-${i}@${shop.id.replace('_', '-')}.example`;
    const res = await signUp(shop, { sku, email });
    expect(res.statusCode, res.body).toBe(201);
    emails.push(email);
    clock.advance(1000);
  }
  return emails;
}

const mailedTo = (emails: readonly string[]) =>
  emails.filter((e) => inbox.mail.some((m) => m.to.includes(e)));

async function alerts(shop: StoreKeys, query = '') {
  const res = await t.request('GET', `/v1/stock-alerts?limit=500${query}`, { key: shop.secretKey });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().data as {
    id: string;
    contact: string;
    state: string;
    signups: number;
    messageId: string | null;
  }[];
}

describe('signing up', () => {
  it('validates the request and refuses shoppers who can order now', async () => {
    const shop = await openShop();
    await putVariant(shop, 'LAMP-1', 'deny');
    await putVariant(shop, 'LAMP-BO', 'backorder');
    await putVariant(shop, 'LAMP-PRE', 'preorder');
    await putVariant(shop, 'LAMP-STOCK', 'deny');
    await restock(shop, 'LAMP-STOCK', 2);

    const both = await signUp(shop, { sku: 'LAMP-1', email: 'a@x.example', phone: '+15550100000' });
    expect(both.statusCode).toBe(422);
    expect((await signUp(shop, { sku: 'LAMP-1' })).statusCode).toBe(422);
    expect((await signUp(shop, { sku: 'LAMP-1', email: 'not-an-address' })).statusCode).toBe(422);
    expect((await signUp(shop, { sku: 'LAMP-1', phone: 'call me' })).statusCode).toBe(422);

    const unknown = await signUp(shop, { sku: 'NOPE', email: 'a@x.example' });
    expect(unknown.statusCode).toBe(404);
    for (const sku of ['LAMP-BO', 'LAMP-PRE']) {
      const res = await signUp(shop, { sku, email: 'a@x.example' });
      expect(res.statusCode, sku).toBe(409);
      expect(res.json().code).toBe('backorder_available');
    }
    const inStock = await signUp(shop, { sku: 'LAMP-STOCK', email: 'a@x.example' });
    expect(inStock.statusCode).toBe(409);
    expect(inStock.json().code).toBe('in_stock');
    // This store sends email only.
    const sms = await signUp(shop, { sku: 'LAMP-1', phone: '+1 555 010 0000' });
    expect(sms.statusCode).toBe(422);
    expect(sms.json().code).toBe('channel_unavailable');

    // The secret key is not a storefront key, and shoppers cannot read the alert list.
    const withSecret = await t.request('POST', '/v1/storefront/stock-alerts', {
      key: shop.secretKey,
      body: { sku: 'LAMP-1', email: 'a@x.example' },
    });
    expect(withSecret.statusCode).toBe(403);
    expect((await t.request('GET', '/v1/stock-alerts', { key: shop.publishableKey })).statusCode).toBe(403);
    expect(await alerts(shop)).toEqual([]);
  });

  it('refuses every sign-up of a store that sends no messages', async () => {
    const shop = await openShop(null);
    await putVariant(shop, 'LAMP-1', 'deny');
    const res = await signUp(shop, { sku: 'LAMP-1', email: 'a@x.example' });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('channel_unavailable');
  });

  it('merges the same contact asking again, applies an Idempotency-Key once, and cancels', async () => {
    const shop = await openShop({
      sms: { baseUrl: smsApi.url, accountSid: 'AC1', authToken: 'token-1', from: '+15550001111' },
    });
    await putVariant(shop, 'LAMP-1', 'deny');
    const first = await signUp(shop, { sku: 'LAMP-1', email: 'Ann@Example.com' });
    expect(first.statusCode, first.body).toBe(201);
    const alert = first.json();
    expect(Object.keys(alert).sort()).toEqual(['channel', 'createdAt', 'id', 'sku', 'state']);
    expect(alert).toMatchObject({ sku: 'LAMP-1', channel: 'email', state: 'waiting' });
    expect(alert.id).toMatch(/^sta_/);

    clock.advance(MINUTE);
    const again = await signUp(shop, { sku: 'LAMP-1', email: 'ann@example.COM' });
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json()).toEqual(alert);

    // A phone number in two spellings is one contact.
    clock.advance(1000);
    const phone = await signUp(shop, { sku: 'LAMP-1', phone: '+1 (555) 010-2000' });
    expect(phone.statusCode, phone.body).toBe(201);
    const phoneAgain = await signUp(shop, { sku: 'LAMP-1', phone: '+15550102000' });
    expect(phoneAgain.statusCode).toBe(200);
    expect(phoneAgain.json().id).toBe(phone.json().id);

    // A retried request is applied once, answered the same, and a key reused with another body refused.
    const key = { 'idempotency-key': `signup-${shop.id}` };
    clock.advance(1000);
    const keyed = await signUp(shop, { sku: 'LAMP-1', email: 'bo@example.com' }, key);
    expect(keyed.statusCode).toBe(201);
    const replay = await signUp(shop, { sku: 'LAMP-1', email: 'bo@example.com' }, key);
    expect(replay.statusCode).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json()).toEqual(keyed.json());
    const mergedKey = { 'idempotency-key': `merge-${shop.id}` };
    expect((await signUp(shop, { sku: 'LAMP-1', email: 'bo@example.com' }, mergedKey)).statusCode).toBe(200);
    expect((await signUp(shop, { sku: 'LAMP-1', email: 'bo@example.com' }, mergedKey)).statusCode).toBe(200);
    expect((await signUp(shop, { sku: 'LAMP-1', email: 'other@example.com' }, key)).statusCode).toBe(422);

    const list = await alerts(shop);
    expect(list.map((a) => [a.contact, a.signups])).toEqual([
      ['bo@example.com', 2],
      ['+15550102000', 2],
      ['ann@example.com', 2],
    ]);
    const summary = (await t.request('GET', '/v1/stock-alerts/summary', { key: shop.secretKey })).json();
    expect(summary.data).toEqual([
      { sku: 'LAMP-1', waitingAlerts: 3, waitingSignups: 6, notifiedAlerts: 0, lastNotifiedAt: null },
    ]);

    // Cancelled, then asked again: a new alert.
    const cancelled = await t.request('DELETE', `/v1/stock-alerts/${alert.id}`, { key: shop.secretKey });
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect(cancelled.json()).toMatchObject({ id: alert.id, state: 'cancelled' });
    expect(
      (await t.request('DELETE', `/v1/stock-alerts/${alert.id}`, { key: shop.secretKey })).statusCode,
    ).toBe(200);
    const anew = await signUp(shop, { sku: 'LAMP-1', email: 'ann@example.com' });
    expect(anew.statusCode).toBe(201);
    expect(anew.json().id).not.toBe(alert.id);
    expect((await alerts(shop, '&state=cancelled')).map((a) => a.id)).toEqual([alert.id]);
    expect(await alerts(shop, '&sku=OTHER')).toEqual([]);
  });

  it('pages the list newest first', async () => {
    const shop = await openShop();
    await putVariant(shop, 'LAMP-1', 'deny');
    const emails = await signUpMany(shop, 'LAMP-1', 5, 'page');
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await t.request('GET', `/v1/stock-alerts?limit=2${cursor ? `&cursor=${cursor}` : ''}`, {
        key: shop.secretKey,
      });
      expect(res.statusCode, res.body).toBe(200);
      seen.push(...res.json().data.map((a: { contact: string }) => a.contact));
      cursor = res.json().nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual([...emails].reverse());
  });
});

describe('releasing alerts on restock', () => {
  it('tells as many of the oldest shoppers as there are free units, batch by batch, until the stock is sold', async () => {
    const shop = await openShop({ stockAlertFactor: 1 });
    await putVariant(shop, 'LAMP-1', 'deny', 'Brass desk lamp');
    const emails = await signUpMany(shop, 'LAMP-1', 10, 'fifo');
    expect(await shop.release(), 'nothing is free yet').toEqual([]);

    await restock(shop, 'LAMP-1', 3);
    const first = await shop.release();
    expect(first).toHaveLength(3);
    expect(await shop.deliver()).toMatchObject({ sent: 3 });
    expect(mailedTo(emails)).toEqual(emails.slice(0, 3));
    const mail = inbox.mail.find((m) => m.to.includes(emails[0]!))!;
    expect(mail.subject).toContain('Brass desk lamp');
    expect(mail.from).toBe('s@x.example');
    expect(String(mail.headers.get('list-unsubscribe'))).toContain('a=unsubscribe');

    const notified = await alerts(shop, '&state=notified');
    expect(notified.map((a) => a.contact).sort()).toEqual(emails.slice(0, 3).sort());
    expect(notified.map((a) => a.messageId).sort()).toEqual([...first].sort());
    const events = (
      await t.request('GET', '/v1/events?type=stock_alert.released', { key: shop.secretKey })
    ).json();
    expect(events.data.map((e: { data: unknown }) => e.data)).toEqual([
      { sku: 'LAMP-1', alerts: 3, freeUnits: 3 },
    ]);

    // Before the interval, nothing more: the first three may be buying.
    clock.advance(14 * MINUTE);
    expect(await shop.release()).toEqual([]);
    // Nobody bought: the next batch is sized on the same three units.
    clock.advance(MINUTE);
    expect(await shop.release()).toHaveLength(3);
    await shop.deliver();
    expect(mailedTo(emails)).toEqual(emails.slice(0, 6));

    // The stock sells: nothing more, however long we wait.
    await order(shop, 'LAMP-1', 2);
    await order(shop, 'LAMP-1', 1);
    clock.advance(60 * MINUTE);
    expect(await shop.release()).toEqual([]);
    await shop.deliver();
    expect(mailedTo(emails)).toEqual(emails.slice(0, 6));
    const summary = (await t.request('GET', '/v1/stock-alerts/summary', { key: shop.secretKey })).json();
    expect(summary.data).toMatchObject([
      { sku: 'LAMP-1', waitingAlerts: 4, waitingSignups: 4, notifiedAlerts: 6 },
    ]);

    // One unit comes back (a return): one more shopper hears.
    await restock(shop, 'LAMP-1', 1);
    expect(await shop.release()).toHaveLength(1);
    await shop.deliver();
    expect(mailedTo(emails)).toEqual(emails.slice(0, 7));
  });

  it('sends factor × free units alerts in a batch', async () => {
    const shop = await openShop({ stockAlertFactor: 2 });
    await putVariant(shop, 'LAMP-2', 'deny');
    const emails = await signUpMany(shop, 'LAMP-2', 10, 'factor');
    await restock(shop, 'LAMP-2', 2);
    expect(await shop.release()).toHaveLength(4);
    expect(await shop.deliver()).toMatchObject({ sent: 4 });
    expect(mailedTo(emails)).toEqual(emails.slice(0, 4));
  });

  it('serves waiting backorders before any alert', async () => {
    const shop = await openShop();
    // Orders waited while the variant could be backordered; then the merchant stopped backorders.
    await putVariant(shop, 'LAMP-3', 'backorder');
    await order(shop, 'LAMP-3', 3);
    await putVariant(shop, 'LAMP-3', 'deny');
    const emails = await signUpMany(shop, 'LAMP-3', 5, 'queue');

    await restock(shop, 'LAMP-3', 2);
    expect(await shop.release(), 'one unit still waits in the queue').toEqual([]);
    expect((await alerts(shop, '&state=waiting')).length).toBe(5);

    // Three more units: one completes the queue, two are free.
    await restock(shop, 'LAMP-3', 3);
    expect(await shop.release()).toHaveLength(2);
    await shop.deliver();
    expect(mailedTo(emails)).toEqual(emails.slice(0, 2));
  });

  it('keeps alerts waiting while the store sends on none of their channels', async () => {
    const shop = await openShop();
    await putVariant(shop, 'LAMP-4', 'deny');
    const emails = await signUpMany(shop, 'LAMP-4', 2, 'nochannel');
    await t.request('PATCH', '/v1/settings/messaging', { key: shop.secretKey, body: { email: null } });
    await restock(shop, 'LAMP-4', 5);
    expect(await shop.release()).toEqual([]);
    expect((await alerts(shop, '&state=waiting')).length).toBe(2);

    await t.request('PATCH', '/v1/settings/messaging', {
      key: shop.secretKey,
      body: { email: { smtpUrl: inbox.url, from: 'Shop <s@x.example>' } },
    });
    expect(await shop.release()).toHaveLength(2);
    await shop.deliver();
    expect(mailedTo(emails)).toEqual(emails);
  });

  it("marks an unsubscribed shopper's alert notified but suppresses its message", async () => {
    const shop = await openShop();
    await putVariant(shop, 'LAMP-5', 'deny');
    await putVariant(shop, 'LAMP-6', 'deny');
    const [email] = await signUpMany(shop, 'LAMP-5', 1, 'unsub');
    expect((await signUp(shop, { sku: 'LAMP-6', email: email! })).statusCode).toBe(201);
    await restock(shop, 'LAMP-5', 1);
    await shop.release();
    expect(await shop.deliver()).toMatchObject({ sent: 1 });

    // One-click unsubscribe from the first alert (RFC 8058).
    const mail = inbox.mail.find((m) => m.to.includes(email!))!;
    const link = String(mail.headers.get('list-unsubscribe')).replace(/^<|>$/g, '');
    const unsubscribed = await t.request('POST', link.slice(link.indexOf('/self-service')), {
      rawBody: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(unsubscribed.statusCode).toBe(200);

    await restock(shop, 'LAMP-6', 1);
    const [messageId] = await shop.release();
    expect(messageId).toBeDefined();
    expect(await shop.deliver()).toMatchObject({ suppressed: 1, sent: 0 });
    const message = (await t.request('GET', `/v1/messages/${messageId}`, { key: shop.secretKey })).json();
    expect(message).toMatchObject({ kind: 'stock_alert', state: 'suppressed', transactional: false });
    const [alert] = await alerts(shop, '&sku=LAMP-6');
    expect(alert).toMatchObject({ state: 'notified', messageId });
    expect(inbox.mail.filter((m) => m.to.includes(email!))).toHaveLength(1);
  });
});

describe('store isolation', () => {
  it("never lets one store's key see, join or cancel another store's alerts", async () => {
    const a = await openShop();
    const b = await openShop();
    await putVariant(a, 'MUG-1', 'deny');
    const signed = await signUp(a, { sku: 'MUG-1', email: 'shared@example.com' });
    expect(signed.statusCode).toBe(201);

    // Store B has no MUG-1: its storefront cannot reach store A's.
    expect((await signUp(b, { sku: 'MUG-1', email: 'shared@example.com' })).statusCode).toBe(404);
    // Once B sells its own MUG-1, the same shopper gets B's own alert, not A's.
    await putVariant(b, 'MUG-1', 'deny');
    const inB = await signUp(b, { sku: 'MUG-1', email: 'shared@example.com' });
    expect(inB.statusCode).toBe(201);
    expect(inB.json().id).not.toBe(signed.json().id);

    expect((await alerts(b)).map((x) => x.id)).toEqual([inB.json().id]);
    const crossCancel = await t.request('DELETE', `/v1/stock-alerts/${signed.json().id}`, {
      key: b.secretKey,
    });
    expect(crossCancel.statusCode).toBe(404);
    expect((await alerts(a)).map((x) => [x.id, x.state])).toEqual([[signed.json().id, 'waiting']]);

    // A restock of A's MUG-1 tells A's shopper only.
    await restock(a, 'MUG-1', 1);
    const released = await releaseStockAlerts(t.app.deps, { storeIds: [a.id, b.id] });
    expect(released).toHaveLength(1);
    expect((await alerts(a))[0]!.state).toBe('notified');
    expect((await alerts(b))[0]!.state).toBe('waiting');
    const summaryB = (await t.request('GET', '/v1/stock-alerts/summary', { key: b.secretKey })).json();
    expect(summaryB.data).toEqual([
      { sku: 'MUG-1', waitingAlerts: 1, waitingSignups: 1, notifiedAlerts: 0, lastNotifiedAt: null },
    ]);
  });
});
