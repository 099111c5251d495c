/**
 * soak: mixed traffic at a fixed rate for a long time (10 minutes by default), against a real
 * server process (from the build) with its in-process worker delivering email and webhooks to local
 * receivers. Availability reads, orders, order reads, cancellations, restocks, receipts and
 * shipments are sent on a fixed schedule (open loop: a slow answer does not slow the schedule down).
 *
 * Reports p50 / p99 per endpoint, errors (5xx, cut connections, refusals a correct server never
 * gives here; goal 0), the server's memory growth after warm-up (resident set, goal < 10 %) and the
 * product invariants checked at the end (stock and queue rules, no order lost or doubled, no email
 * sent twice; goal 0).
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { type Dispatcher, Pool } from 'undici';
import { openDatabase, queryRows } from '../src/db/client.ts';
import ensureBuild from '../test/support/build.ts';
import { stockViolations } from '../test/support/crash.ts';
import { startHttpReceiver, startMailInbox } from '../test/support/inboxes.ts';
import { type Child, startServer, TOKEN, waitHealthy } from '../test/support/processes.ts';
import {
  type BenchDatabase,
  type Engine,
  freshBenchDatabase,
  log,
  onCleanup,
  percentile,
  round,
} from './common.ts';

export interface SoakOptions {
  engine: Engine;
  seconds?: number;
  /** Requests per second, all kinds together. */
  rate?: number;
}

interface Reply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are read loosely
  body: any;
}

const SKUS = Array.from({ length: 12 }, (_, i) => `SOAK-${i + 1}`);
/** Share of the traffic per kind of request (they add up to 1). */
const MIX: [kind: string, share: number][] = [
  ['availability', 0.35],
  ['order', 0.25],
  ['read', 0.12],
  ['cancel', 0.06],
  ['restock', 0.1],
  ['receipt', 0.05],
  ['ship', 0.07],
];
/**
 * Answers that are business outcomes here, not errors: a full queue (an order refused for stock),
 * nothing ready to ship, a pre-order before its release. Anything else, any other 409 code included,
 * is an error: a cancel of a cancelled or shipped order is a 200 that changes nothing, and the
 * purchase order has room for every receipt.
 */
const EXPECTED: Record<string, readonly (number | `409 ${string}`)[]> = {
  availability: [200],
  order: [201, '409 insufficient_stock'],
  read: [200],
  cancel: [200],
  restock: [201],
  receipt: [201],
  ship: [201, '409 not_allocated', '409 not_released'],
};

const expected = (kind: string, reply: Reply): boolean =>
  EXPECTED[kind]!.some((answer) =>
    typeof answer === 'number'
      ? answer === reply.status
      : answer === `${reply.status} ${(reply.body as { code?: string } | null)?.code}`,
  );

/** SIGTERM, then up to `ms` for a graceful stop: its exit code, or null if it had to be killed. */
async function stopGracefully(server: Child, ms: number): Promise<number | null> {
  if (server.process.exitCode !== null) return server.process.exitCode;
  const exited = new Promise<number | null>((resolve) =>
    server.process.once('exit', (code) => resolve(code)),
  );
  server.process.kill('SIGTERM');
  const timer = setTimeout(() => server.process.kill('SIGKILL'), ms);
  const code = await exited;
  clearTimeout(timer);
  return code;
}

export async function runSoak(options: SoakOptions): Promise<Record<string, unknown>> {
  const database = await freshBenchDatabase(options.engine, 'soak');
  try {
    return await soakOn(database, options);
  } finally {
    await database.drop();
  }
}

