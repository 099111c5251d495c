/**
 * storefront: product pages reading availability, as the widget does, over real HTTP.
 *
 * A real server runs as a child process; a store allows one web origin and has a catalog of SKUs
 * in each mode. Reads (`GET /v1/storefront/availability?sku=…&quantity=1..3`, publishable key,
 * `Origin` of the shop: the widget's request) are timed at `concurrency` connections beside a bare
 * Fastify route (another child process answering a fixed copy of a real answer), in alternating
 * phases of the same length. Then a hot-SKU sale runs beside the reads (90 % reads, 10 % orders),
 * and the sale is verified as hot-sku verifies it (exactly S allocated, L waiting in order, no
 * order lost or doubled). Every read must be a 200 with the shop's Access-Control-Allow-Origin.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import {
  type BenchDatabase,
  cpuSeconds,
  type Engine,
  log,
  onFreshDatabase,
  percentile,
  round,
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
  waitUntil,
} from './server.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ORIGIN = 'https://shop.example';
const HOT = 'HOT-SKU-1';
/** Goals of issue 13. */
const GOALS = { ratio: 0.5, p99Ms: 20, mixedReadP99Ms: 50 };

export interface StorefrontOptions {
  engine: Engine;
  concurrency?: number;
  /** Seconds of each timed phase (two of reads, two of the bare route, alternating). */
  seconds?: number;
  skus?: number;
  stock?: number;
  limit?: number;
  orders?: number;
  /** Profile the server child (`--cpu-prof`) into this directory. */
  cpuProfDir?: string;
}

export async function runStorefront(options: StorefrontOptions): Promise<Record<string, unknown>> {
  return onFreshDatabase(options.engine, 'storefront', (database) => storefrontOn(database, options));
}

/** Latencies of one kind of request, and how many there were per second of their phases. */
class Timings {
  readonly latencies: number[] = [];
  seconds = 0;
  get perSecond(): number {
    return this.latencies.length / this.seconds;
  }
  p99(): number {
    return percentile(
      [...this.latencies].sort((a, b) => a - b),
      99,
    );
  }
}

async function timed(call: () => Promise<Reply>): Promise<{ reply: Reply; ms: number }> {
  const started = performance.now();
  let reply: Reply;
  try {
    reply = await call();
  } catch (error) {
    reply = { status: 0, body: String(error) };
  }
  return { reply, ms: performance.now() - started };
}

/** `concurrency` loops calling `step` until `until()` says stop. */
async function load(concurrency: number, step: () => Promise<void>, until: () => boolean): Promise<number> {
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (!until()) await step();
    }),
  );
  return (performance.now() - started) / 1000;
}

