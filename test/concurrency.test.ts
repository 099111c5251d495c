/**
 * Concurrency: a flash sale on one SKU (many concurrent orders), concurrent restocks and
 * cancellations, concurrent retries with one Idempotency-Key — in process on the engine under test,
 * and (PostgreSQL only) across two real server processes sharing one database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineUnderTest, startTestApp, type TestApp, variant } from './support/harness.ts';
import { type Child, startServer, stopServer, TOKEN, waitHealthy } from './support/processes.ts';

// ---------------------------------------------------------------------------------------------
// A tiny client abstraction so the same scenario runs in-process (inject) and over real sockets.
// ---------------------------------------------------------------------------------------------

interface Res {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely
  body: any;
}

type Call = (
  method: 'GET' | 'POST' | 'PUT',
  url: string,
  opts?: { key?: string; body?: unknown; headers?: Record<string, string> },
) => Promise<Res>;

const injectCall =
  (t: TestApp): Call =>
  async (method, url, opts = {}) => {
    const res = await t.request(method, url, opts);
    return { status: res.statusCode, body: res.body === '' ? null : res.json() };
  };

const fetchCall =
  (base: string): Call =>
  async (method, url, opts = {}) => {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (opts.key) headers.authorization = `Bearer ${opts.key}`;
    let body: string | undefined;
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] = 'application/json';
    }
    const res = await fetch(`${base}${url}`, { method, headers, body });
    const text = await res.text();
    return { status: res.status, body: text === '' ? null : JSON.parse(text) };
  };

/** Deterministic pseudo-random numbers, so a failure can be re-run exactly. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function shuffle<T>(items: T[], random: () => number): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

// biome-ignore lint/suspicious/noExplicitAny: list items are read loosely
async function listAll(call: Call, key: string, path: string): Promise<any[]> {
  // biome-ignore lint/suspicious/noExplicitAny: list items are read loosely
  const all: any[] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const url = `${path}${sep}limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res = await call('GET', url, { key });
    expect(res.status, `GET ${url}`).toBe(200);
    all.push(...res.body.data);
    cursor = res.body.nextCursor;
  } while (cursor !== null);
  return all;
}

interface OrderLine {
  id: string;
  sku: string;
  quantity: number;
  allocatedQuantity: number;
  backorderedQuantity: number;
  shippedQuantity: number;
  cancelledQuantity: number;
  queuePosition: number | null;
}

interface Order {
  id: string;
  status: string;
  lines: OrderLine[];
}

const orderBody = (sku: string, n: number) => ({
  customer: { email: `shopper${n}@example.com` },
  lines: [{ sku, quantity: 1 }],
});

/**
 * Fires `n` concurrent single-unit orders on `sku`, request i going to calls[i % calls.length],
 * and checks the outcome of a sale on S units on hand with backorder limit L.
 * Returns the accepted orders in acceptance order.
 */
