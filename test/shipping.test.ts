/**
 * Shipping methods in the dates, over HTTP: a store's methods and working days, orders naming a
 * method, each line's delivery window (read-time, so it follows re-dating, cut-offs and calendar
 * changes), the storefront's options per method, retiring a method, and the `free_express` delay
 * incentive telling the shopper the new window.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSenders } from '../src/modules/messages/messages.channels.ts';
import { deliverDue } from '../src/modules/messages/messages.delivery.ts';
import { startRelayCursor } from '../src/modules/messages/messages.relay.ts';
import { switchLine } from '../src/modules/selfservice/selfservice.switch.ts';
import { OrderPlacement } from '../src/modules/stock/stock.placement.ts';
import { ManualClock } from '../src/shared/clock.ts';
import { type StoreKeys, startTestApp, type TestApp, variant } from './support/harness.ts';
import { type MailInbox, startMailInbox } from './support/inboxes.ts';
import { relayAll } from './support/relay.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely
type Json = any;

// Tuesday 10 March 2026, noon in the store's zone (UTC). Friday is the 13th, Monday the 16th.
const NOON = new Date('2026-03-10T12:00:00Z');
const clock = new ManualClock(NOON);
let t: TestApp;
let inbox: MailInbox;

beforeAll(async () => {
  // The SMTP stand-in runs on loopback (BACKFILL_ALLOW_PRIVATE_URLS=true).
  t = await startTestApp({ clock, config: { allowPrivateUrls: true } });
  inbox = await startMailInbox();
});
afterAll(async () => {
  await t.close();
  await inbox.close();
});

async function call(
  store: StoreKeys,
  method: 'GET' | 'PUT' | 'PATCH' | 'POST' | 'DELETE',
  url: string,
  body?: unknown,
) {
  const res = await t.request(method, url, { key: store.secretKey, ...(body === undefined ? {} : { body }) });
  return { status: res.statusCode, body: (res.body ? res.json() : null) as Json };
}

const STANDARD = { name: 'Standard (Post)', transitDaysMin: 3, transitDaysMax: 5, cutoffTime: '14:00' };
const EXPRESS = { name: 'Express', transitDaysMin: 1, transitDaysMax: 2 };

/** A store offering standard (the default) and express, with a jacket in stock and one to order. */
async function shippingStore(): Promise<StoreKeys> {
  const store = await t.createStore('Parcel Shop');
  expect((await call(store, 'PUT', '/v1/settings/shipping/methods/standard', STANDARD)).status).toBe(201);
  expect((await call(store, 'PUT', '/v1/settings/shipping/methods/express', EXPRESS)).status).toBe(201);
  expect((await call(store, 'PATCH', '/v1/settings/shipping', { defaultMethod: 'standard' })).status).toBe(
    200,
  );
  await call(store, 'PUT', '/v1/variants/JACKET', variant('backorder', null, { title: 'Jacket' }));
  await call(store, 'POST', '/v1/inventory/adjustments', { sku: 'JACKET', quantity: 1, reason: 'restock' });
  await call(store, 'PUT', '/v1/variants/BOOT', {
    ...variant('backorder', null, { title: 'Boot' }),
    backorder: { mode: 'backorder', expectedDate: '2026-03-20' },
  });
  return store;
}

const order = (store: StoreKeys, body: Record<string, unknown>) =>
  call(store, 'POST', '/v1/orders', { customer: { name: 'Ada' }, ...body });

