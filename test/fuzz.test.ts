/**
 * Fuzzing the write endpoints and list queries (API.md "Conventions"): whatever arrives, the answer
 * is never a 5xx, every 4xx is problem+json with a string `code` and `detail`, and a refused request
 * writes nothing. Bodies that happen to be valid (2xx) are allowed; the baseline is re-read then.
 */
import { randomBytes } from 'node:crypto';
import { type SQL, sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { queryRows } from '../src/db/client.ts';
import { OPERATOR_TOKEN, type StoreKeys, startTestApp, type TestApp, variant } from './support/harness.ts';
import { MIN_RUNS, propertyOptions } from './support/property.ts';
import { expectProblem, snapshot } from './support/state.ts';

/**
 * FUZZ_RUNS: random requests per endpoint (e.g. 10000 for a volume run), shared by its six random
 * properties, each of which still runs at least MIN_RUNS cases. The default, what CI runs, is 600.
 */
const PROPERTIES_PER_ENDPOINT = 6;
const REQUESTS_PER_ENDPOINT = Number(process.env.FUZZ_RUNS ?? MIN_RUNS * PROPERTIES_PER_ENDPOINT);
if (!Number.isInteger(REQUESTS_PER_ENDPOINT) || REQUESTS_PER_ENDPOINT < 1) {
  throw new Error(`FUZZ_RUNS must be a positive integer, got "${process.env.FUZZ_RUNS}"`);
}
const RUNS = Math.max(MIN_RUNS, Math.ceil(REQUESTS_PER_ENDPOINT / PROPERTIES_PER_ENDPOINT));
// A property's time limit grows with its cases (a request and a state read take a few ms each); a
// volume run (FUZZ_RUNS given) allows a second a case, since it often runs beside other work.
const MS_PER_CASE = process.env.FUZZ_RUNS === undefined ? 3 * 40 : 1_000;
vi.setConfig({ testTimeout: Math.max(60_000, RUNS * MS_PER_CASE), hookTimeout: 180_000 });

let t: TestApp;
let store: StoreKeys;
let orderId: string;
let allocatedLineId: string;
let waitingLineId: string;
let supplierId: string;
let purchaseOrderId: string;
let transitionPurchaseOrderId: string;
let staffId: string;
let webhookEndpointId: string;
let connectionId: string;

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely
type Json = any;

beforeAll(async () => {
  // A key for platform credentials, so connections can be created and fuzzed.
  t = await startTestApp({ config: { secretsKey: randomBytes(32) } });
  store = await t.createStore('Fuzz store');
  const key = store.secretKey;
  await t.request('PUT', '/v1/variants/FZ-BO', { key, body: variant('backorder', 1000) });
  await t.request('PUT', '/v1/variants/FZ-DENY', { key, body: variant('deny') });
  // Patched at random: its own SKU, so the orders the other cases place keep working.
  await t.request('PUT', '/v1/variants/FZ-PATCH', { key, body: variant('backorder', 10) });
  await t.request('POST', '/v1/inventory/adjustments', {
    key,
    body: { sku: 'FZ-BO', quantity: 3, reason: 'restock' },
  });
  await t.request('POST', '/v1/inventory/adjustments', {
    key,
    body: { sku: 'FZ-DENY', quantity: 10, reason: 'restock' },
  });
  const order = await t.request('POST', '/v1/orders', {
    key,
    body: {
      customer: { email: 'f@example.com' },
      lines: [
        { sku: 'FZ-DENY', quantity: 2 },
        { sku: 'FZ-BO', quantity: 5 },
      ],
    },
  });
  expect(order.statusCode).toBe(201);
  orderId = order.json().id;
  allocatedLineId = order.json().lines[0].id;
  waitingLineId = order.json().lines[1].id;
  const supplier = await t.request('POST', '/v1/suppliers', { key, body: { name: 'Fuzz', leadTimeDays: 5 } });
  supplierId = supplier.json().id;
  const po = await t.request('POST', '/v1/purchase-orders', {
    key,
    body: { supplierId, expectedDate: '2027-01-10', lines: [{ sku: 'FZ-BO', quantity: 1000, unitCost: 5 }] },
  });
  expect(po.statusCode).toBe(201);
  purchaseOrderId = po.json().id;
  // Placed and cancelled at random: a purchase order of its own, so receipts keep an open one.
  const other = await t.request('POST', '/v1/purchase-orders', {
    key,
    body: { supplierId, expectedDate: '2027-01-20', lines: [{ sku: 'FZ-BO', quantity: 10, unitCost: 5 }] },
  });
  expect(other.statusCode).toBe(201);
  transitionPurchaseOrderId = other.json().id;
  // Counted at random: its own SKU, so the queue of FZ-BO is filled only by the restocks above.
  await t.request('PUT', '/v1/variants/FZ-COUNT', { key, body: variant('deny') });
  const invited = await t.request('POST', '/v1/staff', {
    key,
    body: { email: 'fuzz.support@example.com', role: 'support' },
  });
  expect(invited.statusCode, invited.body).toBe(201);
  staffId = invited.json().staff?.id ?? invited.json().id;
  const endpoint = await t.request('POST', '/v1/webhook-endpoints', {
    key,
    body: { url: 'https://hooks.example.com/fuzz', eventTypes: ['order.placed'] },
  });
  expect(endpoint.statusCode, endpoint.body).toBe(201);
  webhookEndpointId = endpoint.json().id;
  const connection = await t.request('POST', '/v1/connections', {
    key,
    body: {
      platform: 'shopify',
      shop: 'fuzz-setup.myshopify.com',
      credentials: { accessToken: 'shpat_setup', clientSecret: 'setup-secret' },
    },
  });
  expect(connection.statusCode, connection.body).toBe(201);
  connectionId = connection.json().id;
  storeTables = (
    await queryRows<{ table_name: string }>(
      t.app.deps.db,
      sql`SELECT table_name FROM information_schema.columns
           WHERE column_name = 'store_id' AND table_schema = current_schema() ORDER BY table_name`,
    )
  ).map((r) => r.table_name);
  expect(storeTables).toEqual(expect.arrayContaining(['orders', 'events', 'variants', 'webhook_endpoints']));
  // The fingerprint sees a write that adds no row: an update in place (same values, a new version).
  const before = await quickState();
  await t.app.deps.db.execute(
    sql`UPDATE variants SET title = title WHERE store_id = ${store.id} AND sku = 'FZ-BO'`,
  );
  expect(await quickState()).not.toEqual(before);
});
afterAll(() => t.close());

/** The tables that hold rows of a store (a `store_id` column), read once the schema is migrated. */
let storeTables: string[] = [];

/**
 * Every row the fuzz store owns, table by table, in one query: a refused request that wrote anything
 * at all (a row in any table carrying the store's id, or the store's own row) changes it. A row's
 * `xmin` is the transaction that wrote its current version, and transaction ids only grow, so an
 * insert or update raises a table's newest `xmin` and a delete lowers its count (a rolled-back write
 * leaves neither). One cheap round trip per probe, where reading the store back through nine list
 * endpoints took most of the file's time (and grew with every order the valid bodies placed).
 */
async function quickState(): Promise<Record<string, string | null>> {
  const newest = (table: string, where: SQL) =>
    sql`(SELECT count(*) || '@' || coalesce(max(x.xmin::text::bigint), 0) FROM ${sql.identifier(table)} x
          WHERE ${where}) AS ${sql.identifier(table)}`;
  // An API key's last-used time is bookkeeping any request may write (at most once a minute): the
  // keys are compared by what a request could change, their rows without it.
  const keys = sql`(SELECT count(*) || '@' || coalesce(md5(string_agg(x.id || x.name || x.scope ||
                      coalesce(x.revoked_at::text, ''), ',' ORDER BY x.id)), '')
                    FROM api_keys x WHERE x.store_id = ${store.id}) AS api_keys`;
  // Units refused for stock (409 insufficient_stock) are demand, counted on purpose (issue 14):
  // `demand_refusals` is the one table such a refusal writes.
  const perTable = storeTables
    .filter((name) => name !== 'demand_refusals')
    .map((name) => (name === 'api_keys' ? keys : newest(name, sql`x.store_id = ${store.id}`)));
  const [row] = await queryRows<Record<string, string | null>>(
    t.app.deps.db,
    sql`SELECT ${sql.join([...perTable, newest('stores', sql`x.id = ${store.id}`)], sql`, `)}`,
  );
  return row!;
}

/**
 * The first transaction id not yet assigned. Only a transaction that writes gets an id, so when it
 * has not moved since the baseline nothing can have been written, and the table-by-table read is
 * skipped (background bookkeeping — rate-limit leases, a key's last use — moves it now and then,
 * and the full read then decides).
 */
async function nextTransactionId(): Promise<string> {
  const [row] = await queryRows<{ xid: string }>(
    t.app.deps.db,
    sql`SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS xid`,
  );
  return row!.xid;
}

async function resetBaseline(): Promise<void> {
  baseline = await quickState();
  baselineXid = await nextTransactionId();
}

interface Req {
  method: 'POST' | 'PUT' | 'PATCH' | 'GET';
  url: string;
  key?: string;
  rawBody?: string;
  headers?: Record<string, string>;
}

let baseline: Record<string, string | null>;
let baselineXid = '';

/** Sends one request and checks the invariants; returns the status. */
async function probe(req: Req): Promise<number> {
  const res = await t.request(req.method, req.url, {
    key: req.key ?? store.secretKey,
    rawBody: req.rawBody,
    headers: req.headers,
  });
  const where = `${req.method} ${req.url} ${JSON.stringify(req.headers ?? {})} ${String(req.rawBody).slice(0, 300)}`;
  expect(res.statusCode, `${where} → ${res.body.slice(0, 300)}`).toBeLessThan(500);
  if (res.statusCode >= 400) {
    expect(String(res.headers['content-type']), where).toMatch(/^application\/problem\+json/);
    const body = res.json();
    expect(typeof body.code, where).toBe('string');
    expect(typeof body.detail, where).toBe('string');
    expect(body.detail.length, where).toBeGreaterThan(0);
  }
  if (req.method === 'GET') return res.statusCode;
  if (res.statusCode < 300) {
    await resetBaseline();
  } else {
    const xid = await nextTransactionId();
    if (xid !== baselineXid) {
      expect(await quickState(), `${where} wrote something`).toEqual(baseline);
      baselineXid = xid;
    }
  }
  return res.statusCode;
}

// ---------- generators ----------

/** Numbers that are never a valid quantity: zero, negative, fractional, huge, or not numbers at all. */
const badNumberText = fc.oneof(
  fc.constantFrom('0', '-0', '-1', '-5', '0.5', '1.5', '2.0000001', '1e21', '1e999', '-1e999', '1000001'),
  fc.constantFrom(
    '9007199254740993',
    '99999999999999999999',
    '"5"',
    '"1"',
    'true',
    'null',
    '[]',
    '{}',
    '[1]',
  ),
  fc.integer({ max: 0 }).map(String),
  fc.integer({ min: 1_000_001 }).map(String),
  fc
    .double({ noNaN: true, noDefaultInfinity: true })
    .filter((d) => !Number.isInteger(d))
    .map(String),
);
/** Text that is never valid JSON (or not valid as a number): NaN, Infinity, hex, etc. */
function isValidInteger(text: string, min: number, max: number, nonZero = false): boolean {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return false;
  }
  return (
    typeof value === 'number' &&
    Number.isInteger(value) &&
    value >= min &&
    value <= max &&
    !(nonZero && value === 0)
  );
}
const notJsonNumber = fc.constantFrom(
  'NaN',
  'Infinity',
  '-Infinity',
  '0x10',
  '1_000',
  '+1',
  '.5',
  '01',
  '1.',
);

