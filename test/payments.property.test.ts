/**
 * Property test of the money rules against the database and a stand-in Stripe: random orders in
 * every payment mode (with discounts), restocks, cancellations, shipments, declined cards, days
 * passing and collector runs. After every step: no unit shipped unpaid; once the collector has run,
 * no line holds more than its units allow (every cancelled captured unit refunded, invariant 7);
 * and Backfill's books agree with the provider's to the cent (captured and refunded).
 */
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/client.ts';
import { collectPayments, type PaymentProviders } from '../src/modules/payments/payments.collector.ts';
import { moneyTarget, paidOf, priceOfUnits } from '../src/modules/payments/payments.models.ts';
import { readPaymentLines } from '../src/modules/payments/payments.repository.ts';
import { readyOf } from '../src/modules/payments/payments.usecases.ts';
import { ManualClock } from '../src/shared/clock.ts';
import { type FakeStripe, providersFor, startFakeStripe } from './support/fake-stripe.ts';
import { type StoreKeys, startTestApp, type TestApp } from './support/harness.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely
type Json = any;

const MODES = ['upfront', 'on_ship', 'deposit'] as const;
const clock = new ManualClock(new Date('2026-07-01T10:00:00Z'));
let t: TestApp;
let fake: FakeStripe;
let providers: PaymentProviders;

beforeAll(async () => {
  fake = await startFakeStripe();
  providers = providersFor(fake, 1000);
  t = await startTestApp({ clock, providers });
});
afterAll(async () => {
  await t.close();
  await fake.close();
});

type Step =
  | { kind: 'place'; sku: number; quantity: number; discount: number; other: number }
  | { kind: 'cancel'; order: number; partial: boolean }
  | { kind: 'restock'; sku: number; quantity: number }
  | { kind: 'ship'; order: number }
  | { kind: 'collect'; decline: boolean }
  | { kind: 'days'; days: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('place' as const),
      sku: fc.nat(2),
      quantity: fc.integer({ min: 1, max: 4 }),
      discount: fc.integer({ min: 0, max: 700 }),
      other: fc.integer({ min: -1, max: 2 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('cancel' as const), order: fc.nat(40), partial: fc.boolean() }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('restock' as const),
      sku: fc.nat(2),
      quantity: fc.integer({ min: 1, max: 5 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('ship' as const), order: fc.nat(40) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('collect' as const), decline: fc.boolean() }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('days' as const), days: fc.integer({ min: 1, max: 3 }) }),
  },
);

async function ok(method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, store: StoreKeys, body?: unknown) {
  const res = await t.request(method, url, { key: store.secretKey, body });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json();
}

/** What the provider holds for the store: captured and refunded, summed over its PaymentIntents. */
function providerBooks(storeId: string): { captured: number; refunded: number } {
  const intents = new Set(
    [...fake.paymentIntents.values()]
      .filter((pi: Json) => pi.metadata?.storeId === storeId)
      .map((pi: Json) => pi.id),
  );
  const captured = [...fake.paymentIntents.values()]
    .filter((pi: Json) => intents.has(pi.id))
    .reduce((sum, pi: Json) => sum + (pi.amount_received as number), 0);
  const refunded = [...fake.refunds.values()]
    .filter((r: Json) => intents.has(r.payment_intent))
    .reduce((sum, r: Json) => sum + (r.amount as number), 0);
  return { captured, refunded };
}

