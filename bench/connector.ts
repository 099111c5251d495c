/**
 * connector: a WooCommerce store's order webhooks pouring in while Backfill keeps the platform's
 * stock fields current. The server runs as a child process (`backfill serve`, with its background
 * work: the connectors worker takes stored webhooks as pg-boss jobs and pushes availability); a
 * stand-in of WooCommerce's REST API runs on loopback in this process (test/support/fake-woocommerce.ts).
 *
 * Set-up: a store, `--skus` simple products on the stand-in (half with stock in Backfill, all in
 * mode `backorder`), `--probes` more that no order names, connected through `POST /v1/connections`
 * and imported (`POST /v1/connections/{id}/import`).
 *
 * Load: `--orders` signed `order.created` webhooks (1–3 lines of random SKUs each) POSTed over real
 * HTTP by `--concurrency` clients, plus `--duplicates` of them delivered a second time (WooCommerce's
 * retries). Meanwhile a stock change every `--probe-ms` on a probe SKU (`POST
 * /v1/inventory/adjustments`, +1): its delay is from the adjustment's request (the answer may come
 * after the push) to the stand-in's first batch update carrying that quantity or more for that SKU.
 *
 * Figures: **ordersPerSec** = distinct orders / seconds from the first POST until the inbox holds no
 * unprocessed event (every order placed); **syncP99Ms** = p99 of the probes' delays.
 * Violations: orders lost or duplicated (Backfill's orders by external id against those sent),
 * events failed, and any SKU whose final `stock_quantity` / `backorders` on the stand-in differs from
 * Backfill's availability once the pusher is idle.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { type FakeWoo, startFakeWoo } from '../test/support/fake-woocommerce.ts';
import {
  backendsOf,
  type CpuUse,
  cpuSeconds,
  type Engine,
  freshBenchDatabase,
  log,
  percentile,
  round,
  startCpu,
} from './common.ts';
import {
  Client,
  expectStatus,
  freePort,
  killOnExit,
  OPERATOR_TOKEN,
  startServer,
  stopServer,
  waitForHealth,
  waitUntil,
} from './server.ts';
import { printSqlStats, type StatementStat } from './sql-trace.ts';

export interface ConnectorOptions {
  engine: Engine;
  orders?: number;
  skus?: number;
  probes?: number;
  concurrency?: number;
  duplicates?: number;
  probeMs?: number;
  /** Also place one order through `POST /v1/orders` every so often on a SKU the webhooks order (0: none). */
  apiOrderMs?: number;
  /** Profile the server child (`--cpu-prof`) into this directory. */
  cpuProfDir?: string;
  /** Time the server child's SQL round trips (bench/sql-trace.ts) into this file; PostgreSQL only. */
  traceSql?: string;
}

const WEBHOOK_SECRET = 'bench-woo-webhook-secret';
const GOAL_ORDERS_PER_SEC = 1000;
const GOAL_SYNC_P99_MS = 2000;

