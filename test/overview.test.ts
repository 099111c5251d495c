/**
 * GET /v1/overview: each figure against a small store built by hand, where the answer is known.
 * The store is in New York, so "today" and "since midnight" are the store's, not UTC's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messages } from '../src/modules/messages/messages.tables.ts';
import { ManualClock } from '../src/shared/clock.ts';
import { OPERATOR_TOKEN, type StoreKeys, startTestApp, type TestApp, variant } from './support/harness.ts';

// 10:00 in New York on 2 March 2026.
const clock = new ManualClock(new Date('2026-03-02T15:00:00Z'));
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ clock });
});
afterAll(async () => {
  await t.close();
});

async function newStore(name: string, timezone = 'America/New_York'): Promise<StoreKeys> {
  const res = await t.request('POST', '/v1/stores', { key: OPERATOR_TOKEN, body: { name, timezone } });
  expect(res.statusCode, res.body).toBe(201);
  const body = res.json();
  return { id: body.store.id, secretKey: body.secretKey, publishableKey: body.publishableKey };
}

function caller(store: StoreKeys) {
  return async (method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, body?: unknown) => {
    const res = await t.request(method, url, { key: store.secretKey, body });
    expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
    return res.json();
  };
}

async function failedMessage(storeId: string, id: string, at: Date, state: 'failed' | 'sent' = 'failed') {
  await t.app.deps.db.insert(messages).values({
    id,
    storeId,
    dedupeKey: `test:${id}`,
    kind: 'order_confirmation',
    channel: 'email',
    recipient: 'x@example.com',
    transactional: true,
    state,
    giveUpAt: at,
    createdAt: at,
    updatedAt: at,
  });
}

describe('GET /v1/overview', () => {
  it('is all zeros for a new store, in its currency', async () => {
    const store = await newStore('Empty shop');
    const overview = await caller(store)('GET', '/v1/overview');
    expect(overview).toEqual({
      waitingUnits: 0,
      waitingOrders: 0,
      oldestWaitingSince: null,
      atRiskLines: 0,
      latePurchaseOrders: 0,
      prepaidHeld: { amount: 0, currency: 'USD' },
      messagesFailedToday: 0,
      filledToday: { units: 0, lines: 0 },
      asOf: clock.now().toISOString(),
    });
  });

  it('counts what waits, what is at risk, late supply, failures and fills of today only', async () => {
    clock.set(new Date('2026-03-02T15:00:00Z'));
    const store = await newStore('Hand-built shop');
    const call = caller(store);
    await call('PUT', '/v1/variants/JACKET', variant('backorder'));
    // The merchant expects the boots on 4 March: lines waiting for them are dated that day.
    await call(
      'PUT',
      '/v1/variants/BOOTS',
      variant('backorder', null, { backorder: { mode: 'backorder', expectedDate: '2026-03-04' } }),
    );
    await call('PUT', '/v1/variants/MUG', variant('deny'));
    await call('POST', '/v1/inventory/adjustments', { sku: 'MUG', quantity: 5, reason: 'restock' });
    const supplier = await call('POST', '/v1/suppliers', { name: 'Summit', leadTimeDays: 30 });
    // One PO due on 5 March (it will be late), one due on 20 March, one cancelled and due long ago.
    await call('POST', '/v1/purchase-orders', {
      supplierId: supplier.id,
      expectedDate: '2026-03-05',
      lines: [{ sku: 'JACKET', quantity: 2, unitCost: 100 }],
    });
    await call('POST', '/v1/purchase-orders', {
      supplierId: supplier.id,
      expectedDate: '2026-03-20',
      lines: [{ sku: 'JACKET', quantity: 10, unitCost: 100 }],
    });
    const cancelled = await call('POST', '/v1/purchase-orders', {
      supplierId: supplier.id,
      expectedDate: '2026-02-01',
      lines: [{ sku: 'JACKET', quantity: 1, unitCost: 100 }],
    });
    await call('POST', `/v1/purchase-orders/${cancelled.id}/cancel`);

    const first = await call('POST', '/v1/orders', {
      customer: { email: 'ada@example.com' },
      lines: [{ sku: 'JACKET', quantity: 2 }],
    });
    clock.advance(60_000);
    await call('POST', '/v1/orders', {
      customer: { email: 'bob@example.com' },
      lines: [{ sku: 'JACKET', quantity: 3 }],
    });
    await call('POST', '/v1/orders', {
      customer: { email: 'cy@example.com' },
      lines: [
        { sku: 'BOOTS', quantity: 1 },
        { sku: 'MUG', quantity: 1 },
      ],
    });
    // Fully allocated from stock: it does not wait.
    await call('POST', '/v1/orders', {
      customer: { email: 'di@example.com' },
      lines: [{ sku: 'MUG', quantity: 2 }],
    });
    // A fill on the first day (not today, later): Ada gets 1 of her 2 jackets.
    await call('POST', '/v1/inventory/adjustments', { sku: 'JACKET', quantity: 1, reason: 'restock' });

    // 7 March, 10:00 in New York. Messages given up at 23:00 on the 6th (store time) and 01:00 on the 7th.
    clock.set(new Date('2026-03-07T15:00:00Z'));
    await failedMessage(store.id, 'msg_overview_yesterday', new Date('2026-03-07T04:00:00Z'));
    await failedMessage(store.id, 'msg_overview_today', new Date('2026-03-07T06:00:00Z'));
    await failedMessage(store.id, 'msg_overview_sent', new Date('2026-03-07T07:00:00Z'), 'sent');
    // Today's fill: Ada's last jacket and one of Bob's three.
    await call('POST', '/v1/inventory/adjustments', { sku: 'JACKET', quantity: 2, reason: 'restock' });

    const overview = await call('GET', '/v1/overview');
    expect(overview).toEqual({
      // Bob's 2 jackets and Cy's boots.
      waitingUnits: 3,
      waitingOrders: 2,
      // Ada's order no longer waits: Bob's, placed a minute after it, is the oldest waiting.
      oldestWaitingSince: new Date(new Date(first.createdAt).getTime() + 60_000).toISOString(),
      // Cy's boots were promised by 4 March at the latest; Bob's jackets wait for the PO due 5 March.
      atRiskLines: 2,
      latePurchaseOrders: 1,
      prepaidHeld: { amount: 0, currency: 'USD' },
      messagesFailedToday: 1,
      filledToday: { units: 2, lines: 2 },
      asOf: '2026-03-07T15:00:00.000Z',
    });

    // The late PO arrives: nothing is late any more, and Bob's jackets are no longer at risk.
    const late = (await call('GET', '/v1/purchase-orders?status=ordered')).data.find(
      (po: { expectedDate: string }) => po.expectedDate === '2026-03-05',
    );
    await call('POST', `/v1/purchase-orders/${late.id}/receipts`, {
      lines: [{ sku: 'JACKET', quantity: 2 }],
    });
    const after = await call('GET', '/v1/overview');
    expect(after).toMatchObject({
      waitingUnits: 1,
      waitingOrders: 1,
      atRiskLines: 1,
      latePurchaseOrders: 0,
      // Bob's line was filled twice today: one line.
      filledToday: { units: 4, lines: 2 },
    });
  });

  it('counts money collected for units not shipped yet', async () => {
    clock.set(new Date('2026-03-02T15:00:00Z'));
    const store = await newStore('Paid shop', 'UTC');
    const call = caller(store);
    await call('PATCH', '/v1/settings', { paymentProvider: 'manual', paymentMode: 'upfront' });
    await call('PUT', '/v1/variants/LAMP', variant('backorder', null, { price: 2500 }));
    await call('POST', '/v1/inventory/adjustments', { sku: 'LAMP', quantity: 1, reason: 'restock' });
    const shipped = await call('POST', '/v1/orders', {
      customer: { email: 'a@example.com' },
      lines: [{ sku: 'LAMP', quantity: 1, unitPrice: 2500 }],
    });
    await call('POST', `/v1/orders/${shipped.id}/payments`, { amount: 2500 });
    await call('POST', `/v1/orders/${shipped.id}/shipments`, {
      lines: [{ lineId: shipped.lines[0].id, quantity: 1 }],
    });
    const waiting = await call('POST', '/v1/orders', {
      customer: { email: 'b@example.com' },
      lines: [{ sku: 'LAMP', quantity: 2, unitPrice: 2500 }],
    });
    await call('POST', `/v1/orders/${waiting.id}/payments`, { amount: 5000 });
    // Unpaid: nothing held for it.
    await call('POST', '/v1/orders', {
      customer: { email: 'c@example.com' },
      lines: [{ sku: 'LAMP', quantity: 1, unitPrice: 2500 }],
    });

    expect((await call('GET', '/v1/overview')).prepaidHeld).toEqual({ amount: 5000, currency: 'USD' });
    // A cancellation refunds it: the money is no longer held.
    await call('POST', `/v1/orders/${waiting.id}/cancel`, {});
    await call('POST', `/v1/orders/${waiting.id}/payments/collect`, {});
    expect((await call('GET', '/v1/overview')).prepaidHeld).toEqual({ amount: 0, currency: 'USD' });
  });

  it('answers read-only keys and refuses storefront keys', async () => {
    const store = await newStore('Keys shop');
    const readOnly = await caller(store)('POST', '/v1/keys', { name: 'console', scope: 'read-only' });
    const res = await t.request('GET', '/v1/overview', { key: readOnly.key });
    expect(res.statusCode, res.body).toBe(200);
    expect((await t.request('GET', '/v1/overview', { key: store.publishableKey })).statusCode).toBe(403);
    expect((await t.request('GET', '/v1/overview')).statusCode).toBe(401);
  });
});
