/**
 * Payments over HTTP with the clock moved by the test: modes and their targets, the shipment gate,
 * manual reports, automatic refunds on cancellation, and the Stripe flows (holds, captures, saved
 * methods, expired holds, failures and grace) against a stand-in for Stripe's API on loopback.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectPayments, type PaymentProviders } from '../src/modules/payments/payments.collector.ts';
import { ManualClock } from '../src/shared/clock.ts';
import { type FakeStripe, providersFor, startFakeStripe } from './support/fake-stripe.ts';
import { type StoreKeys, startTestApp, type TestApp, variant, withStoreKey } from './support/harness.ts';
import { expectProblem } from './support/state.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely
type Json = any;

const DAY = 86_400_000;
const clock = new ManualClock(new Date('2026-05-04T12:00:00Z'));
let t: TestApp;
let fake: FakeStripe;
let providers: PaymentProviders;

beforeAll(async () => {
  fake = await startFakeStripe();
  providers = providersFor(fake);
  t = await startTestApp({ clock, providers });
});
afterAll(async () => {
  await t.close();
  await fake.close();
});

const call: ReturnType<typeof withStoreKey>['call'] = (...args) => withStoreKey(t).call(...args);
const ok: ReturnType<typeof withStoreKey>['ok'] = (...args) => withStoreKey(t).ok(...args);

async function paymentStore(settings: Record<string, unknown>): Promise<StoreKeys> {
  const store = await t.createStore();
  await ok('PATCH', '/v1/settings', store, settings);
  return store;
}

const collect = (store: StoreKeys) => collectPayments(t.app.deps, providers, { storeIds: [store.id] });
const paymentsOf = (store: StoreKeys, orderId: string): Promise<Json> =>
  ok('GET', `/v1/orders/${orderId}/payments`, store);
const eventsOf = async (store: StoreKeys, type: string): Promise<Json[]> =>
  (await ok('GET', `/v1/events?type=${type}&limit=500`, store)).data;
const restock = (store: StoreKeys, sku: string, quantity: number) =>
  ok('POST', '/v1/inventory/adjustments', store, { sku, quantity, reason: 'restock' });
const card = { customerId: 'cus_ada', paymentMethodId: 'pm_card_visa' };

describe('payment modes (manual provider)', () => {
  it('leaves stores that do not manage payments exactly as before', async () => {
    const store = await t.createStore();
    await ok('PUT', '/v1/variants/FREE', store, variant('backorder'));
    await restock(store, 'FREE', 1);
    const order = await ok('POST', '/v1/orders', store, { lines: [{ sku: 'FREE', quantity: 1 }] });
    expect((await call('GET', `/v1/orders/${order.id}/payments`, store)).statusCode).toBe(409);
    const shipped = await call('POST', `/v1/orders/${order.id}/shipments`, store, {
      lines: [{ lineId: order.lines[0].id, quantity: 1 }],
    });
    expect(shipped.statusCode).toBe(201);
  });

  it('splits discounts and deposits to the cent across mixed modes', async () => {
    const store = await paymentStore({ paymentProvider: 'manual', paymentMode: 'on_ship' });
    await ok('PUT', '/v1/variants/UP', store, variant('backorder', null, { price: 1000 }));
    await ok('PUT', '/v1/variants/DEP', store, {
      ...variant('backorder', null, { price: 3333 }),
      backorder: { mode: 'backorder', limit: null, payment: 'deposit', depositPercent: 33.33 },
    });
    const variantBack = await ok('GET', '/v1/variants/DEP', store);
    expect(variantBack.backorder).toMatchObject({ payment: 'deposit', depositPercent: 33.33 });
    const order = await ok('POST', '/v1/orders', store, {
      discount: 1001,
      lines: [
        { sku: 'UP', quantity: 3 },
        { sku: 'DEP', quantity: 3 },
      ],
    });
    const view = await paymentsOf(store, order.id);
    const [up, dep] = view.lines;
    expect(up.mode).toBe('on_ship');
    expect(dep.mode).toBe('deposit');
    expect(up.discount + dep.discount).toBe(1001);
    expect(up.amount + dep.amount).toBe(3000 + 9999 - 1001);
    expect(view.total).toBe(3000 + 9999 - 1001);
    expect(dep.deposit).toBe(Math.floor((dep.amount * 3333) / 10_000));
    // Nothing is in stock: the on_ship line owes nothing yet, the deposit line owes its deposit.
    expect(up.due).toBe(0);
    expect(dep.due).toBe(dep.deposit);
  });

  it('refuses a shipment of unpaid units (409 payment_required), then ships once paid', async () => {
    const store = await paymentStore({ paymentProvider: 'manual', paymentMode: 'on_ship' });
    await ok('PUT', '/v1/variants/GATE', store, variant('backorder', null, { price: 2500 }));
    const order = await ok('POST', '/v1/orders', store, { lines: [{ sku: 'GATE', quantity: 2 }] });
    await restock(store, 'GATE', 2);
    const lineId = order.lines[0].id;
    const refused = await call('POST', `/v1/orders/${order.id}/shipments`, store, {
      lines: [{ lineId, quantity: 1 }],
    });
    expectProblem(refused, 409, 'payment_required');
    expect(refused.json()).toMatchObject({ lineId, shortfall: 2500 });
    // Paying more than is due is refused and books nothing.
    expectProblem(
      await call('POST', `/v1/orders/${order.id}/payments`, store, { amount: 5001 }),
      409,
      'overpayment',
    );
    await ok('POST', `/v1/orders/${order.id}/payments`, store, { amount: 2500, reference: 'shop-pay-1' });
    expect((await paymentsOf(store, order.id)).lines[0]).toMatchObject({ paid: 2500, due: 2500 });
    // One unit is paid for: it ships; the second is not.
    expect(
      (await call('POST', `/v1/orders/${order.id}/shipments`, store, { lines: [{ lineId, quantity: 1 }] }))
        .statusCode,
    ).toBe(201);
    expectProblem(
      await call('POST', `/v1/orders/${order.id}/shipments`, store, { lines: [{ lineId, quantity: 1 }] }),
      409,
      'payment_required',
    );
  });

  it('refunds exactly the cancelled units’ share, deposits included, with no fee', async () => {
    const store = await paymentStore({
      paymentProvider: 'manual',
      paymentMode: 'deposit',
      depositPercent: 30,
    });
    await ok('PUT', '/v1/variants/CAN', store, variant('backorder', null, { price: 1001 }));
    const order = await ok('POST', '/v1/orders', store, { lines: [{ sku: 'CAN', quantity: 3 }] });
    const due = (await paymentsOf(store, order.id)).lines[0].due;
    expect(due).toBe(Math.floor((3003 * 30) / 100));
    await ok('POST', `/v1/orders/${order.id}/payments`, store, { amount: due });
    const lineId = order.lines[0].id;
    await ok('POST', `/v1/orders/${order.id}/cancel`, store, { lines: [{ lineId, quantity: 1 }] });
    let view = await paymentsOf(store, order.id);
    const firstRefund = view.lines[0].refunded;
    expect(firstRefund).toBe(due - Math.floor((due * 2) / 3));
    await ok('POST', `/v1/orders/${order.id}/cancel`, store, {});
    view = await paymentsOf(store, order.id);
    expect(view.lines[0]).toMatchObject({ captured: due, refunded: due, paid: 0, status: 'settled' });
    const refunds = await eventsOf(store, 'payment.refunded');
    expect(refunds.map((e) => e.data.amount).reduce((a: number, b: number) => a + b, 0)).toBe(due);
  });

  it('asks the shopper to pay, then gives ready units to the next in line after the grace period', async () => {
    const store = await paymentStore({
      paymentProvider: 'manual',
      paymentMode: 'on_ship',
      paymentGraceDays: 2,
    });
    await ok('PUT', '/v1/variants/GRACE', store, variant('backorder', null, { price: 700 }));
    const first = await ok('POST', '/v1/orders', store, { lines: [{ sku: 'GRACE', quantity: 1 }] });
    const second = await ok('POST', '/v1/orders', store, { lines: [{ sku: 'GRACE', quantity: 1 }] });
    await restock(store, 'GRACE', 1);
    await collect(store);
    const asked = await eventsOf(store, 'payment.action_required');
    expect(asked.map((e) => e.data.orderId)).toEqual([first.id]);
    expect((await paymentsOf(store, first.id)).lines[0].status).toBe('action_required');
    clock.advance(DAY);
    await collect(store);
    expect((await eventsOf(store, 'payment.action_required')).length).toBe(1); // once per due period
    clock.advance(DAY + 1000);
    await collect(store);
    const failed = await eventsOf(store, 'payment.failed');
    expect(failed.map((e) => e.data.orderId)).toEqual([first.id]);
    expect((await ok('GET', `/v1/orders/${first.id}`, store)).status).toBe('cancelled');
    expect((await ok('GET', `/v1/orders/${second.id}`, store)).lines[0].allocatedQuantity).toBe(1);
  });
});

describe('payments and other stores', () => {
  it('answers 404 to another store, exactly as for an unknown order, and changes nothing', async () => {
    const a = await paymentStore({ paymentProvider: 'manual' });
    const b = await paymentStore({ paymentProvider: 'manual' });
    await ok('PUT', '/v1/variants/ISO', a, variant('backorder', null, { price: 500 }));
    const order = await ok('POST', '/v1/orders', a, { lines: [{ sku: 'ISO', quantity: 1 }] });
    for (const [method, url, body] of [
      ['GET', `/v1/orders/${order.id}/payments`, undefined],
      ['POST', `/v1/orders/${order.id}/payments`, { amount: 500 }],
      ['POST', `/v1/orders/${order.id}/payments/collect`, undefined],
    ] as const) {
      expectProblem(await call(method, url, b, body), 404, 'not_found');
    }
    expect((await paymentsOf(a, order.id)).paid).toBe(0);
    expect(await ok('GET', '/v1/payments/summary', b)).toMatchObject({
      prepaidHeld: 0,
      balanceOutstanding: 0,
    });
    expect((await ok('GET', '/v1/payments/summary', a)).balanceOutstanding).toBe(500);
  });
});

describe('stripe provider', () => {
  const stripeStore = (settings: Record<string, unknown> = {}) =>
    paymentStore({ paymentProvider: 'stripe', ...settings });
  const intentsOf = (orderId: string) =>
    [...fake.paymentIntents.values()].filter((pi: Json) => pi.metadata?.orderId === orderId) as Json[];

  it('charges an upfront line once, and refunds it in full on cancellation', async () => {
    const store = await stripeStore({ paymentMode: 'upfront' });
    await ok('PUT', '/v1/variants/S-UP', store, variant('backorder', null, { price: 4200 }));
    const order = await ok('POST', '/v1/orders', store, {
      payment: card,
      lines: [{ sku: 'S-UP', quantity: 2 }],
    });
    await collect(store);
    await collect(store);
    const intents = intentsOf(order.id);
    expect(intents).toHaveLength(1);
    expect(intents[0].amount).toBe(8400);
    expect((await paymentsOf(store, order.id)).lines[0]).toMatchObject({ captured: 8400, paid: 8400 });
    await ok('POST', `/v1/orders/${order.id}/cancel`, store, {});
    await collect(store);
    const view = await paymentsOf(store, order.id);
    expect(view.lines[0]).toMatchObject({ refunded: 8400, paid: 0 });
    expect([...fake.refunds.values()].filter((r: Json) => r.payment_intent === intents[0].id)).toHaveLength(
      1,
    );
  });

  it('holds a short wait, captures when the units arrive, and voids the rest on cancellation', async () => {
    const store = await stripeStore({ paymentMode: 'on_ship' });
    await ok('PUT', '/v1/variants/S-HOLD', store, {
      ...variant('backorder', null, { price: 1500 }),
      backorder: { mode: 'backorder', limit: null, expectedDate: '2026-05-07' },
    });
    const order = await ok('POST', '/v1/orders', store, {
      payment: card,
      lines: [{ sku: 'S-HOLD', quantity: 2 }],
    });
    await collect(store);
    let view = await paymentsOf(store, order.id);
    expect(view.holds).toHaveLength(1);
    expect(view.holds[0]).toMatchObject({ state: 'authorised', authorised: 3000 });
    expect(view.lines[0].captured).toBe(0);
    await restock(store, 'S-HOLD', 1);
    // Shipping before the collector ran: the shipment request captures the ready unit's price itself
    // (not a 409 payment_required until the collector's next run), and only that unit's.
    await ok('POST', `/v1/orders/${order.id}/shipments`, store, {
      lines: [{ lineId: order.lines[0].id, quantity: 1 }],
    });
    view = await paymentsOf(store, order.id);
    expect(view.lines[0]).toMatchObject({ captured: 1500, paid: 1500 });
    expect(
      view.attempts.filter((a: Json) => a.operation === 'capture').map((a: Json) => [a.amount, a.status]),
    ).toEqual([[1500, 'succeeded']]);
    await ok('POST', `/v1/orders/${order.id}/cancel`, store, {});
    await collect(store);
    view = await paymentsOf(store, order.id);
    expect(view.lines[0]).toMatchObject({ captured: 1500, refunded: 0, paid: 1500 });
    expect(view.holds.filter((h: Json) => h.state === 'authorised')).toHaveLength(0);
  });

  it('saves the method for a long wait and charges it off-session when ready', async () => {
    const store = await stripeStore({ paymentMode: 'on_ship' });
    await ok('PUT', '/v1/variants/S-LONG', store, {
      ...variant('backorder', null, { price: 990 }),
      backorder: { mode: 'backorder', limit: null, expectedDate: '2026-07-01' },
    });
    const order = await ok('POST', '/v1/orders', store, {
      payment: card,
      lines: [{ sku: 'S-LONG', quantity: 1 }],
    });
    await collect(store);
    const view = await paymentsOf(store, order.id);
    expect(view.holds).toHaveLength(0);
    expect(view.attempts.map((a: Json) => [a.operation, a.status])).toEqual([['save_method', 'succeeded']]);
    await restock(store, 'S-LONG', 1);
    await collect(store);
    const after = await paymentsOf(store, order.id);
    expect(after.lines[0].paid).toBe(990);
    // The method saved for later is the shopper's card, on their customer, for off-session use.
    const saved = [...fake.setupIntents.values()].filter((s: Json) => s.metadata?.orderId === order.id);
    expect(saved).toEqual([
      expect.objectContaining({
        status: 'succeeded',
        customer: 'cus_ada',
        payment_method: 'pm_card_visa',
        usage: 'off_session',
      }),
    ]);
    // The charge is one PaymentIntent on that saved card, confirmed at once with the shopper absent
    // (`off_session`: Stripe then declines rather than asking for authentication nobody can give)
    // and captured at once (no `capture_method: manual`: nothing is held). Stripe's PaymentIntent
    // object does not echo `off_session`, so the request is what shows it.
    const created = fake.requests.filter(
      (r) =>
        r.method === 'POST' &&
        r.path === '/v1/payment_intents' &&
        (r.form.metadata as Record<string, string> | undefined)?.orderId === order.id,
    );
    expect(created).toHaveLength(1);
    expect(created[0]!.form).toMatchObject({
      off_session: 'true',
      confirm: 'true',
      customer: 'cus_ada',
      payment_method: 'pm_card_visa',
      amount: '990',
    });
    expect(created[0]!.form.capture_method).toBeUndefined();
    expect(intentsOf(order.id)).toEqual([
      expect.objectContaining({ status: 'succeeded', amount_received: 990, customer: 'cus_ada' }),
    ]);
  });

  it('renews an expired authorisation before capturing', async () => {
    const store = await stripeStore({ paymentMode: 'on_ship', authorisationDays: 7 });
    await ok('PUT', '/v1/variants/S-EXP', store, {
      ...variant('backorder', null, { price: 800 }),
      backorder: { mode: 'backorder', limit: null, expectedDate: '2026-05-08' },
    });
    const order = await ok('POST', '/v1/orders', store, {
      payment: card,
      lines: [{ sku: 'S-EXP', quantity: 1 }],
    });
    await collect(store);
    const [hold] = (await paymentsOf(store, order.id)).holds;
    clock.advance(8 * DAY);
    fake.expireAuthorisation(
      [...fake.paymentIntents.values()].find((pi: Json) => pi.metadata?.orderId === order.id)!.id as string,
    );
    await restock(store, 'S-EXP', 1);
    await collect(store);
    const view = await paymentsOf(store, order.id);
    expect(view.lines[0].paid).toBe(800);
    expect(view.holds.find((h: Json) => h.id === hold.id).state).not.toBe('authorised');
    expect(view.holds.filter((h: Json) => h.state === 'captured')).toHaveLength(1);
    expect((await eventsOf(store, 'payment.authorisation_expired')).length).toBeGreaterThan(0);
    clock.advance(-8 * DAY);
  });

  it('retries a declined charge, asks the shopper to act, and cancels after the grace period', async () => {
    const store = await stripeStore({ paymentMode: 'on_ship', paymentGraceDays: 3 });
    await ok('PUT', '/v1/variants/S-DEC', store, variant('backorder', null, { price: 1200 }));
    await restock(store, 'S-DEC', 1);
    fake.failNext('decline');
    const order = await ok('POST', '/v1/orders', store, {
      payment: card,
      lines: [{ sku: 'S-DEC', quantity: 1 }],
    });
    await collect(store);
    const asked = await eventsOf(store, 'payment.action_required');
    expect(asked).toHaveLength(1);
    expect(asked[0].data).toMatchObject({ orderId: order.id, reason: 'card_declined', amount: 1200 });
    // Not retried before its time; retried (and declined again) after an hour.
    await collect(store);
    expect((await paymentsOf(store, order.id)).attempts).toHaveLength(1);
    fake.failNext('decline');
    clock.advance(3_600_000 + 1000);
    await collect(store);
    expect((await paymentsOf(store, order.id)).attempts).toHaveLength(2);
    clock.advance(3 * DAY);
    await collect(store);
    expect((await eventsOf(store, 'payment.failed')).map((e) => e.data.orderId)).toEqual([order.id]);
    expect((await ok('GET', `/v1/orders/${order.id}`, store)).status).toBe('cancelled');
    expect((await ok('GET', '/v1/inventory/S-DEC', store)).available).toBe(1);
    clock.advance(-(3 * DAY + 3_600_000 + 1000));
  });

  it('charges an order that ships complete only once every unit is ready', async () => {
    const store = await stripeStore({ paymentMode: 'on_ship' });
    await ok('PUT', '/v1/variants/S-ONE', store, variant('backorder', null, { price: 600 }));
    await ok('PUT', '/v1/variants/S-TWO', store, variant('backorder', null, { price: 400 }));
    await restock(store, 'S-ONE', 1);
    const order = await ok('POST', '/v1/orders', store, {
      payment: card,
      shipComplete: true,
      lines: [
        { sku: 'S-ONE', quantity: 1 },
        { sku: 'S-TWO', quantity: 1 },
      ],
    });
    await collect(store);
    expect((await paymentsOf(store, order.id)).paid).toBe(0);
    await restock(store, 'S-TWO', 1);
    await collect(store);
    expect((await paymentsOf(store, order.id)).lines.map((l: Json) => l.paid)).toEqual([600, 400]);
  });

  it('reports where the money stands', async () => {
    const store = await stripeStore({ paymentMode: 'deposit', depositPercent: 25 });
    await ok('PUT', '/v1/variants/S-SUM', store, variant('backorder', null, { price: 2000 }));
    const order = await ok('POST', '/v1/orders', store, {
      payment: card,
      lines: [{ sku: 'S-SUM', quantity: 2 }],
    });
    await collect(store);
    const summary = await ok('GET', '/v1/payments/summary', store);
    expect(summary).toMatchObject({
      currency: 'USD',
      prepaidHeld: 1000,
      depositsHeld: 1000,
      balanceOutstanding: 3000,
      inDoubt: { attempts: 0, amount: 0 },
    });
    await ok('POST', `/v1/orders/${order.id}/cancel`, store, {
      lines: [{ lineId: order.lines[0].id, quantity: 1 }],
    });
    await collect(store);
    expect(await ok('GET', '/v1/payments/summary', store)).toMatchObject({
      prepaidHeld: 500,
      refunds: { count: 1, amount: 500 },
    });
  });
});