async function flashSale(
  calls: Call[],
  key: string,
  sku: string,
  { onHand, limit, requests }: { onHand: number; limit: number; requests: number },
): Promise<Order[]> {
  const responses = await Promise.all(
    Array.from({ length: requests }, (_, i) =>
      calls[i % calls.length]!('POST', '/v1/orders', { key, body: orderBody(sku, i) }),
    ),
  );
  const accepted = responses.filter((r) => r.status === 201);
  const refused = responses.filter((r) => r.status !== 201);
  for (const r of refused) {
    expect(r.status, JSON.stringify(r.body)).toBe(409);
    expect(r.body).toMatchObject({ code: 'insufficient_stock', sku, available: 0, backorderRemaining: 0 });
  }
  expect(accepted.length).toBe(onHand + limit);
  expect(refused.length).toBe(requests - onHand - limit);

  const placed = new Map<string, Order>(accepted.map((r) => [r.body.id, r.body as Order]));
  expect(placed.size, 'distinct order ids').toBe(onHand + limit);
  const allocatedNow = accepted.filter((r) => r.body.lines[0].allocatedQuantity === 1);
  const waitingNow = accepted.filter((r) => r.body.lines[0].backorderedQuantity === 1);
  expect(allocatedNow.length).toBe(onHand);
  expect(waitingNow.length).toBe(limit);
  for (const r of allocatedNow) expect(r.body.lines[0].queuePosition).toBeNull();
  // Queue positions given at acceptance are a permutation of 1..L.
  expect(waitingNow.map((r) => r.body.lines[0].queuePosition).sort((a, b) => a - b)).toEqual(
    Array.from({ length: limit }, (_, i) => i + 1),
  );

  // Acceptance order = the order list oldest first: the first S were allocated, then the next L
  // waited at positions 1..L in that order (a later order never gets ahead of an earlier one).
  const listed = (await listAll(calls[0]!, key, '/v1/orders')) as Order[];
  const acceptance = [...listed].reverse().filter((o) => o.lines[0]!.sku === sku);
  expect(acceptance.map((o) => o.id).sort()).toEqual([...placed.keys()].sort());
  for (const [i, o] of acceptance.entries()) {
    const response = placed.get(o.id)!.lines[0]!;
    if (i < onHand) {
      expect(response.allocatedQuantity, `order #${i} in acceptance order`).toBe(1);
    } else {
      expect(response.queuePosition, `order #${i} in acceptance order`).toBe(i - onHand + 1);
    }
    // Nothing has moved since: the stored order still matches its placement response.
    expect(o.lines[0]).toMatchObject({
      allocatedQuantity: response.allocatedQuantity,
      backorderedQuantity: response.backorderedQuantity,
      queuePosition: response.queuePosition,
    });
  }

  const queue = await listAll(calls[0]!, key, `/v1/backorders?sku=${sku}`);
  expect(queue.map((b) => [b.orderId, b.position, b.backorderedQuantity])).toEqual(
    acceptance.slice(onHand).map((o, i) => [o.id, i + 1, 1]),
  );
  const level = (await calls[0]!('GET', `/v1/inventory/${sku}`, { key })).body;
  expect(level).toMatchObject({
    onHand,
    allocated: onHand,
    available: 0,
    backordered: limit,
    backorderLimit: limit,
    backorderRemaining: 0,
  });
  return acceptance.map((o) => placed.get(o.id)!);
}

/**
 * Concurrent restocks, cancellations (of allocated and of waiting orders) and new orders,
 * interleaved; every request must succeed except new orders, which may be refused.
 */
async function churn(
  calls: Call[],
  key: string,
  sku: string,
  accepted: Order[],
  { onHand, seed }: { onHand: number; seed: number },
): Promise<{ restocked: number }> {
  const random = rng(seed);
  const allocated = accepted.slice(0, onHand);
  const waiting = accepted.slice(onHand);
  const toCancel = [
    ...shuffle(allocated, random).slice(0, Math.ceil(allocated.length / 2)),
    ...shuffle(waiting, random).slice(0, Math.ceil(waiting.length / 3)),
  ];
  const restocks = Array.from({ length: 10 }, () => 1 + Math.floor(random() * 4));
  type Job = () => Promise<{ kind: string; res: Res }>;
  let n = 0;
  const pick = () => calls[n++ % calls.length]!;
  const jobs: Job[] = [
    ...toCancel.map((o): Job => {
      const call = pick();
      return async () => ({
        kind: 'cancel',
        res: await call('POST', `/v1/orders/${o.id}/cancel`, { key, body: { reason: 'changed mind' } }),
      });
    }),
    ...restocks.map((quantity): Job => {
      const call = pick();
      return async () => ({
        kind: 'restock',
        res: await call('POST', '/v1/inventory/adjustments', {
          key,
          body: { sku, quantity, reason: 'restock' },
        }),
      });
    }),
    ...Array.from({ length: 20 }, (_, i): Job => {
      const call = pick();
      return async () => ({
        kind: 'order',
        res: await call('POST', '/v1/orders', { key, body: orderBody(sku, 10_000 + i) }),
      });
    }),
  ];
  const results = await Promise.all(shuffle(jobs, random).map((job) => job()));
  for (const { kind, res } of results) {
    const why = `${kind}: ${JSON.stringify(res.body)}`;
    if (kind === 'cancel') {
      expect(res.status, why).toBe(200);
      expect(res.body.status, why).toBe('cancelled');
      expect(res.body.lines[0].cancelledQuantity, why).toBe(1);
    } else if (kind === 'restock') {
      expect(res.status, why).toBe(201);
    } else if (res.status !== 201) {
      expect(res.status, why).toBe(409);
      expect(res.body.code, why).toBe('insufficient_stock');
    }
  }
  return { restocked: restocks.reduce((a, b) => a + b, 0) };
}

