/**
 * restock: a large backlog (default 1,000,000 waiting units over 10,000 SKUs, Zipf-skewed demand)
 * is restocked through the real use case (`adjustStockBatch`: `--batch` SKUs per transaction, as a
 * receiving dock books a delivery; `--batch 1` is one SKU per transaction), several transactions at
 * once, measuring units allocated per second. Afterwards the database is checked:
 * every SKU's filled lines are a prefix of its queue (FIFO), and the counters agree with the lines.
 *
 * The backlog is seeded with bulk SQL that writes exactly what order placement would have written
 * (orders, lines with consecutive queue tickets per SKU, the stock row's queue_tail, waiting_lines
 * and backordered), since placing 1M units over HTTP would take far longer than the restock itself.
 */
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
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
import { DEFAULT_INPUTS, planSchedule } from '../src/modules/promises/promises.models.ts';
import { adjustStockBatch } from '../src/modules/stock/stock.adjust.ts';
import { createStore } from '../src/modules/stores/stores.usecases.ts';
import type { Deps, StoreScope } from '../src/shared/context.ts';
import { storeToday } from '../src/shared/dates.ts';
import { cpuSeconds, type Engine, freshPgliteUrl, log, postgresUrl, round } from './common.ts';
import { installSqlTrace, printSqlStats, sqlStats, traceSince } from './sql-trace.ts';

const BATCH_UNITS = 20_000;

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
      INSERT INTO orders (id, store_id, external_id, status, customer, currency, created_at, updated_at)
      SELECT id, ${store.id}, NULL, 'backordered', '{}'::jsonb, ${store.currency}, ${now}, ${now}
        FROM unnest(${sql.param(ids)}::text[]) WITH ORDINALITY AS o(id, n) ORDER BY n`);
    await db.execute(sql`
      INSERT INTO order_lines (id, store_id, order_id, line_no, sku, quantity, unit_price, allocated, backordered,
                               shipped, cancelled, queue_ticket, eta, eta_latest, eta_source, created_at)
      SELECT v.id, ${store.id}, v.order_id, 0, v.sku, v.quantity, 1000, 0, v.quantity, 0, 0, v.ticket,
             ${promise.eta}::date, ${promise.etaLatest}::date, ${promise.source}, ${now}
        FROM unnest(${sql.param(lineIds.slice(from, from + CHUNK))}::text[],
                    ${sql.param(ids)}::text[],
                    ${sql.param(skus.slice(from, from + CHUNK))}::text[],
                    ${sql.param(quantities.slice(from, from + CHUNK))}::int[],
                    ${sql.param(tickets.slice(from, from + CHUNK))}::bigint[])
             AS v(id, order_id, sku, quantity, ticket)`);
  }
  await db.execute(sql`ANALYZE order_lines`);
  await db.execute(sql`ANALYZE orders`);
  await db.execute(sql`ANALYZE inventory_levels`);
}

async function verify(db: Executor, storeId: string, expectedAllocated: number): Promise<string[]> {
  const problems: string[] = [];
  const count = async (q: ReturnType<typeof sql>): Promise<number> => {
    const [row] = await queryRows<{ n: number | string }>(db, q);
    return Number(row?.n ?? 0);
  };
  const checks: { name: string; n: number }[] = [
    {
      name: 'lines filled out of queue order (a line got units while an earlier one still waits)',
      n: await count(sql`
        SELECT count(*) AS n FROM (
          SELECT allocated,
                 bool_or(backordered > 0) OVER (PARTITION BY sku ORDER BY queue_ticket
                                                ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS earlier_waiting
            FROM order_lines WHERE store_id = ${storeId}) x
         WHERE earlier_waiting AND allocated > 0`),
    },
    {
      name: 'SKUs whose counters disagree with their lines (allocated, backordered, waiting_lines)',
      n: await count(sql`
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
      n: await count(sql`
        SELECT count(*) AS n FROM inventory_levels
         WHERE store_id = ${storeId} AND on_hand > allocated AND backordered > 0`),
    },
    {
      name: 'orders whose status disagrees with their line',
      n: await count(sql`
        SELECT count(*) AS n FROM orders o JOIN order_lines l ON l.order_id = o.id
         WHERE o.store_id = ${storeId}
           AND o.status <> CASE WHEN l.backordered > 0 THEN 'backordered' ELSE 'allocated' END`),
    },
  ];
  for (const c of checks) if (c.n > 0) problems.push(`${c.n} ${c.name}`);
  const allocated = await count(
    sql`SELECT coalesce(sum(allocated), 0) AS n FROM order_lines WHERE store_id = ${storeId}`,
  );
  if (allocated !== expectedAllocated)
    problems.push(`${allocated} units allocated in total, expected ${expectedAllocated}`);
  return problems;
}

