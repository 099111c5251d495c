/**
 * CSV in: POST /v1/inventory/adjustments/batch and POST /v1/variants/batch take text/csv with a
 * header row as well as JSON; all or nothing, every refused row named as a spreadsheet numbers it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StoreKeys, startTestApp, type TestApp, variant } from './support/harness.ts';
import { expectProblem, snapshot } from './support/state.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely
type Json = any;

let t: TestApp;
let store: StoreKeys;
let key: string;

beforeAll(async () => {
  t = await startTestApp();
  store = await t.createStore('CSV store');
  key = store.secretKey;
  for (const sku of ['CSV-A', 'CSV-B', 'CSV-C']) {
    const res = await t.request('PUT', `/v1/variants/${sku}`, { key, body: variant('backorder') });
    expect(res.statusCode).toBe(201);
  }
});
afterAll(() => t.close());

const csv = (url: string, text: string, headers: Record<string, string> = {}) =>
  t.request('POST', url, { key, rawBody: text, headers: { 'content-type': 'text/csv', ...headers } });
const level = async (sku: string) => (await t.request('GET', `/v1/inventory/${sku}`, { key })).json();
const paths = (res: { json: () => Json }) => res.json().errors.map((e: Json) => e.path);

describe('POST /v1/inventory/adjustments/batch as text/csv', () => {
  it('applies every row like the JSON batch: fills queues head-first, quoted notes kept whole', async () => {
    const order = await t.request('POST', '/v1/orders', {
      key,
      body: { customer: {}, lines: [{ sku: 'CSV-A', quantity: 2 }] },
    });
    const text =
      '\uFEFFsku,quantity,reason,note\r\n' +
      'CSV-A,5,restock,"PO 1017, pallet 2"\r\n' +
      'CSV-B,3,restock,"said ""fragile""\r\nsecond line"\r\n' +
      'CSV-C,1,count,\r\n';
    const res = await csv('/v1/inventory/adjustments/batch', text);
    expect(res.statusCode, res.body).toBe(201);
    const [a, b, c] = res.json().data;
    expect(a.adjustment).toMatchObject({
      sku: 'CSV-A',
      quantity: 5,
      reason: 'restock',
      note: 'PO 1017, pallet 2',
    });
    expect(a.filled).toEqual([{ orderId: order.json().id, lineId: order.json().lines[0].id, quantity: 2 }]);
    expect(b.adjustment.note).toBe('said "fragile"\r\nsecond line');
    expect(c.adjustment).toMatchObject({ sku: 'CSV-C', quantity: 1, reason: 'count', note: null });
    expect(await level('CSV-A')).toMatchObject({ onHand: 5, allocated: 2, available: 3 });
  });

  it('columns in any order, LF line ends, blank lines and a CSV charset parameter are fine', async () => {
    const before = (await level('CSV-C')).onHand;
    const res = await csv('/v1/inventory/adjustments/batch', 'reason,sku,quantity\n\nrestock,CSV-C,2\n', {
      'content-type': 'text/csv; charset=utf-8; header=present',
    });
    expect(res.statusCode, res.body).toBe(201);
    expect((await level('CSV-C')).onHand).toBe(before + 2);
  });

  it('refuses the whole file, naming every bad row as a spreadsheet numbers it (header = row 1)', async () => {
    const before = await snapshot(t, key);
    const text =
      'sku,quantity,reason,note\r\n' +
      'CSV-A,1,restock,\r\n' + // row 2: fine
      'CSV-B,many,restock,\r\n' + // row 3: not a number
      'CSV-C,0,restock,\r\n' + // row 4: zero
      'CSV-A,1,sale,\r\n'; // row 5: unknown reason
    const res = await csv('/v1/inventory/adjustments/batch', text);
    const problem = expectProblem(res, 422, 'validation_failed');
    expect(paths(res)).toEqual(
      expect.arrayContaining(['/rows/3/quantity', '/rows/4/quantity', '/rows/5/reason']),
    );
    expect(paths(res).every((p: string) => /^\/rows\/[345]\//.test(p))).toBe(true);
    expect(problem.detail).toMatch(/\/rows\/3\/quantity/);
    expect(await snapshot(t, key)).toEqual(before);
  });

  it('unknown and repeated SKUs are all reported, by row', async () => {
    const before = await snapshot(t, key);
    const res = await csv(
      '/v1/inventory/adjustments/batch',
      'sku,quantity,reason\r\nCSV-A,1,restock\r\nNOPE-1,1,restock\r\nCSV-A,2,restock\r\nNOPE-2,1,restock\r\n',
    );
    expectProblem(res, 422, 'validation_failed');
    expect(res.json().errors).toEqual([
      { path: '/rows/3/sku', message: 'unknown SKU "NOPE-1"' },
      { path: '/rows/4/sku', message: 'SKU "CSV-A" appears more than once; each SKU may appear once' },
      { path: '/rows/5/sku', message: 'unknown SKU "NOPE-2"' },
    ]);
    // As JSON, the same problems name the JSON paths; only unknown SKUs keep the code unknown_sku.
    const json = await t.request('POST', '/v1/inventory/adjustments/batch', {
      key,
      body: {
        adjustments: [
          { sku: 'NOPE-1', quantity: 1, reason: 'restock' },
          { sku: 'NOPE-2', quantity: 1, reason: 'restock' },
        ],
      },
    });
    expectProblem(json, 422, 'unknown_sku');
    expect(paths(json)).toEqual(['/adjustments/0/sku', '/adjustments/1/sku']);
    expect(await snapshot(t, key)).toEqual(before);
  });

  it('a removal below zero on hand refuses the file with 409, nothing applied', async () => {
    const before = await snapshot(t, key);
    const res = await csv(
      '/v1/inventory/adjustments/batch',
      'sku,quantity,reason\r\nCSV-B,1,restock\r\nCSV-A,-5000,damage\r\n',
    );
    expectProblem(res, 409, 'insufficient_stock');
    expect(await snapshot(t, key)).toEqual(before);
  });

  it('header problems: unknown, repeated and missing columns; rows of the wrong width', async () => {
    const before = await snapshot(t, key);
    const header = await csv(
      '/v1/inventory/adjustments/batch',
      'sku,qty,reason,reason\r\nCSV-A,1,restock,x\r\n',
    );
    expectProblem(header, 422, 'validation_failed');
    expect(header.json().errors).toEqual([
      { path: '/rows/1/qty', message: 'is not a known column (columns: sku, quantity, reason, note)' },
      { path: '/rows/1/reason', message: 'is named twice' },
      { path: '/rows/1', message: 'has no "quantity" column' },
    ]);
    const width = await csv(
      '/v1/inventory/adjustments/batch',
      'sku,quantity,reason\r\nCSV-A,1\r\nCSV-B,1,restock,extra\r\n',
    );
    expectProblem(width, 422, 'validation_failed');
    expect(width.json().errors).toEqual([
      { path: '/rows/2', message: 'has 2 fields; the header has 3' },
      { path: '/rows/3', message: 'has 4 fields; the header has 3' },
    ]);
    expectProblem(await csv('/v1/inventory/adjustments/batch', ''), 422, 'validation_failed');
    // A header alone is an empty batch: the schema asks for at least one adjustment.
    expectProblem(
      await csv('/v1/inventory/adjustments/batch', 'sku,quantity,reason\r\n'),
      422,
      'validation_failed',
    );
    expect(await snapshot(t, key)).toEqual(before);
  });

  it('malformed CSV → 400 malformed_csv naming the line', async () => {
    const open = await csv('/v1/inventory/adjustments/batch', 'sku,quantity,reason\r\nCSV-A,1,"restock\r\n');
    expect(expectProblem(open, 400, 'malformed_csv').detail).toMatch(
      /line 2: a quoted field is never closed/,
    );
    const bare = await csv('/v1/inventory/adjustments/batch', 'sku,quantity,reason\r\nCSV-A,1,re"stock\r\n');
    expect(expectProblem(bare, 400, 'malformed_csv').detail).toMatch(/line 2/);
    // PostgreSQL cannot store NUL: refused before anything is read.
    const nul = await csv(
      '/v1/inventory/adjustments/batch',
      'sku,quantity,reason,note\r\nCSV-A,1,restock,a\u0000b\r\n',
    );
    expect(expectProblem(nul, 400, 'malformed_csv').detail).toMatch(/line 2 holds the NUL character/);
  });

  it('an Idempotency-Key replays a CSV upload; the same rows as JSON are the same request', async () => {
    const headers = { 'idempotency-key': 'csv-upload-1' };
    const text = 'sku,quantity,reason\r\nCSV-C,4,restock\r\n';
    const first = await csv('/v1/inventory/adjustments/batch', text, headers);
    expect(first.statusCode).toBe(201);
    const again = await csv('/v1/inventory/adjustments/batch', text, headers);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    const asJson = await t.request('POST', '/v1/inventory/adjustments/batch', {
      key,
      headers,
      body: { adjustments: [{ sku: 'CSV-C', quantity: 4, reason: 'restock' }] },
    });
    expect(asJson.headers['idempotent-replayed']).toBe('true');
    const other = await csv(
      '/v1/inventory/adjustments/batch',
      'sku,quantity,reason\r\nCSV-C,5,restock\r\n',
      headers,
    );
    expectProblem(other, 422, 'idempotency_key_reused');
  });

  it('endpoints that take no CSV refuse it with 415 before reading it', async () => {
    for (const [url, text] of [
      ['/v1/inventory/adjustments', 'sku,quantity,reason\r\nCSV-A,1,restock\r\n'],
      ['/v1/orders', 'sku,quantity\r\nCSV-A,1\r\n'],
    ] as const) {
      expectProblem(await csv(url, text), 415, 'unsupported_media_type');
    }
  });
});

describe('POST /v1/variants/batch', () => {
  it('JSON: creates and replaces variants as PUT does, in request order', async () => {
    const res = await t.request('POST', '/v1/variants/batch', {
      key,
      body: {
        variants: [
          {
            sku: 'VB-2',
            title: 'Two',
            price: 200,
            backorder: { mode: 'preorder', releaseDate: '2030-05-01' },
          },
          { sku: 'CSV-A', title: 'A again', price: 150, backorder: { mode: 'backorder', limit: 10 } },
        ],
      },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().data.map((d: Json) => [d.created, d.variant.sku])).toEqual([
      [true, 'VB-2'],
      [false, 'CSV-A'],
    ]);
    expect((await t.request('GET', '/v1/variants/VB-2', { key })).json()).toMatchObject({
      title: 'Two',
      backorder: { mode: 'preorder', releaseDate: '2030-05-01', limit: null },
    });
    expect(await level('CSV-A')).toMatchObject({ backorderLimit: 10 });
    const events = (await t.request('GET', '/v1/events?limit=2', { key })).json().data;
    expect(events.map((e: Json) => e.type).sort()).toEqual(['variant.created', 'variant.updated']);
  });

  it('CSV: flattened fields, attributes.*, comma-separated tags, quoted titles', async () => {
    const text =
      'sku,title,price,productId,attributes.color,attributes.size,tags,backorder.mode,backorder.limit,backorder.message,backorder.expectedDate\r\n' +
      'VB-RED-M,"Trail Jacket, Red / M",12900,trail,red,M,"outdoor, jackets",backorder,50,"Ships in ""about"" 3 weeks",2030-12-15\r\n' +
      'VB-RED-L,"Trail Jacket, Red / L",12900,trail,red,,,preorder,auto,,\r\n';
    const res = await csv('/v1/variants/batch', text);
    expect(res.statusCode, res.body).toBe(200);
    const [m, l] = res.json().data.map((d: Json) => d.variant);
    expect(m).toMatchObject({
      sku: 'VB-RED-M',
      title: 'Trail Jacket, Red / M',
      price: 12900,
      productId: 'trail',
      attributes: { color: 'red', size: 'M' },
      tags: ['outdoor', 'jackets'],
      backorder: {
        mode: 'backorder',
        limit: 50,
        message: 'Ships in "about" 3 weeks',
        expectedDate: '2030-12-15',
      },
    });
    expect(l).toMatchObject({
      attributes: { color: 'red' },
      tags: [],
      backorder: { mode: 'preorder', limit: 'auto', message: null, expectedDate: null },
    });
  });

  it('CSV: one bad row refuses them all, and every bad row is named', async () => {
    const before = await snapshot(t, key);
    const text =
      'sku,title,price,backorder.mode,backorder.limit,backorder.expectedDate,supplierId\r\n' +
      'VB-OK,Fine,100,backorder,,,\r\n' + // row 2
      'VB-P,Bad price,12.50,backorder,,,\r\n' + // row 3: not an integer
      'VB-M,No mode,100,,,,\r\n' + // row 4: mode missing
      'VB-D,Bad date,100,backorder,,2030-02-30,\r\n' + // row 5: not a calendar date
      'VB-S,Supplier,100,backorder,,,sup_0000000000000000000000000\r\n' + // row 6: unknown supplier
      'VB-OK,Again,100,backorder,-3,,\r\n'; // row 7: repeated SKU and a negative limit
    const schema = await csv('/v1/variants/batch', text);
    expectProblem(schema, 422, 'validation_failed');
    // The schema's errors come first (before any row is tried): price, mode, limit.
    expect(paths(schema)).toEqual(
      expect.arrayContaining(['/rows/3/price', '/rows/4/backorder.mode', '/rows/7/backorder.limit']),
    );
    expect(await snapshot(t, key)).toEqual(before);

    // With the schema satisfied, every row is tried and every refusal reported.
    const fixed = text
      .replace('12.50', '1250')
      .replace('VB-M,No mode,100,,', 'VB-M,No mode,100,deny,')
      .replace(',-3,', ',3,');
    const rows = await csv('/v1/variants/batch', fixed);
    expect(expectProblem(rows, 422, 'validation_failed').detail).toMatch(
      /^3 of 6 variants cannot be saved, so none was/,
    );
    expect(paths(rows)).toEqual(['/rows/5/backorder.expectedDate', '/rows/6/supplierId', '/rows/7/sku']);
    expectProblem(await t.request('GET', '/v1/variants/VB-OK', { key }), 404, 'not_found');
    expect(await snapshot(t, key)).toEqual(before);
  });

  it('JSON refusals name the JSON paths', async () => {
    const res = await t.request('POST', '/v1/variants/batch', {
      key,
      body: {
        variants: [
          { sku: 'VB-J1', title: 'x', price: 1, backorder: { mode: 'deny', releaseDate: '2030-01-01' } },
          { sku: 'VB-J2', title: 'y', price: 1, backorder: { mode: 'deny' } },
          { sku: 'VB-J1', title: 'z', price: 1, backorder: { mode: 'deny' } },
        ],
      },
    });
    expectProblem(res, 422, 'validation_failed');
    expect(paths(res)).toEqual(['/variants/0/backorder/releaseDate', '/variants/2/sku']);
    expectProblem(await t.request('GET', '/v1/variants/VB-J2', { key }), 404, 'not_found');
  });

  it('CSV header problems name the header row', async () => {
    const res = await csv(
      '/v1/variants/batch',
      'sku,title,price,colour,backorder.mode\r\nX,T,1,red,deny\r\n',
    );
    expectProblem(res, 422, 'validation_failed');
    expect(paths(res)).toEqual(['/rows/1/colour']);
  });
});