describe('shipping settings', () => {
  it('start with Monday to Friday and no methods, and keep methods in the order they were added', async () => {
    const store = await t.createStore();
    expect((await call(store, 'GET', '/v1/settings/shipping')).body).toEqual({
      workingDays: ['mon', 'tue', 'wed', 'thu', 'fri'],
      closedDates: [],
      defaultMethod: null,
      methods: [],
    });
    expect((await call(store, 'PUT', '/v1/settings/shipping/methods/standard', STANDARD)).status).toBe(201);
    expect((await call(store, 'PUT', '/v1/settings/shipping/methods/express', EXPRESS)).body).toEqual({
      code: 'express',
      ...EXPRESS,
      cutoffTime: null,
    });
    const replaced = await call(store, 'PUT', '/v1/settings/shipping/methods/standard', {
      ...STANDARD,
      transitDaysMax: 6,
    });
    expect(replaced).toMatchObject({ status: 200, body: { code: 'standard', transitDaysMax: 6 } });
    const settings = (await call(store, 'GET', '/v1/settings/shipping')).body;
    expect(settings.methods.map((m: Json) => m.code)).toEqual(['standard', 'express']);
    expect((await call(store, 'GET', '/v1/settings/shipping/methods/express')).body.name).toBe('Express');
    expect((await call(store, 'GET', '/v1/settings/shipping/methods/courier')).status).toBe(404);
    // Another store sees none of it.
    const other = await t.createStore();
    expect((await call(other, 'GET', '/v1/settings/shipping')).body.methods).toEqual([]);
    expect((await call(other, 'GET', '/v1/settings/shipping/methods/express')).status).toBe(404);
  });

  it('refuse bad methods and settings with a clear error, changing nothing', async () => {
    const store = await t.createStore();
    await call(store, 'PUT', '/v1/settings/shipping/methods/standard', STANDARD);
    const bad: [string, unknown][] = [
      ['/v1/settings/shipping/methods/standard', { ...STANDARD, transitDaysMin: 6 }],
      ['/v1/settings/shipping/methods/standard', { ...STANDARD, cutoffTime: '25:00' }],
      ['/v1/settings/shipping/methods/standard', { ...STANDARD, transitDaysMax: -1 }],
      ['/v1/settings/shipping/methods/Not A Code', STANDARD],
      ['/v1/settings/shipping/methods/express', { name: 'Express' }],
    ];
    for (const [url, body] of bad) {
      const res = await call(store, 'PUT', url, body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.body.detail).toBeTruthy();
    }
    for (const body of [
      { defaultMethod: 'courier' },
      { workingDays: [] },
      { workingDays: ['mon', 'mon'] },
      { workingDays: ['monday'] },
      { closedDates: ['2026-02-30'] },
      {},
    ]) {
      const res = await call(store, 'PATCH', '/v1/settings/shipping', body);
      expect(res.status, JSON.stringify(body)).toBe(422);
    }
    const refused = await call(store, 'PATCH', '/v1/settings/shipping', { defaultMethod: 'courier' });
    expect(refused.body).toMatchObject({
      code: 'unknown_shipping_method',
      errors: [{ path: '/defaultMethod' }],
    });
    expect((await call(store, 'GET', '/v1/settings/shipping')).body).toMatchObject({
      defaultMethod: null,
      methods: [{ code: 'standard', ...STANDARD }],
    });
  });
});

