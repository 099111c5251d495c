/**
 * Benchmark entry point: `npm run bench -- <scenario> [flags]`.
 *
 *   hot-sku  [--engine postgres|pglite] [--concurrency 64] [--stock S] [--limit L] [--requests N]
 *            [--baseline-seconds 10] [--cpu-prof DIR] [--trace-sql FILE]
 *   restock  [--engine postgres|pglite] [--units 1000000] [--skus 10000] [--workers 4] [--batch 200]
 *            [--partial 0] [--zipf 1.1] [--trace-sql 1] [--explain-slow MS]
 *   promises [--engine postgres|pglite] [--lines 1000000] [--orders 200] [--po-units 1000] [--reads 21]
 *            [--explain-full 1]
 *   soak     [--engine postgres|pglite] [--seconds 600] [--rate 20]
 *   console  [--engine postgres|pglite] [--orders 100000] [--queue 50000] [--rounds 40]
 *   promise-accuracy [--engine postgres|pglite] [--skus 60] [--days 90] [--warmup 30] [--seed 1]
 *   forecast [--series 10000] [--days 730] [--seed 1] [--candidates default|all]   (no database)
 *   messages [--engine postgres|pglite] [--orders 5000] [--channel email|webhook] [--concurrency 16]
 *            [--via deliverDue|worker]
 *            [--trace-sql 1]
 *   storefront [--engine postgres|pglite] [--concurrency 64] [--seconds 10] [--skus 60] [--stock S] [--limit L]
 *              [--orders N] [--cpu-prof DIR]
 *   connector [--engine postgres|pglite] [--orders 20000] [--skus 200] [--probes 20] [--concurrency 32]
 *             [--duplicates 0.05] [--probe-ms 100] [--cpu-prof DIR] [--trace-sql FILE]
 *
 * Every scenario runs on a database of its own (created for the run, dropped after it), prints a
 * human-readable log and, as its very last line, one JSON object. Exit code: 0 when the run
 * completed with no violations, 3 when it completed with violations (correctness failures; missed
 * performance goals are only warnings), 1 when it failed, 2 on a usage error, 130 / 143 when
 * interrupted (SIGINT / SIGTERM), after dropping its database.
 */
import { parseArgs } from 'node:util';
import { type Engine, runCleanups } from './common.ts';
import { runConnector } from './connector.ts';
import { runConsole } from './console.ts';
import { runForecast } from './forecast.ts';
import { runHotSku } from './hot-sku.ts';
import { type DeliveryPath, runMessages } from './messages.ts';
import { runPromiseAccuracy } from './promise-accuracy.ts';
import { runPromises } from './promises.ts';
import { runRestock } from './restock.ts';
import { runSoak } from './soak.ts';
import { runStorefront } from './storefront.ts';

const USAGE = `usage: npm run bench -- <hot-sku|restock|promises|messages|storefront|connector|soak|console|promise-accuracy|forecast> [flags]

hot-sku  --engine postgres|pglite  --concurrency 64  --stock S  --limit L  --requests N
         --baseline-seconds 10  --cpu-prof DIR (profile the server child)
         --trace-sql FILE (time the server's SQL round trips; PostgreSQL only)
restock  --engine postgres|pglite  --units 1000000  --skus 10000  --workers 4  --batch 200 (SKUs per transaction)
         --partial F (fraction of SKUs restocked with only half their queue)  --zipf 1.1
         --trace-sql 1 (time the SQL round trips of the restock phase; PostgreSQL only)
         --explain-slow MS (print auto_explain plans of statements slower than MS; PostgreSQL only)
promises --engine postgres|pglite  --lines 1000000 (long queue; 200000 on pglite)  --orders 200 (timed per queue)
         --po-units 1000 (units per purchase-order line)  --reads 21 (timed reads of the first and the last order)
         --explain-full 1 (EXPLAIN ANALYZE the 1M-line recompute)
messages --engine postgres|pglite  --orders 5000 (1000 on pglite)  --channel email|webhook
         --concurrency 16 (delivery lanes, and senders of the raw-channel baseline)
         --via deliverDue|worker (direct delivery passes, or the production worker's pg-boss jobs)
         --trace-sql 1 (time the SQL round trips of the relay and delivery phases; PostgreSQL only)
storefront --engine postgres|pglite  --concurrency 64  --seconds 10 (each of 2 read and 2 bare-route phases)
         --skus 60 (catalog read)  --stock S  --limit L  --orders N (the hot-SKU sale beside the reads)
         --cpu-prof DIR (profile the server child)
connector --engine postgres|pglite  --orders 20000 (2000 on pglite; signed WooCommerce order webhooks)
         --skus 200  --probes 20 (SKUs whose stock changes are timed to the platform call)  --concurrency 32
         --duplicates 0.05 (fraction delivered twice)  --probe-ms 100 (one stock change every so often)
         --api-order-ms N (also place one order through POST /v1/orders every N ms on an ordered SKU, timed)
         --cpu-prof DIR (profile the server child)  --trace-sql FILE (the server's SQL round trips; PostgreSQL only)
soak     --engine postgres|pglite  --seconds 600 (the run's length)  --rate 20 (requests per second, all kinds)
         mixed traffic at a fixed rate: p50/p99 per endpoint, errors, memory growth, invariants
console  --engine postgres|pglite  --orders 100000  --queue 50000 (waiting lines)  --rounds 40 (visits per page)
         each console page's API calls with a staff session (p95 per page), the first page's JS and load in Chromium
promise-accuracy --engine postgres|pglite  --skus 60  --days 90 (measured)  --warmup 30 (simulated first, not measured)
         --seed 1   a store's days replayed on a moving clock: promises kept, slips announced in time
forecast --series 10000  --days 730  --seed 1  --candidates default|all (every method on every series)
         generated daily demand fitted, backtested and chosen on one core; no database

Each run creates a database of its own on the PostgreSQL server of DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/test), backfill_bench_<scenario>_<pid>, and drops it at the end;
pglite runs on a fresh temporary directory. Exit code 3: the run found violations.`;