/** Any JSON-ish value of the wrong type for most fields. */
const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.double(),
  fc.integer(),
  fc.string(),
  fc.array(fc.jsonValue(), { maxLength: 3 }),
  fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 3 }),
);

const longString = fc.integer({ min: 1_001, max: 200_000 }).map((n) => 'x'.repeat(n));
const nulString = fc.tuple(fc.string(), fc.string()).map(([x, y]) => `${x}\u0000${y}`);
/** Lone UTF-16 surrogates: valid in JSON text (\ud800), not representable in UTF-8. */
const surrogateString = fc
  .tuple(fc.string({ maxLength: 5 }), fc.constantFrom('\ud800', '\udc00', '\udbff', '\udfff'))
  .map(([x, s]) => `${x}${s}`);
const nasty = fc.oneof(longString, nulString, surrogateString);

function deep(depth: number, leaf: string): string {
  return `${'['.repeat(depth)}${leaf}${']'.repeat(depth)}`;
}
const deepNest = fc.integer({ min: 100, max: 5_000 }).map((d) => deep(d, '1'));

const notJson = fc.oneof(
  fc.string({ minLength: 1 }).filter((s) => {
    try {
      JSON.parse(s);
      return false;
    } catch {
      return true;
    }
  }),
  fc.constantFrom(
    '{',
    '{"a":',
    '[1,2',
    '{"a" 1}',
    "{'a':1}",
    '{"a":1,}',
    'undefined',
    '{"a":1}{"b":2}',
    '\u0000',
  ),
  // Truncated JSON. A one-character value (0, 7) truncates to the empty body, which is no
  // invalid text: some endpoints take an empty body ("an empty body" below covers it).
  fc
    .jsonValue()
    .map((v) => JSON.stringify(v ?? {}).slice(0, -1))
    .filter((s) => {
      if (s === '') return false;
      try {
        JSON.parse(s);
        return false;
      } catch {
        return true;
      }
    }),
);