export async function runRestock(options: RestockOptions): Promise<Record<string, unknown>> {
  const { engine } = options;
  const units = options.units ?? 1_000_000;
  const skuCount = options.skus ?? 10_000;
  const workers = engine === 'pglite' ? 1 : (options.workers ?? 4);
  const batch = options.batch ?? 200;
  const partial = options.partial ?? 0;
  const s = options.zipf ?? 1.1;
  const url = engine === 'postgres' ? postgresUrl() : freshPgliteUrl();
  log(
    `restock on ${engine}: units=${units} skus=${skuCount} zipf s=${s} workers=${workers} batch=${batch} partial=${partial}`,
  );

  const handle: DatabaseHandle = await openDatabase(url, { poolSize: workers + 2 });
  const pgliteDir = engine === 'pglite' ? dirname(url.slice('pglite://'.length)) : null;
  try {
    await handle.migrate();
    const deps: Deps = assembleDeps({ db: handle.db, engine: handle.engine });
    const created = await inTransaction(handle.db, (tx) =>
      createStore(tx, deps, { name: `bench restock ${Date.now()}` }),
    );
    const store: StoreScope = created.store;

    const random = prng(20261122);
    const backlog = makeBacklog(units, skuCount, s, random);
    const sizes = backlog.queues.map((q) => q.reduce((a, b) => a + b, 0));
    const top = [...sizes].sort((a, b) => b - a);
    log(
      `backlog: ${backlog.orders} orders/lines; biggest queues ${top.slice(0, 3).join(', ')} units; ` +
        `${sizes.filter((n) => n === 0).length} SKUs without demand`,
    );
    const seedStart = performance.now();
    await seed(handle.db, deps, store, backlog);
    log(`seeded in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);

    // Restock plan: every SKU gets enough for its whole queue, except a `partial` share of them
    // that get half (rounded down, at least 1 unit) so the FIFO prefix check has something to check.
    const plan = sizes.map((size, k) => {
      const isPartial = partial > 0 && size > 1 && random() < partial;
      const quantity = size === 0 ? 1 : isPartial ? Math.max(1, Math.floor(size / 2)) : size;
      return { sku: skuName(k + 1), quantity, expectFill: Math.min(quantity, size) };
    });
    const expectedAllocated = plan.reduce((a, p) => a + p.expectFill, 0);

    log(`restock phase: ${plan.length} SKUs, ${expectedAllocated} units to allocate`);
    const violations: string[] = [];
    let next = 0;
    let allocatedUnits = 0;
    let slowest = { sku: '', ms: 0 };
    if (options.traceSql) installSqlTrace();
    const traceBefore = new Map(sqlStats().map((r) => [r.statement, r]));
    const pgCpuBefore = cpuSeconds((_pid, comm) => comm === 'postgres');
    const cpuBefore = process.cpuUsage();
    const restockStart = performance.now();
    const worker = async () => {
      for (;;) {
        // A chunk is `batch` SKUs or about BATCH_UNITS units, whichever comes first, so the few
        // huge queues at the head of the Zipf curve do not all land in one transaction.
        const chunk: typeof plan = [];
        let chunkUnits = 0;
        while (
          next < plan.length &&
          chunk.length < batch &&
          (chunk.length === 0 || chunkUnits < BATCH_UNITS)
        ) {
          const p = plan[next++]!;
          chunk.push(p);
          chunkUnits += p.expectFill;
        }
        if (chunk.length === 0) return;
        const t0 = performance.now();
        try {
          const results = await inTransaction(handle.db, (tx) =>
            adjustStockBatch(
              tx,
              deps,
              store,
              chunk.map((p) => ({ sku: p.sku, quantity: p.quantity, reason: 'restock' as const })),
            ),
          );
          for (const [i, result] of results.entries()) {
            const p = chunk[i]!;
            const filled = result.filled.reduce((a, f) => a + f.quantity, 0);
            allocatedUnits += filled;
            if (filled !== p.expectFill)
              violations.push(`${p.sku}: filled ${filled}, expected ${p.expectFill}`);
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
    const seconds = (performance.now() - restockStart) / 1000;
    const unitsPerSec = allocatedUnits / seconds;
    const benchCpu = process.cpuUsage(cpuBefore);
    log(
      `CPU during the restock phase (2 cores = ${(2 * seconds).toFixed(1)} core-s): bench process ` +
        `(use cases + drivers${engine === 'pglite' ? ' + PGlite' : ''}) ${((benchCpu.user + benchCpu.system) / 1e6).toFixed(1)} s` +
        (engine === 'postgres'
          ? `, postgres processes ${(cpuSeconds((_pid, comm) => comm === 'postgres') - pgCpuBefore).toFixed(1)} s`
          : ''),
    );
    log(
      `restock phase: ${allocatedUnits} units allocated in ${seconds.toFixed(2)} s = ${unitsPerSec.toFixed(0)} units/s ` +
        `(slowest SKU ${slowest.sku}: ${(slowest.ms / 1000).toFixed(2)} s)`,
    );
    if (options.traceSql) {
      log('SQL round trips of the restock phase:');
      printSqlStats(traceSince(traceBefore));
    }
    for (const v of violations.slice(0, 10)) log(`VIOLATION: ${v}`);

    log('verifying FIFO and counters');
    const problems = await verify(handle.db, store.id, expectedAllocated);
    for (const p of problems) log(`VIOLATION: ${p}`);
    const total = violations.length + problems.length;
    log(`verification done: ${total} violation(s)`);
    return {
      scenario: 'restock',
      engine,
      units: allocatedUnits,
      unitsPerSec: round(unitsPerSec),
      violations: total,
    };
  } finally {
    await handle.close();
    if (pgliteDir) rmSync(pgliteDir, { recursive: true, force: true });
  }
}
