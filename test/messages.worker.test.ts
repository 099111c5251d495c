/**
 * The worker as it runs in production: pg-boss on the same database (PGlite or PostgreSQL)
 * carries delivery jobs; and the relay's reading of the outbox never skips an event whose
 * transaction commits after a later one (PostgreSQL, where transactions really overlap).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSenders } from '../src/modules/messages/messages.channels.ts';
import { relayEvents, startRelayCursor } from '../src/modules/messages/messages.relay.ts';
import { startMessageWorker } from '../src/modules/messages/messages.worker.ts';
import {
  engineUnderTest,
  type StoreKeys,
  startTestApp,
  type TestApp,
  testDatabaseUrl,
  variant,
} from './support/harness.ts';
import { type HttpReceiver, type MailInbox, startHttpReceiver, startMailInbox } from './support/inboxes.ts';
import { relayAll } from './support/relay.ts';

let t: TestApp;
let inbox: MailInbox;
let receiver: HttpReceiver;

beforeAll(async () => {
  // Receivers run on loopback: private addresses are allowed (BACKFILL_ALLOW_PRIVATE_URLS=true).
  t = await startTestApp({ config: { allowPrivateUrls: true } });
  inbox = await startMailInbox();
  receiver = await startHttpReceiver();
});
afterAll(async () => {
  await t.close();
  await inbox.close();
  await receiver.close();
});

const silent = { info: () => {}, error: (object: unknown) => console.error(object) };

async function shopWithChannels(): Promise<StoreKeys> {
  const store = await t.createStore();
  await t.request('PATCH', '/v1/settings/messaging', {
    key: store.secretKey,
    body: { email: { smtpUrl: inbox.url, from: 'shop@worker.example' } },
  });
  await t.request('POST', '/v1/webhook-endpoints', { key: store.secretKey, body: { url: receiver.url } });
  await t.request('PUT', '/v1/variants/W-1', { key: store.secretKey, body: variant('backorder') });
  return store;
}

/** Waits as `wait` does; on a timeout the error also shows the store's message log, to say why. */
async function explained<T>(store: StoreKeys, wait: Promise<T>): Promise<T> {
  try {
    return await wait;
  } catch (error) {
    const log = (await t.request('GET', '/v1/messages', { key: store.secretKey })).json().data as {
      kind: string;
      channel: string;
      state: string;
      attempts: number;
      lastError: string | null;
    }[];
    const lines = log.map((m) => `${m.kind}/${m.channel} ${m.state} ×${m.attempts} ${m.lastError ?? ''}`);
    throw new Error(`${(error as Error).message}; the store's messages: ${lines.join('; ') || 'none'}`);
  }
}

describe('the message worker', () => {
  it('relays events and delivers them through pg-boss jobs, once', async () => {
    const store = await shopWithChannels();
    const scope = { cursor: `worker-${store.id}`, storeIds: [store.id] };
    await startRelayCursor(t.app.deps, scope.cursor);
    const worker = await startMessageWorker(
      t.app.deps,
      t.app.database,
      createSenders({ allowPrivateUrls: true }),
      silent,
      {
        intervalMs: 100,
        scope,
      },
    );
    try {
      const res = await t.request('POST', '/v1/orders', {
        key: store.secretKey,
        body: { customer: { email: 'worker@example.com' }, lines: [{ sku: 'W-1', quantity: 1 }] },
      });
      expect(res.statusCode).toBe(201);
      const [mail] = await explained(store, inbox.waitFor(1, 20_000));
      expect(mail!.to).toEqual(['worker@example.com']);
      const hooks = await explained(store, receiver.waitFor(2, 20_000));
      expect(hooks.map((r) => JSON.parse(r.body).type).sort()).toEqual([
        'order.line.backordered',
        'order.placed',
      ]);
      expect(hooks.every((r) => r.headers['webhook-signature'])).toBe(true);
      // More passes find nothing new to send.
      await worker.tick();
      await worker.tick();
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(inbox.mail).toHaveLength(1);
      const ids = receiver.requests.map((r) => r.headers['webhook-id']);
      expect(new Set(ids).size).toBe(ids.length);
      const log = (await t.request('GET', '/v1/messages', { key: store.secretKey })).json().data;
      expect(log.length).toBe(1 + ids.length);
      expect(log.every((m: { state: string }) => m.state === 'sent')).toBe(true);
    } finally {
      await worker.stop();
    }
  });
});

