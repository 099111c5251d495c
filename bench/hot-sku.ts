/**
 * hot-sku: many concurrent shoppers ordering the same SKU over HTTP.
 *
 * A real server runs as a child process. One variant in `backorder` mode with limit L gets S units
 * of stock; `concurrency` keep-alive clients then place quantity-1 orders until N requests are done
 * (N > S + L), so the SKU sells out, its queue fills to the limit, and the rest is refused.
 * Afterwards everything is checked through the API: exactly S allocated and L waiting, every other
 * answer 409 insufficient_stock, queue positions 1..L in acceptance order, no order lost or doubled.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { type Dispatcher, Pool } from 'undici';
import {
  type BenchDatabase,
  backendsOf,
  cpuSeconds,
  type Engine,
  freshBenchDatabase,
  log,
  onCleanup,
  percentile,
  pgbenchBaseline,
  postgresReachable,
  postgresUrl,
  round,
  scratchPostgresDatabase,
  startCpu,
} from './common.ts';
import { printSqlStats, type StatementStat } from './sql-trace.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const OPERATOR_TOKEN = 'bench-operator-token-0123456789';
const SKU = 'HOT-SKU-1';

export interface HotSkuOptions {
  engine: Engine;
  concurrency?: number;
  stock?: number;
  limit?: number;
  requests?: number;
  baselineSeconds?: number;
  cpuProfDir?: string;
  /** Write node-postgres statement timings of the server child to this file (PostgreSQL only). */
  traceSql?: string;
}

interface Reply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are read loosely
  body: any;
}

/**
 * The load generator shares the machine's two cores with the server and PostgreSQL, so it must be
 * light: undici's Pool (one keep-alive connection per simulated client) costs far less CPU per
 * request than node:http.
 */
class Client {
  private readonly pool: Pool;
  constructor(port: number, sockets: number) {
    this.pool = new Pool(`http://127.0.0.1:${port}`, { connections: sockets, pipelining: 1 });
  }