describe('delivery windows', () => {
  it("give every line its method's window from its ship date, in working days", async () => {
    const store = await shippingStore();
    const express = await order(store, {
      shippingMethod: 'express',
      lines: [
        { sku: 'JACKET', quantity: 1 },
        { sku: 'BOOT', quantity: 1 },
      ],
    });
    expect(express.status, JSON.stringify(express.body)).toBe(201);
    expect(express.body.shippingMethod).toBe('express');
    // In stock: leaves today (Tue 10th), 1–2 working days. Waiting: ships Fri 20th, arrives Mon–Tue.
    expect(express.body.lines).toMatchObject([
      {
        eta: '2026-03-10',
        shippingMethod: 'express',
        deliveryEta: '2026-03-11',
        deliveryEtaLatest: '2026-03-12',
      },
      {
        eta: '2026-03-20',
        shippingMethod: 'express',
        deliveryEta: '2026-03-23',
        deliveryEtaLatest: '2026-03-24',
      },
    ]);
    expect((await call(store, 'GET', `/v1/orders/${express.body.id}`)).body.lines).toEqual(
      express.body.lines,
    );

    // No method named: the default (standard, 3–5 days) applies.
    await call(store, 'POST', '/v1/inventory/adjustments', { sku: 'JACKET', quantity: 1, reason: 'restock' });
    const plain = await order(store, { lines: [{ sku: 'JACKET', quantity: 1 }] });
    expect(plain.body.shippingMethod).toBeNull();
    expect(plain.body.lines[0]).toMatchObject({
      shippingMethod: 'standard',
      deliveryEta: '2026-03-13',
      deliveryEtaLatest: '2026-03-17',
    });
    const listed = (await call(store, 'GET', '/v1/orders?limit=10')).body.data;
    expect(listed.find((o: Json) => o.id === plain.body.id).lines[0].deliveryEta).toBe('2026-03-13');
  });

  it("carry over to the order a shopper's switch places: the method the shopper chose", async () => {
    const store = await shippingStore();
    await call(store, 'PUT', '/v1/variants/BOOT-RED', {
      ...variant('deny', null, { title: 'Boot red' }),
      productId: 'boot',
    });
    await call(store, 'PATCH', '/v1/variants/BOOT', { productId: 'boot' });
    await call(store, 'POST', '/v1/inventory/adjustments', {
      sku: 'BOOT-RED',
      quantity: 2,
      reason: 'restock',
    });
    const waiting = await order(store, { shippingMethod: 'express', lines: [{ sku: 'BOOT', quantity: 1 }] });
    expect(waiting.status, JSON.stringify(waiting.body)).toBe(201);
    const scope = { id: store.id, currency: 'USD', timezone: 'UTC' };
    const outcome = await switchLine(
      t.app.deps,
      new OrderPlacement(t.app.deps),
      scope,
      waiting.body.id,
      waiting.body.lines[0].id,
      'BOOT-RED',
    );
    expect(outcome.kind).toBe('switched');
    const placed = (await call(store, 'GET', '/v1/orders?limit=10')).body.data.find((o: Json) =>
      o.externalId?.endsWith('-switch-1'),
    );
    // In stock, express: leaves today (Tue 10th), arrives in 1–2 working days.
    expect(placed.lines).toMatchObject([
      {
        sku: 'BOOT-RED',
        shippingMethod: 'express',
        deliveryEta: '2026-03-11',
        deliveryEtaLatest: '2026-03-12',
      },
    ]);
  });

  it('follow re-dating, the cut-off and the working days, as they are read', async () => {
    const store = await shippingStore();
    const placed = (
      await order(store, {
        lines: [
          { sku: 'JACKET', quantity: 1 },
          { sku: 'BOOT', quantity: 1 },
        ],
      })
    ).body;
    const lines = async () => (await call(store, 'GET', `/v1/orders/${placed.id}`)).body.lines;
    // The boot's date moves a week: its window moves with it (Fri 27th + 3–5 working days).
    await call(store, 'PUT', '/v1/variants/BOOT', {
      ...variant('backorder', null, { title: 'Boot' }),
      backorder: { mode: 'backorder', expectedDate: '2026-03-27' },
    });
    expect((await lines())[1]).toMatchObject({ deliveryEta: '2026-04-01', deliveryEtaLatest: '2026-04-03' });
    // Past the 14:00 cut-off the jacket leaves tomorrow: Wed 11th + 3–5.
    clock.set(new Date('2026-03-10T15:00:00Z'));
    try {
      expect((await lines())[0]).toMatchObject({
        deliveryEta: '2026-03-16',
        deliveryEtaLatest: '2026-03-18',
      });
    } finally {
      clock.set(NOON);
    }
    // Saturdays worked: the latest day comes a day sooner (Tue 10th + 5 working days = Mon 16th).
    await call(store, 'PATCH', '/v1/settings/shipping', {
      workingDays: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat'],
    });
    expect((await lines())[0]).toMatchObject({ deliveryEta: '2026-03-13', deliveryEtaLatest: '2026-03-16' });
    // A closed Friday pushes both.
    await call(store, 'PATCH', '/v1/settings/shipping', { closedDates: ['2026-03-13'] });
    expect((await lines())[0]).toMatchObject({ deliveryEta: '2026-03-14', deliveryEtaLatest: '2026-03-17' });
    // Shipped: nothing left to deliver.
    const shipped = await call(store, 'POST', `/v1/orders/${placed.id}/shipments`, {
      lines: [{ lineId: placed.lines[0].id, quantity: 1 }],
    });
    expect(shipped.status).toBe(201);
    expect((await lines())[0]).toMatchObject({
      shippingMethod: 'standard',
      deliveryEta: null,
      deliveryEtaLatest: null,
    });
  });

  it('refuse an order naming a method the store does not offer, recording nothing', async () => {
    const store = await shippingStore();
    const before = (await call(store, 'GET', '/v1/orders')).body.data.length;
    for (const shippingMethod of ['courier', 'EXPRESS', 7, '']) {
      const res = await order(store, { shippingMethod, lines: [{ sku: 'BOOT', quantity: 1 }] });
      expect(res.status, String(shippingMethod)).toBe(422);
    }
    const res = await order(store, { shippingMethod: 'courier', lines: [{ sku: 'BOOT', quantity: 1 }] });
    expect(res.body).toMatchObject({
      code: 'unknown_shipping_method',
      errors: [{ path: '/shippingMethod' }],
    });
    expect(res.body.detail).toContain('standard, express');
    expect((await call(store, 'GET', '/v1/orders')).body.data.length).toBe(before);
    expect((await call(store, 'GET', '/v1/inventory/BOOT')).body.backordered).toBe(0);
  });

  it('keep a retired method on the lines that ship with it; the default cannot be retired', async () => {
    const store = await shippingStore();
    const placed = (await order(store, { shippingMethod: 'express', lines: [{ sku: 'BOOT', quantity: 1 }] }))
      .body;
    const retired = await t.request('DELETE', '/v1/settings/shipping/methods/express', {
      key: store.secretKey,
    });
    expect(retired.statusCode).toBe(204);
    expect((await call(store, 'GET', '/v1/settings/shipping')).body.methods.map((m: Json) => m.code)).toEqual(
      ['standard'],
    );
    expect((await call(store, 'GET', `/v1/orders/${placed.id}`)).body.lines[0]).toMatchObject({
      shippingMethod: 'express',
      deliveryEta: '2026-03-23',
    });
    expect(
      (await order(store, { shippingMethod: 'express', lines: [{ sku: 'BOOT', quantity: 1 }] })).status,
    ).toBe(422);
    const refused = await call(store, 'DELETE', '/v1/settings/shipping/methods/standard');
    expect(refused).toMatchObject({ status: 409, body: { code: 'default_shipping_method' } });
    expect((await call(store, 'DELETE', '/v1/settings/shipping/methods/express')).status).toBe(404);
    // Offered again under the same code.
    expect((await call(store, 'PUT', '/v1/settings/shipping/methods/express', EXPRESS)).status).toBe(201);
  });
});

