/**
 * A test app on a manual clock with the stand-in Stripe (test/support/fake-stripe.ts), and the
 * calls the payment tests share. Call at a test file's top level: it registers the app's start and
 * stop; `bed.t`, `bed.fake` and `bed.providers` are set once the file's tests run.
 */
import { afterAll, beforeAll } from 'vitest';
import { collectPayments, type PaymentProviders } from '../../src/modules/payments/payments.collector.ts';
import type { ManualClock } from '../../src/shared/clock.ts';
import { type FakeStripe, providersFor, startFakeStripe } from './fake-stripe.ts';
import { type StoreKeys, startTestApp, type TestApp, withStoreKey } from './harness.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely
type Json = any;

export function stripeTestBed(clock: ManualClock) {
  const bed = {} as { t: TestApp; fake: FakeStripe; providers: PaymentProviders };
  beforeAll(async () => {
    bed.fake = await startFakeStripe();
    bed.providers = providersFor(bed.fake, 500);
    bed.t = await startTestApp({ clock, providers: bed.providers });
  });
  afterAll(async () => {
    await bed.t.close();
    await bed.fake.close();
  });
  const call: ReturnType<typeof withStoreKey>['call'] = (...args) => withStoreKey(bed.t).call(...args);
  const ok: ReturnType<typeof withStoreKey>['ok'] = (...args) => withStoreKey(bed.t).ok(...args);
  return {
    bed,
    call,
    ok,
    /** A new store whose payments go through Stripe, with these settings too. */
    async stripeStore(settings: Record<string, unknown> = {}): Promise<StoreKeys> {
      const store = await bed.t.createStore();
      await ok('PATCH', '/v1/settings', store, { paymentProvider: 'stripe', ...settings });
      return store;
    },
    collect: (store: StoreKeys) => collectPayments(bed.t.app.deps, bed.providers, { storeIds: [store.id] }),
    paymentsOf: (store: StoreKeys, orderId: string): Promise<Json> =>
      ok('GET', `/v1/orders/${orderId}/payments`, store),
    /** The order's POSTs to Stripe (their idempotency keys start with its id). */
    postsFor: (orderId: string) =>
      bed.fake.requests.filter((r) => r.method === 'POST' && r.idempotencyKey?.startsWith(`${orderId}.`)),
  };
}
