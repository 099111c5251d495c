/**
 * restock: a large backlog (default 1,000,000 waiting units over 10,000 SKUs, Zipf-skewed demand)
 * is restocked through the real use case (`adjustStockBatch`: `--batch` SKUs per transaction, as a
 * receiving dock books a delivery; `--batch 1` is one SKU per transaction), several transactions at
 * once, measuring units allocated per second. Afterwards the database is checked:
 * every SKU's filled lines are a prefix of its queue (FIFO), and the counters agree with the lines.
 *
 * Baseline, same run, same database: a copy of the same backlog (a second store) restocked by
 * hand-written set-based SQL — one statement per chunk that locks the stock rows, fills each
 * queue's head, updates the lines and the stock rows and inserts the same events — in the same
 * chunks with the same concurrency. ratio = Backfill's units/s ÷ the baseline's.
 *
 * The backlog is seeded with bulk SQL that writes exactly what order placement would have written
 * (orders, lines with consecutive queue tickets per SKU, the stock row's queue_tail, waiting_lines
 * and backordered), since placing 1M units over HTTP would take far longer than the restock itself.
 */
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { assembleDeps } from '../src/assembly.ts';
import {
  type DatabaseHandle,
  type Executor,
  inTransaction,
  openDatabase,
  queryRows,
} from '../src/db/client.ts';
import { DEFAULT_INPUTS, planSchedule, stockPromise } from '../src/modules/promises/promises.models.ts';
import { adjustStockBatch } from '../src/modules/stock/stock.adjust.ts';
import { rebuildQueueCounts } from '../src/modules/stock/stock.queue.counts.ts';
import { createStore } from '../src/modules/stores/stores.usecases.ts';
import type { Deps, StoreScope } from '../src/shared/context.ts';
import { storeToday } from '../src/shared/dates.ts';
import {
  type BackendPids,
  type BenchDatabase,
  backendsOf,
  type CpuUse,
  copyBenchDatabase,
  type Engine,
  freshBenchDatabase,
  log,
  round,
  startCpu,
} from './common.ts';
import {
  captureSlowPlans,
  clearSlowPlans,
  explainSlowUrl,
  installSqlTrace,
  printSlowPlans,
  printSqlStats,
  sqlStats,
  traceSince,
} from './sql-trace.ts';

const BATCH_UNITS = 20_000;
/** The goal for Backfill's rate against the hand-written SQL restock (a warning when missed). */
const RATIO_GOAL = 0.6;

export interface RestockOptions {
  engine: Engine;
  units?: number;
  skus?: number;
  workers?: number;
  /** SKUs restocked per transaction. */
  batch?: number;
  /** Fraction of SKUs whose restock covers only half their queue (makes the FIFO check bite). */
  partial?: number;
  zipf?: number;
  /** Time the SQL round trips of the restock phase (PostgreSQL only). */
  traceSql?: boolean;
  /** Print the plans (auto_explain, with actual times) of statements slower than this many ms (PostgreSQL only). */
  explainSlowMs?: number;
}

/** Deterministic PRNG (mulberry32) so runs are comparable. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const skuName = (rank: number): string => `SKU-${String(rank).padStart(6, '0')}`;

interface Backlog {
  /** Per SKU index: the quantities of its waiting lines in queue order. */
  queues: number[][];
  orders: number;
}

function makeBacklog(units: number, skus: number, s: number, random: () => number): Backlog {
  const cdf = new Float64Array(skus);
  let total = 0;
  for (let k = 0; k < skus; k++) {
    total += 1 / (k + 1) ** s;
    cdf[k] = total;
  }
  const queues: number[][] = Array.from({ length: skus }, () => []);
  let left = units;
  let orders = 0;
  while (left > 0) {
    const u = random() * total;
    let lo = 0;
    let hi = skus - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    const quantity = Math.min(left, 1 + Math.floor(random() * 5));
    queues[lo]!.push(quantity);
    left -= quantity;
    orders++;
  }
  return { queues, orders };
}

