/** Smaller details of API.md: system endpoints, lists, statuses, refusals that write nothing, events, dates, rate limits. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR_TOKEN, type StoreKeys, startTestApp, type TestApp, variant } from './support/harness.ts';
import { expectProblem, readAll, snapshot } from './support/state.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely
type Json = any;

let t: TestApp;
let store: StoreKeys;
let key: string;

beforeAll(async () => {
  t = await startTestApp();
  store = await t.createStore('Contract store', 'USD');
  key = store.secretKey;
});
afterAll(() => t.close());

async function put(sku: string, body: Record<string, unknown>) {
  const res = await t.request('PUT', `/v1/variants/${sku}`, { key, body });
  if (res.statusCode !== 201 && res.statusCode !== 200)
    throw new Error(`PUT ${sku}: ${res.statusCode} ${res.body}`);
  return res.json();
}
async function adjust(sku: string, quantity: number) {
  const res = await t.request('POST', '/v1/inventory/adjustments', {
    key,
    body: { sku, quantity, reason: 'restock' },
  });
  if (res.statusCode !== 201) throw new Error(`adjust ${sku}: ${res.statusCode} ${res.body}`);
  return res.json();
}
async function place(
  lines: { sku: string; quantity: number }[],
  extra: Record<string, unknown> = {},
): Promise<Json> {
  const res = await t.request('POST', '/v1/orders', {
    key,
    body: { customer: { email: 'c@example.com' }, lines, ...extra },
  });
  if (res.statusCode !== 201) throw new Error(`order: ${res.statusCode} ${res.body}`);
  return res.json();
}
async function ship(order: Json, lines: [number, number][]) {
  const res = await t.request('POST', `/v1/orders/${order.id}/shipments`, {
    key,
    body: { lines: lines.map(([i, quantity]) => ({ lineId: order.lines[i].id, quantity })) },
  });
  if (res.statusCode !== 201) throw new Error(`ship: ${res.statusCode} ${res.body}`);
  return res.json();
}
async function cancel(order: Json, body?: Record<string, unknown>) {
  return t.request('POST', `/v1/orders/${order.id}/cancel`, { key, body });
}
const getOrder = async (id: string) => (await t.request('GET', `/v1/orders/${id}`, { key })).json();

describe('system endpoints', () => {
  it('GET /health → 200 {status: ok}', async () => {
    const res = await t.request('GET', '/health');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('GET /docs → HTML', async () => {
    const res = await t.request('GET', '/docs');
    expect(res.statusCode).toBe(200);
    expect(String(res.headers['content-type'])).toMatch(/^text\/html/);
    expect(res.body.toLowerCase()).toContain('<html');
  });

  it('GET /metrics → Prometheus text with request counters (operator token)', async () => {
    await t.request('GET', '/health');
    const res = await t.request('GET', '/metrics', { key: OPERATOR_TOKEN });
    expect(res.statusCode).toBe(200);
    expect(String(res.headers['content-type'])).toMatch(/^text\/plain/);
    expect(res.body).toMatch(/^# HELP /m);
    expect(res.body).toMatch(/^# TYPE backfill_http_requests_total counter$/m);
    expect(res.body).toMatch(/^backfill_http_requests_total\{[^}]*route="\/health"[^}]*\} \d+/m);
    expect(res.body).toMatch(/^backfill_messages_relay_backlog \d+$/m);
    expect(res.body).toMatch(/^backfill_messages_due \d+$/m);
  });

  describe('GET /openapi.json', () => {
    let doc: Json;
    beforeAll(async () => {
      const res = await t.request('GET', '/openapi.json');
      expect(res.statusCode).toBe(200);
      doc = res.json();
    });
    const routes: [method: string, path: string, body: boolean][] = [
      ['post', '/v1/stores', true],
      ['put', '/v1/variants/{sku}', true],
      ['patch', '/v1/variants/{sku}', true],
      ['post', '/v1/variants/batch', true],
      ['get', '/v1/variants/{sku}', false],
      ['get', '/v1/variants', false],
      ['post', '/v1/inventory/adjustments', true],
      ['post', '/v1/inventory/adjustments/batch', true],
      ['get', '/v1/inventory', false],
      ['get', '/v1/inventory/{sku}', false],
      ['get', '/v1/inventory/{sku}/movements', false],
      ['post', '/v1/orders', true],
      ['get', '/v1/orders', false],
      ['get', '/v1/orders/{id}', false],
      ['post', '/v1/orders/{id}/cancel', true],
      ['get', '/v1/backorders', false],
      ['post', '/v1/orders/{id}/shipments', true],
      ['get', '/v1/shipments/{id}', false],
      ['get', '/v1/storefront/availability', false],
      ['get', '/v1/events', false],
    ];

    it('is OpenAPI 3.1', () => {
      expect(doc.openapi).toMatch(/^3\.1\./);
      expect(doc.info.title).toEqual(expect.any(String));
    });

    it.each(routes)('documents %s %s with request and response schemas', (method, path, body) => {
      const op = doc.paths?.[path]?.[method];
      expect(op, `${method} ${path}`).toBeDefined();
      if (body) expect(op.requestBody?.content?.['application/json']?.schema).toBeDefined();
      const statuses = Object.keys(op.responses);
      const ok = statuses.filter((s) => s.startsWith('2'));
      expect(ok.length).toBeGreaterThan(0);
      for (const s of ok) expect(Object.values(op.responses[s].content ?? {})[0]).toHaveProperty('schema');
      const problems = statuses.filter((s) => s.startsWith('4'));
      expect(problems.length).toBeGreaterThan(0);
      for (const s of problems) {
        const media = Object.values(op.responses[s].content ?? {})[0] as Json;
        expect(media?.schema?.properties?.code, `${method} ${path} ${s}`).toBeDefined();
      }
    });

    it('documents problem responses as application/problem+json (what the server sends)', () => {
      for (const [method, path] of routes) {
        const op = doc.paths[path][method];
        for (const s of Object.keys(op.responses).filter((x) => x.startsWith('4'))) {
          expect(Object.keys(op.responses[s].content ?? {}), `${method} ${path} ${s}`).toContain(
            'application/problem+json',
          );
        }
      }
    });
  });
});

describe('list pagination', () => {
  let p: StoreKeys;
  let pk: string;
  const pages = async (path: string, limit: number) => {
    const all: Json[] = [];
    let cursor: string | null = null;
    let n = 0;
    do {
      const sep = path.includes('?') ? '&' : '?';
      const res = await t.request('GET', `${path}${sep}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, {
        key: pk,
      });
      expect(res.statusCode, res.body).toBe(200);
      const page = res.json();
      expect(page.data.length).toBeLessThanOrEqual(limit);
      all.push(...page.data);
      cursor = page.nextCursor;
      n++;
    } while (cursor !== null && n < 100);
    expect(cursor).toBeNull();
    return { all, n };
  };
  const orderIds: string[] = [];

  beforeAll(async () => {
    p = await t.createStore('Paging store');
    pk = p.secretKey;
    for (const sku of ['PG-C', 'PG-A', 'PG-E', 'PG-B', 'PG-D']) {
      await t.request('PUT', `/v1/variants/${sku}`, { key: pk, body: variant('backorder') });
    }
    for (let i = 0; i < 5; i++) {
      await t.request('POST', '/v1/inventory/adjustments', {
        key: pk,
        body: { sku: 'PG-A', quantity: 1, reason: 'restock' },
      });
    }
    for (let i = 0; i < 7; i++) {
      const res = await t.request('POST', '/v1/orders', {
        key: pk,
        body: { customer: { name: `c${i}` }, lines: [{ sku: 'PG-B', quantity: 1 }] },
      });
      orderIds.push(res.json().id);
    }
  });

  it('/v1/orders: newest first, every order once, nextCursor null at the end', async () => {
    const { all, n } = await pages('/v1/orders', 3);
    expect(n).toBe(3);
    expect(all.map((o) => o.id)).toEqual([...orderIds].reverse());
    const one = (await t.request('GET', '/v1/orders?limit=500', { key: pk })).json();
    expect(one.nextCursor).toBeNull();
    expect(one.data).toHaveLength(7);
    const def = (await t.request('GET', '/v1/orders', { key: pk })).json();
    expect(def.data).toHaveLength(7);
  });

  it('/v1/variants: by SKU', async () => {
    const { all } = await pages('/v1/variants', 2);
    expect(all.map((v) => v.sku)).toEqual(['PG-A', 'PG-B', 'PG-C', 'PG-D', 'PG-E']);
  });

  it('/v1/events: newest first by default, each once', async () => {
    const full = await readAll(t, pk, '/v1/events');
    const { all } = await pages('/v1/events', 4);
    expect(all.map((e) => e.id)).toEqual(full.map((e) => e.id));
    expect(new Set(all.map((e) => e.id)).size).toBe(all.length);
    expect(all[0].type).toBe('order.line.backordered');
    expect(all[all.length - 1].type).toBe('variant.created');
  });

  it('/v1/backorders: queue order', async () => {
    const { all } = await pages('/v1/backorders?sku=PG-B', 2);
    expect(all.map((b) => b.orderId)).toEqual(orderIds);
    expect(all.map((b) => b.position)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const everything = await pages('/v1/backorders', 3);
    expect(everything.all.map((b) => b.orderId)).toEqual(orderIds);
  });

  it('movements: oldest first', async () => {
    const { all } = await pages('/v1/inventory/PG-A/movements', 2);
    expect(all).toHaveLength(5);
    expect(all.map((m) => m.quantity)).toEqual([1, 1, 1, 1, 1]);
    const times = all.map((m) => m.createdAt);
    expect([...times].sort()).toEqual(times);
  });

  it.each(['/v1/orders', '/v1/variants', '/v1/events', '/v1/backorders', '/v1/inventory/PG-A/movements'])(
    '%s refuses limit > 500, limit 0 and bad cursors',
    async (path) => {
      expectProblem(await t.request('GET', `${path}?limit=501`, { key: pk }), 422);
      expectProblem(await t.request('GET', `${path}?limit=0`, { key: pk }), 422);
      expect((await t.request('GET', `${path}?limit=500`, { key: pk })).statusCode).toBe(200);
      for (const cursor of ['garbage', 'not%20a%20cursor', Buffer.from('v1:abc').toString('base64url')]) {
        const res = await t.request('GET', `${path}?cursor=${cursor}`, { key: pk });
        expect(res.statusCode, `${path} cursor=${cursor}`).toBeGreaterThanOrEqual(400);
        expect(res.statusCode).toBeLessThan(500);
        expectProblem(res, res.statusCode);
      }
    },
  );

  it('an unknown SKU on /v1/backorders is an empty list', async () => {
    const res = await t.request('GET', '/v1/backorders?sku=NO-SUCH-SKU', { key: pk });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ data: [], nextCursor: null });
  });
});

describe('order status derivation', () => {
  beforeAll(async () => {
    await put('ST-1', variant('backorder'));
    await put('ST-2', variant('backorder'));
    await adjust('ST-1', 100);
    await adjust('ST-2', 100);
    await put('ST-W', variant('backorder'));
  });

  it('backordered while any unit waits', async () => {
    const o = await place([
      { sku: 'ST-1', quantity: 1 },
      { sku: 'ST-W', quantity: 1 },
    ]);
    expect(o.status).toBe('backordered');
    expect(o.lines.map((l: Json) => l.status)).toEqual(['allocated', 'backordered']);
  });

  it('allocated, then still allocated after a partial shipment, then fulfilled', async () => {
    const o = await place([
      { sku: 'ST-1', quantity: 2 },
      { sku: 'ST-2', quantity: 1 },
    ]);
    expect(o.status).toBe('allocated');
    await ship(o, [[0, 2]]);
    const mid = await getOrder(o.id);
    expect(mid.status).toBe('allocated');
    expect(mid.lines.map((l: Json) => l.status)).toEqual(['shipped', 'allocated']);
    await ship(o, [[1, 1]]);
    const done = await getOrder(o.id);
    expect(done.status).toBe('fulfilled');
    expect(done.lines.map((l: Json) => l.status)).toEqual(['shipped', 'shipped']);
  });

  it('cancelled when everything was cancelled', async () => {
    const o = await place([
      { sku: 'ST-1', quantity: 2 },
      { sku: 'ST-W', quantity: 1 },
    ]);
    const res = await cancel(o);
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe('cancelled');
    expect(res.json().lines.map((l: Json) => l.status)).toEqual(['cancelled', 'cancelled']);
  });

  it('partially_shipped when it ended with some units shipped and some cancelled', async () => {
    const o = await place([{ sku: 'ST-1', quantity: 3 }]);
    await ship(o, [[0, 1]]);
    const res = await cancel(o);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.status).toBe('partially_shipped');
    expect(body.lines[0]).toMatchObject({ shippedQuantity: 1, cancelledQuantity: 2, status: 'shipped' });
    // Two lines: one shipped in full, one cancelled in full.
    const two = await place([
      { sku: 'ST-1', quantity: 1 },
      { sku: 'ST-2', quantity: 1 },
    ]);
    await ship(two, [[0, 1]]);
    const after = (await cancel(two)).json();
    expect(after.status).toBe('partially_shipped');
    expect(after.lines.map((l: Json) => l.status)).toEqual(['shipped', 'cancelled']);
    expect(
      (await t.request('GET', '/v1/orders?status=partially_shipped', { key }))
        .json()
        .data.map((x: Json) => x.id),
    ).toEqual([two.id, o.id]);
  });
});

describe('refusals change nothing', () => {
  beforeAll(async () => {
    await put('RF-DENY', variant('deny'));
    await put('RF-BO', variant('backorder', 2));
    await put('RF-OK', variant('backorder'));
    await adjust('RF-DENY', 3);
    await adjust('RF-OK', 10);
  });
  const skus = ['RF-DENY', 'RF-BO', 'RF-OK'];

  it('a repeated externalId → 409 duplicate_external_id', async () => {
    await place([{ sku: 'RF-OK', quantity: 1 }], { externalId: 'ext-1' });
    const before = await snapshot(t, key, skus);
    const res = await t.request('POST', '/v1/orders', {
      key,
      body: { externalId: 'ext-1', customer: {}, lines: [{ sku: 'RF-OK', quantity: 1 }] },
    });
    expectProblem(res, 409, 'duplicate_external_id');
    expect(await snapshot(t, key, skus)).toEqual(before);
  });

  it("a currency other than the store's → 422 currency_mismatch", async () => {
    const before = await snapshot(t, key, skus);
    const res = await t.request('POST', '/v1/orders', {
      key,
      body: { currency: 'EUR', customer: {}, lines: [{ sku: 'RF-OK', quantity: 1 }] },
    });
    expectProblem(res, 422, 'currency_mismatch');
    expect(await snapshot(t, key, skus)).toEqual(before);
    const usd = await place([{ sku: 'RF-OK', quantity: 1 }], { currency: 'USD' });
    expect(usd.currency).toBe('USD');
    const dflt = await place([{ sku: 'RF-OK', quantity: 1 }]);
    expect(dflt.currency).toBe('USD');
  });

  it('deny mode without enough stock → 409 insufficient_stock with sku, available, backorderRemaining', async () => {
    const before = await snapshot(t, key, skus);
    const res = await t.request('POST', '/v1/orders', {
      key,
      body: {
        customer: {},
        lines: [
          { sku: 'RF-OK', quantity: 2 },
          { sku: 'RF-DENY', quantity: 4 },
        ],
      },
    });
    const body = expectProblem(res, 409, 'insufficient_stock');
    expect(body).toMatchObject({ sku: 'RF-DENY', available: 3, backorderRemaining: 0 });
    // Mode deny: the item is not backorderable at all; no cap was hit.
    expect(body.detail).toBe('SKU "RF-DENY" has 3 available; this item cannot be backordered');
    expect(await snapshot(t, key, skus)).toEqual(before);
  });

  it('over the backorder limit → 409 insufficient_stock naming the first line that fails', async () => {
    const before = await snapshot(t, key, skus);
    const res = await t.request('POST', '/v1/orders', {
      key,
      body: {
        customer: {},
        lines: [
          { sku: 'RF-BO', quantity: 3 },
          { sku: 'RF-DENY', quantity: 9 },
        ],
      },
    });
    const body = expectProblem(res, 409, 'insufficient_stock');
    expect(body).toMatchObject({ sku: 'RF-BO', available: 0, backorderRemaining: 2 });
    expect(body.detail).toBe('SKU "RF-BO" has 0 available and its backorder limit lets only 2 more wait');
    expect(await snapshot(t, key, skus)).toEqual(before);
  });

  it('a full backorder limit is named as such', async () => {
    const waiting = await place([{ sku: 'RF-BO', quantity: 2 }]);
    const full = await t.request('POST', '/v1/orders', {
      key,
      body: { customer: {}, lines: [{ sku: 'RF-BO', quantity: 1 }] },
    });
    expect(expectProblem(full, 409, 'insufficient_stock')).toMatchObject({
      sku: 'RF-BO',
      available: 0,
      backorderRemaining: 0,
      detail: 'SKU "RF-BO" has 0 available and its backorder limit is reached: no more units may wait',
    });
    expect((await cancel(waiting)).statusCode).toBe(200);
  });

  it('a negative adjustment below zero on hand → 409 insufficient_stock; below allocated it takes units back', async () => {
    const order = await place([{ sku: 'RF-DENY', quantity: 2 }]);
    const before = await snapshot(t, key, skus);
    const res = await t.request('POST', '/v1/inventory/adjustments', {
      key,
      body: { sku: 'RF-DENY', quantity: -4, reason: 'damage' },
    });
    expect(expectProblem(res, 409, 'insufficient_stock').detail).toBe(
      'SKU "RF-DENY" has 3 on hand; 4 cannot be removed',
    );
    expect(await snapshot(t, key, skus)).toEqual(before);
    const okRes = await t.request('POST', '/v1/inventory/adjustments', {
      key,
      body: { sku: 'RF-DENY', quantity: -2, reason: 'damage' },
    });
    expect(okRes.statusCode).toBe(201);
    expect(okRes.json().level).toMatchObject({ onHand: 1, allocated: 1, available: 0, backordered: 1 });
    expect(okRes.json().requeued).toEqual([{ orderId: order.id, lineId: order.lines[0].id, quantity: 1 }]);
  });

  it('cancelling more than the unshipped units → 409 already_shipped, all or nothing', async () => {
    const o = await place([
      { sku: 'RF-OK', quantity: 2 },
      { sku: 'RF-OK', quantity: 2 },
    ]);
    await ship(o, [[1, 1]]);
    const before = await snapshot(t, key, skus);
    const res = await cancel(o, {
      lines: [
        { lineId: o.lines[0].id, quantity: 1 },
        { lineId: o.lines[1].id, quantity: 2 },
      ],
    });
    expectProblem(res, 409, 'already_shipped');
    expect(await snapshot(t, key, skus)).toEqual(before);
  });

  it('cancelling an order with nothing left → 200, no change, no event', async () => {
    const o = await place([{ sku: 'RF-OK', quantity: 1 }]);
    expect((await cancel(o)).statusCode).toBe(200);
    const before = await snapshot(t, key, skus);
    const again = await cancel(o);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(await getOrder(o.id));
    expect(again.json().status).toBe('cancelled');
    const withLines = await cancel(o, { lines: [{ lineId: o.lines[0].id, quantity: 1 }] });
    expectProblem(withLines, 409, 'already_shipped');
    expect(await snapshot(t, key, skus)).toEqual(before);
  });

  it('shipping more than allocated → 409 not_allocated, nothing ships', async () => {
    await put('RF-W', variant('backorder'));
    const o = await place([
      { sku: 'RF-OK', quantity: 1 },
      { sku: 'RF-W', quantity: 1 },
    ]);
    const before = await snapshot(t, key, [...skus, 'RF-W']);
    const res = await t.request('POST', `/v1/orders/${o.id}/shipments`, {
      key,
      body: {
        lines: [
          { lineId: o.lines[0].id, quantity: 1 },
          { lineId: o.lines[1].id, quantity: 1 },
        ],
      },
    });
    expectProblem(res, 409, 'not_allocated');
    const tooMany = await t.request('POST', `/v1/orders/${o.id}/shipments`, {
      key,
      body: { lines: [{ lineId: o.lines[0].id, quantity: 2 }] },
    });
    expectProblem(tooMany, 409, 'not_allocated');
    expect(await snapshot(t, key, [...skus, 'RF-W'])).toEqual(before);
  });
});

describe('events', () => {
  const newest = async () => (await t.request('GET', '/v1/events?limit=1', { key })).json().data[0]?.id;
  /** Types of the events written since `since` (an event id), oldest first. */
  async function since(id: string | undefined): Promise<string[]> {
    const all = await readAll(t, key, '/v1/events?order=asc');
    const at = id === undefined ? -1 : all.findIndex((e) => e.id === id);
    return all.slice(at + 1).map((e) => e.type);
  }

  it('each change writes its events', async () => {
    await put('EV-1', variant('backorder'));
    await adjust('EV-1', 1);

    let mark = await newest();
    const o = await place([{ sku: 'EV-1', quantity: 3 }]);
    expect((await since(mark)).sort()).toEqual([
      'order.line.allocated',
      'order.line.backordered',
      'order.placed',
    ]);

    mark = await newest();
    const fill = await adjust('EV-1', 1);
    expect(fill.filled).toEqual([{ orderId: o.id, lineId: o.lines[0].id, quantity: 1 }]);
    expect((await since(mark)).sort()).toEqual(['inventory.adjusted', 'order.line.allocated']);

    mark = await newest();
    await ship(o, [[0, 2]]);
    expect(await since(mark)).toEqual(['shipment.created']);

    mark = await newest();
    expect((await cancel(o)).statusCode).toBe(200);
    expect(await since(mark)).toEqual(['order.cancelled']);

    mark = await newest();
    expect((await cancel(o)).statusCode).toBe(200);
    expect(await since(mark)).toEqual([]);

    const byType = (await t.request('GET', '/v1/events?type=shipment.created', { key })).json().data;
    expect(byType.length).toBeGreaterThan(0);
    expect(byType.every((e: Json) => e.type === 'shipment.created')).toBe(true);
  });

  it('cancelling allocated units that go to the next in line writes order.cancelled and order.line.allocated', async () => {
    await put('EV-2', variant('backorder'));
    await adjust('EV-2', 1);
    const first = await place([{ sku: 'EV-2', quantity: 1 }]);
    const second = await place([{ sku: 'EV-2', quantity: 1 }]);
    const mark = await newest();
    await cancel(first);
    expect((await since(mark)).sort()).toEqual(['order.cancelled', 'order.line.allocated']);
    expect((await getOrder(second.id)).status).toBe('allocated');
  });
});