/** Exit code of a run that completed but found correctness violations. */
const VIOLATIONS_EXIT = 3;

function intFlag(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`--${name} must be a non-negative integer, got "${value}"`);
  return n;
}

function numFlag(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0)
    throw new Error(`--${name} must be a non-negative number, got "${value}"`);
  return n;
}

function deliveryPath(value: string): DeliveryPath {
  if (value !== 'deliverDue' && value !== 'worker') throw new Error('--via must be deliverDue or worker');
  return value;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      engine: { type: 'string', default: 'postgres' },
      concurrency: { type: 'string' },
      stock: { type: 'string' },
      limit: { type: 'string' },
      requests: { type: 'string' },
      'baseline-seconds': { type: 'string' },
      'cpu-prof': { type: 'string' },
      'trace-sql': { type: 'string' },
      units: { type: 'string' },
      skus: { type: 'string' },
      workers: { type: 'string' },
      batch: { type: 'string' },
      partial: { type: 'string' },
      zipf: { type: 'string' },
      lines: { type: 'string' },
      orders: { type: 'string' },
      'po-units': { type: 'string' },
      'explain-full': { type: 'string' },
      'explain-slow': { type: 'string' },
      reads: { type: 'string' },
      channel: { type: 'string' },
      via: { type: 'string' },
      seconds: { type: 'string' },
      rate: { type: 'string' },
      queue: { type: 'string' },
      rounds: { type: 'string' },
      series: { type: 'string' },
      days: { type: 'string' },
      seed: { type: 'string' },
      candidates: { type: 'string' },
      probes: { type: 'string' },
      duplicates: { type: 'string' },
      'probe-ms': { type: 'string' },
      'api-order-ms': { type: 'string' },
      warmup: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [scenario] = positionals;
  if (values.help || scenario === undefined) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const engine = values.engine as Engine;
  if (engine !== 'postgres' && engine !== 'pglite') throw new Error(`--engine must be postgres or pglite`);

  if (scenario === 'forecast') {
    const candidates = values.candidates ?? 'default';
    if (candidates !== 'default' && candidates !== 'all')
      throw new Error('--candidates must be default or all');
    // Its JSON line has exactly the keys of the issue; violations only decide the exit code.
    const { result, violations } = await runForecast({
      series: intFlag(values.series, 'series'),
      days: intFlag(values.days, 'days'),
      seed: intFlag(values.seed, 'seed'),
      candidates,
    });
    console.log(JSON.stringify(result));
    if (violations > 0) {
      console.error(`forecast: ${violations} violation(s)`);
      return VIOLATIONS_EXIT;
    }
    return 0;
  }

  let result: Record<string, unknown>;
  if (scenario === 'hot-sku') {
    result = await runHotSku({
      engine,
      concurrency: intFlag(values.concurrency, 'concurrency'),
      stock: intFlag(values.stock, 'stock'),
      limit: intFlag(values.limit, 'limit'),
      requests: intFlag(values.requests, 'requests'),
      baselineSeconds: intFlag(values['baseline-seconds'], 'baseline-seconds'),
      cpuProfDir: values['cpu-prof'],
      traceSql: values['trace-sql'],
    });
  } else if (scenario === 'restock') {
    result = await runRestock({
      engine,
      units: intFlag(values.units, 'units'),
      skus: intFlag(values.skus, 'skus'),
      workers: intFlag(values.workers, 'workers'),
      batch: intFlag(values.batch, 'batch'),
      partial: numFlag(values.partial, 'partial'),
      zipf: numFlag(values.zipf, 'zipf'),
      traceSql: values['trace-sql'] !== undefined,
      explainSlowMs: intFlag(values['explain-slow'], 'explain-slow'),
    });
  } else if (scenario === 'promises') {
    result = await runPromises({
      engine,
      lines: intFlag(values.lines, 'lines'),
      orders: intFlag(values.orders, 'orders'),
      poUnits: intFlag(values['po-units'], 'po-units'),
      explainFull: values['explain-full'] !== undefined,
      reads: intFlag(values.reads, 'reads'),
    });
  } else if (scenario === 'messages') {
    const channel = values.channel ?? 'email';
    if (channel !== 'email' && channel !== 'webhook') throw new Error('--channel must be email or webhook');
    result = await runMessages({
      engine,
      orders: intFlag(values.orders, 'orders'),
      channel,
      concurrency: intFlag(values.concurrency, 'concurrency'),
      ...(values.via ? { via: deliveryPath(values.via) } : {}),
      traceSql: values['trace-sql'] !== undefined,
    });
  } else if (scenario === 'storefront') {
    result = await runStorefront({
      engine,
      concurrency: intFlag(values.concurrency, 'concurrency'),
      seconds: intFlag(values.seconds, 'seconds'),
      skus: intFlag(values.skus, 'skus'),
      stock: intFlag(values.stock, 'stock'),
      limit: intFlag(values.limit, 'limit'),
      orders: intFlag(values.orders, 'orders'),
      cpuProfDir: values['cpu-prof'],
    });
  } else if (scenario === 'console') {
    result = await runConsole({
      engine,
      orders: intFlag(values.orders, 'orders'),
      queue: intFlag(values.queue, 'queue'),
      rounds: intFlag(values.rounds, 'rounds'),
    });
  } else if (scenario === 'connector') {
    result = await runConnector({
      engine,
      orders: intFlag(values.orders, 'orders'),
      skus: intFlag(values.skus, 'skus'),
      probes: intFlag(values.probes, 'probes'),
      concurrency: intFlag(values.concurrency, 'concurrency'),
      duplicates: numFlag(values.duplicates, 'duplicates'),
      probeMs: intFlag(values['probe-ms'], 'probe-ms'),
      apiOrderMs: intFlag(values['api-order-ms'], 'api-order-ms'),
      cpuProfDir: values['cpu-prof'],
      traceSql: values['trace-sql'],
    });
  } else if (scenario === 'promise-accuracy') {
    result = await runPromiseAccuracy({
      engine,
      skus: intFlag(values.skus, 'skus'),
      days: intFlag(values.days, 'days'),
      warmup: intFlag(values.warmup, 'warmup'),
      seed: intFlag(values.seed, 'seed'),
    });
  } else if (scenario === 'soak') {
    result = await runSoak({
      engine,
      seconds: intFlag(values.seconds, 'seconds'),
      rate: intFlag(values.rate, 'rate'),
    });
  } else {
    console.error(`unknown scenario "${scenario}"\n\n${USAGE}`);
    return 2;
  }
  console.log(JSON.stringify(result));
  const violations = Number(result.violations ?? 0);
  if (violations > 0) {
    console.error(`${scenario}: ${violations} violation(s)`);
    return VIOLATIONS_EXIT;
  }
  return 0;
}

// Ctrl-C or a kill: stop the children and drop the scratch database before leaving.
let interrupted: number | null = null;
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  process.once(signal, () => {
    interrupted = code;
    console.error(`${signal}: cleaning up`);
    void runCleanups().finally(() => process.exit(code));
  });
}

main(process.argv.slice(2)).then(
  async (code) => {
    await runCleanups();
    process.exit(interrupted ?? code);
  },
  async (error) => {
    if (interrupted === null) console.error(error);
    await runCleanups();
    process.exit(interrupted ?? 1);
  },
);
