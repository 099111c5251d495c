/** GET /v1/inventory (filters, pages, CSV) and GET /v1/backorders?format=csv. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../src/shared/csv.ts';
import { type StoreKeys, startTestApp, type TestApp, variant } from './support/harness.ts';
import { expectProblem } from './support/state.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely
type Json = any;

let t: TestApp;
let store: StoreKeys;
let key: string;

async function ok(res: { statusCode: number; body: string; json: () => Json }, status = 201): Promise<Json> {
  expect(res.statusCode, res.body).toBe(status);
  return res.json();
}
const restock = (sku: string, quantity: number) =>
  t.request('POST', '/v1/inventory/adjustments', { key, body: { sku, quantity, reason: 'restock' } });
const order = (sku: string, quantity: number, customer: Record<string, string> = {}) =>
  t.request('POST', '/v1/orders', { key, body: { customer, lines: [{ sku, quantity }] } });

beforeAll(async () => {
  t = await startTestApp();
  store = await t.createStore('Inventory list store');
  key = store.secretKey;
  // INV-A deny, 10 on hand; INV-B backorder (cap 5), 2 waiting; INV-C preorder, 3 on hand, 1 allocated;
  // INV-D backorder, nothing; INV-E deny, 1 on hand.
  for (const [sku, mode, limit] of [
    ['INV-A', 'deny', null],
    ['INV-B', 'backorder', 5],
    ['INV-C', 'preorder', null],
    ['INV-D', 'backorder', null],
    ['INV-E', 'deny', null],
  ] as const) {
    await ok(await t.request('PUT', `/v1/variants/${sku}`, { key, body: variant(mode, limit) }));
  }
  await ok(await restock('INV-A', 10));
  await ok(await restock('INV-C', 3));
  await ok(await restock('INV-E', 1));
  await ok(await order('INV-B', 2, { email: 'ada@example.com', name: 'Lovelace, Ada' }));
  await ok(await order('INV-C', 1));
});
afterAll(() => t.close());

const list = async (query = '') => ok(await t.request('GET', `/v1/inventory${query}`, { key }), 200);
const skus = (page: Json) => page.data.map((l: Json) => l.sku);

describe('GET /v1/inventory', () => {
  it('lists every SKU in SKU order, each exactly as GET /v1/inventory/{sku} shows it', async () => {
    const page = await list();
    expect(skus(page)).toEqual(['INV-A', 'INV-B', 'INV-C', 'INV-D', 'INV-E']);
    expect(page.nextCursor).toBeNull();
    for (const level of page.data) {
      expect(level).toEqual(await ok(await t.request('GET', `/v1/inventory/${level.sku}`, { key }), 200));
    }
    expect(page.data[1]).toEqual({
      sku: 'INV-B',
      onHand: 0,
      allocated: 0,
      available: 0,
      backordered: 2,
      backorderLimit: 5,
      backorderRemaining: 3,
      status: 'backorder',
    });
  });

  it.each([
    ['?mode=deny', ['INV-A', 'INV-E']],
    ['?mode=preorder', ['INV-C']],
    ['?mode=backorder', ['INV-B', 'INV-D']],
    ['?waiting=true', ['INV-B']],
    ['?waiting=false', ['INV-A', 'INV-C', 'INV-D', 'INV-E']],
    ['?availableAtMost=0', ['INV-B', 'INV-D']],
    ['?availableAtMost=2', ['INV-B', 'INV-C', 'INV-D', 'INV-E']],
    ['?availableAtMost=10', ['INV-A', 'INV-B', 'INV-C', 'INV-D', 'INV-E']],
    ['?mode=backorder&availableAtMost=0&waiting=false', ['INV-D']],
    ['?mode=deny&availableAtMost=1', ['INV-E']],
    ['?search=inv-c', ['INV-C']],
    ['?search=V-', ['INV-A', 'INV-B', 'INV-C', 'INV-D', 'INV-E']],
    ['?search=inv&mode=deny', ['INV-A', 'INV-E']],
    ['?search=%25', []],
    ['?search=_', []],
  ])('%s → %j', async (query, expected) => {
    expect(skus(await list(query))).toEqual(expected);
  });

  it('pages with limit and cursor, filters kept', async () => {
    const first = await list('?limit=2');
    expect(skus(first)).toEqual(['INV-A', 'INV-B']);
    const second = await list(`?limit=2&cursor=${first.nextCursor}`);
    expect(skus(second)).toEqual(['INV-C', 'INV-D']);
    const third = await list(`?limit=2&cursor=${second.nextCursor}`);
    expect(skus(third)).toEqual(['INV-E']);
    expect(third.nextCursor).toBeNull();
    const filtered = await list('?availableAtMost=2&limit=3');
    expect(skus(filtered)).toEqual(['INV-B', 'INV-C', 'INV-D']);
    expect(skus(await list(`?availableAtMost=2&limit=3&cursor=${filtered.nextCursor}`))).toEqual(['INV-E']);
  });

  it.each([
    '?mode=sometimes',
    '?waiting=maybe',
    '?availableAtMost=-1',
    '?availableAtMost=1.5',
    '?limit=0',
    '?limit=501',
    '?cursor=garbage',
    '?format=xml',
    '?lowStock=3',
    '?search=',
  ])('%s → 422', async (query) => {
    expectProblem(await t.request('GET', `/v1/inventory${query}`, { key }), 422);
  });
});

describe('GET /v1/variants?skus=', () => {
  it('lists only the SKUs named, by SKU, leaving out those the store does not have', async () => {
    const page = await list('');
    expect(page.data.length).toBe(5);
    const named = await ok(await t.request('GET', '/v1/variants?skus=INV-E,INV-B,NOPE-1', { key }), 200);
    expect(named.data.map((v: Json) => v.sku)).toEqual(['INV-B', 'INV-E']);
    expect(named.data[0].backorder).toMatchObject({ mode: 'backorder', limit: 5 });
    for (const bad of [
      '?skus=',
      '?skus=A,,B',
      `?skus=${Array.from({ length: 501 }, (_, i) => `S${i}`).join(',')}`,
    ]) {
      expectProblem(await t.request('GET', `/v1/variants${bad}`, { key }), 422);
    }
  });
});

describe('GET /v1/inventory?format=csv', () => {
  it('answers text/csv: a header of the JSON field names, one row per level, the same values', async () => {
    const res = await t.request('GET', '/v1/inventory?format=csv', { key });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="inventory.csv"');
    expect(res.headers['x-next-cursor']).toBeUndefined();
    const [header, ...rows] = parseCsv(res.body).map((r) => r.fields);
    expect(header).toEqual([
      'sku',
      'onHand',
      'allocated',
      'available',
      'backordered',
      'backorderLimit',
      'backorderRemaining',
      'status',
    ]);
    const json = (await list()).data;
    expect(rows).toEqual(
      json.map((l: Json) => header!.map((name) => (l[name] === null ? '' : String(l[name])))),
    );
    expect(res.body.endsWith('\r\n')).toBe(true);
  });

  it('takes the same filters', async () => {
    const res = await t.request('GET', '/v1/inventory?format=csv&mode=deny', { key });
    expect(parseCsv(res.body).map((r) => r.fields[0])).toEqual(['sku', 'INV-A', 'INV-E']);
  });

  it('with limit: one page, the next one named by X-Next-Cursor and Link', async () => {
    const first = await t.request('GET', '/v1/inventory?format=csv&waiting=false&limit=3', { key });
    expect(parseCsv(first.body).map((r) => r.fields[0])).toEqual(['sku', 'INV-A', 'INV-C', 'INV-D']);
    const cursor = first.headers['x-next-cursor'] as string;
    expect(cursor).toEqual(expect.any(String));
    expect(first.headers.link).toBe(
      `</v1/inventory?format=csv&waiting=false&limit=3&cursor=${cursor}>; rel="next"`,
    );
    const next = await t.request('GET', `/v1/inventory?format=csv&waiting=false&limit=3&cursor=${cursor}`, {
      key,
    });
    expect(parseCsv(next.body).map((r) => r.fields[0])).toEqual(['sku', 'INV-E']);
    expect(next.headers['x-next-cursor']).toBeUndefined();
    expect(next.headers.link).toBeUndefined();
  });

  // The export reads 500 rows at a time: 510 SKUs take two reads. Creating them is the slow part.
  it('without limit: every row, however many pages the export reads', { timeout: 240_000 }, async () => {
    const big = await t.createStore('Big catalog');
    for (const [start, length] of [
      [0, 500],
      [500, 10],
    ] as const) {
      const variants = Array.from({ length }, (_, i) => ({
        sku: `BIG-${String(start + i).padStart(4, '0')}`,
        title: 'Big',
        price: 1,
        backorder: { mode: 'backorder' },
      }));
      await ok(
        await t.request('POST', '/v1/variants/batch', { key: big.secretKey, body: { variants } }),
        200,
      );
    }
    const res = await t.request('GET', '/v1/inventory?format=csv', { key: big.secretKey });
    const rows = parseCsv(res.body).slice(1);
    expect(rows).toHaveLength(510);
    expect(rows.map((r) => r.fields[0])).toEqual(
      Array.from({ length: 510 }, (_, i) => `BIG-${String(i).padStart(4, '0')}`),
    );
    // A cursor starts the export after it.
    const first = await ok(await t.request('GET', '/v1/inventory?limit=500', { key: big.secretKey }), 200);
    const more = await ok(
      await t.request('GET', `/v1/inventory?limit=5&cursor=${first.nextCursor}`, { key: big.secretKey }),
      200,
    );
    const rest = await t.request('GET', `/v1/inventory?format=csv&cursor=${more.nextCursor}`, {
      key: big.secretKey,
    });
    expect(parseCsv(rest.body).map((r) => r.fields[0])).toEqual([
      'sku',
      'BIG-0505',
      'BIG-0506',
      'BIG-0507',
      'BIG-0508',
      'BIG-0509',
    ]);
  });

  it('a bad cursor is still a 422 problem, not a broken file', async () => {
    expectProblem(await t.request('GET', '/v1/inventory?format=csv&cursor=garbage', { key }), 422);
  });
});

describe('GET /v1/backorders?format=csv', () => {
  beforeAll(async () => {
    await ok(
      await order('INV-B', 1, {
        email: 'x@example.com',
        name: '=HYPERLINK("http://evil")',
        phone: '+15550100',
      }),
    );
  });

  it('lists the waiting lines in queue order with the customer flattened', async () => {
    const res = await t.request('GET', '/v1/backorders?format=csv', { key });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    const json = (await ok(await t.request('GET', '/v1/backorders', { key }), 200)).data;
    const [header, ...rows] = parseCsv(res.body).map((r) => r.fields);
    expect(header).toEqual([
      'orderId',
      'lineId',
      'sku',
      'quantity',
      'backorderedQuantity',
      'position',
      'placedAt',
      'customer.email',
      'customer.name',
      'customer.phone',
      'eta',
      'etaLatest',
      'etaSource',
    ]);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toEqual([
      json[0].orderId,
      json[0].lineId,
      'INV-B',
      '2',
      '2',
      '1',
      json[0].placedAt,
      'ada@example.com',
      'Lovelace, Ada',
      '',
      json[0].eta ?? '',
      json[0].etaLatest ?? '',
      json[0].etaSource ?? '',
    ]);
    // A customer-typed formula is defused for spreadsheets; a phone starting with + too.
    expect(rows[1]!.slice(7, 10)).toEqual(['x@example.com', '\'=HYPERLINK("http://evil")', "'+15550100"]);
  });

  it('with sku, limit and cursor like the JSON list', async () => {
    const first = await t.request('GET', '/v1/backorders?format=csv&sku=INV-B&limit=1', { key });
    expect(first.headers['content-disposition']).toBe('attachment; filename="backorders-INV-B.csv"');
    const [, row] = parseCsv(first.body).map((r) => r.fields);
    expect(row![5]).toBe('1');
    const cursor = first.headers['x-next-cursor'] as string;
    const second = await t.request('GET', `/v1/backorders?format=csv&sku=INV-B&limit=1&cursor=${cursor}`, {
      key,
    });
    const [, next] = parseCsv(second.body).map((r) => r.fields);
    expect(next![5]).toBe('2');
    expect(second.headers['x-next-cursor']).toBeUndefined();
    const none = await t.request('GET', '/v1/backorders?format=csv&sku=NO-SUCH', { key });
    expect(none.body).toBe(`${parseCsv(first.body)[0]!.fields.join(',')}\r\n`);
  });
});