const anythingText = fc.anything().map((v) => {
  try {
    return JSON.stringify(v) ?? '';
  } catch {
    return '';
  }
});

const wrongContentTypes = [
  'text/plain',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz',
  'application/octet-stream',
  'image/png',
  'text/json',
];

/** Puts `value` (raw JSON text) at `field` of an otherwise valid body. */
function withField(valid: Record<string, unknown>, path: string[], valueText: string): string {
  const marker = '"__FUZZ_MARKER__"';
  const copy = structuredClone(valid);
  // biome-ignore lint/suspicious/noExplicitAny: walks an arbitrary JSON object
  let at: any = copy;
  for (const part of path.slice(0, -1)) at = at[part];
  at[path[path.length - 1]!] = '__FUZZ_MARKER__';
  return JSON.stringify(copy).replace(marker, valueText);
}

// ---------- endpoints ----------

interface Endpoint {
  name: string;
  /** The operationId in /openapi.json (every operation that takes a JSON body must be fuzzed). */
  operation: string;
  method: 'POST' | 'PUT' | 'PATCH';
  url: () => string;
  key?: () => string;
  valid: () => Record<string, unknown>;
  /** Integer fields and their valid range: a number outside it (or not an integer) is always invalid. */
  numberFields: { path: string[]; min: number; max: number; nonZero?: boolean; nullable?: boolean }[];
  /** Fields where a string is expected (long / NUL / surrogate strings go there). */
  stringFields: string[][];
  /** An empty body is a valid request here. */
  emptyIsValid?: boolean;
}