/**
 * Replays the store's event log for `sku` in commit order and checks FIFO (invariant 5): every
 * unit handed out from the queue goes to the line at its head, and a line's queue position at
 * acceptance is its place behind the lines then waiting. Returns the waiting lines at the end.
 */
async function replayQueue(
  call: Call,
  key: string,
  sku: string,
): Promise<{ lineId: string; waiting: number }[]> {
  const events = await listAll(call, key, '/v1/events?order=asc');
  const queue: { lineId: string; waiting: number }[] = [];
  let servedFromQueue = 0;
  for (const e of events) {
    if (e.type === 'order.line.backordered' && e.data.sku === sku) {
      queue.push({ lineId: e.data.lineId, waiting: e.data.quantity });
      expect(e.data.queuePosition, `position at acceptance of ${e.data.lineId}`).toBe(queue.length);
    } else if (e.type === 'order.cancelled') {
      for (const l of e.data.lines as { lineId: string; sku: string; quantity: number }[]) {
        if (l.sku !== sku) continue;
        const at = queue.findIndex((q) => q.lineId === l.lineId);
        if (at < 0) continue;
        queue[at]!.waiting -= Math.min(l.quantity, queue[at]!.waiting);
        if (queue[at]!.waiting === 0) queue.splice(at, 1);
      }
    } else if (e.type === 'order.line.allocated' && e.data.sku === sku && e.data.source === 'queue') {
      servedFromQueue += 1;
      const head = queue[0];
      expect(head?.lineId, `queue fill #${servedFromQueue} must go to the head of the queue`).toBe(
        e.data.lineId,
      );
      head!.waiting -= e.data.quantity;
      expect(head!.waiting).toBeGreaterThanOrEqual(0);
      if (head!.waiting === 0) queue.shift();
    }
  }
  return queue;
}

/** Checks invariants 1–5 for one SKU once everything has settled. */
async function checkSettled(
  call: Call,
  key: string,
  sku: string,
  { onHand, limit }: { onHand: number; limit: number },
): Promise<void> {
  const level = (await call('GET', `/v1/inventory/${sku}`, { key })).body;
  expect(level.onHand).toBe(onHand);
  expect(level.available).toBe(level.onHand - level.allocated);
  expect(level.available).toBeGreaterThanOrEqual(0);
  expect(level.backordered).toBeLessThanOrEqual(limit);
  if (level.backordered > 0) expect(level.available).toBe(0);
  const movements = await listAll(call, key, `/v1/inventory/${sku}/movements`);
  expect(movements.reduce((n, m) => n + m.quantity, 0)).toBe(level.onHand);

  const orders = (await listAll(call, key, '/v1/orders')) as Order[];
  const lines = orders.flatMap((o) => o.lines).filter((l) => l.sku === sku);
  for (const l of lines) {
    expect(l.allocatedQuantity + l.backorderedQuantity + l.shippedQuantity + l.cancelledQuantity).toBe(
      l.quantity,
    );
  }
  expect(lines.reduce((n, l) => n + l.allocatedQuantity, 0)).toBe(level.allocated);
  expect(lines.reduce((n, l) => n + l.backorderedQuantity, 0)).toBe(level.backordered);
  // Nothing can stay waiting while units are free, and nothing free while someone waits:
  expect(level.allocated).toBe(
    Math.min(
      level.onHand,
      lines.reduce((n, l) => n + l.allocatedQuantity + l.backorderedQuantity, 0),
    ),
  );

  const queue = await listAll(call, key, `/v1/backorders?sku=${sku}`);
  expect(queue.map((b) => b.position)).toEqual(queue.map((_, i) => i + 1));
  expect(queue.reduce((n, b) => n + b.backorderedQuantity, 0)).toBe(level.backordered);
  const byLine = new Map(lines.map((l) => [l.id, l]));
  for (const [i, b] of queue.entries()) {
    expect(byLine.get(b.lineId)).toMatchObject({
      quantity: b.quantity,
      backorderedQuantity: b.backorderedQuantity,
      queuePosition: i + 1,
    });
  }
  const replayed = await replayQueue(call, key, sku);
  expect(queue.map((b) => ({ lineId: b.lineId, waiting: b.backorderedQuantity }))).toEqual(replayed);
}

