/**
 * GET /v1/live over a real socket: a client reading the stream with fetch sees an order's events
 * within 2 s, a reconnect with Last-Event-ID gets what it missed (once), other stores' events never
 * show, and closing the server ends open streams instead of waiting on them.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/client.ts';
import { type StoreKeys, startTestApp, type TestApp, variant } from './support/harness.ts';

let t: TestApp;
let base: string;

beforeAll(async () => {
  t = await startTestApp();
  base = await t.app.server.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await t.close();
});

/** Whether SSE id `a` (`<xid>-<seq>`) comes after `b` in the feed: by transaction id, then seq. */
function after(a: string, b: string): boolean {
  const [ax, as] = a.split('-').map(BigInt) as [bigint, bigint];
  const [bx, bs] = b.split('-').map(BigInt) as [bigint, bigint];
  return ax > bx || (ax === bx && as > bs);
}

interface Change {
  id: string;
  event: string;
  data: { type: string; seq: number };
}

/** A stream being read: the changes so far, the comments, and a way to wait for more. */
async function connect(key: string, lastEventId?: string) {
  const controller = new AbortController();
  const res = await fetch(`${base}/v1/live`, {
    headers: { authorization: `Bearer ${key}`, ...(lastEventId ? { 'last-event-id': lastEventId } : {}) },
    signal: controller.signal,
  });
  const changes: Change[] = [];
  const comments: string[] = [];
  let ended = false;
  const reading = (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields: Record<string, string> = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim());
            else if (line.includes(':'))
              fields[line.slice(0, line.indexOf(':'))] = line.slice(line.indexOf(':') + 1).trim();
          }
          if (fields.event)
            changes.push({ id: fields.id!, event: fields.event, data: JSON.parse(fields.data!) });
        }
      }
    } catch {
      // aborted
    }
    ended = true;
  })();
  return {
    res,
    changes,
    comments,
    get ended() {
      return ended;
    },
    async until(check: () => boolean, ms = 2000): Promise<number> {
      const started = Date.now();
      while (!check()) {
        if (Date.now() - started > ms) throw new Error(`not within ${ms} ms: ${JSON.stringify(changes)}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return Date.now() - started;
    },
    async close() {
      controller.abort();
      await reading;
    },
  };
}

async function placeOrder(store: StoreKeys, sku: string) {
  const res = await t.request('POST', '/v1/orders', {
    key: store.secretKey,
    body: { customer: { email: 'ada@example.com' }, lines: [{ sku, quantity: 1 }] },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

describe('GET /v1/live', () => {
  it('streams a change within 2 s of an order, only to its own store', async () => {
    const store = await t.createStore('Live shop');
    const other = await t.createStore('Other shop');
    for (const s of [store, other])
      await t.request('PUT', '/v1/variants/LIVE-1', { key: s.secretKey, body: variant('backorder') });
    const mine = await connect(store.secretKey);
    const theirs = await connect(other.secretKey);
    try {
      expect(mine.res.status).toBe(200);
      expect(mine.res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      await mine.until(() => mine.comments.includes('connected'));
      const started = Date.now();
      await placeOrder(store, 'LIVE-1');
      await mine.until(() => mine.changes.some((c) => c.data.type === 'order.placed'));
      expect(Date.now() - started).toBeLessThan(2000);
      const placed = mine.changes.find((c) => c.data.type === 'order.placed')!;
      expect(placed.event).toBe('change');
      expect(placed.id).toMatch(new RegExp(`^\\d+-${placed.data.seq}$`));
      expect(mine.changes.map((c) => c.data.type)).toContain('order.line.backordered');
      // Seqs are the outbox's: the events API lists the same ones.
      const events = (await t.request('GET', '/v1/events?order=asc', { key: store.secretKey })).json().data;
      expect(events.map((e: { type: string }) => e.type)).toContain('order.placed');
      // Nothing of this store reached the other one.
      await new Promise((resolve) => setTimeout(resolve, 700));
      expect(theirs.changes).toEqual([]);
    } finally {
      await mine.close();
      await theirs.close();
    }
  });

  it('resumes after Last-Event-ID with what was missed, each event once', async () => {
    const store = await t.createStore('Resume shop');
    await t.request('PUT', '/v1/variants/LIVE-2', { key: store.secretKey, body: variant('backorder') });
    const first = await connect(store.secretKey);
    await placeOrder(store, 'LIVE-2');
    await first.until(() => first.changes.some((c) => c.data.type === 'order.placed'));
    const lastSeen = first.changes.at(-1)!.id;
    await first.close();

    // While disconnected: a second order.
    await placeOrder(store, 'LIVE-2');
    const again = await connect(store.secretKey, lastSeen);
    try {
      await again.until(() => again.changes.some((c) => c.data.type === 'order.placed'));
      // What was written while away came first (the missed order), none of it from before Last-Event-ID.
      expect(again.changes.filter((c) => c.data.type === 'order.placed')).toHaveLength(1);
      expect(again.changes.every((c) => after(c.id, lastSeen))).toBe(true);
      // A third order while connected arrives live; nothing arrives twice.
      await placeOrder(store, 'LIVE-2');
      await again.until(() => again.changes.filter((c) => c.data.type === 'order.placed').length === 2);
      await new Promise((resolve) => setTimeout(resolve, 700));
      const seqs = again.changes.map((c) => c.data.seq);
      expect(new Set(seqs).size).toBe(seqs.length);
      expect(again.changes.filter((c) => c.data.type === 'order.placed')).toHaveLength(2);
    } finally {
      await again.close();
    }
  });

  it('a resume does not skip an event that committed after a later-numbered one', async () => {
    const store = await t.createStore('Late commit shop');
    // Two events as two transactions can leave them: `early` took the higher seq in a transaction
    // that started (and committed) first; `late` took a lower seq in a later transaction. The feed
    // delivers `early` first; a client that got only `early` must still get `late` on resume.
    const [row] = await queryRows<{ early: string; late: string }>(
      t.app.deps.db,
      sql`WITH seqs AS (SELECT nextval('events_seq_seq') AS low, nextval('events_seq_seq') AS high),
               ins AS (
                 INSERT INTO events (id, seq, store_id, type, data, created_at, xid)
                 SELECT v.id, v.seq, ${store.id}, 'order.placed', '{}'::jsonb, now(), v.xid
                   FROM seqs, LATERAL (VALUES
                     ('evt_early_' || seqs.high, seqs.high,
                      ((pg_current_xact_id()::text::bigint - 1)::text)::xid8),
                     ('evt_late_' || seqs.low, seqs.low, pg_current_xact_id())) AS v(id, seq, xid)
                 RETURNING id, seq, xid)
          SELECT (SELECT xid::text || '-' || seq FROM ins WHERE id LIKE 'evt_early_%') AS early,
                 (SELECT xid::text || '-' || seq FROM ins WHERE id LIKE 'evt_late_%') AS late`,
    );
    const { early, late } = row!;
    expect(Number(late.split('-')[1])).toBeLessThan(Number(early.split('-')[1]));
    const resumed = await connect(store.secretKey, early);
    try {
      await resumed.until(() => resumed.changes.length > 0);
      expect(resumed.changes.map((c) => c.id)).toEqual([late]);
    } finally {
      await resumed.close();
    }
  });

  it('refuses storefront keys and requests without a key', async () => {
    const store = await t.createStore('Keys shop');
    expect((await fetch(`${base}/v1/live`)).status).toBe(401);
    const res = await fetch(`${base}/v1/live`, {
      headers: { authorization: `Bearer ${store.publishableKey}` },
    });
    expect(res.status).toBe(403);
  });

  it('ends open streams when the server closes, instead of waiting on them', async () => {
    const other = await startTestApp();
    const url = await other.app.server.listen({ port: 0, host: '127.0.0.1' });
    const store = await other.createStore('Closing shop');
    const res = await fetch(`${url}/v1/live`, { headers: { authorization: `Bearer ${store.secretKey}` } });
    const reader = res.body!.getReader();
    await reader.read();
    const started = Date.now();
    await other.close();
    expect(Date.now() - started).toBeLessThan(3000);
    // The stream ended cleanly.
    for (let r = await reader.read(); !r.done; r = await reader.read()) {}
  });
});