async function soakOn(database: BenchDatabase, options: SoakOptions): Promise<Record<string, unknown>> {
  const seconds = options.seconds ?? 600;
  const rate = options.rate ?? 20;
  // Memory growth compares the end of warm-up (10 s at least) with the run's last tenth.
  if (!(seconds >= 20)) throw new Error(`soak: --seconds must be at least 20, got ${seconds}`);
  ensureBuild();
  log(`soak on ${options.engine}: ${seconds} s at ${rate} requests/s (${database.name})`);
  const inbox = await startMailInbox();
  const receiver = await startHttpReceiver();
  const server = await startServer({
    databaseUrl: database.url,
    env: {
      BACKFILL_IN_PROCESS_WORKER: 'true',
      BACKFILL_MESSAGES_INTERVAL_MS: '500',
      BACKFILL_PUBLIC_RATE_LIMIT: '10000000',
      BACKFILL_ALLOW_PRIVATE_URLS: 'true',
      LOG_LEVEL: 'warn',
    },
  });
  const unregister = onCleanup(() => {
    server.process.kill('SIGKILL');
  });
  const pool = new Pool(server.base, { connections: 32 });
  const request = async (method: string, path: string, key: string, body?: unknown): Promise<Reply> => {
    const res = await pool.request({
      method: method as Dispatcher.HttpMethod,
      path,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      headersTimeout: 30_000,
      bodyTimeout: 30_000,
    });
    const text = await res.body.text();
    return { status: res.statusCode, body: text ? JSON.parse(text) : null };
  };
  const ok = async (method: string, path: string, key: string, body?: unknown) => {
    const reply = await request(method, path, key, body);
    if (reply.status >= 300)
      throw new Error(`${method} ${path}: ${reply.status} ${JSON.stringify(reply.body)}`);
    return reply.body;
  };

  try {
    await waitHealthy(server, { timeoutMs: 120_000 });
    const created = await ok('POST', '/v1/stores', TOKEN, { name: 'Soak store' });
    const key: string = created.secretKey;
    const publishable: string = created.publishableKey;
    await ok('PATCH', '/v1/settings/messaging', key, {
      email: { smtpUrl: inbox.url, from: 'shop@soak.example' },
    });
    await ok('POST', '/v1/webhook-endpoints', key, { url: `${receiver.url}/soak` });
    for (const [i, sku] of SKUS.entries()) {
      await ok('PUT', `/v1/variants/${sku}`, key, {
        title: sku,
        price: 1000 + i,
        backorder: { mode: i % 4 === 3 ? 'preorder' : 'backorder', limit: 200 },
      });
    }
    const supplier = await ok('POST', '/v1/suppliers', key, { name: 'Soak supplier', leadTimeDays: 12 });
    const purchaseOrder = await ok('POST', '/v1/purchase-orders', key, {
      supplierId: supplier.id,
      expectedDate: '2031-06-01',
      lines: SKUS.map((sku) => ({ sku, quantity: 1_000_000, unitCost: 400 })),
    });

    const placed: string[] = [];
    const acknowledged = new Set<string>();
    const latencies = new Map<string, number[]>();
    const errors: string[] = [];
    const failedLatencies: number[] = [];
    const memory: { at: number; rss: number }[] = [];
    const pick = <T>(list: readonly T[]) => list[Math.floor(Math.random() * list.length)]!;
    const qty = () => 1 + Math.floor(Math.random() * 3);
    const kindAt = () => {
      let roll = Math.random();
      for (const [kind, share] of MIX) {
        roll -= share;
        if (roll < 0) return kind;
      }
      return MIX[0]![0];
    };
    const one = async (kind: string) => {
      const sku = pick(SKUS);
      const started = performance.now();
      let reply: Reply;
      let route: string;
      try {
        if (kind === 'availability') {
          route = 'GET /v1/storefront/availability';
          reply = await request(
            'GET',
            `/v1/storefront/availability?sku=${sku}&quantity=${qty()}`,
            publishable,
          );
        } else if (kind === 'order') {
          route = 'POST /v1/orders';
          reply = await request('POST', '/v1/orders', key, {
            customer: { email: `shopper${Math.floor(Math.random() * 500)}@soak.example` },
            lines: [{ sku, quantity: qty() }],
          });
          if (reply.status === 201) {
            placed.push(reply.body.id);
            acknowledged.add(reply.body.id);
          }
        } else if (kind === 'read' && placed.length > 0) {
          route = 'GET /v1/orders/:id';
          reply = await request('GET', `/v1/orders/${pick(placed)}`, key);
        } else if (kind === 'cancel' && placed.length > 0) {
          route = 'POST /v1/orders/:id/cancel';
          reply = await request('POST', `/v1/orders/${pick(placed)}/cancel`, key, {});
        } else if (kind === 'ship' && placed.length > 0) {
          route = 'POST /v1/orders/:id/shipments';
          reply = await request('POST', `/v1/orders/${pick(placed)}/shipments`, key, {});
        } else if (kind === 'receipt') {
          route = 'POST /v1/purchase-orders/:id/receipts';
          reply = await request('POST', `/v1/purchase-orders/${purchaseOrder.id}/receipts`, key, {
            lines: [{ sku, quantity: qty() }],
          });
        } else {
          route = 'POST /v1/inventory/adjustments';
          kind = 'restock';
          reply = await request('POST', '/v1/inventory/adjustments', key, {
            sku,
            quantity: qty(),
            reason: 'restock',
          });
        }
      } catch (error) {
        // A request that never got an answer counts in the tail too, for as long as it waited.
        const waited = performance.now() - started;
        failedLatencies.push(waited);
        errors.push(
          `${kind}: ${error instanceof Error ? error.message : String(error)} after ${round(waited)} ms`,
        );
        return;
      }
      const ms = performance.now() - started;
      if (!latencies.has(route)) latencies.set(route, []);
      latencies.get(route)!.push(ms);
      if (!expected(kind, reply)) errors.push(`${route} → ${reply.status} ${JSON.stringify(reply.body)}`);
    };

    const rssOf = (pid: number) => {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN) * 1024;
    };
    const runStarted = performance.now();
    const sampler = setInterval(() => {
      memory.push({ at: (performance.now() - runStarted) / 1000, rss: rssOf(server.process.pid!) });
    }, 2_000);
    const inFlight = new Set<Promise<void>>();
    const total = Math.round(seconds * rate);
    let lastReport = runStarted;
    for (let i = 0; i < total; i++) {
      const due = runStarted + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const p = one(kindAt()).finally(() => inFlight.delete(p));
      inFlight.add(p);
      if (performance.now() - lastReport > 30_000) {
        lastReport = performance.now();
        const last = memory.at(-1);
        log(
          `${Math.round((lastReport - runStarted) / 1000)} s: ${i + 1} requests sent, ${inFlight.size} in flight, ` +
            `${errors.length} errors, rss ${last ? round(last.rss / 1_048_576) : '?'} MB`,
        );
      }
    }
    await Promise.all(inFlight);
    clearInterval(sampler);
    const elapsed = (performance.now() - runStarted) / 1000;

    // Let the worker send what the traffic caused, then stop the server gracefully.
    for (let i = 0; i < 120; i++) {
      const res = await pool.request({
        method: 'GET',
        path: '/metrics',
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      const body = await res.body.text();
      const due = Number(/^backfill_messages_due (\S+)$/m.exec(body)?.[1] ?? Number.NaN);
      const backlog = Number(/^backfill_messages_relay_backlog (\S+)$/m.exec(body)?.[1] ?? Number.NaN);
      if (due === 0 && backlog === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    await pool.close();
    // The server's own shutdown limit is 25 s; a stop that fails or needs a kill is an error.
    const exitCode = await stopGracefully(server, 30_000);
    if (exitCode !== 0) errors.push(`graceful stop: exit ${exitCode ?? 'killed'} (expected 0)`);
    unregister();

    // Memory: the resident set at the end of warm-up (the first fifth of the run, at least 10 s)
    // against its last tenth, each a median of samples.
    const warm = Math.max(10, elapsed / 5);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
    const atWarm = median(memory.filter((m) => m.at >= warm * 0.75 && m.at <= warm * 1.25).map((m) => m.rss));
    const atEnd = median(memory.filter((m) => m.at >= elapsed * 0.9).map((m) => m.rss));
    const memoryGrowth = round((atEnd - atWarm) / atWarm, 3);

    // Invariants, from the tables.
    const violations: string[] = [];
    const db = await openDatabase(database.url, { poolSize: 2 });
    try {
      const [store] = await queryRows<{ id: string }>(db.db, sql`SELECT id FROM stores`);
      violations.push(...(await stockViolations(db.db, store!.id)));
      const stored = new Set(
        (await queryRows<{ id: string }>(db.db, sql`SELECT id FROM orders`)).map((r) => r.id),
      );
      for (const id of acknowledged)
        if (!stored.has(id)) violations.push(`6. order ${id} answered 201 and lost`);
      for (const id of stored)
        if (!acknowledged.has(id)) violations.push(`6. order ${id} stored without a 201`);
      const emails = new Map<string, number>();
      for (const mail of inbox.mail) emails.set(mail.messageId, (emails.get(mail.messageId) ?? 0) + 1);
      for (const [id, n] of emails) if (n > 1) violations.push(`8. email ${id} arrived ${n} times`);
    } finally {
      await db.close();
      await inbox.close();
      await receiver.close();
    }

    const all: number[] = [];
    log(`${'endpoint'.padEnd(40)} ${'requests'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)}`);
    for (const [route, values] of [...latencies].sort()) {
      values.sort((a, b) => a - b);
      all.push(...values);
      log(
        `${route.padEnd(40)} ${String(values.length).padStart(8)} ${String(round(percentile(values, 50))).padStart(8)} ` +
          `${String(round(percentile(values, 99))).padStart(8)}`,
      );
    }
    const requests = all.length + failedLatencies.length;
    all.push(...failedLatencies);
    all.sort((a, b) => a - b);
    log(
      `${requests} requests in ${round(elapsed)} s (${round(requests / elapsed)}/s), ${errors.length} errors, ` +
        `${inbox.mail.length} emails and ${receiver.requests.length} webhooks delivered, ` +
        `rss ${round(atWarm / 1_048_576)} MB after warm-up → ${round(atEnd / 1_048_576)} MB at the end ` +
        `(${round(memoryGrowth * 100)} %), ${violations.length} violations`,
    );
    for (const e of errors.slice(0, 10)) log(`ERROR: ${e}`);
    for (const v of violations.slice(0, 20)) log(`VIOLATION: ${v}`);
    if (memoryGrowth >= 0.1)
      log(`WARNING: memory grew ${round(memoryGrowth * 100)} % after warm-up (goal < 10 %)`);
    if (errors.length > 0) log(`WARNING: ${errors.length} errors (goal 0)`);
    return {
      scenario: 'soak',
      seconds: round(elapsed),
      requests,
      errors: errors.length,
      p99Ms: round(percentile(all, 99)),
      memoryGrowth,
      violations: violations.length,
    };
  } finally {
    await pool.destroy().catch(() => undefined);
    if (server.process.exitCode === null) server.process.kill('SIGKILL');
  }
}
