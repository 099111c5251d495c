/**
 * Suppliers, purchase orders and receiving, over HTTP: validation and refusals, the date history,
 * status transitions, receipts whose units go to the head of the queues (cross-dock) and to the
 * shelf, the pick list, and the promise dates the purchase orders give the waiting lines.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/shared/clock.ts';
import { type StoreKeys, startTestApp, type TestApp, variant } from './support/harness.ts';
import { expectProblem, readAll } from './support/state.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely
type Json = any;

let t: TestApp;
let store: StoreKeys;
let other: StoreKeys;
let key: string;
// The store is in UTC: "today" is 2026-03-01 for the promise engine.
const clock = new ManualClock(new Date('2026-03-01T10:00:00Z'));

beforeAll(async () => {
  t = await startTestApp({ clock });
  store = await t.createStore('Supply store');
  other = await t.createStore('Other store');
  key = store.secretKey;
});
afterAll(() => t.close());

async function ok(res: { statusCode: number; body: string }, status: number): Promise<Json> {
  if (res.statusCode !== status) throw new Error(`expected ${status}, got ${res.statusCode}: ${res.body}`);
  return JSON.parse(res.body);
}
const get = async (url: string) => ok(await t.request('GET', url, { key }), 200);
const post = (url: string, body?: unknown, headers?: Record<string, string>) =>
  t.request('POST', url, { key, body, ...(headers ? { headers } : {}) });
const patch = (url: string, body: unknown) => t.request('PATCH', url, { key, body });

const newVariant = async (sku: string, extra: Record<string, unknown> = {}) =>
  ok(await t.request('PUT', `/v1/variants/${sku}`, { key, body: variant('backorder', null, extra) }), 201);
const newSupplier = async (name = 'Acme', leadTimeDays = 30) =>
  ok(await post('/v1/suppliers', { name, leadTimeDays }), 201);
const newPurchaseOrder = async (body: Record<string, unknown>) =>
  ok(await post('/v1/purchase-orders', body), 201);
const place = async (sku: string, quantity: number, name?: string) =>
  ok(await post('/v1/orders', { customer: name ? { name } : {}, lines: [{ sku, quantity }] }), 201);
const lineOf = async (orderId: string) => (await get(`/v1/orders/${orderId}`)).lines[0];
const events = (type: string) => readAll(t, key, `/v1/events?type=${type}&order=asc`);

describe('suppliers', () => {
  it('are created, read, listed oldest first and changed', async () => {
    const a = await ok(
      await post('/v1/suppliers', { name: 'Northwind', email: 'po@northwind.example', leadTimeDays: 10 }),
      201,
    );
    expect(a).toMatchObject({ name: 'Northwind', email: 'po@northwind.example', leadTimeDays: 10 });
    expect(a.id).toMatch(/^sup_/);
    expect(await get(`/v1/suppliers/${a.id}`)).toEqual(a);
    const b = await newSupplier('Contoso', 0);
    expect(b.email).toBeNull();

    const first = await get('/v1/suppliers?limit=1');
    expect(first.data.map((s: Json) => s.id)).toEqual([a.id]);
    const second = await get(`/v1/suppliers?limit=1&cursor=${first.nextCursor}`);
    expect(second.data[0].id).toBe(b.id);

    const changed = await ok(
      await patch(`/v1/suppliers/${a.id}`, { email: null, name: 'Northwind Ltd' }),
      200,
    );
    expect(changed).toMatchObject({ id: a.id, name: 'Northwind Ltd', email: null, leadTimeDays: 10 });
    expect((await events('supplier.updated')).at(-1).data).toMatchObject({
      supplier: { id: a.id },
      changed: ['name', 'email'],
    });
    expect((await events('supplier.created')).map((e) => e.data.supplier.id)).toEqual([a.id, b.id]);
  });

  it('refuses bad fields and unknown ids', async () => {
    for (const body of [
      { name: 'X', leadTimeDays: 366 },
      { name: 'X', leadTimeDays: -1 },
      { name: 'X', leadTimeDays: 1.5 },
      { name: 'X', leadTimeDays: '3' },
      { leadTimeDays: 3 },
      { name: '', leadTimeDays: 3 },
      { name: 'X', leadTimeDays: 3, email: 'not-an-email' },
      { name: 'X', leadTimeDays: 3, rating: 5 },
    ]) {
      expectProblem(await post('/v1/suppliers', body), 422, 'validation_failed');
    }
    const s = await newSupplier('Valid');
    expectProblem(await patch(`/v1/suppliers/${s.id}`, {}), 422, 'validation_failed');
    expectProblem(await patch(`/v1/suppliers/${s.id}`, { leadTimeDays: 400 }), 422, 'validation_failed');
    expectProblem(await t.request('GET', '/v1/suppliers/sup_unknown0', { key }), 404, 'not_found');
    expectProblem(await patch('/v1/suppliers/sup_unknown0', { name: 'Y' }), 404, 'not_found');
  });
});

describe('purchase orders', () => {
  let supplier: Json;
  beforeAll(async () => {
    supplier = await newSupplier('PO supplier', 20);
    await newVariant('PO-A');
    await newVariant('PO-B');
  });

  it('are created ordered by default, with their lines and the first row of the date history', async () => {
    const po = await newPurchaseOrder({
      supplierId: supplier.id,
      reference: 'PO-1001',
      expectedDate: '2026-04-01',
      lines: [
        { sku: 'PO-A', quantity: 10, unitCost: 550 },
        { sku: 'PO-B', quantity: 4, unitCost: 0 },
      ],
    });
    expect(po).toMatchObject({
      supplierId: supplier.id,
      reference: 'PO-1001',
      status: 'ordered',
      expectedDate: '2026-04-01',
      lines: [
        { sku: 'PO-A', quantity: 10, receivedQuantity: 0, openQuantity: 10, unitCost: 550 },
        { sku: 'PO-B', quantity: 4, receivedQuantity: 0, openQuantity: 4, unitCost: 0 },
      ],
      dateHistory: [{ previousDate: null, expectedDate: '2026-04-01', reason: null }],
    });
    expect(po.id).toMatch(/^po_/);
    expect(po.lines[0].id).toMatch(/^pol_/);
    expect(await get(`/v1/purchase-orders/${po.id}`)).toEqual(po);
    expect((await events('purchase_order.created')).at(-1).data.purchaseOrder).toEqual(po);
  });

  it('refuses unknown SKUs and suppliers, repeated SKUs, bad dates and taken references, writing nothing', async () => {
    const count = async () => (await readAll(t, key, '/v1/purchase-orders')).length;
    const before = await count();
    const body = (over: Record<string, unknown>) => ({
      supplierId: supplier.id,
      expectedDate: '2026-04-01',
      lines: [{ sku: 'PO-A', quantity: 1, unitCost: 1 }],
      ...over,
    });
    const unknownSku = expectProblem(
      await post(
        '/v1/purchase-orders',
        body({
          lines: [
            { sku: 'PO-A', quantity: 1, unitCost: 1 },
            { sku: 'NOPE', quantity: 1, unitCost: 1 },
          ],
        }),
      ),
      422,
      'unknown_sku',
    );
    expect(unknownSku.errors).toEqual([{ path: '/lines/1/sku', message: expect.any(String) }]);
    const foreign = await ok(
      await t.request('POST', '/v1/suppliers', {
        key: other.secretKey,
        body: { name: 'B', leadTimeDays: 1 },
      }),
      201,
    );
    for (const supplierId of ['sup_unknown0', foreign.id]) {
      const p = expectProblem(
        await post('/v1/purchase-orders', body({ supplierId })),
        422,
        'unknown_supplier',
      );
      expect(p.errors[0].path).toBe('/supplierId');
    }
    const repeated = [
      { sku: 'PO-A', quantity: 1, unitCost: 1 },
      { sku: 'PO-A', quantity: 2, unitCost: 1 },
    ];
    expectProblem(await post('/v1/purchase-orders', body({ lines: repeated })), 422, 'validation_failed');
    for (const expectedDate of ['2026-02-30', '2026-4-01', 'tomorrow']) {
      expectProblem(await post('/v1/purchase-orders', body({ expectedDate })), 422, 'validation_failed');
    }
    for (const line of [
      { sku: 'PO-A', quantity: 0, unitCost: 1 },
      { sku: 'PO-A', quantity: 1, unitCost: -1 },
      { sku: 'PO-A', quantity: 1.5, unitCost: 1 },
    ]) {
      expectProblem(await post('/v1/purchase-orders', body({ lines: [line] })), 422, 'validation_failed');
    }
    expectProblem(await post('/v1/purchase-orders', body({ lines: [] })), 422, 'validation_failed');
    expectProblem(await post('/v1/purchase-orders', body({ status: 'received' })), 422, 'validation_failed');
    expectProblem(
      await post('/v1/purchase-orders', body({ reference: 'PO-1001' })),
      409,
      'duplicate_reference',
    );
    expect(await count()).toBe(before);
  });

  it('are listed newest first, by status, SKU and supplier', async () => {
    const other = await newSupplier('Second supplier', 5);
    const draft = await newPurchaseOrder({
      supplierId: other.id,
      status: 'draft',
      expectedDate: '2026-05-01',
      lines: [{ sku: 'PO-B', quantity: 1, unitCost: 1 }],
    });
    const all = await readAll(t, key, '/v1/purchase-orders');
    expect(all[0].id).toBe(draft.id);
    const page = await get('/v1/purchase-orders?limit=1');
    expect(page.data).toHaveLength(1);
    expect((await get(`/v1/purchase-orders?limit=1&cursor=${page.nextCursor}`)).data[0].id).toBe(all[1].id);
    expect((await get('/v1/purchase-orders?status=draft')).data.map((p: Json) => p.id)).toEqual([draft.id]);
    expect((await get(`/v1/purchase-orders?supplierId=${other.id}`)).data.map((p: Json) => p.id)).toEqual([
      draft.id,
    ]);
    const withA = (await get('/v1/purchase-orders?sku=PO-A')).data;
    expect(withA.length).toBeGreaterThan(0);
    expect(withA.every((p: Json) => p.lines.some((l: Json) => l.sku === 'PO-A'))).toBe(true);
    expect(withA.some((p: Json) => p.id === draft.id)).toBe(false);
    expectProblem(await t.request('GET', '/v1/purchase-orders?status=lost', { key }), 422);
  });

  it('keep every move of the expected date, with its reason', async () => {
    const po = await newPurchaseOrder({
      supplierId: supplier.id,
      expectedDate: '2026-04-10',
      lines: [{ sku: 'PO-A', quantity: 1, unitCost: 1 }],
    });
    clock.advance(60_000);
    await ok(
      await patch(`/v1/purchase-orders/${po.id}`, { expectedDate: '2026-04-20', reason: 'port strike' }),
      200,
    );
    await ok(await patch(`/v1/purchase-orders/${po.id}`, { expectedDate: '2026-04-20' }), 200); // not a move
    const moved = await ok(await patch(`/v1/purchase-orders/${po.id}`, { expectedDate: '2026-04-15' }), 200);
    expect(moved.expectedDate).toBe('2026-04-15');
    expect(moved.dateHistory).toMatchObject([
      { previousDate: null, expectedDate: '2026-04-10', reason: null },
      { previousDate: '2026-04-10', expectedDate: '2026-04-20', reason: 'port strike' },
      { previousDate: '2026-04-20', expectedDate: '2026-04-15', reason: null },
    ]);
    const updates = (await events('purchase_order.updated')).filter((e) => e.data.purchaseOrderId === po.id);
    expect(updates.map((e) => [e.data.previousDate, e.data.expectedDate])).toEqual([
      ['2026-04-10', '2026-04-20'],
      ['2026-04-20', '2026-04-15'],
    ]);
    const renamed = await ok(await patch(`/v1/purchase-orders/${po.id}`, { reference: 'PO-2002' }), 200);
    expect(renamed.reference).toBe('PO-2002');
    expectProblem(
      await patch(`/v1/purchase-orders/${po.id}`, { reference: 'PO-1001' }),
      409,
      'duplicate_reference',
    );
    expectProblem(
      await patch(`/v1/purchase-orders/${po.id}`, { reason: 'no date' }),
      422,
      'validation_failed',
    );
    expectProblem(await patch(`/v1/purchase-orders/${po.id}`, { expectedDate: '2026-13-01' }), 422);
    expectProblem(await patch('/v1/purchase-orders/po_unknown0', { reference: 'X' }), 404, 'not_found');
  });

  it('move draft → ordered → cancelled and refuse anything else', async () => {
    const po = await newPurchaseOrder({
      supplierId: supplier.id,
      status: 'draft',
      expectedDate: '2026-04-10',
      lines: [{ sku: 'PO-A', quantity: 3, unitCost: 1 }],
    });
    const receipt = { lines: [{ sku: 'PO-A', quantity: 1 }] };
    expect(
      expectProblem(await post(`/v1/purchase-orders/${po.id}/receipts`, receipt), 409, 'invalid_transition'),
    ).toMatchObject({ currentStatus: 'draft' });
    expect((await ok(await post(`/v1/purchase-orders/${po.id}/order`), 200)).status).toBe('ordered');
    const again = expectProblem(await post(`/v1/purchase-orders/${po.id}/order`), 409, 'invalid_transition');
    expect(again.currentStatus).toBe('ordered');
    expect((await ok(await post(`/v1/purchase-orders/${po.id}/cancel`, {}), 200)).status).toBe('cancelled');
    expect(
      expectProblem(await post(`/v1/purchase-orders/${po.id}/cancel`), 409, 'invalid_transition')
        .currentStatus,
    ).toBe('cancelled');
    expectProblem(await post(`/v1/purchase-orders/${po.id}/receipts`, receipt), 409, 'invalid_transition');
    const closed = expectProblem(
      await patch(`/v1/purchase-orders/${po.id}`, { expectedDate: '2026-05-01' }),
      409,
      'purchase_order_closed',
    );
    expect(closed.currentStatus).toBe('cancelled');
    expect((await events('purchase_order.ordered')).some((e) => e.data.purchaseOrderId === po.id)).toBe(true);
    const cancelled = (await events('purchase_order.cancelled')).find(
      (e) => e.data.purchaseOrderId === po.id,
    );
    expect(cancelled.data).toMatchObject({
      previousStatus: 'ordered',
      cancelledLines: [{ sku: 'PO-A', quantity: 3 }],
    });
  });
});

describe('receiving', () => {
  let po: Json;
  let orders: Json[];
  beforeAll(async () => {
    clock.set(new Date('2026-03-01T10:00:00Z'));
    const supplier = await newSupplier('Dock supplier', 7);
    await newVariant('RCV-A');
    await newVariant('RCV-B');
    orders = [
      await place('RCV-A', 2, 'Ada Lovelace'),
      await place('RCV-A', 3, '=HYPERLINK("http://evil","x"), "Bob"\nBrown'),
      await place('RCV-A', 1),
    ];
    po = await newPurchaseOrder({
      supplierId: supplier.id,
      reference: 'DOCK-1',
      expectedDate: '2026-03-05',
      lines: [
        { sku: 'RCV-A', quantity: 10, unitCost: 100 },
        { sku: 'RCV-B', quantity: 4, unitCost: 100 },
      ],
    });
  });
  const receive = (body: unknown, headers?: Record<string, string>) =>
    post(`/v1/purchase-orders/${po.id}/receipts`, body, headers);
  const lineIds = () => orders.map((o) => o.lines[0].id);

  let first: Json;
  it('sends received units to the head of the queue first (cross-dock) and the rest to the shelf', async () => {
    first = await ok(
      await receive({
        lines: [
          { sku: 'RCV-A', quantity: 4 },
          { sku: 'RCV-B', quantity: 1 },
        ],
      }),
      201,
    );
    expect(first).toMatchObject({
      purchaseOrderId: po.id,
      lines: [
        { sku: 'RCV-A', quantity: 4 },
        { sku: 'RCV-B', quantity: 1 },
      ],
      crossDock: [
        { orderId: orders[0].id, lineId: lineIds()[0], sku: 'RCV-A', quantity: 2 },
        { orderId: orders[1].id, lineId: lineIds()[1], sku: 'RCV-A', quantity: 2 },
      ],
      putaway: [{ sku: 'RCV-B', quantity: 1 }],
      expectedDate: '2026-03-05',
      receivedOn: '2026-03-01',
      lateDays: -4,
      purchaseOrder: {
        status: 'partially_received',
        lines: [
          { sku: 'RCV-A', receivedQuantity: 4, openQuantity: 6 },
          { sku: 'RCV-B', receivedQuantity: 1, openQuantity: 3 },
        ],
      },
    });
    expect(first.id).toMatch(/^rcp_/);
    expect(await get('/v1/inventory/RCV-A')).toMatchObject({ onHand: 4, allocated: 4, backordered: 2 });
    expect(await get('/v1/inventory/RCV-B')).toMatchObject({ onHand: 1, allocated: 0, available: 1 });
    const movements = await get('/v1/inventory/RCV-A/movements');
    expect(movements.data).toMatchObject([{ type: 'receipt', quantity: 4 }]);
    expect(await lineOf(orders[0].id)).toMatchObject({ allocatedQuantity: 2, backorderedQuantity: 0 });
    expect(await lineOf(orders[1].id)).toMatchObject({
      allocatedQuantity: 2,
      backorderedQuantity: 1,
      queuePosition: 1,
    });
    const received = (await events('purchase_order.received')).at(-1).data;
    expect(received).toMatchObject({
      receiptId: first.id,
      purchaseOrderId: po.id,
      crossDock: first.crossDock,
    });
    const allocated = (await events('order.line.allocated')).filter((e) => e.data.sku === 'RCV-A');
    expect(allocated.map((e) => [e.data.lineId, e.data.quantity])).toEqual([
      [lineIds()[0], 2],
      [lineIds()[1], 2],
    ]);
  });

  it('refuses SKUs not on the PO and over-receipts unless allowed, changing nothing', async () => {
    await newVariant('RCV-C');
    const notOnPo = expectProblem(
      await receive({ lines: [{ sku: 'RCV-C', quantity: 1 }] }),
      422,
      'sku_not_on_purchase_order',
    );
    expect(notOnPo.errors[0].path).toBe('/lines/0/sku');
    expectProblem(
      await receive({
        lines: [
          { sku: 'RCV-B', quantity: 1 },
          { sku: 'RCV-B', quantity: 1 },
        ],
      }),
      422,
      'validation_failed',
    );
    expectProblem(await receive({ lines: [{ sku: 'RCV-A', quantity: 0 }] }), 422, 'validation_failed');
    const over = expectProblem(
      await receive({ lines: [{ sku: 'RCV-A', quantity: 7 }] }),
      409,
      'over_receipt',
    );
    expect(over).toMatchObject({ sku: 'RCV-A', openQuantity: 6, requested: 7 });
    expect((await get(`/v1/purchase-orders/${po.id}`)).lines[0].receivedQuantity).toBe(4);
    expect(await get('/v1/inventory/RCV-A')).toMatchObject({ onHand: 4, backordered: 2 });

    clock.set(new Date('2026-03-08T10:00:00Z'));
    const body = { lines: [{ sku: 'RCV-A', quantity: 7 }], allowOverReceipt: true };
    const headers = { 'idempotency-key': 'receipt-over-1' };
    const second = await ok(await receive(body, headers), 201);
    expect(second).toMatchObject({
      crossDock: [
        { orderId: orders[1].id, sku: 'RCV-A', quantity: 1 },
        { orderId: orders[2].id, sku: 'RCV-A', quantity: 1 },
      ],
      putaway: [{ sku: 'RCV-A', quantity: 5 }],
      receivedOn: '2026-03-08',
      lateDays: 3,
      purchaseOrder: { status: 'partially_received', lines: [{ receivedQuantity: 11, openQuantity: 0 }, {}] },
    });
    // A retry with the same key replays the receipt and receives nothing more.
    const replay = await receive(body, headers);
    expect(replay.statusCode).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json()).toEqual(second);
    expectProblem(
      await receive({ ...body, allowOverReceipt: false }, headers),
      422,
      'idempotency_key_reused',
    );
    expect(await get('/v1/inventory/RCV-A')).toMatchObject({
      onHand: 11,
      allocated: 6,
      available: 5,
      backordered: 0,
    });

    const last = await ok(await receive({ lines: [{ sku: 'RCV-B', quantity: 3 }] }), 201);
    expect(last.purchaseOrder.status).toBe('received');
    expectProblem(await receive({ lines: [{ sku: 'RCV-B', quantity: 1 }] }), 409, 'invalid_transition');
    expectProblem(
      await patch(`/v1/purchase-orders/${po.id}`, { reference: 'X' }),
      409,
      'purchase_order_closed',
    );
    expectProblem(await post(`/v1/purchase-orders/${po.id}/cancel`), 409, 'invalid_transition');
    const listed = await get(`/v1/purchase-orders/${po.id}/receipts`);
    expect(listed.data.map((r: Json) => r.id)).toEqual([first.id, second.id, last.id]);
  });

  it('reads a receipt back as JSON and as a printable pick list', async () => {
    const { purchaseOrder: _after, ...stored } = first;
    expect(await get(`/v1/receipts/${first.id}`)).toEqual(stored);
    const res = await t.request('GET', `/v1/receipts/${first.id}?format=csv`, { key });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const [a, b] = [orders[0], orders[1]].sort((x, y) => (x.id < y.id ? -1 : 1));
    const name = (o: Json) =>
      o === orders[0] ? 'Ada Lovelace' : `"'=HYPERLINK(""http://evil"",""x""), ""Bob""\nBrown"`;
    expect(res.body).toBe(
      [
        'order_id,line_id,sku,quantity,customer_name',
        `${a.id},${a.lines[0].id},RCV-A,2,${name(a)}`,
        `${b.id},${b.lines[0].id},RCV-A,2,${name(b)}`,
        'SHELF,,RCV-B,1,',
        '',
      ].join('\r\n'),
    );
    expectProblem(await t.request('GET', `/v1/receipts/${first.id}?format=xml`, { key }), 422);
    expectProblem(await t.request('GET', '/v1/receipts/rcp_unknown0', { key }), 404, 'not_found');
  });

  it('prints the pick list as JSON grouped by outbound order, with numbers, customers and the shelf', async () => {
    const [a, b] = [orders[0], orders[1]].sort((x, y) => (x.id < y.id ? -1 : 1));
    const customer = (o: Json) => ({ name: o.customer.name ?? null, email: o.customer.email ?? null });
    expect(await get(`/v1/receipts/${first.id}/pick-list`)).toEqual({
      receiptId: first.id,
      purchaseOrderId: po.id,
      reference: 'DOCK-1',
      supplier: { id: po.supplierId, name: 'Dock supplier' },
      receivedOn: '2026-03-01',
      createdAt: first.createdAt,
      orders: [a, b].map((o) => ({
        orderId: o.id,
        number: o.number,
        customer: customer(o),
        units: 2,
        lines: [{ lineId: o.lines[0].id, sku: 'RCV-A', quantity: 2 }],
      })),
      shelf: [{ sku: 'RCV-B', quantity: 1 }],
      crossDockUnits: 4,
      shelfUnits: 1,
    });
    expectProblem(await t.request('GET', '/v1/receipts/rcp_unknown0/pick-list', { key }), 404, 'not_found');
    expectProblem(await t.request('GET', '/v1/receipts/nope/pick-list', { key }), 422);
  });
});

describe('promise dates from purchase orders', () => {
  it('date waiting lines by the PO, follow its moves, and fall back to the lead time when it is cancelled', async () => {
    clock.set(new Date('2026-03-01T10:00:00Z'));
    const supplier = await newSupplier('Slow supplier', 30);
    await newVariant('ETA-A', { supplierId: supplier.id });
    const order = await place('ETA-A', 2);
    const lineId = order.lines[0].id;
    const promise = async () => {
      const line = await lineOf(order.id);
      return [line.eta, line.etaLatest, line.etaSource];
    };
    const moves = async () =>
      (await events('backorder.eta_changed'))
        .filter((e) => e.data.lineId === lineId)
        .map((e) => [e.data.previousEta, e.data.eta]);
    expect(await promise()).toEqual(['2026-03-31', '2026-03-31', 'lead_time']);

    const po = await newPurchaseOrder({
      supplierId: supplier.id,
      expectedDate: '2026-03-10',
      lines: [{ sku: 'ETA-A', quantity: 5, unitCost: 1 }],
    });
    expect(await promise()).toEqual(['2026-03-10', '2026-03-10', 'purchase_order']);
    await ok(
      await patch(`/v1/purchase-orders/${po.id}`, { expectedDate: '2026-03-20', reason: 'late' }),
      200,
    );
    expect(await promise()).toEqual(['2026-03-20', '2026-03-20', 'purchase_order']);
    await ok(await post(`/v1/purchase-orders/${po.id}/cancel`), 200);
    expect(await promise()).toEqual(['2026-03-31', '2026-03-31', 'lead_time']);
    await ok(await patch(`/v1/suppliers/${supplier.id}`, { leadTimeDays: 21 }), 200);
    expect(await promise()).toEqual(['2026-03-22', '2026-03-22', 'lead_time']);

    // A draft is not supply until it is ordered.
    const draft = await newPurchaseOrder({
      supplierId: supplier.id,
      status: 'draft',
      expectedDate: '2026-03-05',
      lines: [{ sku: 'ETA-A', quantity: 2, unitCost: 1 }],
    });
    expect(await promise()).toEqual(['2026-03-22', '2026-03-22', 'lead_time']);
    await ok(await post(`/v1/purchase-orders/${draft.id}/order`), 200);
    expect(await promise()).toEqual(['2026-03-05', '2026-03-05', 'purchase_order']);
    expect(await moves()).toEqual([
      ['2026-03-31', '2026-03-10'],
      ['2026-03-10', '2026-03-20'],
      ['2026-03-20', '2026-03-31'],
      ['2026-03-31', '2026-03-22'],
      ['2026-03-22', '2026-03-05'],
    ]);

    // Receiving it serves the line from stock.
    await ok(
      await post(`/v1/purchase-orders/${draft.id}/receipts`, { lines: [{ sku: 'ETA-A', quantity: 2 }] }),
      201,
    );
    expect(await promise()).toEqual(['2026-03-01', '2026-03-01', 'stock']);
  });
});

describe('editing the lines of a purchase order', () => {
  it('replaces lines by SKU, re-dates the waiting lines and keeps what arrived', async () => {
    clock.set(new Date('2026-03-01T10:00:00Z'));
    const supplier = await newSupplier('Editable supplier', 30);
    await newVariant('ED-A', { supplierId: supplier.id });
    await newVariant('ED-B', { supplierId: supplier.id });
    await newVariant('ED-C', { supplierId: supplier.id });
    const order = await place('ED-A', 3);
    const po = await newPurchaseOrder({
      supplierId: supplier.id,
      expectedDate: '2026-03-10',
      lines: [
        { sku: 'ED-A', quantity: 2, unitCost: 100 },
        { sku: 'ED-B', quantity: 5, unitCost: 50 },
      ],
    });
    // 2 of the 3 waiting units are covered by the PO: the line waits for the lead time.
    expect((await lineOf(order.id)).eta).toBe('2026-03-31');

    const edited = await ok(
      await patch(`/v1/purchase-orders/${po.id}`, {
        lines: [
          { sku: 'ED-A', quantity: 6, unitCost: 90 },
          { sku: 'ED-C', quantity: 1, unitCost: 10 },
        ],
      }),
      200,
    );
    expect(edited.lines).toMatchObject([
      { id: po.lines[0].id, sku: 'ED-A', quantity: 6, receivedQuantity: 0, unitCost: 90 },
      { sku: 'ED-C', quantity: 1, receivedQuantity: 0, unitCost: 10 },
    ]);
    expect(edited.status).toBe('ordered');
    expect((await lineOf(order.id)).eta).toBe('2026-03-10');
    const update = (await events('purchase_order.updated')).find((e) => e.data.purchaseOrderId === po.id);
    expect(update.data).toMatchObject({
      previousLines: [
        { sku: 'ED-A', quantity: 2, unitCost: 100 },
        { sku: 'ED-B', quantity: 5, unitCost: 50 },
      ],
      lines: [
        { sku: 'ED-A', quantity: 6, unitCost: 90 },
        { sku: 'ED-C', quantity: 1, unitCost: 10 },
      ],
    });

    await ok(
      await post(`/v1/purchase-orders/${po.id}/receipts`, { lines: [{ sku: 'ED-A', quantity: 4 }] }),
      201,
    );
    const before = await get(`/v1/purchase-orders/${po.id}`);
    expect(before.status).toBe('partially_received');
    const cut = expectProblem(
      await patch(`/v1/purchase-orders/${po.id}`, { lines: [{ sku: 'ED-A', quantity: 3, unitCost: 90 }] }),
      409,
      'below_received',
    );
    expect(cut).toMatchObject({ sku: 'ED-A', received: 4, requested: 3 });
    expectProblem(
      await patch(`/v1/purchase-orders/${po.id}`, { lines: [{ sku: 'ED-C', quantity: 1, unitCost: 10 }] }),
      409,
      'below_received',
    );
    expectProblem(
      await patch(`/v1/purchase-orders/${po.id}`, {
        lines: [
          { sku: 'ED-A', quantity: 4, unitCost: 90 },
          { sku: 'NO-SUCH', quantity: 1, unitCost: 1 },
        ],
      }),
      422,
      'unknown_sku',
    );
    expectProblem(
      await patch(`/v1/purchase-orders/${po.id}`, {
        lines: [
          { sku: 'ED-A', quantity: 4, unitCost: 90 },
          { sku: 'ED-A', quantity: 5, unitCost: 90 },
        ],
      }),
      422,
      'validation_failed',
    );
    expect(await get(`/v1/purchase-orders/${po.id}`)).toEqual(before);

    // Cutting what is still to come to what arrived completes the order.
    const done = await ok(
      await patch(`/v1/purchase-orders/${po.id}`, { lines: [{ sku: 'ED-A', quantity: 4, unitCost: 90 }] }),
      200,
    );
    expect(done.status).toBe('received');
    expect(done.lines).toMatchObject([{ sku: 'ED-A', quantity: 4, receivedQuantity: 4, openQuantity: 0 }]);
    expectProblem(
      await patch(`/v1/purchase-orders/${po.id}`, { lines: [{ sku: 'ED-A', quantity: 5, unitCost: 90 }] }),
      409,
      'purchase_order_closed',
    );
  });
});

describe('another store', () => {
  it('gets 404 on every supply id', async () => {
    const supplier = await newSupplier('Private supplier', 3);
    await newVariant('ISO-SUP');
    const po = await newPurchaseOrder({
      supplierId: supplier.id,
      expectedDate: '2026-06-01',
      lines: [{ sku: 'ISO-SUP', quantity: 2, unitCost: 1 }],
    });
    const receipt = await ok(
      await post(`/v1/purchase-orders/${po.id}/receipts`, { lines: [{ sku: 'ISO-SUP', quantity: 1 }] }),
      201,
    );
    const foreign = other.secretKey;
    const requests: [method: 'GET' | 'POST' | 'PATCH', url: string, body?: unknown][] = [
      ['GET', `/v1/suppliers/${supplier.id}`],
      ['PATCH', `/v1/suppliers/${supplier.id}`, { leadTimeDays: 1 }],
      ['GET', `/v1/purchase-orders/${po.id}`],
      ['PATCH', `/v1/purchase-orders/${po.id}`, { expectedDate: '2026-07-01' }],
      ['POST', `/v1/purchase-orders/${po.id}/order`],
      ['POST', `/v1/purchase-orders/${po.id}/cancel`],
      ['POST', `/v1/purchase-orders/${po.id}/receipts`, { lines: [{ sku: 'ISO-SUP', quantity: 1 }] }],
      ['GET', `/v1/purchase-orders/${po.id}/receipts`],
      ['GET', `/v1/receipts/${receipt.id}`],
      ['GET', `/v1/receipts/${receipt.id}?format=csv`],
      ['GET', `/v1/receipts/${receipt.id}/pick-list`],
    ];
    for (const [method, url, body] of requests) {
      expectProblem(await t.request(method, url, { key: foreign, body }), 404, 'not_found');
    }
    for (const list of ['/v1/suppliers', '/v1/purchase-orders']) {
      const ids = (await readAll(t, foreign, list)).map((x) => x.id);
      expect(ids).not.toContain(supplier.id);
      expect(ids).not.toContain(po.id);
    }
    expect(await get(`/v1/purchase-orders/${po.id}`)).toMatchObject({
      status: 'partially_received',
      expectedDate: '2026-06-01',
    });
    expectProblem(await t.request('GET', `/v1/purchase-orders/${po.id}`, { key: store.publishableKey }), 403);
  });
});