/** Sends one order `copies` times at once with one Idempotency-Key; exactly one may exist after. */
async function concurrentRetries(calls: Call[], key: string, sku: string, copies: number): Promise<void> {
  const headers = { 'idempotency-key': `retry-${sku}` };
  const body = orderBody(sku, 1);
  const responses = await Promise.all(
    Array.from({ length: copies }, (_, i) =>
      calls[i % calls.length]!('POST', '/v1/orders', { key, headers, body }),
    ),
  );
  const ids = new Set<string>();
  for (const r of responses) {
    if (r.status === 201) ids.add(r.body.id);
    else {
      expect(r.status, JSON.stringify(r.body)).toBe(409);
      expect(r.body.code).toBe('idempotency_key_in_use');
    }
  }
  expect(ids.size, 'every successful response names the same order').toBe(1);
  const orders = (await listAll(calls[0]!, key, '/v1/orders')) as Order[];
  expect(orders.filter((o) => o.lines[0]!.sku === sku).map((o) => o.id)).toEqual([...ids]);
  const level = (await calls[0]!('GET', `/v1/inventory/${sku}`, { key })).body;
  expect(level.allocated + level.backordered).toBe(1);
  // Once settled, a retry replays the same order.
  const again = await calls[calls.length - 1]!('POST', '/v1/orders', { key, headers, body });
  expect(again.status).toBe(201);
  expect(again.body.id).toBe([...ids][0]);
}

/** Sends one adjustment `copies` times at once with one Idempotency-Key: one movement only. */
async function concurrentAdjustmentRetries(
  calls: Call[],
  key: string,
  sku: string,
  copies: number,
): Promise<void> {
  const headers = { 'idempotency-key': `adjust-${sku}` };
  const body = { sku, quantity: 7, reason: 'restock' };
  const responses = await Promise.all(
    Array.from({ length: copies }, (_, i) =>
      calls[i % calls.length]!('POST', '/v1/inventory/adjustments', { key, headers, body }),
    ),
  );
  const ids = new Set<string>();
  for (const r of responses) {
    if (r.status === 201) ids.add(r.body.adjustment.id);
    else {
      expect(r.status, JSON.stringify(r.body)).toBe(409);
      expect(r.body.code).toBe('idempotency_key_in_use');
    }
  }
  expect(ids.size).toBe(1);
  const movements = await listAll(calls[0]!, key, `/v1/inventory/${sku}/movements`);
  expect(movements.map((m) => m.quantity)).toEqual([7]);
  expect((await calls[0]!('GET', `/v1/inventory/${sku}`, { key })).body.onHand).toBe(7);
}

// ---------------------------------------------------------------------------------------------
// In process, on the engine under test
// ---------------------------------------------------------------------------------------------

describe(`concurrency in one process (${engineUnderTest()})`, () => {
  let t: TestApp;
  let call: Call;
  beforeAll(async () => {
    t = await startTestApp();
    call = injectCall(t);
  });
  afterAll(() => t.close());

  it('a flash sale allocates exactly S, queues exactly L in acceptance order, refuses the rest; churn keeps FIFO', async () => {
    const store = await t.createStore('Flash sale');
    const key = store.secretKey;
    const sku = 'HOT-1';
    const S = 20;
    const L = 30;
    expect((await call('PUT', `/v1/variants/${sku}`, { key, body: variant('backorder', L) })).status).toBe(
      201,
    );
    expect(
      (
        await call('POST', '/v1/inventory/adjustments', {
          key,
          body: { sku, quantity: S, reason: 'restock' },
        })
      ).status,
    ).toBe(201);

    const accepted = await flashSale([call], key, sku, { onHand: S, limit: L, requests: 150 });
    await checkSettled(call, key, sku, { onHand: S, limit: L });

    const { restocked } = await churn([call], key, sku, accepted, { onHand: S, seed: 42 });
    await checkSettled(call, key, sku, { onHand: S + restocked, limit: L });
  });

  it('the same Idempotency-Key sent 20 times at once creates one order (and one adjustment)', async () => {
    const store = await t.createStore('Retries');
    const key = store.secretKey;
    expect(
      (await call('PUT', '/v1/variants/RETRY-1', { key, body: variant('backorder', null) })).status,
    ).toBe(201);
    expect((await call('PUT', '/v1/variants/RETRY-2', { key, body: variant('deny') })).status).toBe(201);
    await concurrentRetries([call], key, 'RETRY-1', 20);
    await concurrentAdjustmentRetries([call], key, 'RETRY-2', 20);
  });
});