async function storefrontOn(
  database: BenchDatabase,
  options: StorefrontOptions,
): Promise<Record<string, unknown>> {
  const { engine } = options;
  const concurrency = options.concurrency ?? 64;
  const seconds = options.seconds ?? 10;
  const skuCount = options.skus ?? 60;
  const stock = options.stock ?? (engine === 'postgres' ? 500 : 200);
  const limit = options.limit ?? (engine === 'postgres' ? 1000 : 300);
  const orders = options.orders ?? (engine === 'postgres' ? 3000 : 1000);
  if (orders <= stock + limit) throw new Error('--orders must exceed --stock + --limit');
  log(
    `storefront on ${engine} (${database.name}): concurrency=${concurrency} phases of ${seconds} s, ` +
      `${skuCount} SKUs; sale: stock=${stock} limit=${limit} orders=${orders}`,
  );

  const port = await freePort();
  const server = startServer(database.url, port, { cpuProfDir: options.cpuProfDir });
  const serverStopped = killOnExit(server);
  const barePort = await freePort();
  let bare: ReturnType<typeof spawn> | null = null;
  let bareStopped = () => {};
  const client = new Client(port, concurrency + 4);
  const bareClient = new Client(barePort, concurrency + 4);
  const violations: string[] = [];
  const violate = (message: string) => {
    violations.push(message);
    if (violations.length <= 20) log(`VIOLATION: ${message}`);
  };
  let onAdminEnd: () => Promise<void> | undefined = () => undefined;
  const reads = new Timings();
  const baseline = new Timings();
  const mixedReads = new Timings();
  try {
    await waitForHealth(client, server);
    const created = expectStatus(
      await client.request('POST', '/v1/stores', OPERATOR_TOKEN, { name: `bench storefront ${Date.now()}` }),
      201,
      'create store',
    );
    const secret: string = created.body.secretKey;
    const publishable: string = created.body.publishableKey;
    expectStatus(
      await client.request('PATCH', '/v1/settings', secret, { allowedOrigins: [ORIGIN] }),
      200,
      'allow the shop origin',
    );
    // The catalog: a third in stock, a third on backorder, a third pre-orders.
    const skus = Array.from({ length: skuCount }, (_, i) => `SKU-${String(i).padStart(4, '0')}`);
    for (const [i, sku] of skus.entries()) {
      const mode = (['backorder', 'backorder', 'preorder'] as const)[i % 3]!;
      const backorder =
        mode === 'preorder'
          ? { mode, limit: null, releaseDate: '2031-05-20' }
          : { mode, limit: null, message: 'Ships in about 3 weeks' };
      expectStatus(
        await client.request('PUT', `/v1/variants/${sku}`, secret, { title: sku, price: 1000, backorder }),
        201,
        `put ${sku}`,
      );
      if (i % 3 === 0) {
        expectStatus(
          await client.request('POST', '/v1/inventory/adjustments', secret, {
            sku,
            quantity: 100,
            reason: 'restock',
          }),
          201,
          `stock ${sku}`,
        );
      }
    }
    expectStatus(
      await client.request('PUT', `/v1/variants/${HOT}`, secret, {
        title: 'Hot item',
        price: 1000,
        backorder: { mode: 'backorder', limit },
      }),
      201,
      'put the hot SKU',
    );
    expectStatus(
      await client.request('POST', '/v1/inventory/adjustments', secret, {
        sku: HOT,
        quantity: stock,
        reason: 'restock',
      }),
      201,
      'stock the hot SKU',
    );

    // The run's own database: its transactions are this run's alone (each uncached read is one).
    const admin = engine === 'postgres' ? new pg.Client({ connectionString: database.url }) : null;
    await admin?.connect();
    onAdminEnd = () => admin?.end();
    const commits = async (): Promise<number | null> => {
      if (!admin) return null;
      const r = await admin.query(
        'SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()',
      );
      return Number(r.rows[0]?.xact_commit);
    };
    const headers = { origin: ORIGIN };
    const read = async (sku: string, quantity: number, into: Timings) => {
      const { reply, ms } = await timed(() =>
        client.request(
          'GET',
          `/v1/storefront/availability?sku=${sku}&quantity=${quantity}`,
          publishable,
          undefined,
          headers,
        ),
      );
      into.latencies.push(ms);
      if (reply.status !== 200 || reply.body?.sku !== sku) {
        violate(`a read of ${sku} answered ${reply.status} ${JSON.stringify(reply.body).slice(0, 160)}`);
      } else if (reply.headers?.['access-control-allow-origin'] !== ORIGIN) {
        violate(`a read of ${sku} lacks Access-Control-Allow-Origin: ${ORIGIN}`);
      }
    };
    const randomSku = () => skus[Math.floor(Math.random() * skus.length)]!;
    const randomQuantity = () => 1 + Math.floor(Math.random() * 3);

    // The baseline: a bare Fastify route answering a copy of a real answer.
    const sample = expectStatus(
      await client.request('GET', `/v1/storefront/availability?sku=${skus[1]}`, publishable),
      200,
      'sample answer',
    );
    bare = spawn(process.execPath, ['--import', 'tsx', 'bench/bare-server.ts'], {
      cwd: root,
      env: { ...process.env, PORT: String(barePort), BARE_BODY: JSON.stringify(sample.body) },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    bareStopped = killOnExit(bare);
    const bareChild = bare;
    await waitUntil(
      async () => (await bareClient.request('GET', '/bare')).status === 200,
      bareChild,
      'bare server',
    );
    const bareRead = async (into: Timings) => {
      const { reply, ms } = await timed(() =>
        bareClient.request('GET', '/bare', publishable, undefined, headers),
      );
      into.latencies.push(ms);
      if (reply.status !== 200) violate(`the bare route answered ${reply.status}`);
    };

    const phase = (step: () => Promise<void>, length: number) => {
      const deadline = performance.now() + length * 1000;
      return load(concurrency, step, () => performance.now() >= deadline);
    };
    // Long enough for both servers' hot paths to be optimised: the first seconds run slower.
    log('warm-up: 5 s of each');
    await phase(() => bareRead(new Timings()), 5);
    await phase(() => read(randomSku(), randomQuantity(), new Timings()), 5);

    const serverPid = server.pid ?? -1;
    const barePid = bareChild.pid ?? -1;
    // CPU per request (from /proc): steadier than rates on a shared machine.
    const cpuPerRequest = { bare: 0, reads: 0, client: { bare: 0, reads: 0 } };
    const timedPhase = async (timings: Timings, pid: number, step: () => Promise<void>) => {
      const before = timings.latencies.length;
      const serverBefore = cpuSeconds((p) => p === pid);
      const clientBefore = process.cpuUsage();
      timings.seconds += await phase(step, seconds);
      const n = timings.latencies.length - before;
      const client = process.cpuUsage(clientBefore);
      return {
        n,
        server: (cpuSeconds((p) => p === pid) - serverBefore) / n,
        client: (client.user + client.system) / 1e6 / n,
      };
    };
    const readCommits = await commits();
    for (let round = 1; round <= 2; round++) {
      const b = await timedPhase(baseline, barePid, () => bareRead(baseline));
      const r = await timedPhase(reads, serverPid, () => read(randomSku(), randomQuantity(), reads));
      cpuPerRequest.bare += b.server / 2;
      cpuPerRequest.reads += r.server / 2;
      cpuPerRequest.client.bare += b.client / 2;
      cpuPerRequest.client.reads += r.client / 2;
      log(
        `round ${round}: bare route ${(b.n / seconds).toFixed(0)}/s (server ${(b.server * 1e6).toFixed(0)} µs CPU per request, ` +
          `client ${(b.client * 1e6).toFixed(0)} µs); availability reads ${(r.n / seconds).toFixed(0)}/s ` +
          `(server ${(r.server * 1e6).toFixed(0)} µs, client ${(r.client * 1e6).toFixed(0)} µs)`,
      );
    }
    const readCommitsAfter = await commits();
    if (readCommits !== null && readCommitsAfter !== null) {
      log(
        `PostgreSQL transactions during the read phases (reads that missed the cache, the worker): ${readCommitsAfter - readCommits}`,
      );
    }
    log(
      `reads ${reads.perSecond.toFixed(0)}/s, p99 ${reads.p99().toFixed(2)} ms; ` +
        `bare route ${baseline.perSecond.toFixed(0)}/s, p99 ${baseline.p99().toFixed(2)} ms`,
    );

    // The sale beside the reads: each request is an order with probability 0.1 until all are placed.
    const sale = new SaleRecord();
    let issued = 0;
    let done = 0;
    const mixedStep = async () => {
      if (Math.random() < 0.1 && issued < orders) {
        const i = issued++;
        const { reply } = await timed(() => client.request('POST', '/v1/orders', secret, saleOrder(HOT, i)));
        sale.record(i, reply);
        done++;
      } else {
        await read(Math.random() < 0.5 ? HOT : randomSku(), 1, mixedReads);
      }
    };
    log('sale beside the reads: 90 % reads (half of them of the hot SKU), 10 % orders');
    const commitsBefore = await commits();
    mixedReads.seconds = await load(concurrency, mixedStep, () => done >= orders);
    const commitsAfter = await commits();
    if (commitsBefore !== null && commitsAfter !== null) {
      log(
        `PostgreSQL transactions during the sale (reads that missed the cache, placement batches): ${commitsAfter - commitsBefore}`,
      );
    }
    log(
      `sale: ${orders} orders (201: ${sale.created}, 409: ${sale.refused}) beside ${mixedReads.latencies.length} reads ` +
        `in ${mixedReads.seconds.toFixed(1)} s; reads p99 ${mixedReads.p99().toFixed(2)} ms`,
    );
    log('verifying the sale');
    await verifySale(client, secret, HOT, { stock, limit }, sale, violate);
    // Once the cache's time to live has passed, every process says the hot SKU is sold out.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const after = expectStatus(
      await client.request('GET', `/v1/storefront/availability?sku=${HOT}`, publishable),
      200,
      'read after the sale',
    ).body;
    if (after.status !== 'out_of_stock') violate(`after the sale the hot SKU reads ${after.status}`);
    log(`verification done: ${violations.length} violation(s)`);
  } finally {
    await onAdminEnd();
    client.close();
    bareClient.close();
    await stopServer(server);
    serverStopped();
    if (bare) await stopServer(bare);
    bareStopped();
  }

  const ratio = reads.perSecond / baseline.perSecond;
  const result = {
    scenario: 'storefront',
    readsPerSec: round(reads.perSecond),
    baselineReqPerSec: round(baseline.perSecond),
    ratio: round(ratio, 3),
    p99Ms: round(reads.p99(), 2),
    mixedReadP99Ms: round(mixedReads.p99(), 2),
    violations: violations.length,
  };
  if (ratio < GOALS.ratio) log(`WARNING: goal missed: ratio ${ratio.toFixed(3)} < ${GOALS.ratio}`);
  if (result.p99Ms >= GOALS.p99Ms)
    log(`WARNING: goal missed: reads p99 ${result.p99Ms} ms ≥ ${GOALS.p99Ms} ms`);
  if (result.mixedReadP99Ms >= GOALS.mixedReadP99Ms)
    log(
      `WARNING: goal missed: reads p99 during the sale ${result.mixedReadP99Ms} ms ≥ ${GOALS.mixedReadP99Ms} ms`,
    );
  return result;
}