describe('two workers', () => {
  it("share a sale's deliveries: every message once, with one attempt each", async () => {
    const store = await shopWithChannels();
    const scope = { cursor: `pair-${store.id}`, storeIds: [store.id] };
    await startRelayCursor(t.app.deps, scope.cursor);
    const senders = [createSenders({ allowPrivateUrls: true }), createSenders({ allowPrivateUrls: true })];
    const workers = await Promise.all(
      senders.map((s) =>
        startMessageWorker(t.app.deps, t.app.database, s, silent, { intervalMs: 100, concurrency: 4, scope }),
      ),
    );
    const orders = 25;
    const mailBefore = inbox.mail.length;
    const hooksBefore = receiver.requests.length;
    try {
      for (let i = 0; i < orders; i++) {
        const res = await t.request('POST', '/v1/orders', {
          key: store.secretKey,
          body: { customer: { email: `pair-${i}@example.com` }, lines: [{ sku: 'W-1', quantity: 1 }] },
        });
        expect(res.statusCode).toBe(201);
      }
      await explained(store, inbox.waitFor(mailBefore + orders, 30_000));
      await explained(store, receiver.waitFor(hooksBefore + 2 * orders, 30_000));
      // Both go on relaying and enqueueing for a while: nothing more may leave.
      await Promise.all(workers.map((w) => w.tick()));
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const recipients = inbox.mail.slice(mailBefore).flatMap((m) => m.to);
      expect(recipients.sort()).toEqual(
        Array.from({ length: orders }, (_, i) => `pair-${i}@example.com`).sort(),
      );
      const ids = receiver.requests.slice(hooksBefore).map((r) => r.headers['webhook-id']);
      expect(ids).toHaveLength(2 * orders);
      expect(new Set(ids).size).toBe(ids.length);
      const log = (await t.request('GET', '/v1/messages?limit=500', { key: store.secretKey })).json()
        .data as { state: string; attempts: number }[];
      expect(log).toHaveLength(3 * orders);
      expect(log.every((m) => m.state === 'sent' && m.attempts === 1)).toBe(true);
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
      for (const s of senders) s.close?.();
    }
  });
});

describe.skipIf(engineUnderTest() !== 'postgres')('the relay on overlapping transactions', () => {
  it('waits for an earlier transaction that commits late instead of skipping its event', async () => {
    const store = await shopWithChannels();
    const scope = { cursor: `overlap-${store.id}`, storeIds: [store.id] };
    await startRelayCursor(t.app.deps, scope.cursor);
    const held = new pg.Client({ connectionString: testDatabaseUrl() });
    await held.connect();
    try {
      // A transaction writes an event (taking an earlier seq) and stays open…
      await held.query('BEGIN');
      await held.query(
        `INSERT INTO events (id, store_id, type, data, created_at) VALUES ($1, $2, 'test.late', '{}', now())`,
        [`evt_late${Date.now()}`, store.id],
      );
      // …while an order commits its events after it.
      await t.request('POST', '/v1/orders', {
        key: store.secretKey,
        body: { customer: {}, lines: [{ sku: 'W-1', quantity: 1 }] },
      });
      const first = await relayEvents(t.app.deps, { scope });
      expect(first.events).toBe(0);

      await held.query('COMMIT');
      await relayAll(t.app.deps, scope);
      const log = (
        await t.request('GET', '/v1/messages?channel=webhook&limit=500', { key: store.secretKey })
      ).json().data as { eventType: string }[];
      const types = log.map((m) => m.eventType).reverse();
      expect(types[0]).toBe('test.late');
      expect(types).toContain('order.placed');
    } finally {
      await held.end();
    }
  });
});
