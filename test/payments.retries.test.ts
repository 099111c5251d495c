/**
 * A refused card's retry schedule (1 h, 6 h, then daily) against the stand-in Stripe: it holds
 * whatever makes a line due (the collector's runs every 5 s, a restock, a shipment's pre-collect),
 * a line still waiting is never tried every few seconds nor given up for a refused hold, the shopper
 * hears of it at most once a day, refunds never wait for it, and a run told to stop starts no new
 * call. Each test names the harm it guards against.
 */
import { describe, expect, it } from 'vitest';
import { startRelayCursor } from '../src/modules/messages/messages.relay.ts';
import { collectPayments } from '../src/modules/payments/payments.collector.ts';
import type { PaymentProvider } from '../src/modules/payments/payments.providers.ts';
import { ManualClock } from '../src/shared/clock.ts';
import { type StoreKeys, variant } from './support/harness.ts';
import { relayAll } from './support/relay.ts';
import { expectProblem } from './support/state.ts';
import { stripeTestBed } from './support/stripe-bed.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely
type Json = any;

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const clock = new ManualClock(new Date('2026-08-03T09:00:00Z'));
const { bed, call, ok, stripeStore, collect, paymentsOf, postsFor } = stripeTestBed(clock);

const card = { customerId: 'cus_retry', paymentMethodId: 'pm_card_visa' };
const restock = (store: StoreKeys, sku: string, quantity = 1) =>
  ok('POST', '/v1/inventory/adjustments', store, { sku, quantity, reason: 'restock' });
async function eventsFor(store: StoreKeys, type: string, orderId: string): Promise<Json[]> {
  const page = await ok('GET', `/v1/events?type=${type}&limit=100`, store);
  return page.data.filter((e: Json) => e.data.orderId === orderId);
}
const declineEverything = () => bed.fake.failNext(...Array.from({ length: 100 }, () => 'decline' as const));

describe('a refused card on a line whose units still wait', () => {
  it.each([
    ['a saved method (long wait)', 14],
    ['a hold (short wait)', 2],
  ])(
    '%s is retried on its schedule, never every few seconds, and the line is not given up',
    async (_, lead) => {
      const store = await stripeStore({
        paymentMode: 'on_ship',
        paymentGraceDays: 3,
        defaultLeadTimeDays: lead,
      });
      await ok('PATCH', '/v1/settings/messaging', store, { email: { channel: 'outbox' } });
      // This store's own relay cursor, relayed until caught up (relayAll): on PostgreSQL the outbox
      // is shared with the test files running beside this one, whose open transactions hold back
      // the relay for a moment.
      const scope = { cursor: `retries-${store.id}`, storeIds: [store.id] };
      await startRelayCursor(bed.t.app.deps, scope.cursor);
      await ok('PUT', '/v1/variants/WAIT', store, variant('backorder', null, { price: 2500 }));
      declineEverything();
      try {
        const order = await ok('POST', '/v1/orders', store, {
          payment: card,
          customer: { email: 'shopper@retry.example' },
          lines: [{ sku: 'WAIT', quantity: 1 }],
        });
        const start = clock.now().getTime();
        const attemptTimes = async () =>
          (await paymentsOf(store, order.id)).attempts.map(
            (a: Json) => (Date.parse(a.createdAt) - start) / HOUR,
          );
        await collect(store);
        // The collector runs every 5 s in a real worker; here, a run at each step and several at the
        // retry times. Past day 3 (the grace period's length), nothing changes: nothing is due.
        for (const step of [HOUR, 6 * HOUR, 24 * HOUR, 24 * HOUR, 17 * HOUR, 2 * MINUTE]) {
          clock.advance(step);
          for (let run = 0; run < 3; run++) await collect(store);
        }
        const calls = postsFor(order.id).length;
        for (let run = 0; run < 12; run++) {
          clock.advance(5_000);
          await collect(store);
        }
        expect(postsFor(order.id)).toHaveLength(calls);
        expect(await attemptTimes()).toEqual([0, 1, 7, 31, 55]);
        let view = await paymentsOf(store, order.id);
        expect(view.attempts.every((a: Json) => a.status === 'requires_action')).toBe(true);
        // Nothing is due, so no grace period runs: the line is not given up, and shows no pay-by date.
        expect(view.lines[0]).toMatchObject({ status: 'awaiting', payBy: null, due: 0 });
        expect((await ok('GET', `/v1/orders/${order.id}`, store)).status).not.toBe('cancelled');

        // The next retry, a day after the last one, is one call however many runs see it due.
        clock.set(new Date(start + 79 * HOUR));
        for (let run = 0; run < 5; run++) await collect(store);
        expect(await attemptTimes()).toEqual([0, 1, 7, 31, 55, 79]);

        // The shopper is asked at the first refusal, then at most once a day (not at 1 h and 7 h).
        const asked = await eventsFor(store, 'payment.action_required', order.id);
        const askedAt = asked
          .map((e: Json) => (Date.parse(e.createdAt) - start) / HOUR)
          .sort((a, b) => a - b);
        expect(askedAt).toEqual([0, 31, 55, 79]);
        await relayAll(bed.t.app.deps, scope);
        const messages = (await ok('GET', `/v1/messages?orderId=${order.id}&limit=100`, store)).data;
        const paymentNeeded = messages.filter((m: Json) => m.kind === 'payment_needed');
        expect(paymentNeeded).toHaveLength(askedAt.length);

        // The units arrive: the charge waits for the card's next retry (a day after the last), and
        // the grace period starts at that refusal — not at the first refused hold, days ago.
        clock.advance(HOUR);
        await restock(store, 'WAIT');
        await collect(store);
        expect(await attemptTimes()).toHaveLength(6);
        expect((await ok('GET', `/v1/orders/${order.id}`, store)).status).not.toBe('cancelled');
        clock.set(new Date(start + 103 * HOUR));
        await collect(store);
        view = await paymentsOf(store, order.id);
        expect(view.attempts).toHaveLength(7);
        expect(view.attempts.at(-1)).toMatchObject({ operation: 'charge', status: 'requires_action' });
        expect(view.lines[0]).toMatchObject({
          status: 'action_required',
          payBy: new Date(start + 103 * HOUR + 3 * DAY).toISOString(),
        });
        for (let day = 1; day <= 3; day++) {
          clock.advance(DAY);
          await collect(store);
        }
        expect((await eventsFor(store, 'payment.failed', order.id)).map((e: Json) => e.data.orderId)).toEqual(
          [order.id],
        );
        expect((await ok('GET', `/v1/orders/${order.id}`, store)).status).toBe('cancelled');
      } finally {
        bed.fake.clearFaults();
      }
    },
  );
});