// ---------------------------------------------------------------------------------------------
// Two server processes on one PostgreSQL database
// ---------------------------------------------------------------------------------------------

describe.skipIf(engineUnderTest() === 'pglite')('concurrency across two server processes (postgres)', () => {
  const children: Child[] = [];
  let calls: Call[] = [];

  beforeAll(async () => {
    children.push(await startServer(), await startServer());
    await Promise.all(children.map((child) => waitHealthy(child)));
    calls = children.map((c) => fetchCall(c.base));
  });
  afterAll(() => Promise.all(children.map(stopServer)));

  async function createStore(name: string): Promise<string> {
    const res = await calls[0]!('POST', '/v1/stores', { key: TOKEN, body: { name } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.secretKey;
  }

  it.skipIf(engineUnderTest() === 'pglite')(
    '300 orders split across both processes: exactly S allocated, L queued in order, FIFO through churn',
    async () => {
      const key = await createStore('Two-process flash sale');
      const sku = 'HOT-2P';
      const S = 40;
      const L = 60;
      // Variant created through one process, stock through the other.
      expect(
        (await calls[1]!('PUT', `/v1/variants/${sku}`, { key, body: variant('backorder', L) })).status,
      ).toBe(201);
      expect(
        (
          await calls[0]!('POST', '/v1/inventory/adjustments', {
            key,
            body: { sku, quantity: S, reason: 'restock' },
          })
        ).status,
      ).toBe(201);

      const accepted = await flashSale(calls, key, sku, { onHand: S, limit: L, requests: 300 });
      await checkSettled(calls[1]!, key, sku, { onHand: S, limit: L });

      const { restocked } = await churn(calls, key, sku, accepted, { onHand: S, seed: 7 });
      await checkSettled(calls[0]!, key, sku, { onHand: S + restocked, limit: L });
      await checkSettled(calls[1]!, key, sku, { onHand: S + restocked, limit: L });
    },
  );

  it.skipIf(engineUnderTest() === 'pglite')(
    'the same Idempotency-Key sent to both processes at once is applied once',
    async () => {
      const key = await createStore('Two-process retries');
      expect(
        (await calls[0]!('PUT', '/v1/variants/RETRY-2P', { key, body: variant('backorder', null) })).status,
      ).toBe(201);
      expect((await calls[1]!('PUT', '/v1/variants/ADJ-2P', { key, body: variant('deny') })).status).toBe(
        201,
      );
      await concurrentRetries(calls, key, 'RETRY-2P', 20);
      await concurrentAdjustmentRetries(calls, key, 'ADJ-2P', 20);
    },
  );

  it.skipIf(engineUnderTest() === 'pglite')(
    'a list cursor from one process pages on in the other (cursors are stateless)',
    async () => {
      const key = await createStore('Two-process cursors');
      await calls[0]!('PUT', '/v1/variants/PAGE-2P', { key, body: variant('backorder', null) });
      const placed: string[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await calls[i % 2]!('POST', '/v1/orders', {
          key,
          body: { lines: [{ sku: 'PAGE-2P', quantity: 1 }] },
        });
        placed.push(res.body.id);
      }
      const first = await calls[0]!('GET', '/v1/orders?limit=2', { key });
      const second = await calls[1]!('GET', `/v1/orders?limit=2&cursor=${first.body.nextCursor}`, { key });
      const third = await calls[0]!('GET', `/v1/orders?limit=2&cursor=${second.body.nextCursor}`, { key });
      const seen = [first, second, third].flatMap((page) => page.body.data.map((o: { id: string }) => o.id));
      expect(third.body.nextCursor).toBeNull();
      expect(seen).toEqual([...placed].reverse());
    },
  );
});
