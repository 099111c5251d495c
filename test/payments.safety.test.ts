/**
 * Money safety against a stand-in Stripe that behaves as Stripe documents: a repeated request is
 * compared with the first one as sent (same parameters, same order) or refused as
 * `idempotency_error`; search lags behind writes; amounts below the currency's minimum charge are
 * refused; a payment method is charged again only with the customer it is attached to. Each test
 * names the loss it guards against: a second charge, a line cancelled for money no card could pay,
 * a card spent by the deposit, a shipment refused for money that could be taken at once, a declined
 * card hammered by a merchant's "collect now".
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/shared/clock.ts';
import { type StoreKeys, variant } from './support/harness.ts';
import { expectProblem } from './support/state.ts';
import { stripeTestBed } from './support/stripe-bed.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely
type Json = any;

const MINUTE = 60_000;
const DAY = 86_400_000;
const clock = new ManualClock(new Date('2026-08-03T09:00:00Z'));
const { bed, call, ok, stripeStore, collect, paymentsOf, postsFor } = stripeTestBed(clock);

const card = { customerId: 'cus_safe', paymentMethodId: 'pm_card_visa' };
const intentsOf = (orderId: string) =>
  [...bed.fake.paymentIntents.values()].filter((pi: Json) => pi.metadata?.orderId === orderId) as Json[];
const chargesOf = (orderId: string) =>
  bed.fake.charges.filter(
    (c) => c.status === 'succeeded' && intentsOf(orderId).some((pi) => pi.id === c.paymentIntent),
  );

async function placeUpfront(price: number): Promise<{ store: StoreKeys; orderId: string }> {
  const store = await stripeStore({ paymentMode: 'upfront' });
  await ok('PUT', '/v1/variants/SAFE', store, variant('backorder', null, { price }));
  await ok('POST', '/v1/inventory/adjustments', store, { sku: 'SAFE', quantity: 5, reason: 'restock' });
  const order = await ok('POST', '/v1/orders', store, {
    payment: card,
    lines: [{ sku: 'SAFE', quantity: 1 }],
  });
  return { store, orderId: order.id };
}

describe('a repeat whose outcome is unknown', () => {
  it('resends exactly the stored request: same parameters in the same order, same key; one charge', async () => {
    const { store, orderId } = await placeUpfront(2300);
    bed.fake.failNext('charge_then_hang');
    await collect(store);
    expect((await paymentsOf(store, orderId)).attempts.map((a: Json) => a.status)).toEqual(['pending']);
    // Search has not caught up yet, so reconciliation repeats the call rather than finding it.
    bed.fake.searchLagMs = 10 * MINUTE;
    try {
      clock.advance(2 * MINUTE);
      await collect(store);
    } finally {
      bed.fake.searchLagMs = 0;
    }
    const posts = postsFor(orderId);
    expect(posts).toHaveLength(2);
    expect(posts[1]!.idempotencyKey).toBe(posts[0]!.idempotencyKey);
    expect(posts[1]!.body).toBe(posts[0]!.body);
    const view = await paymentsOf(store, orderId);
    expect(view.attempts.map((a: Json) => [a.operation, a.status])).toEqual([['charge', 'succeeded']]);
    expect(view.lines[0]).toMatchObject({ captured: 2300, paid: 2300 });
    expect(chargesOf(orderId)).toHaveLength(1);
  });

  it('an idempotency_error on a repeat is an unknown outcome: looked up, never re-keyed', async () => {
    const { store, orderId } = await placeUpfront(4100);
    bed.fake.failNext('charge_then_hang');
    await collect(store);
    bed.fake.searchLagMs = 10 * MINUTE;
    try {
      bed.fake.failNext('idempotency_error');
      clock.advance(2 * MINUTE);
      await collect(store);
      let view = await paymentsOf(store, orderId);
      expect(view.attempts.map((a: Json) => a.status)).toEqual(['pending']);
      expect(view.lines[0].status).not.toBe('action_required');
      // Hours pass while search still lags: the attempt stays in doubt; no second key is ever used.
      bed.fake.failNext('idempotency_error');
      clock.advance(2 * 3_600_000);
      await collect(store);
      view = await paymentsOf(store, orderId);
      expect(view.attempts.map((a: Json) => a.status)).toEqual(['pending']);
    } finally {
      bed.fake.searchLagMs = 0;
    }
    // Search catches up: the payment made under the key settles the attempt.
    clock.advance(MINUTE);
    await collect(store);
    const view = await paymentsOf(store, orderId);
    expect(view.attempts.map((a: Json) => [a.operation, a.status])).toEqual([['charge', 'succeeded']]);
    expect(view.lines[0]).toMatchObject({ paid: 4100 });
    expect(new Set(postsFor(orderId).map((r) => r.idempotencyKey))).toEqual(
      new Set([`${orderId}.${view.lines[0].lineId}.1`]),
    );
    expect(chargesOf(orderId)).toHaveLength(1);
  });
});

describe("amounts below Stripe's minimum charge", () => {
  it('a deposit below the minimum is not taken: it is folded into the charge when the units are ready', async () => {
    const store = await stripeStore({ paymentMode: 'deposit', depositPercent: 20, paymentGraceDays: 3 });
    await ok('PUT', '/v1/variants/CHEAP', store, variant('backorder', null, { price: 199 }));
    const order = await ok('POST', '/v1/orders', store, {
      payment: card,
      lines: [{ sku: 'CHEAP', quantity: 1 }],
    });
    await collect(store);
    let view = await paymentsOf(store, order.id);
    expect(view.lines[0]).toMatchObject({ deposit: 0, due: 0, paid: 0 });
    expect(view.attempts.filter((a: Json) => a.operation === 'charge')).toEqual([]);
    expect(
      bed.fake.requests.filter((r) => r.form.amount !== undefined && Number(r.form.amount) < 50),
    ).toEqual([]);
    // Past the grace period nothing was ever due, so nothing is cancelled.
    clock.advance(4 * DAY);
    await collect(store);
    expect((await ok('GET', `/v1/orders/${order.id}`, store)).lines[0].cancelledQuantity).toBe(0);
    await ok('POST', '/v1/inventory/adjustments', store, { sku: 'CHEAP', quantity: 1, reason: 'restock' });
    await ok('POST', `/v1/orders/${order.id}/shipments`, store, {});
    view = await paymentsOf(store, order.id);
    expect(view.lines[0]).toMatchObject({ paid: 199 });
    expect(intentsOf(order.id).map((pi) => pi.amount)).toEqual([199]);
  });

  it('a deposit that would leave a balance below the minimum takes the whole line up front', async () => {
    const store = await stripeStore({ paymentMode: 'deposit', depositPercent: 90 });
    await ok('PUT', '/v1/variants/MOST', store, variant('backorder', null, { price: 250 }));
    const order = await ok('POST', '/v1/orders', store, {
      payment: card,
      lines: [{ sku: 'MOST', quantity: 1 }],
    });
    expect((await paymentsOf(store, order.id)).lines[0]).toMatchObject({ deposit: 250, due: 250 });
    await collect(store);
    expect((await paymentsOf(store, order.id)).lines[0]).toMatchObject({ paid: 250, balance: 0 });
    expect(intentsOf(order.id).map((pi) => pi.amount)).toEqual([250]);
  });

  it('ready units worth less than the minimum take the line’s remaining balance with them', async () => {
    const store = await stripeStore({ paymentMode: 'on_ship' });
    await ok('PUT', '/v1/variants/PENNY', store, variant('backorder', null, { price: 30 }));
    const order = await ok('POST', '/v1/orders', store, {
      payment: card,
      lines: [{ sku: 'PENNY', quantity: 4 }],
    });
    await collect(store);
    await ok('POST', '/v1/inventory/adjustments', store, { sku: 'PENNY', quantity: 1, reason: 'restock' });
    await collect(store);
    const view = await paymentsOf(store, order.id);
    expect(view.lines[0]).toMatchObject({ mode: 'upfront', paid: 120, balance: 0 });
    expect(intentsOf(order.id).map((pi) => pi.amount)).toEqual([120]);
    const [event] = (await ok('GET', '/v1/events?type=payment.up_front', store)).data;
    expect(event.data).toMatchObject({
      orderId: order.id,
      reason: 'below_minimum',
      minimum: 50,
      balance: 120,
    });
    // A cancelled unit is refunded from the money taken up front, to the cent.
    await ok('POST', `/v1/orders/${order.id}/cancel`, store, {
      lines: [{ lineId: order.lines[0].id, quantity: 1 }],
    });
    await collect(store);
    expect((await paymentsOf(store, order.id)).lines[0]).toMatchObject({ refunded: 30, paid: 90 });
  });

  it('refuses a partial cancel that would leave less than the minimum to pay (409), writing nothing', async () => {
    // 3 units at 33 cents, paid on shipment: cancelling 2 would leave 33 cents that no charge can
    // take, so the last unit could never ship and would be given up after the grace period.
    const store = await stripeStore({ paymentMode: 'on_ship', paymentGraceDays: 3 });
    await ok('PUT', '/v1/variants/DIME', store, variant('backorder', null, { price: 33 }));
    const order = await ok('POST', '/v1/orders', store, {
      payment: card,
      lines: [{ sku: 'DIME', quantity: 3 }],
    });
    const lineId = order.lines[0].id;
    const cancel = (quantity: number) =>
      call('POST', `/v1/orders/${order.id}/cancel`, store, { lines: [{ lineId, quantity }] });
    const before = await ok('GET', `/v1/orders/${order.id}`, store);
    const refused = await cancel(2);
    expectProblem(refused, 409, 'balance_below_minimum');
    expect(refused.json()).toMatchObject({
      lineId,
      requested: 2,
      balance: 33,
      minimum: 50,
      currency: 'USD',
      unshipped: 3,
      largestPartial: 1,
    });
    expect(await ok('GET', `/v1/orders/${order.id}`, store)).toEqual(before);
    expect((await ok('GET', '/v1/events?type=order.cancelled', store)).data).toEqual([]);
    // One unit can go (66 cents left to charge); then only the whole line.
    expect((await cancel(1)).statusCode).toBe(200);
    expect((await cancel(1)).json()).toMatchObject({ code: 'balance_below_minimum', largestPartial: 0 });
    expect((await cancel(2)).json().lines[0]).toMatchObject({ cancelledQuantity: 3, status: 'cancelled' });
    await collect(store);
    expect(intentsOf(order.id)).toEqual([]);
  });

  it('a line left with enough to charge after a partial cancel ships once paid', async () => {
    const store = await stripeStore({ paymentMode: 'on_ship' });
    await ok('PUT', '/v1/variants/NICKEL', store, variant('backorder', null, { price: 33 }));
    const order = await ok('POST', '/v1/orders', store, {
      payment: card,
      lines: [{ sku: 'NICKEL', quantity: 3 }],
    });
    await ok('POST', `/v1/orders/${order.id}/cancel`, store, {
      lines: [{ lineId: order.lines[0].id, quantity: 1 }],
    });
    await ok('POST', '/v1/inventory/adjustments', store, { sku: 'NICKEL', quantity: 2, reason: 'restock' });
    await ok('POST', `/v1/orders/${order.id}/shipments`, store, {});
    expect((await paymentsOf(store, order.id)).lines[0]).toMatchObject({ paid: 66, balance: 0 });
    expect(intentsOf(order.id).map((pi) => pi.amount)).toEqual([66]);
  });

  it('refuses an order whose line costs less than the minimum (422 amount_below_minimum), writing nothing', async () => {
    const store = await stripeStore({ paymentMode: 'upfront' });
    await ok('PUT', '/v1/variants/TINY', store, variant('backorder', null, { price: 30 }));
    await ok('PUT', '/v1/variants/BIG', store, variant('backorder', null, { price: 5000 }));
    const refused = await call('POST', '/v1/orders', store, {
      payment: card,
      lines: [
        { sku: 'BIG', quantity: 1 },
        { sku: 'TINY', quantity: 1 },
      ],
    });
    expectProblem(refused, 422, 'amount_below_minimum');
    expect(refused.json()).toMatchObject({ sku: 'TINY', amount: 30, minimum: 50, currency: 'USD' });
    expect(refused.json().errors).toEqual([{ path: '/lines/1', message: expect.any(String) }]);
    // A discount can take a line below it too.
    expectProblem(
      await call('POST', '/v1/orders', store, {
        payment: card,
        discount: 4960,
        lines: [{ sku: 'BIG', quantity: 1 }],
      }),
      422,
      'amount_below_minimum',
    );
    expect((await ok('GET', '/v1/orders', store)).data).toEqual([]);
    // A manual store has no minimum: the same order is taken.
    const manual = await bed.t.createStore();
    await ok('PATCH', '/v1/settings', manual, { paymentProvider: 'manual' });
    await ok('PUT', '/v1/variants/TINY', manual, variant('backorder', null, { price: 30 }));
    expect(
      (await call('POST', '/v1/orders', manual, { lines: [{ sku: 'TINY', quantity: 1 }] })).statusCode,
    ).toBe(201);
  });
});

describe('currencies Stripe counts differently', () => {
  it('refuses Stripe for a store in ISK or a three-decimal currency (422), changing nothing', async () => {
    for (const currency of ['ISK', 'KWD']) {
      const store = await bed.t.createStore(`In ${currency}`, currency);
      const res = await call('PATCH', '/v1/settings', store, { paymentProvider: 'stripe' });
      expectProblem(res, 422, 'currency_not_supported');
      expect(res.json()).toMatchObject({ currency });
      expect((await ok('GET', '/v1/settings', store)).paymentProvider).toBe('none');
    }
    // Currencies Stripe counts as ISO 4217 does are fine, zero-decimal ones included.
    const yen = await bed.t.createStore('In JPY', 'JPY');
    expect((await call('PATCH', '/v1/settings', yen, { paymentProvider: 'stripe' })).statusCode).toBe(200);
  });
});

describe('payment methods', () => {
  it('refuses at placement a method not attached to the order’s customer (422), writing nothing', async () => {
    const store = await stripeStore({ paymentMode: 'deposit', depositPercent: 20 });
    await ok('PUT', '/v1/variants/PM', store, variant('backorder', null, { price: 5000 }));
    bed.fake.paymentMethods.set('pm_once_only', { customer: null, used: false });
    bed.fake.paymentMethods.set('pm_of_bob', { customer: 'cus_bob', used: false });
    bed.fake.paymentMethods.set('pm_of_ada', { customer: 'cus_ada', used: false });
    const place = (payment: Record<string, string>) =>
      call('POST', '/v1/orders', store, { payment, lines: [{ sku: 'PM', quantity: 1 }] });
    const oneUse = await place({ customerId: 'cus_ada', paymentMethodId: 'pm_once_only' });
    expectProblem(oneUse, 422, 'payment_method_not_attached');
    expect(oneUse.json().errors).toEqual([{ path: '/payment/paymentMethodId', message: expect.any(String) }]);
    expectProblem(
      await place({ customerId: 'cus_ada', paymentMethodId: 'pm_of_bob' }),
      422,
      'payment_method_not_attached',
    );
    expectProblem(await place({ paymentMethodId: 'pm_of_ada' }), 422, 'payment_method_not_attached');
    expect((await ok('GET', '/v1/orders', store)).data).toEqual([]);
    expect(bed.fake.paymentMethods.get('pm_once_only')!.used).toBe(false);

    // An attached method pays the deposit now and the balance later, with the same card.
    const order = (await place({ customerId: 'cus_ada', paymentMethodId: 'pm_of_ada' })).json();
    await collect(store);
    await ok('POST', '/v1/inventory/adjustments', store, { sku: 'PM', quantity: 1, reason: 'restock' });
    await ok('POST', `/v1/orders/${order.id}/shipments`, store, {});
    expect(intentsOf(order.id).map((pi) => pi.amount)).toEqual([1000, 4000]);
  });
});

describe('a merchant’s "collect now"', () => {
  it('respects a declined card’s retry schedule unless force: true', async () => {
    const { store, orderId } = await placeUpfront(3000);
    bed.fake.failNext('decline');
    await collect(store);
    let view = await paymentsOf(store, orderId);
    expect(view.attempts.map((a: Json) => a.status)).toEqual(['requires_action']);
    const collectNow = (body?: unknown) => ok('POST', `/v1/orders/${orderId}/payments/collect`, store, body);
    view = await collectNow();
    expect(view.attempts).toHaveLength(1);
    view = await collectNow({ force: false });
    expect(view.attempts).toHaveLength(1);
    clock.advance(MINUTE);
    view = await collectNow({ force: true });
    expect(view.attempts.map((a: Json) => a.status)).toEqual(['requires_action', 'succeeded']);
    expect(view.lines[0]).toMatchObject({ paid: 3000 });
    expectProblem(
      await call('POST', `/v1/orders/${orderId}/payments/collect`, store, { force: 'yes' }),
      422,
      'validation_failed',
    );
  });

  it('a shipment does not retry a declined card early either: 409 payment_required', async () => {
    const store = await stripeStore({ paymentMode: 'on_ship' });
    await ok('PUT', '/v1/variants/DECL', store, variant('backorder', null, { price: 1800 }));
    const order = await ok('POST', '/v1/orders', store, {
      payment: card,
      lines: [{ sku: 'DECL', quantity: 1 }],
    });
    bed.fake.failNext('decline');
    await ok('POST', '/v1/inventory/adjustments', store, { sku: 'DECL', quantity: 1, reason: 'restock' });
    await collect(store);
    expectProblem(await call('POST', `/v1/orders/${order.id}/shipments`, store, {}), 409, 'payment_required');
    expect((await paymentsOf(store, order.id)).attempts.map((a: Json) => a.status)).toEqual([
      'requires_action',
    ]);
    clock.advance(2 * 3_600_000);
    expect((await call('POST', `/v1/orders/${order.id}/shipments`, store, {})).statusCode).toBe(201);
  });
});