const endpoints: Endpoint[] = [
  {
    name: 'POST /v1/orders',
    operation: 'createOrder',
    method: 'POST',
    url: () => '/v1/orders',
    valid: () => ({
      externalId: 'ext',
      customer: { email: 'a@b.co', name: 'Ada', phone: '+15550100' },
      currency: 'USD',
      lines: [{ sku: 'FZ-DENY', quantity: 1, unitPrice: 100 }],
    }),
    numberFields: [
      { path: ['lines', '0', 'quantity'], min: 1, max: 1_000_000 },
      { path: ['lines', '0', 'unitPrice'], min: 0, max: 1_000_000_000 },
    ],
    stringFields: [['externalId'], ['customer', 'name'], ['customer', 'email'], ['lines', '0', 'sku']],
  },
  {
    name: 'PUT /v1/variants/X',
    operation: 'putVariant',
    method: 'PUT',
    url: () => '/v1/variants/FZ-NEW',
    valid: () => ({
      title: 'T',
      productId: 'p',
      attributes: { color: 'red' },
      price: 100,
      backorder: { mode: 'backorder', limit: 5, message: 'm', expectedDate: '2026-12-15' },
    }),
    numberFields: [
      { path: ['backorder', 'limit'], min: 0, max: 1_000_000_000, nullable: true },
      { path: ['price'], min: 0, max: 1_000_000_000 },
    ],
    stringFields: [
      ['title'],
      ['productId'],
      ['attributes', 'color'],
      ['backorder', 'message'],
      ['backorder', 'expectedDate'],
    ],
  },
  {
    name: 'PATCH /v1/variants/X',
    operation: 'patchVariant',
    method: 'PATCH',
    url: () => '/v1/variants/FZ-PATCH',
    valid: () => ({
      title: 'Patched',
      attributes: { color: 'blue', size: null },
      price: 150,
      backorder: { limit: 7, message: null, expectedDate: '2027-02-01' },
    }),
    numberFields: [
      { path: ['backorder', 'limit'], min: 0, max: 1_000_000_000, nullable: true },
      { path: ['price'], min: 0, max: 1_000_000_000 },
    ],
    stringFields: [['title'], ['attributes', 'color'], ['backorder', 'expectedDate']],
  },
  {
    name: 'POST /v1/variants/batch',
    operation: 'putVariantBatch',
    method: 'POST',
    url: () => '/v1/variants/batch',
    valid: () => ({
      variants: [
        {
          sku: 'FZ-BATCH',
          title: 'T',
          attributes: { color: 'red' },
          price: 100,
          backorder: { mode: 'backorder', limit: 5, message: 'm' },
        },
      ],
    }),
    numberFields: [
      { path: ['variants', '0', 'backorder', 'limit'], min: 0, max: 1_000_000_000, nullable: true },
      { path: ['variants', '0', 'price'], min: 0, max: 1_000_000_000 },
    ],
    stringFields: [
      ['variants', '0', 'sku'],
      ['variants', '0', 'title'],
      ['variants', '0', 'attributes', 'color'],
      ['variants', '0', 'backorder', 'message'],
    ],
  },
  {
    name: 'POST /v1/inventory/adjustments',
    operation: 'createAdjustment',
    method: 'POST',
    url: () => '/v1/inventory/adjustments',
    valid: () => ({ sku: 'FZ-BO', quantity: 1, reason: 'restock', note: 'n' }),
    numberFields: [{ path: ['quantity'], min: -10_000_000, max: 10_000_000, nonZero: true }],
    stringFields: [['sku'], ['note'], ['reason']],
  },
  {
    name: 'POST /v1/inventory/adjustments/batch',
    operation: 'createAdjustmentBatch',
    method: 'POST',
    url: () => '/v1/inventory/adjustments/batch',
    valid: () => ({ adjustments: [{ sku: 'FZ-BO', quantity: 1, reason: 'restock', note: 'n' }] }),
    numberFields: [
      { path: ['adjustments', '0', 'quantity'], min: -10_000_000, max: 10_000_000, nonZero: true },
    ],
    stringFields: [
      ['adjustments', '0', 'sku'],
      ['adjustments', '0', 'note'],
      ['adjustments', '0', 'reason'],
    ],
  },
  {
    name: 'POST /v1/orders/{id}/cancel',
    operation: 'cancelOrder',
    method: 'POST',
    url: () => `/v1/orders/${orderId}/cancel`,
    valid: () => ({ lines: [{ lineId: waitingLineId, quantity: 1 }], reason: 'r' }),
    numberFields: [{ path: ['lines', '0', 'quantity'], min: 1, max: 1_000_000 }],
    stringFields: [['reason'], ['lines', '0', 'lineId']],
    emptyIsValid: true,
  },
  {
    name: 'POST /v1/orders/{id}/shipments',
    operation: 'createShipment',
    method: 'POST',
    url: () => `/v1/orders/${orderId}/shipments`,
    valid: () => ({
      lines: [{ lineId: allocatedLineId, quantity: 1 }],
      carrier: 'UPS',
      trackingNumber: '1Z',
    }),
    numberFields: [{ path: ['lines', '0', 'quantity'], min: 1, max: 1_000_000 }],
    stringFields: [['carrier'], ['trackingNumber'], ['lines', '0', 'lineId']],
    // No lines: every allocated unit ships.
    emptyIsValid: true,
  },
  {
    name: 'POST /v1/suppliers',
    operation: 'createSupplier',
    method: 'POST',
    url: () => '/v1/suppliers',
    valid: () => ({ name: 'S', email: 's@example.com', leadTimeDays: 5 }),
    numberFields: [{ path: ['leadTimeDays'], min: 0, max: 365 }],
    stringFields: [['name'], ['email']],
  },
  {
    name: 'POST /v1/purchase-orders',
    operation: 'createPurchaseOrder',
    method: 'POST',
    url: () => '/v1/purchase-orders',
    valid: () => ({
      supplierId,
      reference: 'r',
      expectedDate: '2027-01-10',
      lines: [{ sku: 'FZ-BO', quantity: 1, unitCost: 5 }],
    }),
    numberFields: [
      { path: ['lines', '0', 'quantity'], min: 1, max: 1_000_000 },
      { path: ['lines', '0', 'unitCost'], min: 0, max: 1_000_000_000 },
    ],
    stringFields: [['supplierId'], ['reference'], ['expectedDate'], ['lines', '0', 'sku']],
  },
  {
    name: 'POST /v1/purchase-orders/{id}/receipts',
    operation: 'createReceipt',
    method: 'POST',
    url: () => `/v1/purchase-orders/${purchaseOrderId}/receipts`,
    valid: () => ({ lines: [{ sku: 'FZ-BO', quantity: 1 }] }),
    numberFields: [{ path: ['lines', '0', 'quantity'], min: 1, max: 1_000_000 }],
    stringFields: [['lines', '0', 'sku']],
  },
  {
    name: 'PATCH /v1/settings',
    operation: 'patchSettings',
    method: 'PATCH',
    url: () => '/v1/settings',
    valid: () => ({ handlingDays: 1, defaultLeadTimeDays: 10, autoLimitBuffer: 0 }),
    numberFields: [
      { path: ['handlingDays'], min: 0, max: 60 },
      { path: ['defaultLeadTimeDays'], min: 0, max: 365 },
      { path: ['autoLimitBuffer'], min: 0, max: 1_000_000_000 },
    ],
    stringFields: [],
  },
  {
    name: 'POST /v1/simulations/restock',
    operation: 'simulateRestock',
    method: 'POST',
    url: () => '/v1/simulations/restock',
    valid: () => ({ sku: 'FZ-BO', quantity: 1, date: '2027-01-01', show: 10 }),
    numberFields: [
      { path: ['quantity'], min: 1, max: 1_000_000 },
      { path: ['show'], min: 0, max: 1000 },
    ],
    stringFields: [['sku'], ['date']],
  },
  {
    name: 'POST /v1/webhook-endpoints',
    operation: 'createWebhookEndpoint',
    method: 'POST',
    url: () => '/v1/webhook-endpoints',
    valid: () => ({
      url: 'https://hooks.example.com/backfill',
      eventTypes: ['order.placed'],
      description: 'd',
    }),
    numberFields: [],
    stringFields: [['url'], ['eventTypes', '0'], ['description']],
  },
  {
    name: 'PATCH /v1/webhook-endpoints/{id}',
    operation: 'patchWebhookEndpoint',
    method: 'PATCH',
    url: () => `/v1/webhook-endpoints/${webhookEndpointId}`,
    valid: () => ({
      url: 'https://hooks.example.com/fuzz-2',
      description: 'd',
      eventTypes: ['order.placed', 'order.cancelled'],
      enabled: true,
    }),
    numberFields: [],
    stringFields: [['url'], ['description'], ['eventTypes', '0']],
  },
  {
    name: 'POST /v1/keys',
    operation: 'createKey',
    method: 'POST',
    url: () => '/v1/keys',
    valid: () => ({ name: 'Fuzz key', scope: 'read-only' }),
    numberFields: [],
    stringFields: [['name'], ['scope']],
  },
  {
    name: 'PATCH /v1/settings/messaging',
    operation: 'patchMessagingSettings',
    method: 'PATCH',
    url: () => '/v1/settings/messaging',
    valid: () => ({ statusUpdateDays: 7, delayNoticeDays: 1, merchantEmail: 'owner@example.com' }),
    numberFields: [
      { path: ['statusUpdateDays'], min: 0, max: 365 },
      { path: ['delayNoticeDays'], min: 1, max: 365 },
    ],
    stringFields: [['merchantEmail']],
  },
  {
    name: 'POST /v1/settings/messaging/test',
    operation: 'sendTestMessage',
    method: 'POST',
    url: () => '/v1/settings/messaging/test',
    valid: () => ({ channel: 'email', to: 'owner@example.com' }),
    numberFields: [],
    stringFields: [['channel'], ['to']],
  },
  {
    name: 'POST /v1/storefront/stock-alerts',
    operation: 'createStockAlert',
    method: 'POST',
    url: () => '/v1/storefront/stock-alerts',
    key: () => store.publishableKey,
    valid: () => ({ sku: 'FZ-DENY', email: 'shopper@example.com' }),
    numberFields: [],
    stringFields: [['sku'], ['email']],
  },
  {
    name: 'PUT /v1/message-templates/shipped/email',
    operation: 'putMessageTemplate',
    method: 'PUT',
    url: () => '/v1/message-templates/shipped/email',
    valid: () => ({
      subject: 'Shipped: {{ order.externalId }}',
      body: 'Hi {{ customer.name }}, {{ shipment.trackingNumber }}',
      html: '<p>{{ shipment.carrier }}</p>',
    }),
    numberFields: [],
    stringFields: [['subject'], ['body'], ['html']],
  },
  {
    name: 'POST /v1/message-templates/preview',
    operation: 'previewMessageTemplate',
    method: 'POST',
    url: () => '/v1/message-templates/preview',
    valid: () => ({ kind: 'delay_notice', channel: 'sms', body: '{{ order.externalId }} {{ links.keep }}' }),
    numberFields: [],
    stringFields: [['kind'], ['channel'], ['body']],
  },
  {
    name: 'POST /v1/stores',
    operation: 'createStore',
    method: 'POST',
    url: () => '/v1/stores',
    key: () => OPERATOR_TOKEN,
    valid: () => ({ name: 'S', currency: 'EUR', timezone: 'Europe/Paris' }),
    numberFields: [],
    stringFields: [['name'], ['timezone'], ['currency']],
  },
  {
    name: 'POST /v1/inventory/counts',
    operation: 'createStockCount',
    method: 'POST',
    url: () => '/v1/inventory/counts',
    valid: () => ({ counts: [{ sku: 'FZ-COUNT', onHand: 3 }], reason: 'cycle count' }),
    numberFields: [{ path: ['counts', '0', 'onHand'], min: 0, max: 2_000_000_000 }],
    stringFields: [['counts', '0', 'sku'], ['reason']],
  },
  {
    name: 'PATCH /v1/suppliers/{id}',
    operation: 'patchSupplier',
    method: 'PATCH',
    url: () => `/v1/suppliers/${supplierId}`,
    valid: () => ({ name: 'Fuzz 2', email: 's2@example.com', leadTimeDays: 6 }),
    numberFields: [{ path: ['leadTimeDays'], min: 0, max: 365 }],
    stringFields: [['name'], ['email']],
  },
  {
    name: 'PATCH /v1/purchase-orders/{id}',
    operation: 'patchPurchaseOrder',
    method: 'PATCH',
    url: () => `/v1/purchase-orders/${purchaseOrderId}`,
    valid: () => ({
      expectedDate: '2027-01-11',
      reason: 'the supplier moved it',
      reference: 'r2',
      lines: [{ sku: 'FZ-BO', quantity: 1000, unitCost: 5 }],
    }),
    numberFields: [
      { path: ['lines', '0', 'quantity'], min: 1, max: 1_000_000 },
      { path: ['lines', '0', 'unitCost'], min: 0, max: 1_000_000_000 },
    ],
    stringFields: [['expectedDate'], ['reason'], ['reference'], ['lines', '0', 'sku']],
  },
  {
    name: 'POST /v1/purchase-orders/{id}/order',
    operation: 'placePurchaseOrder',
    method: 'POST',
    url: () => `/v1/purchase-orders/${transitionPurchaseOrderId}/order`,
    valid: () => ({}),
    numberFields: [],
    stringFields: [],
    emptyIsValid: true,
  },
  {
    name: 'POST /v1/purchase-orders/{id}/cancel',
    operation: 'cancelPurchaseOrder',
    method: 'POST',
    url: () => `/v1/purchase-orders/${transitionPurchaseOrderId}/cancel`,
    valid: () => ({}),
    numberFields: [],
    stringFields: [],
    emptyIsValid: true,
  },
  {
    name: 'PATCH /v1/settings/shipping',
    operation: 'patchShippingSettings',
    method: 'PATCH',
    url: () => '/v1/settings/shipping',
    valid: () => ({ workingDays: ['mon', 'tue', 'wed', 'thu', 'fri'], closedDates: ['2026-12-25'] }),
    numberFields: [],
    stringFields: [
      ['workingDays', '0'],
      ['closedDates', '0'],
    ],
  },
  {
    name: 'PUT /v1/settings/shipping/methods/{code}',
    operation: 'putShippingMethod',
    method: 'PUT',
    url: () => '/v1/settings/shipping/methods/fz-express',
    valid: () => ({ name: 'Express', transitDaysMin: 1, transitDaysMax: 2, cutoffTime: '14:00' }),
    numberFields: [
      { path: ['transitDaysMin'], min: 0, max: 60 },
      { path: ['transitDaysMax'], min: 0, max: 60 },
    ],
    stringFields: [['name'], ['cutoffTime']],
  },
  {
    name: 'POST /v1/orders/{id}/payments',
    operation: 'reportPayment',
    method: 'POST',
    url: () => `/v1/orders/${orderId}/payments`,
    valid: () => ({ amount: 100, currency: 'USD', reference: 'pay_fuzz' }),
    numberFields: [{ path: ['amount'], min: 1, max: 100_000_000_000 }],
    stringFields: [['currency'], ['reference']],
  },
  {
    name: 'POST /v1/orders/{id}/payments/collect',
    operation: 'collectOrderPayments',
    method: 'POST',
    url: () => `/v1/orders/${orderId}/payments/collect`,
    valid: () => ({ force: true }),
    numberFields: [],
    stringFields: [],
    emptyIsValid: true,
  },
  {
    name: 'POST /v1/staff',
    operation: 'inviteStaff',
    method: 'POST',
    url: () => '/v1/staff',
    valid: () => ({ email: 'fuzz.ops@example.com', name: 'Fuzz', role: 'ops' }),
    numberFields: [],
    stringFields: [['email'], ['name'], ['role']],
  },
  {
    name: 'PATCH /v1/staff/{id}',
    operation: 'updateStaff',
    method: 'PATCH',
    url: () => `/v1/staff/${staffId}`,
    valid: () => ({ role: 'ops', name: 'Fuzz' }),
    numberFields: [],
    stringFields: [['role'], ['name']],
  },
  {
    name: 'POST /v1/session/link',
    operation: 'createSessionFromLink',
    method: 'POST',
    url: () => '/v1/session/link',
    key: () => '',
    valid: () => ({ token: 'not-a-link-token', password: 'a long enough password' }),
    numberFields: [],
    stringFields: [['token'], ['password']],
  },
  {
    name: 'POST /v1/connections',
    operation: 'createConnection',
    method: 'POST',
    url: () => '/v1/connections',
    valid: () => ({
      platform: 'shopify',
      shop: 'fuzz.myshopify.com',
      credentials: { accessToken: 'shpat_fuzz', clientSecret: 'fuzz-secret' },
    }),
    numberFields: [],
    stringFields: [['platform'], ['shop'], ['credentials', 'accessToken'], ['credentials', 'clientSecret']],
  },
  {
    name: 'PATCH /v1/connections/{id}',
    operation: 'updateConnection',
    method: 'PATCH',
    url: () => `/v1/connections/${connectionId}`,
    valid: () => ({ pushFulfilments: true }),
    numberFields: [],
    stringFields: [],
    emptyIsValid: true,
  },
  {
    name: 'PATCH /v1/replenishment/settings',
    operation: 'patchReplenishmentSettings',
    method: 'PATCH',
    url: () => '/v1/replenishment/settings',
    valid: () => ({ reviewDays: 14, historyDays: 365 }),
    numberFields: [
      { path: ['reviewDays'], min: 1, max: 90 },
      { path: ['historyDays'], min: 28, max: 1100 },
    ],
    stringFields: [],
  },
  {
    name: 'PUT /v1/replenishment/rules/{sku}',
    operation: 'putReplenishmentRule',
    method: 'PUT',
    url: () => '/v1/replenishment/rules/FZ-BO',
    valid: () => ({ min: 5, max: 20, moq: 2, packSize: 2, maxOrder: 100 }),
    numberFields: [
      { path: ['min'], min: 0, max: 10_000_000, nullable: true },
      { path: ['max'], min: 0, max: 10_000_000, nullable: true },
      { path: ['moq'], min: 1, max: 10_000_000, nullable: true },
      { path: ['packSize'], min: 1, max: 10_000_000, nullable: true },
      { path: ['maxOrder'], min: 1, max: 10_000_000, nullable: true },
    ],
    stringFields: [],
    emptyIsValid: true,
  },
  {
    name: 'PUT /v1/replenishment/suppliers/{supplierId}',
    operation: 'putReplenishmentSupplier',
    method: 'PUT',
    url: () => `/v1/replenishment/suppliers/${supplierId}`,
    valid: () => ({ automatic: false }),
    numberFields: [],
    stringFields: [],
  },
];

