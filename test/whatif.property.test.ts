/**
 * The what-if ties to reality: for random queues (orders, then random cancellations), the
 * simulation's `filled` for N units in hand equals what a restock of N units then does. Both use
 * the core's one fill rule; this checks the SQL slices and offsets around it, on both engines.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StoreKeys, startTestApp, type TestApp, variant } from './support/harness.ts';

let t: TestApp;
let store: StoreKeys;
let run = 0;

beforeAll(async () => {
  t = await startTestApp();
  store = await t.createStore();
});
afterAll(() => t.close());

const scenario = fc.record({
  onHand: fc.nat(4),
  orders: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 6 }),
  cancels: fc.array(fc.nat(5), { maxLength: 2 }),
  restock: fc.integer({ min: 1, max: 30 }),
});

describe('what-if against a real restock', () => {
  it('fills exactly the lines, in the order and amounts, that the restock then fills', async () => {
    const key = store.secretKey;
    await fc.assert(
      fc.asyncProperty(scenario, async ({ onHand, orders, cancels, restock }) => {
        const sku = `WHATIF-${run++}`;
        await t.request('PUT', `/v1/variants/${sku}`, { key, body: variant('backorder') });
        if (onHand > 0) {
          await t.request('POST', '/v1/inventory/adjustments', {
            key,
            body: { sku, quantity: onHand, reason: 'restock' },
          });
        }
        const placed: string[] = [];
        for (const quantity of orders) {
          const res = await t.request('POST', '/v1/orders', { key, body: { lines: [{ sku, quantity }] } });
          expect(res.statusCode, res.body).toBe(201);
          placed.push(res.json().id);
        }
        for (const i of cancels) {
          await t.request('POST', `/v1/orders/${placed[i % placed.length]}/cancel`, { key, body: {} });
        }
        const simulated = await t.request('POST', '/v1/simulations/restock', {
          key,
          body: { sku, quantity: restock },
        });
        expect(simulated.statusCode, simulated.body).toBe(200);
        const real = await t.request('POST', '/v1/inventory/adjustments', {
          key,
          body: { sku, quantity: restock, reason: 'restock' },
        });
        expect(real.statusCode, real.body).toBe(201);
        const what = simulated.json();
        expect(
          what.filled.map(({ orderId, lineId, quantity }: Record<string, unknown>) => ({
            orderId,
            lineId,
            quantity,
          })),
        ).toEqual(real.json().filled);
        const used = real.json().filled.reduce((sum: number, f: { quantity: number }) => sum + f.quantity, 0);
        expect(what.putaway).toBe(restock - used);
      }),
      { numRuns: 100 },
    );
    // 100 real restocks and what-ifs: more than a minute on a loaded machine.
  }, 180_000);
});