async function seed(db: Executor, deps: Deps, store: StoreScope, backlog: Backlog): Promise<void> {
  const now = deps.clock.now();
  // What `PUT /v1/variants` and placement write for a SKU with no purchase orders: the promise
  // inputs and today's schedule on the stock row, and the lead-time date on every waiting line.
  const inputs = { ...DEFAULT_INPUTS };
  const applied = { day: storeToday(store, now), segments: planSchedule(inputs, storeToday(store, now)) };
  const promise = applied.segments.at(-1)!;
  const skuCount = backlog.queues.length;
  const names = Array.from({ length: skuCount }, (_, k) => skuName(k + 1));
  const CHUNK_SKUS = 5000;
  for (let from = 0; from < skuCount; from += CHUNK_SKUS) {
    const part = names.slice(from, from + CHUNK_SKUS);
    const queues = backlog.queues.slice(from, from + CHUNK_SKUS);
    await db.execute(sql`
      INSERT INTO variants (store_id, sku, title, attributes, price, backorder_mode, backorder_limit, created_at, updated_at)
      SELECT ${store.id}, s, 'Bench item ' || s, '{}'::jsonb, 1000, 'backorder', NULL, ${now}, ${now}
        FROM unnest(${sql.param(part)}::text[]) AS s`);
    await db.execute(sql`
      INSERT INTO inventory_levels (store_id, sku, on_hand, allocated, backordered, waiting_lines, queue_tail,
                                    backorder_mode, backorder_limit, promise_inputs, promise_version,
                                    promise_applied, updated_at)
      SELECT ${store.id}, v.sku, 0, 0, v.units, v.lines, v.lines, 'backorder', NULL,
             ${JSON.stringify(inputs)}::jsonb, 1, ${JSON.stringify(applied)}::jsonb, ${now}
        FROM unnest(${sql.param(part)}::text[],
                    ${sql.param(queues.map((q) => q.reduce((a, b) => a + b, 0)))}::int[],
                    ${sql.param(queues.map((q) => q.length))}::int[]) AS v(sku, units, lines)`);
  }
  // Orders (one line each), interleaved across SKUs the way they would arrive.
  const orderIds: string[] = [];
  const lineIds: string[] = [];
  const skus: string[] = [];
  const quantities: number[] = [];
  const tickets: number[] = [];
  const cursor = new Int32Array(skuCount);
  let remaining = backlog.orders;
  // Round-robin over SKUs by arrival is irrelevant to FIFO per SKU; tickets are per SKU.
  for (let k = 0; k < skuCount; k++) {
    for (const q of backlog.queues[k]!) {
      cursor[k]! += 1;
      orderIds.push(deps.ids.next('ord'));
      lineIds.push(deps.ids.next('line'));
      skus.push(names[k]!);
      quantities.push(q);
      tickets.push(cursor[k]!);
      remaining--;
    }
  }
  if (remaining !== 0) throw new Error('backlog bookkeeping is off');
  const CHUNK = 20_000;
  for (let from = 0; from < orderIds.length; from += CHUNK) {
    const ids = orderIds.slice(from, from + CHUNK);
    await db.execute(sql`
      INSERT INTO orders (id, store_id, external_id, status, customer, currency, line_count, created_at, updated_at)
      SELECT id, ${store.id}, NULL, 'backordered', '{}'::jsonb, ${store.currency}, 1, ${now}, ${now}
        FROM unnest(${sql.param(ids)}::text[]) WITH ORDINALITY AS o(id, n) ORDER BY n`);
    await db.execute(sql`
      INSERT INTO order_lines (id, store_id, order_id, line_no, sku, quantity, unit_price, allocated, backordered,
                               shipped, cancelled, queue_ticket, eta, eta_latest, eta_source, multi_line, created_at)
      SELECT v.id, ${store.id}, v.order_id, 0, v.sku, v.quantity, 1000, 0, v.quantity, 0, 0, v.ticket,
             ${promise.eta}::date, ${promise.etaLatest}::date, ${promise.source}, false, ${now}
        FROM unnest(${sql.param(lineIds.slice(from, from + CHUNK))}::text[],
                    ${sql.param(ids)}::text[],
                    ${sql.param(skus.slice(from, from + CHUNK))}::text[],
                    ${sql.param(quantities.slice(from, from + CHUNK))}::int[],
                    ${sql.param(tickets.slice(from, from + CHUNK))}::bigint[])
             AS v(id, order_id, sku, quantity, ticket)`);
  }
  await rebuildQueueCounts(db, { storeId: store.id });
  await db.execute(sql`ANALYZE order_lines`);
  await db.execute(sql`ANALYZE orders`);
  await db.execute(sql`ANALYZE inventory_levels`);
}

