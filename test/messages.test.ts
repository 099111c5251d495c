/**
 * Messages end to end: outbox events become emails (read from a real SMTP server on loopback),
 * SMS (a Twilio-compatible receiver) and signed webhooks (local receivers that fail, stall and
 * succeed), each logged with every attempt, delivered at most once.
 */

import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planStatusUpdates } from '../src/modules/messages/messages.cadence.ts';
import { createSenders, type Senders } from '../src/modules/messages/messages.channels.ts';
import {
  deliverDue,
  deliverMessage,
  deliverMessages,
  dueMessageIds,
  recoverInterrupted,
} from '../src/modules/messages/messages.delivery.ts';
import { planMerchantDigests } from '../src/modules/messages/messages.digest.ts';
import { startRelayCursor } from '../src/modules/messages/messages.relay.ts';
import { refreshDuePromises } from '../src/modules/promises/promises.jobs.ts';
import { verifyWebhook } from '../src/modules/webhooks/webhooks.signing.ts';
import { ManualClock } from '../src/shared/clock.ts';
import { type StoreKeys, startTestApp, type TestApp, variant } from './support/harness.ts';
import { type HttpReceiver, type MailInbox, startHttpReceiver, startMailInbox } from './support/inboxes.ts';
import { relayAll } from './support/relay.ts';

const clock = new ManualClock(new Date('2026-03-02T10:00:00Z'));
let t: TestApp;
let inbox: MailInbox;
let smsApi: HttpReceiver;
// Receivers run on loopback: private addresses are allowed (BACKFILL_ALLOW_PRIVATE_URLS=true).
const senders = createSenders({ timeoutMs: 1500, allowPrivateUrls: true });

beforeAll(async () => {
  t = await startTestApp({ clock, config: { allowPrivateUrls: true } });
  inbox = await startMailInbox();
  smsApi = await startHttpReceiver();
  smsApi.fallback = { status: 201, body: '{"sid":"SM123","status":"queued"}' };
});
afterAll(async () => {
  await t.close();
  await inbox.close();
  await smsApi.close();
});

interface Shop extends StoreKeys {
  /** Relays this store's events and delivers its due messages, as the worker does. */
  pump(using?: Senders): Promise<Record<string, number>>;
}

async function openShop(settings: Record<string, unknown> = {}): Promise<Shop> {
  const store = await t.createStore('Corner Shop');
  const scope = { cursor: `test-${store.id}`, storeIds: [store.id] };
  await startRelayCursor(t.app.deps, scope.cursor);
  const res = await t.request('PATCH', '/v1/settings/messaging', {
    key: store.secretKey,
    body: {
      email: { smtpUrl: inbox.url, from: 'Corner Shop <orders@corner.example>' },
      sms: { baseUrl: smsApi.url, accountSid: 'AC0001', authToken: 'token-0001', from: '+15550001111' },
      ...settings,
    },
  });
  expect(res.statusCode, res.body).toBe(200);
  return {
    ...store,
    async pump(with_ = senders) {
      await relayAll(t.app.deps, scope);
      return deliverDue(t.app.deps, with_, { storeIds: [store.id] });
    },
  };
}

const mailTo = (address: string) => inbox.mail.filter((m) => m.to.includes(address));

