/**
 * Never twice: a provider call whose outcome Backfill did not record (the process died between the
 * call and the commit, or the answer never came) is settled by reconciliation with the same
 * idempotency key: exactly one charge at the provider, booked exactly once, on both engines.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectPayments, type PaymentProviders } from '../src/modules/payments/payments.collector.ts';
import { createManualProvider } from '../src/modules/payments/payments.provider.manual.ts';
import type { PaymentProvider } from '../src/modules/payments/payments.providers.ts';
import { ManualClock } from '../src/shared/clock.ts';
import { type FakeStripe, providersFor, startFakeStripe } from './support/fake-stripe.ts';
import { type StoreKeys, startTestApp, type TestApp, variant } from './support/harness.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely
type Json = any;

const clock = new ManualClock(new Date('2026-06-01T09:00:00Z'));
let t: TestApp;
let fake: FakeStripe;
let stripe: PaymentProvider;
let providers: PaymentProviders;

class ProcessDied extends Error {}

/** The provider does its work, then the process "dies" before Backfill can record the answer. */
const dyingAfter = (operation: 'chargeSavedMethod' | 'refund'): PaymentProviders => ({
  manual: createManualProvider(),
  stripe: {
    ...stripe,
    [operation]: async (request: never) => {
      await (stripe[operation] as (r: never) => Promise<unknown>)(request);
      throw new ProcessDied('killed between the provider call and the commit');
    },
  },
});

beforeAll(async () => {
  fake = await startFakeStripe();
  providers = providersFor(fake, 500);
  stripe = providers.stripe!;
  t = await startTestApp({ clock, providers });
});
afterAll(async () => {
  await t.close();
  await fake.close();
});

async function ok(method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, store: StoreKeys, body?: unknown) {
  const res = await t.request(method, url, { key: store.secretKey, body });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json();
}

/** A Stripe store with one in-stock, upfront order of `price` waiting to be charged. */
async function orderToCharge(price: number): Promise<{ store: StoreKeys; orderId: string }> {
  const store = await t.createStore();
  await ok('PATCH', '/v1/settings', store, { paymentProvider: 'stripe', paymentMode: 'upfront' });
  await ok('PUT', '/v1/variants/CRASH', store, variant('backorder', null, { price }));
  const order = await ok('POST', '/v1/orders', store, {
    payment: { customerId: 'cus_crash', paymentMethodId: 'pm_card_visa' },
    lines: [{ sku: 'CRASH', quantity: 1 }],
  });
  return { store, orderId: order.id };
}

const intentsOf = (orderId: string) =>
  [...fake.paymentIntents.values()].filter((pi: Json) => pi.metadata?.orderId === orderId) as Json[];
const chargesOf = (orderId: string) =>
  fake.charges.filter((c) => intentsOf(orderId).some((pi) => pi.id === c.paymentIntent));
const run = (store: StoreKeys, with_ = providers) =>
  collectPayments(t.app.deps, with_, { storeIds: [store.id] });

describe('a charge whose outcome was never recorded', () => {
  it('the provider charges, then the process dies before commit: reconciled once, never charged twice', async () => {
    const { store, orderId } = await orderToCharge(3100);
    await expect(run(store, dyingAfter('chargeSavedMethod'))).rejects.toThrow(ProcessDied);
    expect(chargesOf(orderId)).toHaveLength(1);
    let view = await ok('GET', `/v1/orders/${orderId}/payments`, store);
    expect(view.attempts.map((a: Json) => a.status)).toEqual(['pending']);
    expect(view.lines[0].paid).toBe(0);
    expect((await ok('GET', '/v1/payments/summary', store)).inDoubt).toEqual({ attempts: 1, amount: 3100 });
    // A restarted collector leaves the line alone while the attempt is in doubt…
    await run(store);
    expect(chargesOf(orderId)).toHaveLength(1);
    // …and settles it once it is old enough for the provider's search to see it.
    clock.advance(2 * 60_000);
    expect((await run(store)).reconciled).toBe(1);
    view = await ok('GET', `/v1/orders/${orderId}/payments`, store);
    expect(view.lines[0]).toMatchObject({ captured: 3100, paid: 3100 });
    expect(view.attempts.map((a: Json) => a.status)).toEqual(['succeeded']);
    await run(store);
    expect(chargesOf(orderId)).toHaveLength(1);
    expect(intentsOf(orderId)).toHaveLength(1);
    expect((await ok('GET', `/v1/events?type=payment.captured`, store)).data).toHaveLength(1);
  });

  it('the provider times out after charging: the attempt stays in doubt, then settles to one charge', async () => {
    const { store, orderId } = await orderToCharge(4700);
    fake.failNext('charge_then_hang');
    await run(store);
    expect(chargesOf(orderId)).toHaveLength(1);
    expect((await ok('GET', `/v1/orders/${orderId}/payments`, store)).attempts[0].status).toBe('pending');
    clock.advance(2 * 60_000);
    await run(store);
    const view = await ok('GET', `/v1/orders/${orderId}/payments`, store);
    expect(view.lines[0].paid).toBe(4700);
    expect(chargesOf(orderId)).toHaveLength(1);
  });

  it('a refund whose answer was lost is looked up, not repeated', async () => {
    const { store, orderId } = await orderToCharge(900);
    await run(store);
    await ok('POST', `/v1/orders/${orderId}/cancel`, store, {});
    await expect(run(store, dyingAfter('refund'))).rejects.toThrow(ProcessDied);
    clock.advance(2 * 60_000);
    await run(store);
    const view = await ok('GET', `/v1/orders/${orderId}/payments`, store);
    expect(view.lines[0]).toMatchObject({ captured: 900, refunded: 900, paid: 0 });
    const [intent] = intentsOf(orderId);
    expect([...fake.refunds.values()].filter((r: Json) => r.payment_intent === intent.id)).toHaveLength(1);
  });

  it('collectors racing on one line charge it once', async () => {
    const { store, orderId } = await orderToCharge(1300);
    await Promise.all([run(store), run(store), run(store)]);
    expect(chargesOf(orderId)).toHaveLength(1);
    expect((await ok('GET', `/v1/orders/${orderId}/payments`, store)).lines[0].paid).toBe(1300);
  });
});
