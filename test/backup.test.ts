/**
 * `backfill backup` / `backfill restore`, run as a user would: a database with rows in every kind
 * of table (stores, catalog, stock, orders, supply, shipments, payments, messages, webhooks,
 * idempotency keys, migrations, pg-boss) is backed up, restored into a fresh database, and every
 * table of every schema Backfill owns is compared row for row; the restored database then serves.
 * PGlite: the data directory's archive; PostgreSQL: pg_dump / pg_restore.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { sql } from 'drizzle-orm';
import PgBoss from 'pg-boss';
import { afterAll, describe, expect, it } from 'vitest';
import { type Executor, openDatabase, queryRows } from '../src/db/client.ts';
import { rebaseOutboxAfterRestore } from '../src/db/outbox.ts';
import { relayBacklog, relayEvents } from '../src/modules/messages/messages.relay.ts';
import { collectPayments } from '../src/modules/payments/payments.collector.ts';
import { createManualProvider } from '../src/modules/payments/payments.provider.manual.ts';
import type { Deps } from '../src/shared/context.ts';
import {
  engineUnderTest,
  type StoreKeys,
  startTestApp,
  type TestApp,
  testDatabaseUrl,
  variant,
} from './support/harness.ts';
import { runCli } from './support/processes.ts';
import { type ScratchDatabase, scratchDatabase } from './support/scratch.ts';

const dir = mkdtempSync(join(tmpdir(), 'backfill-backup-'));
const scratch: ScratchDatabase[] = [];
afterAll(async () => {
  for (const db of scratch) await db.drop();
  rmSync(dir, { recursive: true, force: true });
});

const backfill = runCli;

/** Every table of Backfill's schemas, as a row count and a digest of all its rows in a fixed order. */
async function fingerprint(db: Executor): Promise<Record<string, string>> {
  const tables = await queryRows<{ name: string }>(
    db,
    sql`SELECT schemaname || '.' || tablename AS name FROM pg_tables
         WHERE schemaname IN ('public', 'drizzle', 'pgboss') ORDER BY 1`,
  );
  const result: Record<string, string> = {};
  for (const { name } of tables) {
    const [schema, table] = name.split('.') as [string, string];
    const [row] = await queryRows<{ n: number; digest: string | null }>(
      db,
      sql`SELECT count(*)::int AS n, md5(string_agg(to_jsonb(t)::text, '|' ORDER BY to_jsonb(t)::text)) AS digest
            FROM ${sql.identifier(schema)}.${sql.identifier(table)} t`,
    );
    result[name] = `${row!.n} rows ${row!.digest ?? '-'}`;
  }
  const sequences = await queryRows<{ name: string; last: string }>(
    db,
    sql`SELECT schemaname || '.' || sequencename AS name, coalesce(last_value, 0)::text AS last
          FROM pg_sequences WHERE schemaname IN ('public', 'drizzle', 'pgboss') ORDER BY 1`,
  );
  for (const s of sequences) result[`sequence ${s.name}`] = s.last;
  return result;
}