/**
 * Checks a store after its restock: FIFO (filled lines are a prefix of each queue), counters that
 * agree with the lines, no free stock beside waiting units, the total allocated and, unless
 * `orderStatuses` is false (the baseline does not touch orders), order statuses that match their line.
 */
async function verify(
  db: Executor,
  storeId: string,
  expectedAllocated: number,
  options: { orderStatuses: boolean },
): Promise<string[]> {
  const problems: string[] = [];
  const count = async (q: ReturnType<typeof sql>): Promise<number> => {
    const [row] = await queryRows<{ n: number | string }>(db, q);
    return Number(row?.n ?? 0);
  };
  const checks: { name: string; n: () => Promise<number> }[] = [
    {
      name: 'lines filled out of queue order (a line got units while an earlier one still waits)',
      n: () =>
        count(sql`
        SELECT count(*) AS n FROM (
          SELECT allocated,
                 bool_or(backordered > 0) OVER (PARTITION BY sku ORDER BY queue_ticket
                                                ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS earlier_waiting
            FROM order_lines WHERE store_id = ${storeId}) x
         WHERE earlier_waiting AND allocated > 0`),
    },
    {
      name: 'SKUs whose counters disagree with their lines (allocated, backordered, waiting_lines)',
      n: () =>
        count(sql`
        SELECT count(*) AS n
          FROM inventory_levels l
          LEFT JOIN (SELECT sku, sum(allocated) AS a, sum(backordered) AS b, count(*) FILTER (WHERE backordered > 0) AS w
                       FROM order_lines WHERE store_id = ${storeId} GROUP BY sku) s ON s.sku = l.sku
         WHERE l.store_id = ${storeId}
           AND (l.allocated <> coalesce(s.a, 0) OR l.backordered <> coalesce(s.b, 0)
                OR l.waiting_lines <> coalesce(s.w, 0) OR l.allocated > l.on_hand)`),
    },
    {
      name: 'SKUs with both free stock and waiting units',
      n: () =>
        count(sql`
        SELECT count(*) AS n FROM inventory_levels
         WHERE store_id = ${storeId} AND on_hand > allocated AND backordered > 0`),
    },
  ];
  if (options.orderStatuses)
    checks.push({
      name: 'orders whose status disagrees with their line',
      n: () =>
        count(sql`
        SELECT count(*) AS n FROM orders o JOIN order_lines l ON l.order_id = o.id
         WHERE o.store_id = ${storeId}
           AND o.status <> CASE WHEN l.backordered > 0 THEN 'backordered' ELSE 'allocated' END`),
    });
  for (const c of checks) {
    const n = await c.n();
    if (n > 0) problems.push(`${n} ${c.name}`);
  }
  const allocated = await count(
    sql`SELECT coalesce(sum(allocated), 0) AS n FROM order_lines WHERE store_id = ${storeId}`,
  );
  if (allocated !== expectedAllocated)
    problems.push(`${allocated} units allocated in total, expected ${expectedAllocated}`);
  return problems;
}

interface PlannedRestock {
  sku: string;
  quantity: number;
  expectFill: number;
}

/**
 * The restock plan cut into transactions: `batch` SKUs or about BATCH_UNITS units, whichever comes
 * first, so the few huge queues at the head of the Zipf curve do not all land in one transaction.
 */