describe('variant dates', () => {
  it('are returned exactly as stored', async () => {
    for (const date of ['2026-12-15', '2028-02-29', '2000-02-29', '0100-01-01', '9999-12-31']) {
      const body = {
        title: 'D',
        price: 1,
        backorder: { mode: 'preorder', limit: null, message: 'soon', expectedDate: date },
      };
      const created = await t.request('PUT', '/v1/variants/DATE-1', { key, body });
      expect(created.json().backorder.expectedDate).toBe(date);
      expect((await t.request('GET', '/v1/variants/DATE-1', { key })).json().backorder.expectedDate).toBe(
        date,
      );
      const sf = await t.request('GET', '/v1/storefront/availability?sku=DATE-1', {
        key: store.publishableKey,
      });
      // The storefront date is a promise: the merchant's date while it is still ahead.
      expect(sf.json()).toMatchObject({ sku: 'DATE-1', status: 'preorder', message: 'soon', quantity: 1 });
      if (date > '2027-01-01') expect(sf.json().expectedDate).toBe(date);
      else if (date < '2026-01-01') expect(sf.json().expectedDate > date).toBe(true);
    }
  });

  it('ISO dates in years 0001–0099 are real calendar dates too', async () => {
    for (const date of ['0001-01-01', '0099-12-31', '0004-02-29']) {
      const body = { title: 'D', price: 1, backorder: { mode: 'preorder', limit: null, expectedDate: date } };
      const res = await t.request('PUT', '/v1/variants/DATE-2', { key, body });
      expect(res.statusCode, `${date}: ${res.body}`).toBeLessThan(300);
      expect(res.json().backorder.expectedDate).toBe(date);
    }
  });

  it('an invalid calendar date → 422 and nothing is stored', async () => {
    for (const date of ['2026-02-30', '2027-02-29', '2026-13-01', '2026-00-10', '2026-1-5', '15/12/2026']) {
      const res = await t.request('PUT', '/v1/variants/DATE-BAD', {
        key,
        body: { title: 'D', price: 1, backorder: { mode: 'preorder', expectedDate: date } },
      });
      expectProblem(res, 422);
      expectProblem(await t.request('GET', '/v1/variants/DATE-BAD', { key }), 404, 'not_found');
      expectProblem(await t.request('GET', '/v1/inventory/DATE-BAD', { key }), 404, 'not_found');
    }
  });
});