export async function runConnector(options: ConnectorOptions): Promise<Record<string, unknown>> {
  const { engine } = options;
  const orders = options.orders ?? (engine === 'postgres' ? 20_000 : 2000);
  const skus = options.skus ?? 200;
  const probes = options.probes ?? 20;
  const concurrency = options.concurrency ?? 32;
  const duplicates = options.duplicates ?? 0.05;
  const probeMs = options.probeMs ?? 100;
  const apiOrderMs = options.apiOrderMs ?? 0;
  const database = await freshBenchDatabase(engine, 'connector');
  log(
    `connector on ${engine} (${database.name}): orders=${orders} skus=${skus} probes=${probes} ` +
      `concurrency=${concurrency} duplicates=${duplicates} probe every ${probeMs} ms`,
  );
  const fake = await startFakeWoo();
  const port = await freePort();
  const child = startServer(database.url, port, {
    ...(options.cpuProfDir ? { cpuProfDir: options.cpuProfDir } : {}),
    ...(options.traceSql && engine === 'postgres' ? { traceSql: options.traceSql } : {}),
    env: {
      BACKFILL_SECRETS_KEY: randomBytes(32).toString('base64'),
      BACKFILL_ALLOW_PRIVATE_URLS: '1',
    },
  });
  const unregister = killOnExit(child);
  const client = new Client(port, concurrency + 4);
  const admin = engine === 'postgres' ? new pg.Client({ connectionString: database.url }) : null;
  try {
    await waitForHealth(client, child);
    await admin?.connect();
    return await load(fake, client, child, admin, {
      orders,
      skus,
      probes,
      concurrency,
      duplicates,
      probeMs,
      apiOrderMs,
    });
  } finally {
    client.close();
    await stopServer(child);
    unregister();
    await admin?.end().catch(() => {});
    await fake.close();
    await database.drop();
    if (options.traceSql && engine === 'postgres') {
      try {
        const rows = JSON.parse(readFileSync(options.traceSql, 'utf8')) as StatementStat[];
        log('server SQL round trips over the whole run (set-up included), by PostgreSQL CPU:');
        printSqlStats(
          [...rows].sort((a, b) => b.backendCpuMs - a.backendCpuMs),
          25,
        );
      } catch (error) {
        log(`no SQL trace: ${String(error)}`);
      }
    }
  }
}

const skuName = (i: number) => `WOO-${String(i).padStart(4, '0')}`;
const probeName = (i: number) => `PROBE-${String(i).padStart(3, '0')}`;