async function place(shop: StoreKeys, sku: string, quantity: number, customer: Record<string, string>) {
  const res = await t.request('POST', '/v1/orders', {
    key: shop.secretKey,
    body: { customer, lines: [{ sku, quantity }] },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

describe('shopper messages', () => {
  it('confirms an order by email and SMS, saying plainly what is backordered and when it ships', async () => {
    const shop = await openShop();
    const key = shop.secretKey;
    await t.request('PUT', '/v1/variants/MUG-1', {
      key,
      body: variant('backorder', null, {
        title: 'Blue mug',
        backorder: { mode: 'backorder', expectedDate: '2026-04-01' },
      }),
    });
    const order = await place(shop, 'MUG-1', 2, {
      name: 'Ada',
      email: 'Ada@Example.com',
      phone: '+1 (555) 010-2000',
    });
    expect(await shop.pump()).toMatchObject({ sent: 2 });

    const [mail] = mailTo('ada@example.com');
    expect(mail, 'an email reached the SMTP server').toBeDefined();
    expect(mail!.from).toBe('orders@corner.example');
    expect(`${mail!.subject}\n${mail!.text}`.toLowerCase()).toContain('backorder');
    expect(mail!.text).toContain('Blue mug');
    expect(mail!.text).toContain('April 1, 2026');
    expect(mail!.text).toContain('/self-service?');

    const sms = smsApi.requests.filter((r) => r.body.includes('To=%2B15550102000'));
    expect(sms).toHaveLength(1);
    expect(sms[0]!.path).toBe('/2010-04-01/Accounts/AC0001/Messages.json');
    expect(sms[0]!.headers.authorization).toBe(
      `Basic ${Buffer.from('AC0001:token-0001').toString('base64')}`,
    );
    expect(new URLSearchParams(sms[0]!.body).get('From')).toBe('+15550001111');

    const log = (await t.request('GET', `/v1/messages?orderId=${order.id}`, { key })).json();
    expect(log.data.map((m: { channel: string }) => m.channel).sort()).toEqual(['email', 'sms']);
    for (const message of log.data) {
      expect(message).toMatchObject({
        kind: 'order_confirmation',
        state: 'sent',
        attempts: 1,
        eventType: 'order.placed',
      });
      const detail = (await t.request('GET', `/v1/messages/${message.id}`, { key })).json();
      expect(detail.deliveryAttempts).toMatchObject([{ number: 1, status: 'sent' }]);
    }

    // Relaying and delivering again sends nothing twice.
    const before = inbox.mail.length;
    expect(await shop.pump()).toMatchObject({ sent: 0 });
    expect(inbox.mail.length).toBe(before);
  });

  it('tells the shopper once when a write-off puts their allocated units back in the queue', async () => {
    const shop = await openShop();
    const key = shop.secretKey;
    await t.request('PUT', '/v1/variants/VASE-1', {
      key,
      body: variant('backorder', null, { title: 'Glass vase' }),
    });
    await t.request('POST', '/v1/inventory/adjustments', {
      key,
      body: { sku: 'VASE-1', quantity: 1, reason: 'restock' },
    });
    const order = await place(shop, 'VASE-1', 1, { email: 'ruth@example.com' });
    expect(order.lines[0].allocatedQuantity).toBe(1);
    await shop.pump();
    expect(mailTo('ruth@example.com')).toHaveLength(1);

    const writeOff = await t.request('POST', '/v1/inventory/adjustments', {
      key,
      body: { sku: 'VASE-1', quantity: -1, reason: 'damage' },
    });
    expect(writeOff.json().requeued).toEqual([{ orderId: order.id, lineId: order.lines[0].id, quantity: 1 }]);
    await shop.pump();
    const [, notice] = mailTo('ruth@example.com');
    expect(notice, 'a delay notice').toBeDefined();
    for (const action of ['keep', 'switch', 'cancel']) expect(notice!.text).toContain(`a=${action}`);
    await shop.pump();
    expect(mailTo('ruth@example.com')).toHaveLength(2);
  });

  it('sends a delay notice with keep, switch and cancel links, and grants the incentive rule passed', async () => {
    const shop = await openShop({ delayIncentives: [{ afterDays: 14, kind: 'percent_off', percent: 10 }] });
    const key = shop.secretKey;
    const put = (expectedDate: string) =>
      t.request('PUT', '/v1/variants/LAMP-1', {
        key,
        body: variant('backorder', null, {
          title: 'Desk lamp',
          backorder: { mode: 'backorder', expectedDate },
        }),
      });
    await put('2026-04-01');
    const order = await place(shop, 'LAMP-1', 1, { email: 'grace@example.com' });
    await shop.pump();
    expect(mailTo('grace@example.com')).toHaveLength(1);

    await put('2026-04-03');
    await shop.pump();
    const [, notice] = mailTo('grace@example.com');
    expect(notice, 'a delay notice').toBeDefined();
    expect(notice!.text).toContain('April 3, 2026');
    for (const action of ['keep', 'switch', 'cancel']) expect(notice!.text).toContain(`a=${action}`);
    expect(notice!.text).not.toMatch(/BF-[A-Z0-9]{10}/);

    // The keep link opens a page (no login) that asks before changing anything.
    const keep = /https?:\/\/[^\s]+a=keep[^\s)>]*/.exec(notice!.text)![0];
    const page = await t.request('GET', keep.slice(keep.indexOf('/self-service')));
    expect(page.statusCode).toBe(200);

    // A slip past 14 days from the first promise earns the 10% code, recorded and announced.
    await put('2026-04-20');
    await shop.pump();
    const third = mailTo('grace@example.com')[2];
    expect(third, 'a second delay notice').toBeDefined();
    const code = /BF-[A-Z0-9]{10}/.exec(third!.text)?.[0];
    expect(code, 'the incentive code is in the notice').toBeDefined();
    const granted = (await t.request('GET', '/v1/events?type=order.incentive_granted', { key })).json();
    expect(granted.data).toHaveLength(1);
    expect(granted.data[0].data).toMatchObject({ orderId: order.id, kind: 'percent_off', percent: 10, code });
    const recorded = (await t.request('GET', `/v1/orders/${order.id}/incentives`, { key })).json().data;
    expect(recorded).toMatchObject([
      { kind: 'percent_off', percent: 10, code, afterDays: 14, description: '10% off' },
    ]);

    // A date that moves earlier is not a delay.
    await put('2026-04-10');
    await shop.pump();
    expect(mailTo('grace@example.com')).toHaveLength(3);
  });

  it('tells a date drifting on the lead time once a week, not every day', async () => {
    const shop = await openShop({ statusUpdateDays: 0 });
    await t.request('PUT', '/v1/variants/DRIFT-1', { key: shop.secretKey, body: variant('backorder') });
    await place(shop, 'DRIFT-1', 1, { email: 'drift@example.com' });
    await shop.pump();
    const noticesByDay: number[] = [];
    try {
      for (let day = 1; day <= 8; day++) {
        clock.advance(86_400_000);
        await refreshDuePromises(t.app.deps, { storeIds: [shop.id] });
        await shop.pump();
        noticesByDay.push(mailTo('drift@example.com').length - 1);
      }
    } finally {
      clock.set(new Date('2026-03-02T10:00:00Z'));
    }
    // Day 7: the date has moved a week past the one in the confirmation.
    expect(noticesByDay).toEqual([0, 0, 0, 0, 0, 0, 1, 1]);
    expect(mailTo('drift@example.com')[1]!.text).toContain('7 days later');
  });

  it('holds status updates through quiet hours, puts an unsubscribe link in them, and honours it', async () => {
    // Quiet from 21:00 to 08:00 in the store's time zone (UTC).
    const store = await openShop({ quietHours: { start: '21:00', end: '08:00' }, statusUpdateDays: 7 });
    const key = store.secretKey;
    await t.request('PUT', '/v1/variants/KETTLE-1', {
      key,
      body: variant('backorder', null, { backorder: { mode: 'backorder', expectedDate: '2026-06-01' } }),
    });
    await place(store, 'KETTLE-1', 1, { email: 'linus@example.com' });
    await store.pump();
    expect(mailTo('linus@example.com')).toHaveLength(1);

    // Nine days later, at 02:30: inside quiet hours.
    clock.set(new Date('2026-03-11T02:30:00Z'));
    const planned = await planStatusUpdates(t.app.deps, { storeIds: [store.id] });
    expect(planned).toHaveLength(1);
    expect((await t.request('GET', '/v1/settings/messaging', { key })).json().quietHours).toEqual({
      start: '21:00',
      end: '08:00',
    });
    expect(await store.pump()).toMatchObject({ held: 1, sent: 0 });
    expect(mailTo('linus@example.com')).toHaveLength(1);
    clock.set(new Date('2026-03-11T08:01:00Z'));
    expect(await store.pump()).toMatchObject({ sent: 1 });
    const update = mailTo('linus@example.com')[1]!;
    expect(update.text).toContain('a=unsubscribe');
    expect(String(update.headers.get('list-unsubscribe'))).toContain('a=unsubscribe');

    // One-click unsubscribe (RFC 8058), then the next update is suppressed, not sent.
    const link = String(update.headers.get('list-unsubscribe')).replace(/^<|>$/g, '');
    const unsubscribed = await t.request('POST', link.slice(link.indexOf('/self-service')), {
      rawBody: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(unsubscribed.statusCode).toBe(200);
    clock.set(new Date('2026-03-19T12:00:00Z'));
    expect(await planStatusUpdates(t.app.deps, { storeIds: [store.id] })).toHaveLength(1);
    expect(await store.pump()).toMatchObject({ suppressed: 1, sent: 0 });
    expect(mailTo('linus@example.com')).toHaveLength(2);
    clock.set(new Date('2026-03-02T10:00:00Z'));
  });

  it('tells the shopper when the units are ready, when they ship (with tracking), and about a cancellation and its refund', async () => {
    const shop = await openShop({ sms: null });
    const key = shop.secretKey;
    await t.request('PATCH', '/v1/settings', {
      key,
      body: { paymentProvider: 'manual', paymentMode: 'upfront' },
    });
    await t.request('PUT', '/v1/variants/BOOT-1', {
      key,
      body: variant('backorder', null, { title: 'Rain boot', price: 1000 }),
    });
    const order = await place(shop, 'BOOT-1', 2, { name: 'Mary', email: 'mary@example.com' });
    const paid = await t.request('POST', `/v1/orders/${order.id}/payments`, { key, body: { amount: 2000 } });
    expect(paid.statusCode, paid.body).toBe(201);
    await shop.pump();
    expect(mailTo('mary@example.com')).toHaveLength(1);

    await t.request('POST', '/v1/inventory/adjustments', {
      key,
      body: { sku: 'BOOT-1', quantity: 2, reason: 'restock' },
    });
    await shop.pump();
    const ready = mailTo('mary@example.com')[1];
    expect(ready?.text).toContain('Rain boot');
    expect(`${ready?.subject} ${ready?.text}`.toLowerCase()).toContain('ready');

    const shipment = await t.request('POST', `/v1/orders/${order.id}/shipments`, {
      key,
      body: {
        lines: [{ lineId: order.lines[0].id, quantity: 1 }],
        carrier: 'UPS',
        trackingNumber: '1Z999AA10123456784',
      },
    });
    expect(shipment.statusCode, shipment.body).toBe(201);
    await shop.pump();
    const shipped = mailTo('mary@example.com')[2];
    expect(shipped?.text).toContain('1Z999AA10123456784');
    expect(shipped?.text).toContain('UPS');

    await t.request('POST', `/v1/orders/${order.id}/cancel`, { key, body: { reason: 'changed my mind' } });
    await shop.pump();
    // The two go out together, in either order.
    const last = mailTo('mary@example.com').slice(3);
    expect(last).toHaveLength(2);
    const refunded = last.find((m) => m.subject.toLowerCase().includes('refund'));
    const cancelled = last.find((m) => m !== refunded);
    expect(`${cancelled?.subject} ${cancelled?.text}`.toLowerCase()).toContain('cancel');
    expect(refunded?.text).toContain('$10.00');
    const kinds = (await t.request('GET', `/v1/messages?orderId=${order.id}`, { key }))
      .json()
      .data.map((m: { kind: string }) => m.kind);
    expect(kinds.reverse()).toEqual([
      'order_confirmation',
      'ready_to_ship',
      'shipped',
      'cancelled',
      'refunded',
    ]);
  });

  it('logs a refused address as failed without retrying it', async () => {
    const shop = await openShop();
    await t.request('PUT', '/v1/variants/CUP-1', { key: shop.secretKey, body: variant('backorder') });
    inbox.rejectNext(550);
    const order = await place(shop, 'CUP-1', 1, { email: 'nobody@example.com' });
    expect(await shop.pump()).toMatchObject({ failed: 1 });
    const [message] = (
      await t.request('GET', `/v1/messages?orderId=${order.id}`, { key: shop.secretKey })
    ).json().data;
    expect(message).toMatchObject({ state: 'failed', attempts: 1 });
    expect(message.lastError).toContain('550');
  });
});

describe('merchant digest', () => {
  it('sends one morning digest of new backorders, limits reached, late purchase orders and failed messages', async () => {
    const shop = await openShop({ merchantEmail: 'Owner@Corner.example' });
    const key = shop.secretKey;
    await t.request('PUT', '/v1/variants/CAP-1', {
      key,
      body: variant('backorder', 3, { title: 'Capped tee' }),
    });
    const supplier = (
      await t.request('POST', '/v1/suppliers', { key, body: { name: 'Tee Mill', leadTimeDays: 10 } })
    ).json();
    const po = await t.request('POST', '/v1/purchase-orders', {
      key,
      body: {
        supplierId: supplier.id,
        expectedDate: '2026-03-05',
        lines: [{ sku: 'CAP-1', quantity: 1, unitCost: 1 }],
      },
    });
    expect(po.statusCode, po.body).toBe(201);
    await place(shop, 'CAP-1', 1, { email: 'first@example.com' });
    await place(shop, 'CAP-1', 2, { email: 'second@example.com' });
    await shop.pump();

    try {
      clock.set(new Date('2026-03-03T07:30:00Z'));
      expect(await planMerchantDigests(t.app.deps, { storeIds: [shop.id] })).toHaveLength(0); // before 08:00
      clock.set(new Date('2026-03-06T08:15:00Z'));
      // Backorders are counted over the last day: place one more now.
      await t.request('PUT', '/v1/variants/CAP-1', {
        key,
        body: variant('backorder', 4, { title: 'Capped tee' }),
      });
      await place(shop, 'CAP-1', 1, { name: 'Late', email: 'late@example.com' });
      inbox.rejectNext(550);
      await shop.pump();
      expect(await planMerchantDigests(t.app.deps, { storeIds: [shop.id] })).toHaveLength(1);
      expect(await planMerchantDigests(t.app.deps, { storeIds: [shop.id] })).toHaveLength(0);
      await shop.pump();
      const [digest] = mailTo('owner@corner.example');
      expect(digest, 'the digest reached the merchant').toBeDefined();
      const text = digest!.text;
      expect(text).toContain('CAP-1'); // limit reached: 4 waiting of 4
      expect(text).toContain(po.json().id); // expected on 2026-03-05, not received
      expect(text).toContain('Tee Mill');
      // The first email of that pump was refused (550): it is listed with its reason.
      expect(text).toMatch(/failed[\s\S]*550 Mailbox unavailable/);
      expect(text).toContain('New backorders: 1 (1 unit)');
    } finally {
      clock.set(new Date('2026-03-02T10:00:00Z'));
    }
  });
});

describe('webhooks', () => {
  async function endpoint(shop: StoreKeys, url: string, eventTypes: string[]) {
    const res = await t.request('POST', '/v1/webhook-endpoints', {
      key: shop.secretKey,
      body: { url, eventTypes },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  }

  it('signs every delivery, retries through a failure and a timeout with backoff, logs each attempt, and replays', async () => {
    const shop = await openShop({ email: null, sms: null });
    const receiver = await startHttpReceiver();
    const other = await startHttpReceiver();
    try {
      const hook = await endpoint(shop, `${receiver.url}/hooks`, ['order.placed']);
      await endpoint(shop, other.url, ['shipment.created']);
      expect(hook.secret).toMatch(/^whsec_/);
      await t.request('PUT', '/v1/variants/HOOK-1', { key: shop.secretKey, body: variant('backorder') });
      receiver.plan({ status: 500, body: 'boom' }, { stallMs: 3000 });
      const order = await place(shop, 'HOOK-1', 1, {});

      expect(await shop.pump()).toMatchObject({ retrying: 1 });
      expect(await shop.pump()).toMatchObject({ sent: 0, retrying: 0 }); // not due yet
      clock.advance(40_000);
      expect(await shop.pump()).toMatchObject({ retrying: 1 }); // timed out
      clock.advance(30_000);
      expect(await shop.pump()).toMatchObject({ retrying: 0 }); // second backoff (1 min) not over
      clock.advance(40_000);
      expect(await shop.pump()).toMatchObject({ sent: 1 });

      expect(receiver.requests).toHaveLength(3);
      const ids = new Set(receiver.requests.map((r) => r.headers['webhook-id']));
      expect(ids.size).toBe(1);
      for (const request of receiver.requests) {
        const headers = {
          id: String(request.headers['webhook-id']),
          timestamp: String(request.headers['webhook-timestamp']),
          signature: String(request.headers['webhook-signature']),
        };
        expect(verifyWebhook(hook.secret, headers, request.body, Number(headers.timestamp))).toBe(true);
        expect(verifyWebhook(hook.secret, headers, `${request.body} `, Number(headers.timestamp))).toBe(
          false,
        );
        expect(JSON.parse(request.body)).toMatchObject({
          type: 'order.placed',
          data: { order: { id: order.id } },
        });
      }
      expect(other.requests).toHaveLength(0);

      const [message] = (
        await t.request('GET', `/v1/messages?channel=webhook&orderId=${order.id}`, { key: shop.secretKey })
      ).json().data;
      const detail = (await t.request('GET', `/v1/messages/${message.id}`, { key: shop.secretKey })).json();
      expect(
        detail.deliveryAttempts.map((a: { status: string; responseCode: number | null }) => [
          a.status,
          a.responseCode,
        ]),
      ).toEqual([
        ['failed', 500],
        ['failed', null],
        ['sent', 200],
      ]);
      expect(detail.deliveryAttempts[1].error).toContain('timed out');

      const replay = await t.request('POST', `/v1/messages/${message.id}/replay`, { key: shop.secretKey });
      expect(replay.statusCode, replay.body).toBe(200);
      expect(await shop.pump()).toMatchObject({ sent: 1 });
      expect(receiver.requests).toHaveLength(4);
      expect(receiver.requests[3]!.headers['webhook-id']).toBe(message.id);
    } finally {
      await receiver.close();
      await other.close();
    }
  });

  it('gives up after 24 hours of failures', async () => {
    const shop = await openShop({ email: null, sms: null });
    const receiver = await startHttpReceiver();
    receiver.fallback = { status: 503 };
    try {
      await endpoint(shop, receiver.url, []);
      await t.request('PUT', '/v1/variants/DOWN-1', { key: shop.secretKey, body: variant('backorder') });
      const start = clock.now().getTime();
      let outcome: Record<string, number> = {};
      while (clock.now().getTime() - start < 25 * 3_600_000) {
        outcome = await shop.pump();
        clock.advance(30 * 60_000);
      }
      expect(outcome).toMatchObject({ sent: 0 });
      const log = (await t.request('GET', '/v1/messages?channel=webhook', { key: shop.secretKey })).json()
        .data;
      expect(log.length).toBeGreaterThan(0);
      for (const message of log) {
        expect(message.state).toBe('failed');
        expect(message.attempts).toBeGreaterThan(5);
      }
      expect(receiver.requests.length).toBeGreaterThan(5);
    } finally {
      clock.set(new Date('2026-03-02T10:00:00Z'));
      await receiver.close();
    }
  });
});

describe('at most once', () => {
  it('racing deliveries of one message send it once, alone or in sets', async () => {
    const shop = await openShop({ email: null, sms: null });
    const receiver = await startHttpReceiver();
    try {
      await t.request('POST', '/v1/webhook-endpoints', { key: shop.secretKey, body: { url: receiver.url } });
      await t.request('PUT', '/v1/variants/RACE-1', { key: shop.secretKey, body: variant('backorder') });
      await place(shop, 'RACE-1', 1, {});
      await relayAll(t.app.deps, { cursor: `test-${shop.id}`, storeIds: [shop.id] });
      const created = await dueMessageIds(t.app.deps, { storeIds: [shop.id] });
      expect(created.length).toBeGreaterThan(0);
      await Promise.all([
        ...created.flatMap((id) => Array.from({ length: 4 }, () => deliverMessage(t.app.deps, senders, id))),
        deliverMessages(t.app.deps, senders, created),
        deliverMessages(t.app.deps, senders, [...created].reverse()),
      ]);
      expect(receiver.requests).toHaveLength(created.length);
      // A set that names a message twice sends it once.
      await place(shop, 'RACE-1', 1, {});
      await relayAll(t.app.deps, { cursor: `test-${shop.id}`, storeIds: [shop.id] });
      const next = await dueMessageIds(t.app.deps, { storeIds: [shop.id] });
      expect(next.length).toBeGreaterThan(0);
      const outcomes = await deliverMessages(t.app.deps, senders, [...next, ...next]);
      expect(outcomes).toEqual([...next.map(() => 'sent'), ...next.map(() => 'skipped')]);
      expect(receiver.requests).toHaveLength(created.length + next.length);
    } finally {
      await receiver.close();
    }
  });

  it('an email interrupted mid-send is logged in doubt and never sent again; a webhook goes again with the same id', async () => {
    const shop = await openShop({ sms: null });
    const receiver = await startHttpReceiver();
    try {
      await t.request('POST', '/v1/webhook-endpoints', {
        key: shop.secretKey,
        body: { url: receiver.url, eventTypes: ['order.placed'] },
      });
      await t.request('PUT', '/v1/variants/CRASH-1', { key: shop.secretKey, body: variant('backorder') });
      const order = await place(shop, 'CRASH-1', 1, { email: 'crash@example.com' });
      // The "process" that claims both messages never comes back from the send.
      const hanging: Senders = {
        email: () => new Promise(() => {}),
        sms: () => new Promise(() => {}),
        webhook: () => new Promise(() => {}),
      };
      void shop.pump(hanging);
      const log = async () =>
        (await t.request('GET', `/v1/messages?orderId=${order.id}`, { key: shop.secretKey })).json().data as {
          id: string;
          channel: string;
          state: string;
        }[];
      for (let i = 0; i < 100 && (await log()).filter((m) => m.state === 'sending').length < 2; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect((await log()).map((m) => m.state)).toEqual(['sending', 'sending']);

      clock.advance(6 * 60_000);
      expect(await recoverInterrupted(t.app.deps, { storeIds: [shop.id] })).toBe(2);
      expect(await shop.pump()).toMatchObject({ sent: 1 });
      const after = await log();
      const email = after.find((m) => m.channel === 'email')!;
      const webhook = after.find((m) => m.channel === 'webhook')!;
      expect(email.state).toBe('failed');
      expect(webhook.state).toBe('sent');
      expect(mailTo('crash@example.com')).toHaveLength(0);
      expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual([webhook.id]);
      const detail = (await t.request('GET', `/v1/messages/${email.id}`, { key: shop.secretKey })).json();
      expect(detail.deliveryAttempts).toMatchObject([{ number: 1, status: 'in_doubt' }]);
    } finally {
      clock.set(new Date('2026-03-02T10:00:00Z'));
      await receiver.close();
    }
  });
});

describe('isolation', () => {
  it("another store's key sees none of this store's messages, endpoints or settings", async () => {
    const a = await openShop({ merchantEmail: 'a-owner@example.com' });
    const b = await t.createStore('Other shop');
    await t.request('PUT', '/v1/variants/ISO-M', { key: a.secretKey, body: variant('backorder') });
    const endpoint = (
      await t.request('POST', '/v1/webhook-endpoints', {
        key: a.secretKey,
        body: { url: 'http://127.0.0.1:9/none' },
      })
    ).json();
    const order = await place(a, 'ISO-M', 1, { email: 'iso@example.com' });
    await relayAll(t.app.deps, { cursor: `test-${a.id}`, storeIds: [a.id] });
    const [message] = (
      await t.request('GET', `/v1/messages?orderId=${order.id}`, { key: a.secretKey })
    ).json().data;
    expect(message).toBeDefined();

    const asB = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown) =>
      t.request(method, url, { key: b.secretKey, ...(body ? { body } : {}) });
    expect((await asB('GET', `/v1/messages/${message.id}`)).statusCode).toBe(404);
    expect((await asB('POST', `/v1/messages/${message.id}/replay`)).statusCode).toBe(404);
    expect((await asB('GET', `/v1/messages?orderId=${order.id}`)).json().data).toEqual([]);
    expect((await asB('GET', '/v1/messages')).json().data).toEqual([]);
    expect((await asB('GET', `/v1/webhook-endpoints/${endpoint.id}`)).statusCode).toBe(404);
    expect((await asB('PATCH', `/v1/webhook-endpoints/${endpoint.id}`, { enabled: false })).statusCode).toBe(
      404,
    );
    expect((await asB('DELETE', `/v1/webhook-endpoints/${endpoint.id}`)).statusCode).toBe(404);
    expect((await asB('GET', '/v1/webhook-endpoints')).json().data).toEqual([]);
    expect((await asB('GET', '/v1/settings/messaging')).json()).toMatchObject({
      email: null,
      merchantEmail: null,
    });
    // Store A's endpoint and settings are unchanged.
    expect(
      (await t.request('GET', `/v1/webhook-endpoints/${endpoint.id}`, { key: a.secretKey })).json().enabled,
    ).toBe(true);
    expect(
      (await t.request('GET', '/v1/settings/messaging', { key: a.secretKey })).json().merchantEmail,
    ).toBe('a-owner@example.com');
    // A publishable key may not read the message log.
    expect((await t.request('GET', '/v1/messages', { key: a.publishableKey })).statusCode).toBe(403);
  });
});

describe('channels', () => {
  it('gives up on an SMTP server that never answers within the timeout', async () => {
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    try {
      const started = Date.now();
      const result = await createSenders({ timeoutMs: 300 }).email(
        { smtpUrl: `smtp://127.0.0.1:${port}`, from: 'shop@example.com', replyTo: null },
        { id: 'msg_timeout', recipient: 'x@example.com', subject: 's', body: 'b', html: null, payload: null },
      );
      expect(result.ok).toBe(false);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      silent.close();
    }
  });
});

describe('settings', () => {
  it('reads the defaults without writing, and they are the ones a first change stores', async () => {
    const store = await t.createStore('Fresh shop');
    const key = store.secretKey;
    const defaults = (await t.request('GET', '/v1/settings/messaging', { key })).json();
    expect(defaults).toMatchObject({
      email: null,
      sms: null,
      quietHours: null,
      statusUpdateDays: 7,
      delayNoticeDays: 1,
    });
    const saved = await t.request('PATCH', '/v1/settings/messaging', { key, body: { statusUpdateDays: 7 } });
    expect(saved.json()).toEqual(defaults);
    expect((await t.request('GET', '/v1/settings/messaging', { key })).json()).toEqual(defaults);
  });
});

describe('validation', () => {
  it('refuses bad settings and endpoints with a clear error and changes nothing', async () => {
    const shop = await openShop();
    const key = shop.secretKey;
    const before = (await t.request('GET', '/v1/settings/messaging', { key })).json();
    const bad: Record<string, unknown>[] = [
      { email: { smtpUrl: 'http://not-smtp', from: 'a@b.example' } },
      { email: { smtpUrl: 'smtp://127.0.0.1:25?sendmail=true&path=/bin/sh', from: 'a@b.example' } },
      { quietHours: { start: '25:00', end: '08:00' } },
      { statusUpdateDays: -1 },
      { delayIncentives: [{ afterDays: 5, kind: 'percent_off' }] },
      {
        delayIncentives: [
          { afterDays: 5, kind: 'free_shipping' },
          { afterDays: 5, kind: 'free_shipping' },
        ],
      },
      { publicUrl: 'ftp://x' },
      { unknown: true },
    ];
    for (const body of bad) {
      const res = await t.request('PATCH', '/v1/settings/messaging', { key, body });
      expect(res.statusCode, JSON.stringify(body)).toBe(422);
      expect(res.json().detail).toBeTruthy();
    }
    expect((await t.request('GET', '/v1/settings/messaging', { key })).json()).toEqual(before);
    for (const body of [
      { url: 'not a url' },
      { url: 'ftp://x.example/hook' },
      { url: 'https://u:p@x.example/' },
      {},
    ]) {
      const res = await t.request('POST', '/v1/webhook-endpoints', { key, body });
      expect(res.statusCode, JSON.stringify(body)).toBe(422);
    }
    expect((await t.request('GET', '/v1/webhook-endpoints', { key })).json().data).toEqual([]);
  });
});

describe('webhook endpoint limit', () => {
  it('holds under concurrent creations: 20 endpoints at most, the rest refused', async () => {
    const store = await t.createStore();
    const key = store.secretKey;
    const results = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        t.request('POST', '/v1/webhook-endpoints', { key, body: { url: `http://127.0.0.1:9/hook-${i}` } }),
      ),
    );
    const statuses = results.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 201)).toHaveLength(20);
    for (const refused of results.filter((r) => r.statusCode !== 201)) {
      expect(refused.statusCode).toBe(422);
      expect(refused.json().code).toBe('too_many_endpoints');
    }
    const listed = (await t.request('GET', '/v1/webhook-endpoints?limit=100', { key })).json().data;
    expect(listed).toHaveLength(20);
  });
});

describe('idempotency of the new writes', () => {
  it('POST /v1/webhook-endpoints with a key: a retry replays the endpoint, another body is refused', async () => {
    const store = await t.createStore();
    const key = store.secretKey;
    const headers = { 'idempotency-key': 'hook-once' };
    const body = { url: 'http://127.0.0.1:9/once' };
    const first = await t.request('POST', '/v1/webhook-endpoints', { key, body, headers });
    const again = await t.request('POST', '/v1/webhook-endpoints', { key, body, headers });
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    const other = await t.request('POST', '/v1/webhook-endpoints', {
      key,
      body: { url: 'http://127.0.0.1:9/other' },
      headers,
    });
    expect(other.statusCode).toBe(422);
    expect(other.json().code).toBe('idempotency_key_reused');
    expect((await t.request('GET', '/v1/webhook-endpoints', { key })).json().data).toHaveLength(1);
  });
});