/**
 * Operations that take a JSON body but are not fuzzed above, each with the reason. Any other
 * operation with a body fails the coverage test below, so a new endpoint is fuzzed from day one.
 */
const NOT_FUZZED: Record<string, string> = {
  createSession:
    'a refused password is written on purpose (it counts toward the lock-out): test/staff.test.ts covers it',
};

describe('coverage', () => {
  it('every operation that takes a JSON body is fuzzed', async () => {
    const doc = (await t.request('GET', '/openapi.json')).json();
    const withBody: string[] = [];
    for (const item of Object.values<Json>(doc.paths)) {
      for (const op of Object.values<Json>(item)) {
        if (op?.requestBody?.content?.['application/json']) withBody.push(op.operationId);
      }
    }
    const fuzzed = new Set(endpoints.map((ep) => ep.operation));
    expect(withBody.filter((id) => !fuzzed.has(id) && !(id in NOT_FUZZED)).sort()).toEqual([]);
    // Names in the lists must be real operations (a renamed one would hide a gap).
    expect([...fuzzed, ...Object.keys(NOT_FUZZED)].filter((id) => !withBody.includes(id))).toEqual([]);
  });
});

describe.each(endpoints)('$name', (ep) => {
  const send = (rawBody: string | undefined, headers?: Record<string, string>) =>
    probe({ method: ep.method, url: ep.url(), key: ep.key?.(), rawBody, headers });

  beforeAll(async () => {
    await resetBaseline();
  });

  it('random values (fc.anything, fc.json) as the body', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(anythingText, fc.json()), async (text) => {
        await send(text, { 'content-type': 'application/json' });
      }),
      propertyOptions(RUNS),
    );
  });

  it('the right keys with wrong types', async () => {
    const keys = Object.keys(ep.valid());
    await fc.assert(
      fc.asyncProperty(
        fc.record(Object.fromEntries(keys.map((k) => [k, wrongValue])), { requiredKeys: [] }),
        async (body) => {
          await send(JSON.stringify(body));
        },
      ),
      propertyOptions(RUNS),
    );
  });

  it('bad numbers where a count is expected are always refused', async () => {
    if (ep.numberFields.length === 0) return;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ep.numberFields),
        fc.oneof(badNumberText, notJsonNumber),
        async (field, n) => {
          fc.pre(
            !isValidInteger(n, field.min, field.max, field.nonZero) && !(field.nullable && n === 'null'),
          );
          const status = await send(withField(ep.valid(), field.path, n));
          expect(status).toBeGreaterThanOrEqual(400);
        },
      ),
      propertyOptions(RUNS),
    );
  });

  it('long, NUL-containing and lone-surrogate strings in text fields', async () => {
    if (ep.stringFields.length === 0) return;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ep.stringFields), nasty, async (path, s) => {
        await send(withField(ep.valid(), path, JSON.stringify(s)));
      }),
      propertyOptions(RUNS),
    );
  });

  it('deep nesting and unknown fields are refused', async () => {
    // Found by this property on PostgreSQL: a \u escape anywhere in the text sends the body through
    // the walk for strings PostgreSQL cannot store, which recursed once per level (a 500).
    const deep = `${'['.repeat(20_000)}1${']'.repeat(20_000)}`;
    const status = await send(JSON.stringify({ ...ep.valid(), 'k\\u': '__V__' }).replace('"__V__"', deep));
    expect(status).toBeGreaterThanOrEqual(400);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          deepNest,
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        fc.string({ minLength: 1 }).filter((k) => !(k in ep.valid())),
        async (value, field) => {
          const body = JSON.stringify({ ...ep.valid(), [field]: '__V__' }).replace('"__V__"', value);
          const status = await send(body);
          expect(status).toBeGreaterThanOrEqual(400);
        },
      ),
      propertyOptions(RUNS),
    );
  });

  it('invalid JSON text is refused', async () => {
    await fc.assert(
      fc.asyncProperty(notJson, async (text) => {
        const status = await send(text, { 'content-type': 'application/json' });
        expect(status).toBeGreaterThanOrEqual(400);
      }),
      propertyOptions(RUNS),
    );
  });

  it('a valid body under a wrong content type is refused', async () => {
    // A handful of values: every one is sent, rather than a random sample.
    for (const contentType of wrongContentTypes) {
      const status = await send(JSON.stringify(ep.valid()), { 'content-type': contentType });
      expect(status, contentType).toBeGreaterThanOrEqual(400);
    }
  });

  it('an empty body', async () => {
    const status = await send('', { 'content-type': 'application/json' });
    const noType = await send(undefined);
    if (!ep.emptyIsValid) {
      expect(status).toBeGreaterThanOrEqual(400);
      expect(noType).toBeGreaterThanOrEqual(400);
    }
  });

  it('a body over 1 MiB → 413 payload_too_large', async () => {
    const body = JSON.stringify({ ...ep.valid(), padding: 'x'.repeat(1024 * 1024 + 10) });
    const res = await t.request(ep.method, ep.url(), { key: ep.key?.() ?? store.secretKey, rawBody: body });
    expectProblem(res, 413, 'payload_too_large');
    expect(await quickState()).toEqual(baseline);
  });
});