/** A store with rows in every kind of table. */
async function populate(t: TestApp): Promise<{ store: StoreKeys; orderIds: string[] }> {
  const store = await t.createStore('Backed-up store');
  const key = store.secretKey;
  const ok = async (method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, body?: unknown, headers = {}) => {
    const res = await t.request(method, url, { key, body, headers });
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };
  await ok('PATCH', '/v1/settings', { paymentProvider: 'manual', paymentMode: 'upfront' });
  await ok('PATCH', '/v1/settings/messaging', { merchantEmail: 'ops@example.com' });
  await ok('POST', '/v1/webhook-endpoints', { url: 'http://127.0.0.1:9/hook' });
  await ok('PUT', '/v1/variants/BK-1', variant('backorder', 50, { price: 1500 }));
  await ok('PUT', '/v1/variants/BK-2', variant('preorder', null, { price: 900 }));
  await ok('POST', '/v1/inventory/adjustments', { sku: 'BK-1', quantity: 3, reason: 'restock' });
  const orderIds: string[] = [];
  for (let i = 0; i < 4; i++) {
    const order = await ok(
      'POST',
      '/v1/orders',
      {
        customer: { email: `b${i}@example.com` },
        lines: [
          { sku: 'BK-1', quantity: 2 },
          { sku: 'BK-2', quantity: 1 },
        ],
      },
      { 'idempotency-key': `backup-${i}` },
    );
    orderIds.push(order.id);
  }
  const supplier = await ok('POST', '/v1/suppliers', { name: 'Backup supplier', leadTimeDays: 9 });
  const po = await ok('POST', '/v1/purchase-orders', {
    supplierId: supplier.id,
    expectedDate: '2030-01-10',
    lines: [{ sku: 'BK-1', quantity: 10, unitCost: 400 }],
  });
  await ok('PATCH', `/v1/purchase-orders/${po.id}`, { expectedDate: '2030-01-20', reason: 'late ship' });
  await ok('POST', `/v1/purchase-orders/${po.id}/receipts`, { lines: [{ sku: 'BK-1', quantity: 4 }] });
  await ok('POST', `/v1/orders/${orderIds[3]}/cancel`, {});
  // The first order is paid for (reported, the manual provider) and its units in stock shipped.
  const first = await ok('GET', `/v1/orders/${orderIds[0]}`);
  await ok('POST', `/v1/orders/${orderIds[0]}/payments`, { amount: 3900, reference: 'backup-pay' });
  await ok('POST', `/v1/orders/${orderIds[0]}/shipments`, {
    lines: [{ lineId: first.lines[0].id, quantity: 2 }],
  });
  await collectPayments(
    t.app.deps,
    { manual: createManualProvider(), stripe: null },
    { storeIds: [store.id] },
  );
  await relayEvents(t.app.deps);
  // The job queue's own tables, with a job waiting.
  const boss = new PgBoss({
    db: {
      executeSql: (text, values) => t.app.database.executeSql(text, values) as Promise<{ rows: never[] }>,
    },
    schema: 'pgboss',
  });
  await boss.start();
  await boss.createQueue('backup-test');
  await boss.send('backup-test', { waiting: true });
  await boss.stop({ graceful: false, wait: true });
  return { store, orderIds };
}