describe('the storefront', () => {
  it('answers "arrives between" per method for the quantity asked', async () => {
    const store = await shippingStore();
    const availability = async (query: string) => {
      const res = await t.request('GET', `/v1/storefront/availability?${query}`, {
        key: store.publishableKey,
      });
      expect(res.statusCode, res.body).toBe(200);
      return res.json();
    };
    // One jacket is in stock; a second would wait for the boot-less lead time (14 days: Tue 24th).
    expect((await availability('sku=JACKET&quantity=1')).shipping).toEqual([
      {
        code: 'standard',
        name: 'Standard (Post)',
        deliveryEta: '2026-03-13',
        deliveryEtaLatest: '2026-03-17',
      },
      { code: 'express', name: 'Express', deliveryEta: '2026-03-11', deliveryEtaLatest: '2026-03-12' },
    ]);
    const two = await availability('sku=JACKET&quantity=2');
    expect(two.expectedDate).toBe('2026-03-24');
    expect(two.shipping[1]).toEqual({
      code: 'express',
      name: 'Express',
      deliveryEta: '2026-03-25',
      deliveryEtaLatest: '2026-03-26',
    });
    // Cannot be ordered: the methods, without dates.
    await call(store, 'PUT', '/v1/variants/SOLD', variant('deny'));
    expect((await availability('sku=SOLD')).shipping).toEqual([
      { code: 'standard', name: 'Standard (Post)', deliveryEta: null, deliveryEtaLatest: null },
      { code: 'express', name: 'Express', deliveryEta: null, deliveryEtaLatest: null },
    ]);
    // A store with no methods answers an empty list.
    const bare = await t.createStore();
    await call(bare, 'PUT', '/v1/variants/X', variant('backorder'));
    const res = await t.request('GET', '/v1/storefront/availability?sku=X', { key: bare.publishableKey });
    expect(res.json().shipping).toEqual([]);
  });
});