// ---------- query strings ----------

/** Arbitrary bytes, percent-encoded: covers %00, invalid UTF-8, '&', '=', '#'. */
const encodedBytes = fc
  .uint8Array({ maxLength: 40 })
  .map((bytes) => [...bytes].map((b) => `%${b.toString(16).padStart(2, '0')}`).join(''));
const queryValue = fc.oneof(
  encodedBytes,
  fc.string().map(encodeURIComponent),
  fc.constantFrom(
    '',
    '0',
    '-1',
    '1.5',
    '501',
    '1e3',
    'NaN',
    'null',
    'true',
    '%00',
    '%ff%fe',
    'a%00b',
    '%c0%80',
  ),
  fc.integer().map(String),
  fc.constant(Buffer.from('v1:99999999999999999999').toString('base64url')),
  fc.constant(Buffer.from('k1:').toString('base64url')),
  fc.constant(Buffer.from('k1:x:y').toString('base64url')),
  fc.constantFrom('csv', 'json', 'deny', 'preorder', 'false', 'F%40EXAMPLE.COM'),
);
const queryKey = fc.oneof(
  fc.constantFrom(
    'limit',
    'cursor',
    'status',
    'sku',
    'type',
    'order',
    'productId',
    'format',
    'mode',
    'waiting',
    'availableAtMost',
    'email',
  ),
  fc.string({ maxLength: 10 }).map(encodeURIComponent),
);
const queryString = fc
  .array(fc.tuple(queryKey, queryValue), { maxLength: 4 })
  .map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&'));