describe(`backup and restore (${engineUnderTest()})`, () => {
  it('restores into a fresh database with every table equal, and the copy serves', async () => {
    const source = await scratchDatabase('backup_src');
    scratch.push(source);
    const t = await startTestApp({ config: { databaseUrl: source.url, allowPrivateUrls: true } });
    let populated: Awaited<ReturnType<typeof populate>>;
    let before: Record<string, string>;
    try {
      populated = await populate(t);
      before = await fingerprint(t.app.deps.db);
    } finally {
      await t.close();
    }
    const tables = Object.keys(before).filter((k) => !k.startsWith('sequence '));
    expect(tables).toEqual(
      expect.arrayContaining(['public.orders', 'drizzle.__drizzle_migrations', 'pgboss.job']),
    );
    for (const table of [
      'public.orders',
      'public.order_lines',
      'public.messages',
      'public.payment_attempts',
    ]) {
      expect(before[table], table).not.toMatch(/^0 rows/);
    }

    const file = join(dir, 'backfill.backup');
    const saved = await backfill(source.url, 'backup', file);
    expect(saved.code, saved.stderr).toBe(0);
    expect(saved.stdout).toMatch(/^Backed up/);

    let targetUrl: string;
    if (engineUnderTest() === 'pglite') targetUrl = `pglite://${join(dir, 'restored')}`;
    else {
      const target = await scratchDatabase('backup_dst');
      scratch.push(target);
      targetUrl = target.url;
    }
    const restored = await backfill(targetUrl, 'restore', file);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toMatch(/^Restored/);
    // A second restore onto it is refused: it would mix two histories.
    const again = await backfill(targetUrl, 'restore', file);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already holds a database|not empty/);

    const copy = await startTestApp({ config: { databaseUrl: targetUrl, allowPrivateUrls: true } });
    try {
      expect(await fingerprint(copy.app.deps.db)).toEqual(before);
      const key = populated.store.secretKey;
      const orders = (await copy.request('GET', '/v1/orders?limit=100', { key })).json();
      expect(orders.data.map((o: { id: string }) => o.id).sort()).toEqual([...populated.orderIds].sort());
      // A retried request replays its first answer on the copy; a new order gets the next numbers.
      const replay = await copy.request('POST', '/v1/orders', {
        key,
        headers: { 'idempotency-key': 'backup-0' },
        body: {
          customer: { email: 'b0@example.com' },
          lines: [
            { sku: 'BK-1', quantity: 2 },
            { sku: 'BK-2', quantity: 1 },
          ],
        },
      });
      expect(replay.json().id).toBe(populated.orderIds[0]);
      const fresh = await copy.request('POST', '/v1/orders', {
        key,
        body: { lines: [{ sku: 'BK-2', quantity: 1 }] },
      });
      expect(fresh.statusCode).toBe(201);
    } finally {
      await copy.close();
    }
  }, 180_000);

  it('refuses an in-memory database and a missing backup file with a message', async () => {
    const memory = await backfill('pglite://memory', 'backup', join(dir, 'x'));
    expect(memory.code).toBe(2);
    expect(memory.stderr).toContain('in-memory');
    const missing = await backfill(`pglite://${join(dir, 'nowhere')}`, 'restore', join(dir, 'no-such-file'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no backup');
  });

  it('refuses a backup into a directory that does not exist with one line, writing nothing', async () => {
    const url = engineUnderTest() === 'pglite' ? `pglite://${join(dir, 'any')}` : testDatabaseUrl();
    const saved = await backfill(url, 'backup', join(dir, 'no-such-dir', 'backfill.backup'));
    expect(saved.code, saved.stderr).toBe(2);
    expect(saved.stderr.trim()).toBe(
      `The directory ${join(dir, 'no-such-dir')} does not exist: create it first, or back up elsewhere.`,
    );
    expect(readdirSync(dir).filter((name) => name.startsWith('no-such-dir'))).toEqual([]);
  });
});

describe.skipIf(engineUnderTest() === 'postgres')('a PGlite restore that fails (pglite)', () => {
  it('says so in one line for random bytes and a truncated archive, leaves nothing behind, and a retry works', async () => {
    const source = `pglite://${join(dir, 'small')}`;
    expect((await backfill(source, 'migrate')).code).toBe(0);
    const good = join(dir, 'small.tar.gz');
    expect((await backfill(source, 'backup', good)).code).toBe(0);
    const random = join(dir, 'random.tar.gz');
    writeFileSync(random, randomBytes(64 * 1024));
    // A well-formed gzip of half the archive: the tar (and the database in it) ends early.
    const truncated = join(dir, 'truncated.tar.gz');
    const tar = gunzipSync(readFileSync(good));
    writeFileSync(truncated, gzipSync(tar.subarray(0, Math.floor(tar.length / 2))));

    const target = `pglite://${join(dir, 'target')}`;
    for (const file of [random, truncated]) {
      const failed = await backfill(target, 'restore', file);
      expect(failed.code, failed.stderr).toBe(2);
      expect(failed.stderr.trim().split('\n'), failed.stderr).toHaveLength(1);
      expect(failed.stderr).toContain(`${file} is not a readable backup of an embedded (PGlite) database`);
      // Neither the target nor the directory it was extracted into, nor a lock file.
      expect(readdirSync(dir).filter((name) => name.includes('target'))).toEqual([]);
    }
    const restored = await backfill(target, 'restore', good);
    expect(restored.code, restored.stderr).toBe(0);
    expect(readdirSync(dir).filter((name) => name.includes('target'))).toEqual(['target']);
  }, 120_000);
});

describe.skipIf(engineUnderTest() === 'pglite')('a PostgreSQL restore that cannot start (postgres)', () => {
  it('names a target database that does not exist in one line', async () => {
    const file = join(dir, 'any.dump');
    writeFileSync(file, 'not read: the connection fails first');
    const url = new URL(testDatabaseUrl());
    const name = `backfill_missing_${process.pid}`;
    url.pathname = `/${name}`;
    const restored = await backfill(url.toString(), 'restore', file);
    expect(restored.code, restored.stderr).toBe(2);
    expect(restored.stderr.trim()).toBe(
      `The database "${name}" does not exist: create it first (createdb ${name}).`,
    );
  });
});

/**
 * Relays until nothing committed is left unread; returns the events read. The relay reads only
 * below the oldest transaction running on the server, and other test files' run meanwhile.
 */
async function relayUntilCaughtUp(deps: Deps): Promise<number> {
  let read = 0;
  for (let i = 0; i < 1000; i++) {
    read += (await relayEvents(deps)).events;
    if ((await relayBacklog(deps)) === 0) return read;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('the relay did not catch up within 20 s');
}

describe.skipIf(engineUnderTest() === 'pglite')('a restore onto another PostgreSQL server (postgres)', () => {
  it('moves outbox transaction ids that are ahead of the server below new ones, keeping what was read', async () => {
    const db = await scratchDatabase('rebase');
    scratch.push(db);
    const t = await startTestApp({ config: { databaseUrl: db.url, allowPrivateUrls: true } });
    try {
      const store = await t.createStore('Rebased');
      const key = store.secretKey;
      await t.request('PUT', '/v1/variants/RB-1', { key, body: variant('backorder') });
      await relayUntilCaughtUp(t.app.deps);
      const place = () =>
        t.request('POST', '/v1/orders', { key, body: { lines: [{ sku: 'RB-1', quantity: 1 }] } });
      await place();
      const unread = await relayBacklog(t.app.deps);
      expect(unread).toBeGreaterThan(0);
      // As restored from a server whose transaction ids ran a billion ahead of this one's.
      const ahead = (column: string) => sql.raw(`(${column}::text::bigint + 1000000000)::text::xid8`);
      await t.app.deps.db.execute(sql`UPDATE events SET xid = ${ahead('xid')}`);
      await t.app.deps.db.execute(sql`UPDATE relay_cursors SET xid = ${ahead('xid')}`);
      // An event written now would sort before the cursor: the relay would never read it.
      const newEventIsUnread = async () =>
        (
          await queryRows<{ after: boolean }>(
            t.app.deps.db,
            sql`SELECT (pg_current_xact_id(), 0::bigint) > (xid, seq) AS after FROM relay_cursors WHERE name = 'messages'`,
          )
        )[0]!.after;
      expect(await newEventIsUnread()).toBe(false);
      // What the servers do first when they start on the restored database: migrate.
      const handle = await openDatabase(db.url, { poolSize: 1 });
      try {
        await handle.migrate();
      } finally {
        await handle.close();
      }
      expect(await newEventIsUnread()).toBe(true);
      expect(await relayBacklog(t.app.deps)).toBe(unread);
      await place();
      expect(await relayBacklog(t.app.deps)).toBe(2 * unread);
      expect(await relayUntilCaughtUp(t.app.deps)).toBe(2 * unread);
      // Once moved, migrating again changes nothing.
      const again = await openDatabase(db.url, { poolSize: 1 });
      try {
        expect(await again.db.transaction((tx) => rebaseOutboxAfterRestore(tx))).toBe(false);
      } finally {
        await again.close();
      }
    } finally {
      await t.close();
    }
  }, 120_000);
});