async function load(
  fake: FakeWoo,
  client: Client,
  child: Parameters<typeof waitUntil>[1],
  admin: pg.Client | null,
  run: {
    orders: number;
    skus: number;
    probes: number;
    concurrency: number;
    duplicates: number;
    probeMs: number;
    apiOrderMs: number;
  },
): Promise<Record<string, unknown>> {
  const violations: string[] = [];
  // --- Set-up: the store, its catalogue on WooCommerce, the connection and its import.
  const created = expectStatus(
    await client.request('POST', '/v1/stores', OPERATOR_TOKEN, { name: 'bench connector', currency: 'USD' }),
    201,
    'store creation',
  );
  const key: string = created.body.secretKey;
  const all = [
    ...Array.from({ length: run.skus }, (_, i) => skuName(i)),
    ...Array.from({ length: run.probes }, (_, i) => probeName(i)),
  ];
  all.forEach((sku, i) => {
    fake.addSimple(10_000 + i, { sku, name: `Item ${sku}`, price: '25.00', backorders: 'notify' });
  });
  const connection = expectStatus(
    await client.request('POST', '/v1/connections', key, {
      platform: 'woocommerce',
      shop: 'bench.example.com',
      apiUrl: fake.url,
      credentials: {
        consumerKey: fake.consumerKey,
        consumerSecret: fake.consumerSecret,
        webhookSecret: WEBHOOK_SECRET,
      },
    }),
    201,
    'connection',
  ).body;
  expectStatus(await client.request('POST', `/v1/connections/${connection.id}/import`, key), 202, 'import');
  await waitUntil(
    async () =>
      (await client.request('GET', `/v1/connections/${connection.id}`, key)).body.import.state === 'done',
    child,
    'import',
  );
  for (const [i, sku] of all.entries()) {
    if (i % 2 === 1 && i < run.skus) continue;
    expectStatus(
      await client.request('POST', '/v1/inventory/adjustments', key, {
        sku,
        quantity: 20,
        reason: 'restock',
      }),
      201,
      `stock of ${sku}`,
    );
  }
  // Let the worker tell WooCommerce the starting state before the clock starts.
  await waitUntil(
    async () =>
      (await client.request('GET', `/v1/connections/${connection.id}`, key)).body.counters.skusToPush === 0,
    child,
    'initial push',
  );
  log(`set-up done: ${all.length} SKUs mapped and pushed`);

  // --- Platform-side timing: every batch update of a SKU, with its quantity.
  const updates = new Map<string, { at: number; quantity: number }[]>();
  fake.onUpdate = (item) => {
    const list = updates.get(item.sku) ?? [];
    list.push({ at: performance.now(), quantity: item.stock_quantity ?? -1 });
    updates.set(item.sku, list);
  };

  // --- Webhooks: distinct orders, and some delivered twice.
  const deliveries: { body: Record<string, unknown>; headers: Record<string, string> }[] = [];
  const sign = (body: Record<string, unknown>, n: number) => ({
    'x-wc-webhook-topic': 'order.created',
    'x-wc-webhook-resource': 'order',
    'x-wc-webhook-event': 'created',
    'x-wc-webhook-source': 'https://bench.example.com/',
    'x-wc-webhook-id': '7',
    'x-wc-webhook-delivery-id': `bench-${n}`,
    'x-wc-webhook-signature': createHmac('sha256', WEBHOOK_SECRET)
      .update(JSON.stringify(body))
      .digest('base64'),
  });
  let seed = 42;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  for (let n = 0; n < run.orders; n++) {
    const id = 100_000 + n;
    const lineCount = 1 + Math.floor(random() * 3);
    const chosen = new Set<string>();
    while (chosen.size < lineCount) chosen.add(skuName(Math.floor(random() * run.skus)));
    const body = {
      id,
      status: 'processing',
      currency: 'USD',
      date_created_gmt: '2026-03-02T09:00:00',
      date_modified_gmt: '2026-03-02T09:00:01',
      billing: { first_name: 'Shopper', last_name: String(n), email: `shopper${n}@example.com`, phone: '' },
      shipping: {},
      line_items: [...chosen].map((sku, i) => ({
        id: id * 10 + i,
        name: sku,
        product_id: 10_000 + Number(sku.slice(4)),
        variation_id: 0,
        quantity: 1 + Math.floor(random() * 2),
        sku,
        price: 25,
        subtotal: '25.00',
        total: '25.00',
      })),
      meta_data: [],
    };
    deliveries.push({ body, headers: sign(body, n) });
  }
  const replays = Math.round(run.orders * run.duplicates);
  for (let r = 0; r < replays; r++) deliveries.push(deliveries[Math.floor(random() * run.orders)]!);
  const webhookPath = connection.webhookPath as string;

  // --- Load: post everything; probe stock changes meanwhile; wait until the inbox is drained.
  const cpu = await startCpu(admin ? backendsOf((text) => admin.query(text)) : null);
  const serverCpu = () => cpuSeconds((pid) => pid === child.pid);
  const serverCpuBefore = serverCpu();
  const start = performance.now();
  let next = 0;
  let posted = 0;
  let duplicateAnswers = 0;
  let postErrors = 0;
  let postsDoneAt = 0;
  const poster = async () => {
    for (;;) {
      const delivery = deliveries[next++];
      if (!delivery) return;
      const reply = await client.request('POST', webhookPath, undefined, delivery.body, delivery.headers);
      if (reply.status !== 200) {
        postErrors++;
        if (postErrors <= 3) log(`webhook answered ${reply.status}: ${JSON.stringify(reply.body)}`);
      } else if (reply.body.duplicate) duplicateAnswers++;
      posted++;
    }
  };
  const probesSent: { sku: string; quantity: number; at: number }[] = [];
  const probeLevel = new Map<string, number>(
    Array.from({ length: run.probes }, (_, i) => [probeName(i), 20]),
  );
  let loading = true;
  const prober = (async () => {
    let i = 0;
    while (loading) {
      const sku = probeName(i++ % run.probes);
      // Timed from the request: a push may follow the commit before the answer arrives.
      const sentAt = performance.now();
      const reply = await client.request('POST', '/v1/inventory/adjustments', key, {
        sku,
        quantity: 1,
        reason: 'restock',
      });
      if (reply.status === 201) {
        const quantity = probeLevel.get(sku)! + 1;
        probeLevel.set(sku, quantity);
        probesSent.push({ sku, quantity, at: sentAt });
      }
      await new Promise((r) => setTimeout(r, run.probeMs));
    }
  })();
  // API placements on the SKUs the webhooks order: how long they wait behind the inbox's batches,
  // which hold those SKUs' stock rows until they commit.
  const apiOrderMs: number[] = [];
  let apiOrderErrors = 0;
  const placer = (async () => {
    if (run.apiOrderMs <= 0) return;
    let i = 0;
    while (loading) {
      const sentAt = performance.now();
      const reply = await client.request('POST', '/v1/orders', key, {
        lines: [{ sku: skuName((i++ * 7) % run.skus), quantity: 1 }],
      });
      if (reply.status === 201) apiOrderMs.push(performance.now() - sentAt);
      else apiOrderErrors++;
      await new Promise((r) => setTimeout(r, run.apiOrderMs));
    }
  })();
  const posting = Promise.all(Array.from({ length: run.concurrency }, poster)).then(() => {
    postsDoneAt = performance.now();
  });
  let processedAt = 0;
  let lastLog = 0;
  // Whether any event is pending: on PostgreSQL one indexed probe through the bench's own connection
  // (the due index), not the connection's counters, which count every event of the run each time and
  // would make the drain check cost more as the inbox grows (that CPU would count as the server's).
  const nonePending = async (): Promise<boolean> => {
    if (!admin) return true;
    const { rows } = await admin.query(
      `SELECT NOT EXISTS (SELECT 1 FROM connector_events WHERE state = 'pending') AS none`,
    );
    return rows[0]!.none === true;
  };
  for (;;) {
    await new Promise((r) => setTimeout(r, 100));
    if (performance.now() - start > 15 * 60_000) {
      violations.push('the inbox was not drained within 15 minutes');
      processedAt = performance.now();
      break;
    }
    const logDue = performance.now() - lastLog > 5000;
    if (!logDue && !(postsDoneAt > 0 && (await nonePending()))) continue;
    const detail = (await client.request('GET', `/v1/connections/${connection.id}`, key)).body;
    const c = detail.counters;
    if (logDue) {
      lastLog = performance.now();
      log(
        `  ${round((performance.now() - start) / 1000)} s: posted ${posted}/${deliveries.length}, ` +
          `events ${c.eventsReceived} (pending ${c.eventsPending}, done ${c.eventsDone}, failed ${c.eventsFailed}), ` +
          `SKUs to push ${c.skusToPush}, push failures ${c.pushFailures}`,
      );
      if (admin && c.pushFailures > 0) {
        const { rows } = await admin.query(
          'SELECT left(last_error, 200) AS error, count(*)::int AS n FROM connector_skus WHERE last_error IS NOT NULL GROUP BY 1',
        );
        for (const row of rows) log(`    push error ×${row.n}: ${row.error}`);
      }
    }
    if (postsDoneAt > 0 && c.eventsPending === 0 && c.eventsReceived >= run.orders - postErrors) {
      processedAt = performance.now();
      break;
    }
  }
  await posting;
  loading = false;
  await prober;
  await placer;
  const used: CpuUse = await cpu.stop();
  const serverSeconds = serverCpu() - serverCpuBefore;
  const seconds = (processedAt - start) / 1000;
  const postSeconds = (postsDoneAt - start) / 1000;

  // --- Settle: the pusher idle, then compare.
  await waitUntil(
    async () =>
      (await client.request('GET', `/v1/connections/${connection.id}`, key)).body.counters.skusToPush === 0,
    child,
    'final push',
    120_000,
  ).catch(() => violations.push('SKUs still due a push 2 minutes after the load'));
  const delays: number[] = [];
  let unseen = 0;
  for (const probe of probesSent) {
    const seen = (updates.get(probe.sku) ?? []).find((u) => u.at >= probe.at && u.quantity >= probe.quantity);
    if (seen) delays.push(seen.at - probe.at);
    else unseen++;
  }
  delays.sort((a, b) => a - b);
  if (unseen > 0) violations.push(`${unseen} probe stock change(s) never reached the platform`);

  const detail = (await client.request('GET', `/v1/connections/${connection.id}`, key)).body;
  if (detail.counters.eventsFailed > 0) violations.push(`${detail.counters.eventsFailed} event(s) failed`);
  if (postErrors > 0) violations.push(`${postErrors} webhook POST(s) not answered 200`);
  const ids = new Map<string, number>();
  let cursor: string | undefined;
  do {
    const page = (
      await client.request('GET', `/v1/orders?limit=500${cursor ? `&cursor=${cursor}` : ''}`, key)
    ).body;
    for (const order of page.data as { externalId: string | null }[])
      if (order.externalId) ids.set(order.externalId, (ids.get(order.externalId) ?? 0) + 1);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  let lost = 0;
  let duplicated = 0;
  for (let n = 0; n < run.orders; n++) {
    const count = ids.get(String(100_000 + n)) ?? 0;
    if (count === 0) lost++;
    if (count > 1) duplicated++;
  }
  if (lost > 0) violations.push(`${lost} order(s) lost`);
  if (duplicated > 0) violations.push(`${duplicated} order(s) duplicated`);
  let wrongStock = 0;
  for (const sku of all) {
    const level = (await client.request('GET', `/v1/inventory/${sku}`, key)).body;
    const item = fake.bySku(sku)!;
    const wanted = Math.max(0, level.available);
    if (item.stock_quantity !== wanted || item.backorders !== 'notify' || !item.manage_stock) {
      wrongStock++;
      if (wrongStock <= 5)
        log(`  ${sku}: WooCommerce shows ${item.stock_quantity} (${item.backorders}), Backfill ${wanted}`);
    }
  }
  if (wrongStock > 0) violations.push(`${wrongStock} SKU(s) with a wrong final platform stock`);

  if (admin) {
    const { rows } = await admin.query(
      'SELECT deadlocks::int AS n FROM pg_stat_database WHERE datname = current_database()',
    );
    log(`deadlocks in the run's database: ${rows[0]?.n ?? 'n/a'}`);
  }
  const ordersPerSec = round(run.orders / seconds);
  const syncP99Ms = delays.length ? round(percentile(delays, 99)) : null;
  log(
    `posted ${deliveries.length} webhooks (${replays} replays, ${duplicateAnswers} answered duplicate) in ` +
      `${round(postSeconds, 2)} s (${round(deliveries.length / postSeconds)}/s); all ${run.orders} orders ` +
      `processed after ${round(seconds, 2)} s: ${ordersPerSec} orders/s`,
  );
  log(
    `stock change → platform call: ${delays.length} probes, p50 ${round(percentile(delays, 50))} ms, ` +
      `p99 ${syncP99Ms} ms, max ${round(delays.at(-1) ?? 0)} ms`,
  );
  log(
    `CPU during the load: server ${round(serverSeconds, 1)} s, bench ${round(used.bench, 1)} s, ` +
      `PostgreSQL backends ${used.postgres === null ? 'n/a' : round(used.postgres, 1)} s ` +
      `(server + PostgreSQL per 1000 orders: ${round(((serverSeconds + (used.postgres ?? 0)) * 1000) / run.orders, 2)} s); ` +
      `load average ${(await import('node:os'))
        .loadavg()
        .map((l) => round(l, 2))
        .join(' ')}`,
  );
  if (run.apiOrderMs > 0) {
    apiOrderMs.sort((a, b) => a - b);
    log(
      `API placements on ordered SKUs during the load: ${apiOrderMs.length} (${apiOrderErrors} not 201), ` +
        `p50 ${round(percentile(apiOrderMs, 50))} ms, p99 ${round(percentile(apiOrderMs, 99))} ms, ` +
        `max ${round(apiOrderMs.at(-1) ?? 0)} ms`,
    );
    if (apiOrderErrors > 0) violations.push(`${apiOrderErrors} API placement(s) not answered 201`);
  }
  if (ordersPerSec < GOAL_ORDERS_PER_SEC)
    log(`WARNING: goal missed: ${ordersPerSec} orders/s < ${GOAL_ORDERS_PER_SEC}`);
  if (syncP99Ms === null || syncP99Ms >= GOAL_SYNC_P99_MS)
    log(`WARNING: goal missed: sync p99 ${syncP99Ms} ms >= ${GOAL_SYNC_P99_MS}`);
  for (const v of violations) log(`VIOLATION: ${v}`);
  return { scenario: 'connector', ordersPerSec, syncP99Ms, violations: violations.length };
}
