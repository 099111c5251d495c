/**
 * The process's life as an operator sees it, on real processes started from the build: a restart on
 * an existing PGlite directory answers quickly and says where its start-up time went; SIGTERM stops
 * taking connections (after a 1 s drain where readiness answers 503), lets the request and the webhook
 * send in flight finish, settles them, closes kept-alive connections, releases the database, and exits
 * 0. A process told not to migrate stays up on a database without Backfill's tables, not ready.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, pendingMigrations, queryRows } from '../src/db/client.ts';
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
    // New connections are refused after the short drain, while the send is still in flight (not
    // after the background work has stopped).
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

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A request through node:http (an Agent keeps connections alive; undici's fetch hides that). */
function send(
  url: string,
  options: { method?: string; agent?: Agent | false; headers?: Record<string, string | number> },
  body?: (request: ReturnType<typeof httpRequest>) => void,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, {
      method: options.method ?? 'GET',
      agent: options.agent,
      headers: options.headers,
    });
    request.on('response', (res) => {
      let text = '';
      res.on('data', (chunk) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    request.on('error', reject);
    if (body) body(request);
    else request.end();
  });
}

describe('SIGTERM with a kept-alive connection', () => {
  let db: ScratchDatabase;
  afterAll(async () => {
    await db?.drop();
  });

  it('answers the request in flight with Connection: close, is not ready meanwhile, and exits 0 at once', async () => {
    db = await scratchDatabase('keepalive');
    // Well above what a clean stop takes, below the test's limit: a hang shows as exit code 1.
    const server = await startServer({
      databaseUrl: db.url,
      env: { LOG_LEVEL: 'info', BACKFILL_SHUTDOWN_TIMEOUT_MS: '20000' },
    });
    children.push(server);
    await waitHealthy(server, { timeoutMs: 60_000 });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      expect((await send(`${server.base}/health`, { agent })).headers.connection).toBe('keep-alive');
      // On the same kept-alive connection, a request whose body is still arriving at SIGTERM.
      const body = JSON.stringify({ name: 'Kept alive' });
      let finishBody = () => {};
      const inFlight = send(
        `${server.base}/v1/stores`,
        {
          method: 'POST',
          agent,
          headers: {
            authorization: `Bearer ${TOKEN}`,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (request) => {
          request.write(body.slice(0, 5));
          finishBody = () => request.end(body.slice(5));
        },
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
      server.process.kill('SIGTERM');
      const signalledAt = performance.now();

      // During the drain readiness answers 503 while the process still takes connections.
      let ready: Answer | null = null;
      while (performance.now() - signalledAt < 900 && ready?.status !== 503) {
        ready = await send(`${server.base}/health/ready`, { agent: false });
      }
      expect(ready?.status, ready?.body).toBe(503);
      expect(JSON.parse(ready!.body)).toMatchObject({
        code: 'not_ready',
        detail: 'Not ready: shutting down',
      });
      expect(ready!.headers.connection).toBe('close');

      finishBody();
      const answer = await inFlight;
      expect(answer.status, answer.body).toBe(201);
      expect(answer.headers.connection).toBe('close');
      const exit = await server.exited;
      const stoppedMs = performance.now() - signalledAt;
      expect(exit, server.output.join('')).toEqual({ code: 0, signal: null });
      expect(server.output.join('')).toContain('stopped cleanly');
      // The 1 s drain, then the close: nothing waits for the keep-alive timeout.
      expect(stoppedMs).toBeLessThan(8_000);
      if (db.url.startsWith('pglite://'))
        expect(existsSync(`${db.url.slice('pglite://'.length)}.lock`)).toBe(false);
    } finally {
      agent.destroy();
    }
  }, 120_000);
});

describe('BACKFILL_MIGRATE_ON_START=false on a database without migrations', () => {
  const scratch: ScratchDatabase[] = [];
  afterAll(async () => {
    for (const db of scratch) await db.drop();
  });

  /** Starts, checks it is live, not ready, still up a moment later; then stops it. Returns its log. */
  async function liveButNotReady(command: string[], env: Record<string, string> = {}): Promise<string> {
    const db = await scratchDatabase('unmigrated');
    scratch.push(db);
    const server = await startServer({
      databaseUrl: db.url,
      command,
      env: { BACKFILL_MIGRATE_ON_START: 'false', LOG_LEVEL: 'info', ...env },
    });
    children.push(server);
    await waitHealthy(server, { timeoutMs: 60_000 });
    const ready = await fetch(`${server.base}/health/ready`);
    const problem = await ready.json();
    expect(ready.status, JSON.stringify(problem)).toBe(503);
    expect(problem.checks.migrations).toMatch(/^\d+ migration\(s\) not applied$/);
    // What crashed it before: the start-up's store count, right after "Listening".
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(server.process.exitCode, server.output.join('')).toBeNull();
    expect((await fetch(`${server.base}/health`)).status).toBe(200);

    const signalledAt = performance.now();
    server.process.kill('SIGTERM');
    expect(await server.exited, server.output.join('')).toEqual({ code: 0, signal: null });
    // Nothing in flight: the drain (1 s) and the close, not more.
    expect(performance.now() - signalledAt).toBeLessThan(5_000);
    const database = await openDatabase(db.url);
    try {
      expect(await pendingMigrations(database.db), 'it migrated').toBeGreaterThan(20);
    } finally {
      await database.close();
    }
    return server.output.join('');
  }

  it('serve (with its background work) stays live, answers 503 on /health/ready, and does not migrate', async () => {
    const log = await liveButNotReady(['serve'], { BACKFILL_IN_PROCESS_WORKER: 'true' });
    expect(log).toContain('lacks');
    expect(log).toContain('Background work waits');
    // The background loops wait instead of failing against missing tables.
    expect(log).not.toMatch(/"level":50/);
  }, 120_000);

  it.skipIf(engineUnderTest() === 'pglite')(
    'serve --workers 2 does not migrate either (PostgreSQL)',
    async () => {
      await liveButNotReady(['serve', '--workers', '2']);
    },
    120_000,
  );
});