function chunksOf(plan: readonly PlannedRestock[], batch: number): PlannedRestock[][] {
  const chunks: PlannedRestock[][] = [];
  let chunk: PlannedRestock[] = [];
  let units = 0;
  for (const p of plan) {
    if (chunk.length > 0 && (chunk.length >= batch || units >= BATCH_UNITS)) {
      chunks.push(chunk);
      chunk = [];
      units = 0;
    }
    chunk.push(p);
    units += p.expectFill;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

interface PhaseResult {
  seconds: number;
  allocatedUnits: number;
  slowest: { sku: string; ms: number };
  violations: string[];
  cpu: CpuUse;
}

/**
 * Restocks every chunk, `workers` transactions at a time (the chunks are taken in order), and
 * checks that each SKU got the units it should: `restockChunk` answers the units filled per SKU.
 */
async function timedPhase(
  chunks: readonly PlannedRestock[][],
  workers: number,
  backends: BackendPids | null,
  restockChunk: (chunk: readonly PlannedRestock[]) => Promise<Map<string, number>>,
): Promise<PhaseResult> {
  const violations: string[] = [];
  let next = 0;
  let allocatedUnits = 0;
  let slowest = { sku: '', ms: 0 };
  const cpu = await startCpu(backends);
  const start = performance.now();
  const worker = async () => {
    while (next < chunks.length) {
      const chunk = chunks[next++]!;
      const t0 = performance.now();
      try {
        const filled = await restockChunk(chunk);
        for (const p of chunk) {
          const n = filled.get(p.sku) ?? 0;
          allocatedUnits += n;
          if (n !== p.expectFill) violations.push(`${p.sku}: filled ${n}, expected ${p.expectFill}`);
        }
      } catch (error) {
        if (process.env.BENCH_DEBUG) console.error(error);
        const e = error as { message?: string; cause?: { message?: string } };
        const head = (e.message ?? String(error)).split('\n')[0]!.slice(0, 80);
        const cause = e.cause?.message ? ` — cause: ${e.cause.message.slice(0, 160)}` : '';
        violations.push(`${chunk[0]!.sku}… (${chunk.length} SKUs): restock failed: ${head}${cause}`);
      }
      const ms = performance.now() - t0;
      if (ms > slowest.ms) slowest = { sku: `${chunk[0]!.sku}…`, ms };
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
  const seconds = (performance.now() - start) / 1000;
  return { seconds, allocatedUnits, slowest, violations, cpu: await cpu.stop() };
}

function logPhase(name: string, engine: Engine, phase: PhaseResult): void {
  const { bench, postgres } = phase.cpu;
  const perThousand = (cpu: number) => ((1000 * cpu) / Math.max(1, phase.allocatedUnits)) * 1000;
  log(
    `${name}: CPU (2 cores = ${(2 * phase.seconds).toFixed(1)} core-s): bench process ` +
      `${bench.toFixed(1)} s${engine === 'pglite' ? ' (PGlite included)' : ''}` +
      (postgres === null ? '' : `, this run's postgres backends ${postgres.toFixed(1)} s`) +
      `; per 1,000 units ${perThousand(bench + (postgres ?? 0)).toFixed(1)} ms of CPU`,
  );
  log(
    `${name}: ${phase.allocatedUnits} units allocated in ${phase.seconds.toFixed(2)} s = ` +
      `${(phase.allocatedUnits / phase.seconds).toFixed(0)} units/s ` +
      `(slowest transaction ${phase.slowest.sku}: ${(phase.slowest.ms / 1000).toFixed(2)} s)`,
  );
}

/**
 * The baseline: one chunk restocked by hand-written set-based SQL, one statement. It locks the
 * stock rows (in SKU order), takes each queue's head through the queue index with a running sum,
 * writes the fills (lines that stop waiting get the stock date, as Backfill's do), the stock rows'
 * counters, and the same events as Backfill (one `order.line.allocated` per fill, one
 * `inventory.adjusted` per SKU). No ledger, no adjustment records, no order statuses, no
 * payments, no promise refresh: that is Backfill's logic.
 */
async function baselineRestock(
  tx: Executor,
  deps: Deps,
  store: StoreScope,
  chunk: readonly PlannedRestock[],
): Promise<Map<string, number>> {
  const now = deps.clock.now();
  const promise = stockPromise(DEFAULT_INPUTS, storeToday(store, now));
  const base = deps.ids.next('evt').slice(0, 'evt_'.length + 20);
  const rows = await queryRows<{ sku: string; filled: number }>(
    tx,
    sql`
    WITH lvl AS (
      SELECT l.sku, r.quantity, l.on_hand + r.quantity - l.allocated AS units
        FROM inventory_levels l
        JOIN unnest(${sql.param(chunk.map((p) => p.sku))}::text[], ${sql.param(chunk.map((p) => p.quantity))}::int[])
             AS r(sku, quantity) ON r.sku = l.sku
       WHERE l.store_id = ${store.id}
       ORDER BY l.sku
         FOR UPDATE OF l),
    fill AS (
      SELECT h.id, h.order_id, lvl.sku, h.backordered,
             least(h.backordered, lvl.units - (h.through - h.backordered))::int AS quantity
        FROM lvl CROSS JOIN LATERAL (
          SELECT id, order_id, backordered, sum(backordered) OVER (ORDER BY queue_ticket) AS through
            FROM (SELECT id, order_id, backordered, queue_ticket FROM order_lines
                   WHERE store_id = ${store.id} AND sku = lvl.sku AND backordered > 0
                   ORDER BY queue_ticket LIMIT greatest(lvl.units, 0)) q) h
       WHERE h.through - h.backordered < lvl.units),
    lines AS (
      UPDATE order_lines l
         SET allocated = l.allocated + f.quantity, backordered = l.backordered - f.quantity,
             eta = CASE WHEN f.quantity = f.backordered THEN ${promise.eta}::date ELSE l.eta END,
             eta_latest = CASE WHEN f.quantity = f.backordered THEN ${promise.etaLatest}::date ELSE l.eta_latest END,
             eta_source = CASE WHEN f.quantity = f.backordered THEN ${promise.source}::text ELSE l.eta_source END
        FROM fill f
       WHERE l.id = f.id
      RETURNING 1),
    levels AS (
      UPDATE inventory_levels l
         SET on_hand = l.on_hand + s.quantity, allocated = l.allocated + s.filled,
             backordered = l.backordered - s.filled, waiting_lines = l.waiting_lines - s.completed,
             updated_at = ${now}::timestamptz
        FROM (SELECT lvl.sku, lvl.quantity, coalesce(sum(f.quantity), 0)::int AS filled, count(f.id)::int AS lines,
                     count(f.id) FILTER (WHERE f.quantity = f.backordered)::int AS completed
                FROM lvl LEFT JOIN fill f ON f.sku = lvl.sku
               GROUP BY lvl.sku, lvl.quantity) s
       WHERE l.store_id = ${store.id} AND l.sku = s.sku
      RETURNING l.sku, l.on_hand, l.allocated, l.backordered, s.quantity, s.filled, s.lines),
    written AS (
      INSERT INTO events (id, store_id, type, data, created_at)
      SELECT ${base}::text || lpad(to_hex(row_number() OVER ()), 6, '0'), ${store.id}::text, e.type, e.data,
             ${now}::timestamptz
        FROM (SELECT 'order.line.allocated' AS type,
                     jsonb_build_object('orderId', f.order_id, 'lineId', f.id, 'sku', f.sku, 'quantity', f.quantity,
                                        'source', 'queue')
                     || CASE WHEN f.quantity = f.backordered
                             THEN jsonb_build_object('eta', ${promise.eta}::text, 'etaSource', ${promise.source}::text)
                             ELSE '{}'::jsonb END AS data
                FROM fill f
              UNION ALL
              SELECT 'inventory.adjusted',
                     jsonb_build_object(
                       'adjustment', jsonb_build_object('id', 'adj_' || v.sku, 'sku', v.sku, 'quantity', v.quantity,
                                                        'reason', 'restock', 'note', NULL,
                                                        'createdAt', ${now.toISOString()}::text),
                       'level', jsonb_build_object('sku', v.sku, 'onHand', v.on_hand, 'allocated', v.allocated,
                                                   'available', v.on_hand - v.allocated, 'backordered', v.backordered,
                                                   'backorderLimit', NULL, 'backorderRemaining', NULL,
                                                   'status', CASE WHEN v.on_hand > v.allocated THEN 'in_stock'
                                                                  ELSE 'backorder' END),
                       'filledLines', v.lines, 'filledQuantity', v.filled)
                FROM levels v) e
      RETURNING 1)
    SELECT sku, filled FROM levels`,
  );
  return new Map(rows.map((r) => [r.sku, Number(r.filled)]));
}

export async function runRestock(options: RestockOptions): Promise<Record<string, unknown>> {
  const { engine } = options;
  const units = options.units ?? 1_000_000;
  const skuCount = options.skus ?? 10_000;
  const workers = engine === 'pglite' ? 1 : (options.workers ?? 4);
  const batch = options.batch ?? 200;
  const partial = options.partial ?? 0;
  const s = options.zipf ?? 1.1;
  const explaining = engine === 'postgres' && options.explainSlowMs !== undefined;
  if (explaining) captureSlowPlans();
  const open = (url: string) =>
    openDatabase(explaining ? explainSlowUrl(url, options.explainSlowMs!) : url, { poolSize: workers + 2 });
  const database = await freshBenchDatabase(engine, 'restock');
  log(
    `restock on ${engine} (${engine === 'postgres' ? 'database' : 'directory'} ${database.name}): ` +
      `units=${units} skus=${skuCount} zipf s=${s} workers=${workers} batch=${batch} partial=${partial}`,
  );

  let handle: DatabaseHandle | null = null;
  let copy: BenchDatabase | null = null;
  try {
    handle = await open(database.url);
    await handle.migrate();
    const depsOf = (h: DatabaseHandle): Deps => assembleDeps(h);
    let deps = depsOf(handle);
    const { store } = await inTransaction(handle.db, (tx) =>
      createStore(tx, deps, { name: `bench restock ${Date.now()}` }),
    );

    const random = prng(20261122);
    const backlog = makeBacklog(units, skuCount, s, random);
    const sizes = backlog.queues.map((q) => q.reduce((a, b) => a + b, 0));
    const top = [...sizes].sort((a, b) => b - a);
    log(
      `backlog: ${backlog.orders} orders/lines; biggest queues ${top.slice(0, 3).join(', ')} units; ` +
        `${sizes.filter((n) => n === 0).length} SKUs without demand`,
    );
    let t0 = performance.now();
    await seed(handle.db, deps, store, backlog);
    // Vacuumed now (the visibility map, statistics) rather than by autovacuum during a timed phase.
    for (const table of ['orders', 'order_lines', 'inventory_levels', 'variants'])
      await handle.db.execute(sql.raw(`VACUUM ANALYZE ${table}`));
    log(`seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    await handle.close();
    handle = null;
    // The baseline restocks an exact copy: same rows, same table and index sizes, same plans.
    t0 = performance.now();
    copy = await copyBenchDatabase(database, 'restock_baseline');
    log(
      `copied the database for the baseline (${copy.name}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );

    // Restock plan: every SKU gets enough for its whole queue, except a `partial` share of them
    // that get half (rounded down, at least 1 unit) so the FIFO prefix check has something to check.
    const plan = sizes.map((size, k) => {
      const isPartial = partial > 0 && size > 1 && random() < partial;
      const quantity = size === 0 ? 1 : isPartial ? Math.max(1, Math.floor(size / 2)) : size;
      return { sku: skuName(k + 1), quantity, expectFill: Math.min(quantity, size) };
    });
    const expectedAllocated = plan.reduce((a, p) => a + p.expectFill, 0);
    const chunks = chunksOf(plan, batch);
    // Each timed phase starts right after a checkpoint: neither inherits the other's dirty pages,
    // and both pay the same full-page writes.
    const checkpoint = (h: DatabaseHandle) => h.db.execute(sql`CHECKPOINT`);
    const backends = (h: DatabaseHandle) => (engine === 'postgres' ? backendsOf(h.executeSql) : null);

    // Baseline: the same chunks, workers and data, hand-written SQL. Meanwhile a connection to the
    // original tells other bench processes on this server that it is in use (see scratchPostgresDatabase).
    const keeper = engine === 'postgres' ? await open(database.url) : null;
    await keeper?.executeSql('SELECT 1');
    handle = await open(copy.url);
    deps = depsOf(handle);
    await checkpoint(handle);
    clearSlowPlans();
    log(
      `baseline phase: ${plan.length} SKUs in ${chunks.length} transactions, ${expectedAllocated} units to allocate`,
    );
    const baselineDb = handle.db;
    const baseline = await timedPhase(chunks, workers, backends(handle), (chunk) =>
      inTransaction(baselineDb, (tx) => baselineRestock(tx, deps, store, chunk)),
    );
    logPhase('baseline (hand-written SQL)', engine, baseline);
    if (explaining) {
      log(`plans of the baseline's statements over ${options.explainSlowMs} ms:`);
      printSlowPlans();
    }
    const baselineProblems = await verify(handle.db, store.id, expectedAllocated, { orderStatuses: false });
    await handle.close();
    handle = null;
    await copy.drop();
    await keeper?.close();

    handle = await open(database.url);
    deps = depsOf(handle);
    await checkpoint(handle);
    clearSlowPlans();
    log(`restock phase: the same ${chunks.length} transactions through adjustStockBatch`);
    if (options.traceSql) installSqlTrace();
    const traceBefore = new Map(sqlStats().map((r) => [r.statement, r]));
    const db = handle.db;
    const restock = await timedPhase(chunks, workers, backends(handle), async (chunk) => {
      const results = await inTransaction(db, (tx) =>
        adjustStockBatch(
          tx,
          deps,
          store,
          chunk.map((p) => ({ sku: p.sku, quantity: p.quantity, reason: 'restock' as const })),
        ),
      );
      return new Map(
        results.map((r) => [r.adjustment.sku, r.filled.reduce((a, f) => a + f.quantity, 0)] as const),
      );
    });
    logPhase('restock (adjustStockBatch)', engine, restock);
    if (options.traceSql) {
      log('SQL round trips of the restock phase:');
      printSqlStats(traceSince(traceBefore));
    }
    if (explaining) {
      log(`plans of the restock phase's statements over ${options.explainSlowMs} ms:`);
      printSlowPlans();
    }

    const unitsPerSec = restock.allocatedUnits / restock.seconds;
    const baselineUnitsPerSec = baseline.allocatedUnits / baseline.seconds;
    const ratio = unitsPerSec / baselineUnitsPerSec;
    log(
      `restock ${unitsPerSec.toFixed(0)} units/s vs baseline ${baselineUnitsPerSec.toFixed(0)} units/s → ratio ${ratio.toFixed(3)}`,
    );
    if (ratio < RATIO_GOAL) log(`WARNING: goal missed: ratio ${ratio.toFixed(3)} < ${RATIO_GOAL}`);

    log('verifying FIFO and counters');
    const violations = [
      ...restock.violations,
      ...(await verify(db, store.id, expectedAllocated, { orderStatuses: true })),
      ...[...baseline.violations, ...baselineProblems].map((v) => `baseline: ${v}`),
    ];
    for (const v of violations.slice(0, 20)) log(`VIOLATION: ${v}`);
    log(`verification done: ${violations.length} violation(s)`);
    return {
      scenario: 'restock',
      engine,
      units: restock.allocatedUnits,
      unitsPerSec: round(unitsPerSec),
      baselineUnitsPerSec: round(baselineUnitsPerSec),
      ratio: round(ratio, 3),
      violations: violations.length,
    };
  } finally {
    await handle?.close();
    await copy?.drop();
    await database.drop();
  }
}