async function checkMoney(store: StoreKeys, collected: boolean): Promise<void> {
  const orders = await queryRows<{ id: string }>(
    t.app.deps.db,
    sql`SELECT id FROM orders WHERE store_id = ${store.id}`,
  );
  const lines = orders.length
    ? (
        await Promise.all(orders.map((o) => readPaymentLines(t.app.deps.db, store.id, { orderId: o.id })))
      ).flat()
    : [];
  for (const line of lines) {
    expect(line.refunded).toBeLessThanOrEqual(line.captured);
    // No unit ships unpaid.
    expect(paidOf(line)).toBeGreaterThanOrEqual(priceOfUnits(line, line.shipped));
    // Nothing is kept beyond what the line's units allow, once the collector has been through.
    if (collected) expect(paidOf(line)).toBeLessThanOrEqual(moneyTarget(line, readyOf(line)));
  }
  const pending = await queryRows<{ n: number }>(
    t.app.deps.db,
    sql`SELECT count(*)::int AS n FROM payment_attempts WHERE store_id = ${store.id} AND status = 'pending'`,
  );
  if (pending[0]!.n === 0) {
    const books = providerBooks(store.id);
    expect(lines.reduce((s, l) => s + l.captured, 0)).toBe(books.captured);
    expect(lines.reduce((s, l) => s + l.refunded, 0)).toBe(books.refunded);
  }
}

describe('payments property', () => {
  it('keeps the money rules and agrees with the provider after every step', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 5, maxLength: 30 }), async (steps) => {
        const store = await t.createStore();
        await ok('PATCH', '/v1/settings', store, { paymentProvider: 'stripe', depositPercent: 35.5 });
        for (const [i, mode] of MODES.entries()) {
          await ok('PUT', `/v1/variants/M-${i}`, store, {
            title: mode,
            price: 333 + i * 250,
            backorder: {
              mode: 'backorder',
              limit: null,
              payment: mode,
              expectedDate: i === 1 ? '2026-09-01' : null,
            },
          });
        }
        const orderIds: string[] = [];
        for (const step of steps) {
          let collected = false;
          if (step.kind === 'place') {
            const lines = [{ sku: `M-${step.sku}`, quantity: step.quantity }];
            if (step.other >= 0 && step.other !== step.sku)
              lines.push({ sku: `M-${step.other}`, quantity: 1 });
            const res = await t.request('POST', '/v1/orders', {
              key: store.secretKey,
              body: {
                lines,
                discount: step.discount,
                payment: { customerId: 'cus_p', paymentMethodId: 'pm_card_visa' },
              },
            });
            if (res.statusCode === 201) {
              orderIds.push(res.json().id);
              const view = await ok('GET', `/v1/orders/${res.json().id}/payments`, store);
              expect(view.lines.reduce((s: number, l: Json) => s + l.discount, 0)).toBe(step.discount);
            } else expect(res.json().code).toBe('discount_exceeds_total');
          } else if (step.kind === 'cancel' && orderIds.length > 0) {
            const id = orderIds[step.order % orderIds.length]!;
            const order = await ok('GET', `/v1/orders/${id}`, store);
            const line = order.lines.find((l: Json) => l.allocatedQuantity + l.backorderedQuantity > 0);
            if (line) {
              await ok(
                'POST',
                `/v1/orders/${id}/cancel`,
                store,
                step.partial ? { lines: [{ lineId: line.id, quantity: 1 }] } : {},
              );
            }
          } else if (step.kind === 'restock') {
            await ok('POST', '/v1/inventory/adjustments', store, {
              sku: `M-${step.sku}`,
              quantity: step.quantity,
              reason: 'restock',
            });
          } else if (step.kind === 'ship' && orderIds.length > 0) {
            const id = orderIds[step.order % orderIds.length]!;
            const order = await ok('GET', `/v1/orders/${id}`, store);
            const lines = order.lines
              .filter((l: Json) => l.allocatedQuantity > 0)
              .map((l: Json) => ({ lineId: l.id, quantity: l.allocatedQuantity }));
            if (lines.length > 0) {
              const res = await t.request('POST', `/v1/orders/${id}/shipments`, {
                key: store.secretKey,
                body: { lines },
              });
              if (res.statusCode !== 201) expect(res.json().code).toBe('payment_required');
            }
          } else if (step.kind === 'collect') {
            if (step.decline) fake.failNext('decline');
            await collectPayments(t.app.deps, providers, { storeIds: [store.id] });
            collected = !step.decline;
          } else if (step.kind === 'days') {
            clock.advance(step.days * 86_400_000);
          }
          await checkMoney(store, collected);
        }
      }),
      { numRuns: 12 },
    );
  });
});