describe('free_express', () => {
  it('upgrades a delayed line to the fastest method and tells the shopper its new window', async () => {
    const store = await shippingStore();
    const scope = { cursor: `test-${store.id}`, storeIds: [store.id] };
    await startRelayCursor(t.app.deps, scope.cursor);
    const settings = await call(store, 'PATCH', '/v1/settings/messaging', {
      email: { smtpUrl: inbox.url, from: 'Parcel Shop <hi@parcel.example>' },
      delayIncentives: [{ afterDays: 7, kind: 'free_express' }],
    });
    expect(settings.status, JSON.stringify(settings.body)).toBe(200);
    // A rule may name its method, but only one the store offers, and no percent.
    for (const rule of [
      { afterDays: 7, kind: 'free_express', shippingMethod: 'courier' },
      { afterDays: 7, kind: 'free_express', percent: 10 },
      { afterDays: 7, kind: 'percent_off', percent: 10, shippingMethod: 'express' },
    ]) {
      const res = await call(store, 'PATCH', '/v1/settings/messaging', { delayIncentives: [rule] });
      expect(res.status, JSON.stringify(rule)).toBe(422);
    }
    const pump = async () => {
      await relayAll(t.app.deps, scope);
      await deliverDue(t.app.deps, createSenders({ timeoutMs: 2000, allowPrivateUrls: true }), {
        storeIds: [store.id],
      });
    };
    const placed = (
      await order(store, { customer: { email: 'ed@parcel.example' }, lines: [{ sku: 'BOOT', quantity: 1 }] })
    ).body;
    expect(placed.lines[0]).toMatchObject({ shippingMethod: 'standard', deliveryEta: '2026-03-25' });
    await pump();
    // The boot slips 11 days, to Tue 31st: past the 7-day rule.
    await call(store, 'PUT', '/v1/variants/BOOT', {
      ...variant('backorder', null, { title: 'Boot' }),
      backorder: { mode: 'backorder', expectedDate: '2026-03-31' },
    });
    await pump();
    const line = (await call(store, 'GET', `/v1/orders/${placed.id}`)).body.lines[0];
    expect(line).toMatchObject({
      eta: '2026-03-31',
      shippingMethod: 'express',
      deliveryEta: '2026-04-01',
      deliveryEtaLatest: '2026-04-02',
    });
    const upgraded = (await call(store, 'GET', '/v1/events?type=order.line.shipping_upgraded')).body.data;
    expect(upgraded.map((e: Json) => e.data)).toEqual([
      {
        orderId: placed.id,
        lineId: line.id,
        sku: 'BOOT',
        from: 'standard',
        to: 'express',
        deliveryEta: '2026-04-01',
        deliveryEtaLatest: '2026-04-02',
      },
    ]);
    const notice = inbox.mail
      .filter((m) => m.to.includes('ed@parcel.example'))
      .find((m) => m.subject.startsWith('A delay'));
    expect(notice, 'a delay notice').toBeDefined();
    expect(notice!.text).toContain(
      'a free upgrade to express shipping: it now arrives April 1, 2026 to April 2, 2026 by Express.',
    );
    const incentives = (await call(store, 'GET', `/v1/orders/${placed.id}/incentives`)).body.data;
    expect(incentives).toMatchObject([{ kind: 'free_express', afterDays: 7 }]);
    // The order page shows the new method and window.
    const links = (await call(store, 'POST', `/v1/orders/${placed.id}/self-service-links`)).body;
    const status = new URL(links.status);
    const page = (await t.request('GET', `${status.pathname}${status.search}`)).body.replace(/<[^>]+>/g, '');
    expect(page).toContain('between 1 April 2026 and 2 April 2026 · by Express');
    expect(page).toContain('Upgraded to Express at no cost, for the wait.');
  });
});