const lists: { url: string; key?: () => string }[] = [
  { url: '/v1/orders' },
  { url: '/v1/variants' },
  { url: '/v1/events' },
  { url: '/v1/backorders' },
  { url: '/v1/inventory' },
  { url: '/v1/inventory/FZ-BO/movements' },
  { url: '/v1/storefront/availability', key: () => store.publishableKey },
  { url: '/v1/messages' },
  { url: '/v1/webhook-endpoints' },
  { url: '/v1/stock-alerts' },
  { url: '/v1/keys' },
];

describe('random query strings on list endpoints', () => {
  it.each(lists)('$url', async ({ url, key }) => {
    await fc.assert(
      fc.asyncProperty(queryString, async (qs) => {
        await probe({ method: 'GET', url: `${url}?${qs}`, key: key?.() });
      }),
      propertyOptions(RUNS * 3),
    );
  });

  it('path parameters with arbitrary bytes', async () => {
    await fc.assert(
      fc.asyncProperty(
        encodedBytes.filter((s) => s.length > 0),
        fc.constantFrom('/v1/variants/', '/v1/inventory/', '/v1/orders/', '/v1/shipments/'),
        async (id, base) => {
          await probe({ method: 'GET', url: `${base}${id}` });
        },
      ),
      propertyOptions(RUNS * 2),
    );
  });
});

// ---------- CSV bodies ----------

/** Text made of what CSV is made of, under a header that is sometimes right. */
const csvText = fc
  .tuple(
    fc.constantFrom(
      '',
      'sku,quantity,reason,note\r\n',
      'sku,quantity,reason\n',
      '\uFEFFsku,title,price,backorder.mode\r\n',
    ),
    fc.string({
      unit: fc.constantFrom(
        'F',
        'Z',
        '-',
        'B',
        'O',
        '1',
        '0',
        ',',
        '"',
        '\r',
        '\n',
        ' ',
        'restock',
        'damage',
        '\u0000',
        'é',
      ),
      maxLength: 60,
    }),
  )
  .map(([header, rows]) => header + rows);