  async request(method: string, path: string, key?: string, body?: unknown): Promise<Reply> {
    const headers: Record<string, string> = {};
    if (key) headers.authorization = `Bearer ${key}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await this.pool.request({
      method: method as Dispatcher.HttpMethod,
      path,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.body.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? null : JSON.parse(text);
    } catch {}
    return { status: res.statusCode, body: parsed };
  }

  close(): void {
    void this.pool.destroy();
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function startServer(
  databaseUrl: string,
  port: number,
  cpuProfDir?: string,
  traceSql?: string,
): ChildProcess {
  const args = ['--import', 'tsx'];
  if (cpuProfDir) args.push('--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`);
  if (traceSql) args.push('--import', './bench/sql-trace.ts');
  args.push('src/cli.ts', 'serve');
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      BACKFILL_OPERATOR_TOKEN: OPERATOR_TOKEN,
      BACKFILL_PUBLIC_RATE_LIMIT: '10000000',
      LOG_LEVEL: 'warn',
      ...(traceSql ? { BENCH_SQL_TRACE: traceSql } : {}),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return child;
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

async function waitForHealth(client: Client, child: ChildProcess, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited early with code ${child.exitCode}`);
    try {
      const res = await client.request('GET', '/health');
      if (res.status === 200) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('server did not become healthy in time');
}

function expect(reply: Reply, status: number, what: string): Reply {
  if (reply.status !== status) {
    throw new Error(`${what}: expected ${status}, got ${reply.status} ${JSON.stringify(reply.body)}`);
  }
  return reply;
}

export async function runHotSku(options: HotSkuOptions): Promise<Record<string, unknown>> {
  const database = await freshBenchDatabase(options.engine, 'hot-sku');
  try {
    return await hotSkuOn(database, options);
  } finally {
    await database.drop();
  }
}

async function hotSkuOn(database: BenchDatabase, options: HotSkuOptions): Promise<Record<string, unknown>> {
  const { engine } = options;
  const concurrency = options.concurrency ?? 64;
  const stock = options.stock ?? (engine === 'postgres' ? 2000 : 500);
  const limit = options.limit ?? (engine === 'postgres' ? 3000 : 1000);
  const requests = options.requests ?? (engine === 'postgres' ? 20000 : 5000);
  const baselineSeconds = options.baselineSeconds ?? 10;
  if (requests <= stock + limit) throw new Error('--requests must exceed --stock + --limit');

  log(
    `hot-sku on ${engine} (${engine === 'postgres' ? 'database' : 'directory'} ${database.name}): ` +
      `concurrency=${concurrency} stock=${stock} limit=${limit} requests=${requests}`,
  );

  const port = await freePort();
  const child = startServer(database.url, port, options.cpuProfDir, options.traceSql);
  // The child must not outlive us, also on Ctrl-C (run.ts runs the cleanups) or an uncaught error.
  const killChild = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', killChild);
  const unregisterChild = onCleanup(killChild);
  const client = new Client(port, concurrency + 4);
  const violations: string[] = [];
  const violate = (message: string) => {
    violations.push(message);
    if (violations.length <= 20) log(`VIOLATION: ${message}`);
  };
  let placementsPerSec = 0;
  let p50 = 0;
  let p99 = 0;
  try {
    await waitForHealth(client, child);

    // Set-up: a fresh store, one variant with a backorder limit, S units of stock.
    const created = expect(
      await client.request('POST', '/v1/stores', OPERATOR_TOKEN, { name: `bench hot-sku ${Date.now()}` }),
      201,
      'create store',
    );
    const key: string = created.body.secretKey;
    expect(
      await client.request('PUT', `/v1/variants/${SKU}`, key, {
        title: 'Hot item',
        price: 1000,
        backorder: { mode: 'backorder', limit },
      }),
      201,
      'put variant',
    );
    if (stock > 0) {
      expect(
        await client.request('POST', '/v1/inventory/adjustments', key, {
          sku: SKU,
          quantity: stock,
          reason: 'restock',
        }),
        201,
        'adjust stock',
      );
    }

    // Load: `concurrency` clients, each a simple loop, until N requests are done.
    const latencies = new Float64Array(requests);
    const statuses = new Int16Array(requests);
    const finishedAt = new Float64Array(requests);
    const accepted: {
      index: number;
      id: string;
      allocated: number;
      waiting: number;
      position: number | null;
    }[] = [];
    const otherBodies = new Map<string, number>();
    let issued = 0;
    const worker = async () => {
      for (;;) {
        const i = issued++;
        if (i >= requests) return;
        const started = performance.now();
        let reply: Reply;
        try {
          reply = await client.request('POST', '/v1/orders', key, {
            customer: { email: `shopper${i}@example.com` },
            lines: [{ sku: SKU, quantity: 1 }],
          });
        } catch (error) {
          reply = { status: 0, body: String(error) };
        }
        finishedAt[i] = performance.now();
        latencies[i] = finishedAt[i]! - started;
        statuses[i] = reply.status;
        if (reply.status === 201) {
          const line = reply.body?.lines?.[0];
          accepted.push({
            index: i,
            id: reply.body?.id,
            allocated: line?.allocatedQuantity ?? -1,
            waiting: line?.backorderedQuantity ?? -1,
            position: line?.queuePosition ?? null,
          });
        } else if (!(reply.status === 409 && reply.body?.code === 'insufficient_stock')) {
          const k = `${reply.status} ${reply.body?.code ?? JSON.stringify(reply.body).slice(0, 120)}`;
          otherBodies.set(k, (otherBodies.get(k) ?? 0) + 1);
        }
      }
    };
    log('load phase started');
    const serverPid = child.pid ?? -1;
    // The run's own database: its commits and its backends' CPU are this run's alone.
    const admin = engine === 'postgres' ? new pg.Client({ connectionString: database.url }) : null;
    await admin?.connect();
    const commits = async (): Promise<number | null> => {
      if (!admin) return null;
      const r = await admin.query(
        'SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()',
      );
      return Number(r.rows[0]?.xact_commit);
    };
    const commitsBefore = await commits();
    const serverCpuBefore = cpuSeconds((pid) => pid === serverPid);
    const cpu = await startCpu(admin ? backendsOf((text) => admin.query(text)) : null);
    const loadStart = performance.now();
    await Promise.all(Array.from({ length: concurrency }, worker));
    const loadSeconds = (performance.now() - loadStart) / 1000;
    const serverCpu = cpuSeconds((pid) => pid === serverPid) - serverCpuBefore;
    const used = await cpu.stop();
    const commitsAfter = await commits();
    await admin?.end();
    if (commitsBefore !== null && commitsAfter !== null) {
      const n = commitsAfter - commitsBefore;
      log(
        `PostgreSQL commits during the load phase: ${n} (≈ placement batches; ${(requests / Math.max(1, n)).toFixed(1)} requests per commit)`,
      );
    }
    log(
      `CPU during the load phase (2 cores = ${(2 * loadSeconds).toFixed(1)} core-s available): ` +
        `server ${serverCpu.toFixed(1)} s, ` +
        (used.postgres !== null
          ? `this run's postgres backends ${used.postgres.toFixed(1)} s, `
          : '(PGlite runs inside the server) ') +
        `bench client ${used.bench.toFixed(1)} s`,
    );

    let created201 = 0;
    let refused409 = 0;
    let server5xx = 0;
    for (const s of statuses) {
      if (s === 201) created201++;
      else if (s === 409) refused409++;
      else if (s >= 500 || s === 0) server5xx++;
    }
    placementsPerSec = (created201 + refused409) / loadSeconds;
    const sorted = Array.from(latencies).sort((a, b) => a - b);
    p50 = percentile(sorted, 50);
    p99 = percentile(sorted, 99);
    log(
      `load phase: ${requests} requests in ${loadSeconds.toFixed(2)} s — 201: ${created201}, 409: ${refused409}, ` +
        `5xx/network: ${server5xx}, other: ${requests - created201 - refused409 - server5xx}`,
    );
    log(
      `placements/s (201 + 409 responses per second of the load phase): ${placementsPerSec.toFixed(0)}; ` +
        `latency p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${sorted[sorted.length - 1]!.toFixed(1)} ms`,
    );

    // Two phases: until the last 201 (orders still accepted, rows written) and after (only refusals).
    let lastAccepted = loadStart;
    let acceptPhaseCount = 0;
    for (let i = 0; i < requests; i++)
      if (statuses[i] === 201) lastAccepted = Math.max(lastAccepted, finishedAt[i]!);
    for (let i = 0; i < requests; i++) if (finishedAt[i]! <= lastAccepted) acceptPhaseCount++;
    const acceptSeconds = (lastAccepted - loadStart) / 1000;
    const refuseSeconds = loadSeconds - acceptSeconds;
    log(
      `phases: until the last 201 ${acceptPhaseCount} responses in ${acceptSeconds.toFixed(2)} s ` +
        `(${(acceptPhaseCount / acceptSeconds).toFixed(0)}/s); after it ${requests - acceptPhaseCount} refusals in ` +
        `${refuseSeconds.toFixed(2)} s (${((requests - acceptPhaseCount) / refuseSeconds).toFixed(0)}/s)`,
    );

    // Verification, through the API.
    log('verifying');
    for (const [k, n] of otherBodies)
      violate(`${n} responses were neither 201 nor 409 insufficient_stock: ${k}`);
    if (server5xx > 0) violate(`${server5xx} responses were 5xx or network errors`);
    const allocatedOrders = accepted.filter((a) => a.allocated === 1 && a.waiting === 0);
    const waitingOrders = accepted.filter((a) => a.allocated === 0 && a.waiting === 1);
    const oddOrders = accepted.length - allocatedOrders.length - waitingOrders.length;
    if (oddOrders > 0) violate(`${oddOrders} accepted orders were neither fully allocated nor fully waiting`);
    if (allocatedOrders.length !== stock)
      violate(`${allocatedOrders.length} orders were allocated from stock, expected ${stock}`);
    if (waitingOrders.length !== limit)
      violate(`${waitingOrders.length} orders are waiting, expected ${limit}`);
    if (created201 !== stock + waitingOrders.length)
      violate(`${created201} orders accepted, expected stock + waiting = ${stock + waitingOrders.length}`);

    const level = expect(await client.request('GET', `/v1/inventory/${SKU}`, key), 200, 'get level').body;
    if (level.onHand !== stock || level.allocated !== stock)
      violate(`level onHand/allocated = ${level.onHand}/${level.allocated}, expected ${stock}/${stock}`);
    if (level.backordered !== limit) violate(`level backordered = ${level.backordered}, expected ${limit}`);
    if (level.backorderRemaining !== 0)
      violate(`level backorderRemaining = ${level.backorderRemaining}, expected 0`);

    // The queue: positions 1..L, contiguous, in acceptance order (the positions the 201s announced).
    const byPosition = new Map<number, string>();
    for (const w of waitingOrders) {
      if (w.position === null) violate(`waiting order ${w.id} has no queue position`);
      else if (byPosition.has(w.position))
        violate(`queue position ${w.position} was announced to two orders`);
      else byPosition.set(w.position, w.id);
    }
    const queue: { orderId: string; position: number; quantity: number; placedAt: string }[] = [];
    let cursor: string | null = null;
    do {
      const qs: string = `sku=${SKU}&limit=500${cursor ? `&cursor=${cursor}` : ''}`;
      const page = expect(
        await client.request('GET', `/v1/backorders?${qs}`, key),
        200,
        'list backorders',
      ).body;
      queue.push(...page.data);
      cursor = page.nextCursor;
    } while (cursor);
    if (queue.length !== limit) violate(`the queue lists ${queue.length} lines, expected ${limit}`);
    let badPositions = 0;
    let badOrder = 0;
    let badPlacedAt = 0;
    for (const [i, entry] of queue.entries()) {
      if (entry.position !== i + 1 || entry.quantity !== 1) badPositions++;
      if (byPosition.get(i + 1) !== entry.orderId) badOrder++;
      if (i > 0 && entry.placedAt < queue[i - 1]!.placedAt) badPlacedAt++;
    }
    if (badPositions > 0) violate(`${badPositions} queue entries are not at positions 1..L with quantity 1`);
    if (badOrder > 0) violate(`${badOrder} queue entries differ from the order the 201s announced`);
    if (badPlacedAt > 0) violate(`${badPlacedAt} queue entries were placed before the entry ahead of them`);

    // Nothing lost or duplicated: the order list holds exactly the accepted orders.
    const listed = new Set<string>();
    let listedRows = 0;
    cursor = null;
    do {
      const qs: string = `limit=500${cursor ? `&cursor=${cursor}` : ''}`;
      const page = expect(await client.request('GET', `/v1/orders?${qs}`, key), 200, 'list orders').body;
      for (const o of page.data) listed.add(o.id);
      listedRows += page.data.length;
      cursor = page.nextCursor;
    } while (cursor);
    if (listedRows !== created201)
      violate(`GET /v1/orders lists ${listedRows} orders, ${created201} were accepted`);
    if (listed.size !== listedRows) violate(`GET /v1/orders lists ${listedRows - listed.size} duplicates`);
    const missing = accepted.filter((a) => !listed.has(a.id)).length;
    if (missing > 0) violate(`${missing} accepted orders are missing from GET /v1/orders`);
    log(`verification done: ${violations.length} violation(s)`);
  } finally {
    client.close();
    await stopServer(child);
    process.off('exit', killChild);
    unregisterChild();
  }

  if (options.traceSql) {
    try {
      const rows = JSON.parse(readFileSync(options.traceSql, 'utf8')) as StatementStat[];
      log('server SQL round trips over the whole run:');
      printSqlStats(rows);
    } catch (error) {
      log(`no SQL trace: ${String(error)}`);
    }
  }

  // Baseline on the run's own database, with the server stopped so it does not compete (PGlite
  // runs: on a scratch database of the PostgreSQL server, if one is reachable).
  let baselineTps: number | null = null;
  if (engine === 'postgres' || (await postgresReachable(postgresUrl()))) {
    const scratch =
      engine === 'postgres'
        ? null
        : await scratchPostgresDatabase(postgresUrl(), 'backfill_bench_hot_sku_pgbench');
    try {
      const url = scratch?.url ?? database.url;
      log(
        `baseline: pgbench -c ${concurrency} -j 2 -T ${baselineSeconds}, one-row UPDATE n = n + 1, ` +
          `on database ${new URL(url).pathname.slice(1)}`,
      );
      baselineTps = await pgbenchBaseline(url, concurrency, baselineSeconds);
    } finally {
      await scratch?.drop();
    }
    log(`baseline tps (excluding connection time): ${baselineTps.toFixed(0)}`);
  } else {
    log('baseline: PostgreSQL unreachable, skipped');
  }
  const ratio = baselineTps ? placementsPerSec / baselineTps : null;
  log(
    `placements/s ${placementsPerSec.toFixed(0)} vs baseline ${baselineTps?.toFixed(0) ?? 'n/a'} tps → ratio ${ratio?.toFixed(2) ?? 'n/a'}; violations ${violations.length}`,
  );
  return {
    scenario: 'hot-sku',
    engine,
    concurrency,
    placementsPerSec: round(placementsPerSec),
    p50Ms: round(p50, 2),
    p99Ms: round(p99, 2),
    baselineTps: baselineTps === null ? null : round(baselineTps),
    ratio: ratio === null ? null : round(ratio, 3),
    violations: violations.length,
  };
}