describe('a declined card’s retry schedule, whatever makes the line due', () => {
  it('a restock, a collect without force and a shipment wait for the retry; force: true does not', async () => {
    const store = await stripeStore({ paymentMode: 'on_ship', paymentGraceDays: 3 });
    await ok('PUT', '/v1/variants/TWO', store, variant('backorder', null, { price: 1800 }));
    const order = await ok('POST', '/v1/orders', store, {
      payment: card,
      lines: [{ sku: 'TWO', quantity: 3 }],
    });
    await collect(store); // a long wait: the method is saved
    const charges = async () =>
      (await paymentsOf(store, order.id)).attempts
        .filter((a: Json) => a.operation === 'charge')
        .map((a: Json) => a.status);
    bed.fake.failNext('decline', 'decline', 'decline');
    try {
      await restock(store, 'TWO');
      await collect(store);
      expect(await charges()).toEqual(['requires_action']);
      // One more unit a minute later: the line is due again, the card is not.
      clock.advance(MINUTE);
      await restock(store, 'TWO');
      await collect(store);
      await ok('POST', `/v1/orders/${order.id}/payments/collect`, store, {});
      expect(await charges()).toEqual(['requires_action']);
      // A shipment collects what is due first: not from a declined card before its retry.
      clock.advance(MINUTE);
      await restock(store, 'TWO');
      expectProblem(
        await call('POST', `/v1/orders/${order.id}/shipments`, store, {}),
        409,
        'payment_required',
      );
      expect(await charges()).toEqual(['requires_action']);
      // The merchant may insist.
      await ok('POST', `/v1/orders/${order.id}/payments/collect`, store, { force: true });
      expect(await charges()).toEqual(['requires_action', 'requires_action']);
    } finally {
      bed.fake.clearFaults();
    }
    // The schedule counts from the last refusal (the forced one): 6 h later, the card is tried.
    clock.advance(5 * HOUR);
    await collect(store);
    expect(await charges()).toHaveLength(2);
    clock.advance(HOUR + MINUTE);
    await collect(store);
    expect(await charges()).toEqual(['requires_action', 'requires_action', 'succeeded']);
    expect((await call('POST', `/v1/orders/${order.id}/shipments`, store, {})).statusCode).toBe(201);
  });

  it('a cancellation’s refund does not wait for a declined card, and does not reset its schedule', async () => {
    const store = await stripeStore({ paymentMode: 'deposit', depositPercent: 90, paymentGraceDays: 3 });
    await ok('PUT', '/v1/variants/DEP', store, variant('backorder', null, { price: 5000 }));
    const order = await ok('POST', '/v1/orders', store, {
      payment: card,
      lines: [{ sku: 'DEP', quantity: 3 }],
    });
    await collect(store); // the deposit: 13500
    expect((await paymentsOf(store, order.id)).paid).toBe(13500);
    const ofKind = async (operation: string) =>
      (await paymentsOf(store, order.id)).attempts
        .filter((a: Json) => a.operation === operation)
        .map((a: Json) => a.status);
    bed.fake.failNext('decline', 'decline');
    try {
      clock.advance(MINUTE);
      await restock(store, 'DEP');
      await collect(store); // the first unit's balance (500): declined
      expect(await ofKind('charge')).toEqual(['succeeded', 'requires_action']);
      // A waiting unit cancelled a minute later: its deposit (4500 less the 500 due) goes back at once...
      clock.advance(MINUTE);
      await ok('POST', `/v1/orders/${order.id}/cancel`, store, {
        lines: [{ lineId: order.lines[0].id, quantity: 1 }],
      });
      await collect(store);
      expect(await ofKind('refund')).toEqual(['succeeded']);
      expect((await paymentsOf(store, order.id)).paid).toBe(9500);
      // ...and the declined card still waits for its retry when the last unit arrives.
      clock.advance(MINUTE);
      await restock(store, 'DEP');
      await collect(store);
      expect(await ofKind('charge')).toEqual(['succeeded', 'requires_action']);
    } finally {
      bed.fake.clearFaults();
    }
    clock.advance(HOUR);
    await collect(store);
    expect(await ofKind('charge')).toEqual(['succeeded', 'requires_action', 'succeeded']);
    expect((await paymentsOf(store, order.id)).paid).toBe(10000);
  });
});