describe('random CSV bodies on the CSV endpoints', () => {
  it.each(['/v1/inventory/adjustments/batch', '/v1/variants/batch'])('%s', async (url) => {
    await resetBaseline();
    await fc.assert(
      fc.asyncProperty(csvText, async (text) => {
        await probe({ method: 'POST', url, rawBody: text, headers: { 'content-type': 'text/csv' } });
      }),
      { numRuns: RUNS * 3 },
    );
  });

  it('a CSV body where only JSON is taken is refused', async () => {
    await resetBaseline();
    for (const url of ['/v1/orders', '/v1/inventory/adjustments', `/v1/orders/${orderId}/cancel`]) {
      const status = await probe({
        method: 'POST',
        url,
        rawBody: 'sku,quantity\r\nFZ-BO,1\r\n',
        headers: { 'content-type': 'text/csv' },
      });
      expect(status).toBe(415);
    }
  });
});

describe('edge cases found by fuzzing, pinned', () => {
  // JSON allows lone UTF-16 surrogates (\ud800); PostgreSQL cannot store them (jsonb rejects the
  // escape). API.md: malformed input is a 4xx, never a 500, and nothing is written.
  const loneSurrogate = '"a\\ud800"';
  const cases: [string, 'POST' | 'PUT', () => string, () => string][] = [
    [
      'order externalId',
      'POST',
      () => '/v1/orders',
      () => `{"externalId":${loneSurrogate},"customer":{},"lines":[{"sku":"FZ-DENY","quantity":1}]}`,
    ],
    [
      'order customer.name',
      'POST',
      () => '/v1/orders',
      () => `{"customer":{"name":${loneSurrogate}},"lines":[{"sku":"FZ-DENY","quantity":1}]}`,
    ],
    [
      'variant attributes',
      'PUT',
      () => '/v1/variants/FZ-SURR',
      () => `{"title":"t","price":1,"attributes":{"c":${loneSurrogate}},"backorder":{"mode":"deny"}}`,
    ],
    [
      'adjustment note',
      'POST',
      () => '/v1/inventory/adjustments',
      () => `{"sku":"FZ-BO","quantity":1,"reason":"restock","note":${loneSurrogate}}`,
    ],
    [
      'cancel reason',
      'POST',
      () => `/v1/orders/${orderId}/cancel`,
      () => `{"lines":[{"lineId":"${waitingLineId}","quantity":1}],"reason":${loneSurrogate}}`,
    ],
    [
      'shipment carrier',
      'POST',
      () => `/v1/orders/${orderId}/shipments`,
      () => `{"lines":[{"lineId":"${allocatedLineId}","quantity":1}],"carrier":${loneSurrogate}}`,
    ],
  ];
  it.each(cases)('a lone surrogate in %s is not a 5xx', async (_name, method, url, rawBody) => {
    // A fresh order each time, so the cancel and shipment bodies are otherwise valid.
    const fresh = await t.request('POST', '/v1/orders', {
      key: store.secretKey,
      body: {
        customer: {},
        lines: [
          { sku: 'FZ-DENY', quantity: 1 },
          { sku: 'FZ-BO', quantity: 1 },
        ],
      },
    });
    expect(fresh.statusCode).toBe(201);
    orderId = fresh.json().id;
    allocatedLineId = fresh.json().lines[0].id;
    waitingLineId = fresh.json().lines[1].id;
    await resetBaseline();
    await probe({ method, url: url(), rawBody: rawBody() });
  });

  it('a NUL byte in a list filter (?productId=%00) is not a 5xx', async () => {
    await probe({ method: 'GET', url: '/v1/variants?productId=%00' });
    await probe({ method: 'GET', url: '/v1/variants?productId=a%00b' });
  });

  it('an invalid percent-encoding in the path is a problem+json 4xx', async () => {
    await probe({ method: 'GET', url: '/v1/variants/%80' });
    await probe({ method: 'GET', url: '/v1/orders/%c0' });
  });

  it('waiting units beyond the database integer range are refused with a 4xx, not a 500', async () => {
    const key = store.secretKey;
    await t.request('PUT', '/v1/variants/FZ-HUGE', { key, body: variant('backorder') });
    const body = {
      customer: {},
      lines: Array.from({ length: 100 }, () => ({ sku: 'FZ-HUGE', quantity: 1_000_000 })),
    };
    let accepted = 0;
    for (let i = 0; i < 25; i++) {
      await resetBaseline();
      const status = await probe({ method: 'POST', url: '/v1/orders', rawBody: JSON.stringify(body) });
      if (status === 201) accepted++;
    }
    const level = (await t.request('GET', '/v1/inventory/FZ-HUGE', { key })).json();
    expect(level.backordered).toBe(accepted * 100_000_000);
  });

  it('a zero adjustment is refused', async () => {
    await resetBaseline();
    const status = await probe({
      method: 'POST',
      url: '/v1/inventory/adjustments',
      rawBody: '{"sku":"FZ-BO","quantity":0,"reason":"restock"}',
    });
    expect(status).toBe(422);
  });
});

describe('after all the fuzzing', () => {
  it('the ledger and order invariants still hold', async () => {
    const state = await snapshot(t, store.secretKey, ['FZ-BO', 'FZ-DENY']);
    for (const sku of ['FZ-BO', 'FZ-DENY']) {
      const level = state.levels[sku];
      const sum = state.movements[sku]!.reduce((s: number, m: Json) => s + m.quantity, 0);
      expect(level.onHand).toBe(sum);
      expect(level.available).toBe(level.onHand - level.allocated);
      expect(level.available).toBeGreaterThanOrEqual(0);
    }
    for (const order of state.orders) {
      for (const l of order.lines) {
        expect(l.quantity).toBe(
          l.allocatedQuantity + l.backorderedQuantity + l.shippedQuantity + l.cancelledQuantity,
        );
      }
    }
  });
});
