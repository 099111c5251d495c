/**
 * hot-sku: many concurrent shoppers ordering the same SKU over HTTP.
 *
 * A real server runs as a child process. One variant in `backorder` mode with limit L gets S units
 * of stock; `concurrency` keep-alive clients then place quantity-1 orders until N requests are done
 * (N > S + L), so the SKU sells out, its queue fills to the limit, and the rest is refused.
 * Afterwards everything is checked through the API: exactly S allocated and L waiting, every other
 * answer 409 insufficient_stock, queue positions 1..L in acceptance order, no order lost or doubled.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import {
  type BenchDatabase,
  backendsOf,
  cpuSeconds,
  type Engine,
  log,
  onFreshDatabase,
  percentile,
  pgbenchBaseline,
  postgresReachable,
  postgresUrl,
  round,
  scratchPostgresDatabase,
  startCpu,
} from './common.ts';
import { SaleRecord, saleOrder, verifySale } from './sale.ts';
import {
  Client,
  expectStatus,
  freePort,
  killOnExit,
  OPERATOR_TOKEN,
  type Reply,
  startServer,
  stopServer,
  waitForHealth,
} from './server.ts';
import { printSqlStats, type StatementStat } from './sql-trace.ts';

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

export async function runHotSku(options: HotSkuOptions): Promise<Record<string, unknown>> {
  return onFreshDatabase(options.engine, 'hot-sku', (database) => hotSkuOn(database, options));
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
  const child = startServer(database.url, port, {
    cpuProfDir: options.cpuProfDir,
    traceSql: options.traceSql,
  });
  // The child must not outlive us, also on Ctrl-C (run.ts runs the cleanups) or an uncaught error.
  const childStopped = killOnExit(child);
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
    const created = expectStatus(
      await client.request('POST', '/v1/stores', OPERATOR_TOKEN, { name: `bench hot-sku ${Date.now()}` }),
      201,
      'create store',
    );
    const key: string = created.body.secretKey;
    expectStatus(
      await client.request('PUT', `/v1/variants/${SKU}`, key, {
        title: 'Hot item',
        price: 1000,
        backorder: { mode: 'backorder', limit },
      }),
      201,
      'put variant',
    );
    if (stock > 0) {
      expectStatus(
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
    const sale = new SaleRecord();
    let issued = 0;
    const worker = async () => {
      for (;;) {
        const i = issued++;
        if (i >= requests) return;
        const started = performance.now();
        let reply: Reply;
        try {
          reply = await client.request('POST', '/v1/orders', key, saleOrder(SKU, i));
        } catch (error) {
          reply = { status: 0, body: String(error) };
        }
        finishedAt[i] = performance.now();
        latencies[i] = finishedAt[i]! - started;
        statuses[i] = reply.status;
        sale.record(i, reply);
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
    await verifySale(client, key, SKU, { stock, limit }, sale, violate);
    log(`verification done: ${violations.length} violation(s)`);
  } finally {
    client.close();
    await stopServer(child);
    childStopped();
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
