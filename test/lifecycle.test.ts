/**
 * The process's life as an operator sees it, on real processes started from the build: a restart on
 * an existing PGlite directory answers quickly and says where its start-up time went; SIGTERM stops
 * taking connections, lets the request and the webhook send in flight finish, settles them, releases
 * the database, and exits 0.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, queryRows } from '../src/db/client.ts';
import { call } from './support/crash.ts';
import { engineUnderTest } from './support/harness.ts';
import { type HttpReceiver, startHttpReceiver } from './support/inboxes.ts';
import { type Child, killNow, startServer, TOKEN, waitHealthy } from './support/processes.ts';
import { type ScratchDatabase, scratchDatabase } from './support/scratch.ts';

const children: Child[] = [];
afterAll(async () => {
  await Promise.all(children.map(killNow));
});

/** CPU time (user + system) a process has used so far, from /proc (Linux). */
function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime, in 1/100 s
}

describe.skipIf(engineUnderTest() === 'postgres')('start-up from the build (PGlite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'backfill-startup-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a restart on an existing data directory answers /health in under 5 s and logs where the time went', async () => {
    const databaseUrl = `pglite://${join(dir, 'data')}`;
    const env = { LOG_LEVEL: 'info', BACKFILL_IN_PROCESS_WORKER: 'true' };
    const first = await startServer({ databaseUrl, env });
    children.push(first);
    await waitHealthy(first, { timeoutMs: 60_000 });
    first.process.kill('SIGTERM');
    expect(await first.exited).toEqual({ code: 0, signal: null });

    const started = performance.now();
    const again = await startServer({ databaseUrl, env });
    children.push(again);
    await waitHealthy(again, { timeoutMs: 30_000 });
    const elapsedMs = performance.now() - started;
    const cpuMs = cpuMsOf(again.process.pid!);
    console.log(
      `restart: /health after ${Math.round(elapsedMs)} ms, ${cpuMs} ms of CPU, load ${loadavg()[0]!}`,
    );
    // The CPU the restart needs is what the code decides, within this VM's noise, which is wide:
    // V8 compiles PGlite's WebAssembly on background threads, and their CPU grows with contention.
    // The same build measured 2.8 s of CPU on a quiet machine here (2026-12-07, 1.8 s wall), 4.0–4.9 s
    // at load ~3, 6.1 s at load 8 on two cores, and 5.8 s on CI's runner at load ≤ 4 (while 2.4 s on
    // an earlier run there). It is held to 8 s (a start-up grown threefold fails) unless the machine
    // is more than twice oversubscribed; the wall clock to 5 s only when the cores are not shared.
    if (loadavg()[0]! <= 2 * availableParallelism()) expect(cpuMs).toBeLessThan(8_000);
    if (loadavg()[0]! <= availableParallelism()) expect(elapsedMs).toBeLessThan(5_000);
    const log = again.output.join('');
    expect(log).toMatch(/database opened in \d+\.\d+ s, migrations checked in \d+\.\d+ s, the rest/);
    expect((await fetch(`${again.base}/health/ready`)).status).toBe(200);
    again.process.kill('SIGTERM');
    expect((await again.exited).code).toBe(0);
  }, 120_000);
});

describe('graceful shutdown on SIGTERM', () => {
  let db: ScratchDatabase;
  let receiver: HttpReceiver;
  afterAll(async () => {
    await receiver?.close();
    await db?.drop();
  });

  it('refuses new connections, finishes the request and the webhook send in flight, settles them, exits 0', async () => {
    db = await scratchDatabase('shutdown');
    receiver = await startHttpReceiver();
    // Every webhook is answered 3 s late: the send is in flight when SIGTERM arrives.
    const STALL_MS = 3_000;
    receiver.fallback = { stallMs: STALL_MS };
    const server = await startServer({
      databaseUrl: db.url,
      env: { BACKFILL_IN_PROCESS_WORKER: 'true', BACKFILL_MESSAGES_INTERVAL_MS: '100', LOG_LEVEL: 'info' },
    });
    children.push(server);
    await waitHealthy(server, { timeoutMs: 60_000 });
    const { secretKey: key } = await call(server.base, TOKEN, 'POST', '/v1/stores', { name: 'Shutdown' });
    await call(server.base, key, 'POST', '/v1/webhook-endpoints', { url: `${receiver.url}/hook` });
    await call(server.base, key, 'PUT', '/v1/variants/SD-1', {
      title: 'Lamp',
      price: 1000,
      backorder: { mode: 'backorder', limit: null },
    });

    // A request whose body is still arriving when the signal comes.
    const body = JSON.stringify({ lines: [{ sku: 'SD-1', quantity: 1 }] });
    const slow = httpRequest(`${server.base}/v1/orders`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${key}`,
        'content-type': 'application/json',
        'content-length': body.length,
      },
    });
    const slowAnswer = new Promise<{ status: number; body: string }>((resolve, reject) => {
      slow.on('response', (res) => {
        let text = '';
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      slow.on('error', reject);
    });
    slow.write(body.slice(0, 10));

    // An order's events become webhook deliveries; SIGTERM once the first one is at the receiver.
    await call(server.base, key, 'POST', '/v1/orders', { lines: [{ sku: 'SD-1', quantity: 2 }] });
    const [first] = await receiver.waitFor(1, 20_000);
    server.process.kill('SIGTERM');
    // New connections are refused at once, while the send is still in flight (not after the
    // background work has stopped).
    let refusedAt: number | null = null;
    while (refusedAt === null && Date.now() < first!.at + STALL_MS) {
      try {
        await fetch(`${server.base}/health`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      } catch {
        refusedAt = Date.now();
      }
    }
    expect(refusedAt, 'connections still accepted while the send was in flight').not.toBeNull();
    slow.end(body.slice(10));
    const answer = await slowAnswer;
    expect(answer.status, answer.body).toBe(201);

    const exit = await server.exited;
    expect(exit, server.output.join('')).toEqual({ code: 0, signal: null });
    expect(server.output.join('')).toContain('stopped cleanly');
    if (db.url.startsWith('pglite://'))
      expect(existsSync(`${db.url.slice('pglite://'.length)}.lock`)).toBe(false);

    const database = await openDatabase(db.url);
    try {
      const attempts = await queryRows<{ status: string; n: number }>(
        database.db,
        sql`SELECT status, count(*)::int AS n FROM message_attempts GROUP BY status`,
      );
      // Every send that started was finished and recorded: none is left in flight or in doubt.
      expect(attempts.filter((a) => a.status !== 'sent')).toEqual([]);
      const sent = attempts.find((a) => a.status === 'sent')?.n ?? 0;
      expect(sent).toBeGreaterThanOrEqual(1);
      expect(receiver.requests).toHaveLength(sent);
      const ids = receiver.requests.map((r) => r.headers['webhook-id']);
      expect(new Set(ids).size).toBe(ids.length);
      if (db.url.startsWith('postgres')) {
        const [row] = await queryRows<{ n: number }>(
          database.db,
          sql`SELECT count(*)::int AS n FROM pg_stat_activity
               WHERE datname = current_database() AND pid <> pg_backend_pid()`,
        );
        expect(row!.n).toBe(0);
      }
    } finally {
      await database.close();
    }
  }, 120_000);
});