describe('rate limiting', () => {
  let limited: TestApp;
  let ls: StoreKeys;
  beforeAll(async () => {
    limited = await startTestApp({ config: { publicRateLimit: 3 } });
    ls = await limited.createStore('Limited');
    await limited.request('PUT', '/v1/variants/RL-1', { key: ls.secretKey, body: variant('backorder') });
  });
  afterAll(() => limited.close());

  it('the 4th publishable-key request in a minute → 429 rate_limited with Retry-After; secret keys are not throttled', async () => {
    const url = '/v1/storefront/availability?sku=RL-1';
    for (let i = 0; i < 3; i++) {
      expect((await limited.request('GET', url, { key: ls.publishableKey })).statusCode).toBe(200);
    }
    const res = await limited.request('GET', url, { key: ls.publishableKey });
    expectProblem(res, 429, 'rate_limited');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    for (let i = 0; i < 10; i++) {
      expect((await limited.request('GET', '/v1/inventory/RL-1', { key: ls.secretKey })).statusCode).toBe(
        200,
      );
    }
  });

  it('unauthenticated requests and failed authentications are throttled too', async () => {
    const other = await startTestApp({ config: { publicRateLimit: 3 } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await other.request('GET', '/v1/orders')).statusCode);
      expect(statuses).toEqual([401, 401, 401]);
      const res = await other.request('GET', '/v1/orders', { key: 'sk_notarealkeynotarealkey0000' });
      expectProblem(res, 429, 'rate_limited');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      expectProblem(await other.request('GET', '/health'), 429, 'rate_limited');
    } finally {
      await other.close();
    }
  });
});