describe('a collector run told to stop', () => {
  async function dueOrders(n: number): Promise<{ store: StoreKeys; orderIds: string[] }> {
    const store = await stripeStore({ paymentMode: 'upfront' });
    await ok('PUT', '/v1/variants/STOP', store, variant('backorder', null, { price: 2000 }));
    const orderIds: string[] = [];
    for (let i = 0; i < n; i++)
      orderIds.push(
        (await ok('POST', '/v1/orders', store, { payment: card, lines: [{ sku: 'STOP', quantity: 1 }] })).id,
      );
    return { store, orderIds };
  }

  it('already stopped: starts no provider call', async () => {
    const { store, orderIds } = await dueOrders(2);
    const stopped = new AbortController();
    stopped.abort();
    const result = await collectPayments(bed.t.app.deps, bed.providers, {
      storeIds: [store.id],
      signal: stopped.signal,
    });
    expect(result.attempts).toBe(0);
    for (const id of orderIds) expect(postsFor(id)).toEqual([]);
  });

  it('stopped during a call: that call is finished and booked, no other is started', async () => {
    const { store, orderIds } = await dueOrders(3);
    const stopping = new AbortController();
    const stripe = bed.providers.stripe!;
    // The signal arrives while the first charge is at Stripe.
    const stopDuringCharge: PaymentProvider = {
      ...stripe,
      chargeSavedMethod: async (request) => {
        const answer = stripe.chargeSavedMethod(request);
        stopping.abort();
        return answer;
      },
    };
    const result = await collectPayments(
      bed.t.app.deps,
      { ...bed.providers, stripe: stopDuringCharge },
      { storeIds: [store.id], signal: stopping.signal },
    );
    expect(result.attempts).toBe(1);
    const views = await Promise.all(orderIds.map((id) => paymentsOf(store, id)));
    const attempts = views.flatMap((v) => v.attempts.map((a: Json) => a.status));
    expect(attempts).toEqual(['succeeded']);
    expect(orderIds.reduce((n, id) => n + postsFor(id).length, 0)).toBe(1);
    // The next run takes the others.
    await collect(store);
    for (const id of orderIds) expect((await paymentsOf(store, id)).paid).toBe(2000);
  });
});
