/**
 * promise-accuracy: are the ship dates Backfill promises kept, and is a slip told before it happens?
 *
 * Replays `--days` simulated days (default 90, after `--warmup` days that are simulated but not
 * measured, so suppliers have a delivery history and queues are in their steady state) of one
 * store through the real engine, in this process, on a database of its own: the app is built with
 * `createApp` on an injected clock that moves through each day, and every command goes through its
 * route (`app.server.inject`, no network), the daily re-dating job (`refreshDuePromises`), the
 * message relay (`relayEvents`) and delivery (`deliverDue`, the built-in email outbox) are called
 * as the worker calls them. Seeded (`--seed`): `--skus` SKUs (default 60), Poisson and
 * intermittent demand, four suppliers whose deliveries are late by draws from skewed (log-normal)
 * lateness distributions, cancellations whose daily probability grows with the wait the line was
 * promised, and a merchant who reorders every evening (order-up-to, lean on purpose: stock-outs
 * are what make waiting lines).
 *
 * A day: 00:05 the daily job; 08:00 the deliveries that really arrive today are received; 09:00–
 * 17:00 orders and cancellations (relayed at 17:00, before anything else moves the new lines'
 * dates); 17:30 every order with allocated units ships them; 18:00 the merchant orders; messages
 * are relayed and delivered after the daily job and after the merchant. Then the day is checked.
 *
 * Reported over the waiting lines placed on measured days whose outcome is known (shipped, or
 * still unshipped once their first `etaLatest` had passed): the share shipped by the first date
 * promised (`onTimeFirstPromise`) and by the first `etaLatest` (`onTimeLatest`); and over every
 * slip — a date the shopper was told (the first promise, then each delay notice) that passed
 * with the line unshipped, or a delay notice that moved it — the share told by a delay notice
 * (`backorder.eta_changed` → `delay_notice`, sent) no later than the told date
 * (`slipsAnnouncedInTime`). Goals: ≥ 95 % by `etaLatest`, 100 % of slips announced in time
 * (warnings when missed). Violations: a command refused or failing where the business allows it,
 * a waiting line without a date or dated in the past after the daily job, `etaLatest` before
 * `eta`, a message that failed.
 */
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { type App, createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { queryRows } from '../src/db/client.ts';
import { createSenders } from '../src/modules/messages/messages.channels.ts';
import { deliverDue } from '../src/modules/messages/messages.delivery.ts';
import { relayBacklog, relayEvents } from '../src/modules/messages/messages.relay.ts';
import { refreshDuePromises } from '../src/modules/promises/promises.jobs.ts';
import { type Engine, freshBenchDatabase, log, round, xorshift32 } from './common.ts';

export interface PromiseAccuracyOptions {
  engine: Engine;
  skus?: number | undefined;
  days?: number | undefined;
  warmup?: number | undefined;
  seed?: number | undefined;
}

const GOALS = { onTimeLatest: 0.95, slipsAnnouncedInTime: 1 };
const OPERATOR_TOKEN = 'bench-operator-token-0123456789';
const DAY_MS = 86_400_000;
/** The first measured day (after the warm-up). */
const START = Date.UTC(2027, 0, 4);
const HANDLING_DAYS = 1;
/** Daily probability of cancelling a waiting line, per day of wait it was promised (capped). */
const CANCEL_PER_PROMISED_DAY = 0.0015;
const CANCEL_CAP = 0.1;
/** How long the relay may wait for other sessions' older transactions before the run gives up. */
const RELAY_STALL_MS = 60_000;

interface SupplierProfile {
  name: string;
  leadTimeDays: number;
  /** Probability of an early (−1 or −2 days) and of an on-time delivery; the rest is late. */
  early: number;
  onTime: number;
  /** Late deliveries: 1 + floor(log-normal(mu, sigma)) days. */
  mu: number;
  sigma: number;
}

const SUPPLIERS: readonly SupplierProfile[] = [
  { name: 'Reliable Co', leadTimeDays: 7, early: 0.05, onTime: 0.75, mu: 0, sigma: 0.6 },
  { name: 'Mostly Fine Ltd', leadTimeDays: 10, early: 0.05, onTime: 0.45, mu: 0.5, sigma: 0.8 },
  { name: 'Erratic Works', leadTimeDays: 14, early: 0, onTime: 0.3, mu: 1.1, sigma: 0.9 },
  { name: 'Overseas Trading', leadTimeDays: 21, early: 0.15, onTime: 0.35, mu: 1.5, sigma: 0.7 },
];

/** A small seeded generator (xorshift32), so every run sees the same store. */
function generator(seed: number) {
  const uniform = xorshift32(seed);
  const normal = (): number =>
    Math.sqrt(-2 * Math.log(Math.max(uniform(), 1e-12))) * Math.cos(2 * Math.PI * uniform());
  const poisson = (mean: number): number => {
    if (mean <= 0) return 0;
    const limit = Math.exp(-mean);
    let k = 0;
    let p = uniform();
    while (p > limit) {
      k++;
      p *= uniform();
    }
    return k;
  };
  return { uniform, normal, poisson };
}
type Rng = ReturnType<typeof generator>;

/** Days late of one delivery of this supplier (negative: early). */
function drawLateness(rng: Rng, s: SupplierProfile): number {
  const roll = rng.uniform();
  if (roll < s.early) return rng.uniform() < 0.5 ? -1 : -2;
  if (roll < s.early + s.onTime) return 0;
  return 1 + Math.floor(Math.exp(s.mu + s.sigma * rng.normal()));
}

interface Sku {
  sku: string;
  supplier: number;
  kind: 'poisson' | 'intermittent';
  /** Poisson: orders a day; intermittent: probability of an order on a day. */
  rate: number;
  /** Intermittent: mean extra units of an order. */
  size: number;
  /** Mean units a day (for the merchant's policy). */
  meanUnits: number;
}

interface TrackedLine {
  lineId: string;
  orderId: string;
  sku: string;
  measured: boolean;
  placedDay: string;
  firstEta: string;
  firstLatest: string;
  firstSource: string;
  /** The date the shopper was last told (first promise, then each delay notice sent). */
  told: string;
  /** A told date that passed unannounced is counted once. */
  toldCounted: boolean;
  shippedDay: string | null;
  cancelledDay: string | null;
}

interface Reply {
  status: number;
  body: Record<string, unknown> & { lines?: Record<string, unknown>[] };
}

const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const daysBetween = (from: string, to: string): number =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
const addDays = (day: string, days: number): string => dayOf(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS);

export async function runPromiseAccuracy(options: PromiseAccuracyOptions): Promise<Record<string, unknown>> {
  const engine = options.engine;
  const skuCount = options.skus ?? 60;
  const days = options.days ?? 90;
  const warmup = options.warmup ?? 30;
  const seed = options.seed ?? 1;
  const database = await freshBenchDatabase(engine, 'promise-accuracy');
  log(
    `promise-accuracy: ${engine}, ${skuCount} SKUs, ${warmup} warm-up + ${days} measured days (seed ${seed}), ` +
      `database ${database.name}`,
  );
  let now = START - warmup * DAY_MS;
  const clock = { now: () => new Date(now) };
  let app: App | null = null;
  try {
    app = await createApp(
      {
        ...loadConfig({}),
        databaseUrl: database.url,
        operatorToken: OPERATOR_TOKEN,
        logLevel: 'silent',
        port: 0,
        publicRateLimit: 10_000_000,
        secretRateLimit: null,
      },
      { clock, logger: false },
    );
    await app.server.ready();
    return await simulate(app, { skuCount, days, warmup, seed, engine }, (ms) => {
      now = ms;
    });
  } finally {
    await app?.close();
    await database.drop();
  }
}

async function simulate(
  app: App,
  run: { skuCount: number; days: number; warmup: number; seed: number; engine: Engine },
  setNow: (ms: number) => void,
): Promise<Record<string, unknown>> {
  const rng = generator(run.seed * 7_919 + 13);
  const deps = app.deps;
  const violations: string[] = [];
  const violation = (what: string) => {
    violations.push(what);
    if (violations.length <= 20) log(`VIOLATION: ${what}`);
  };
  let key = OPERATOR_TOKEN;
  const call = async (
    method: 'GET' | 'POST' | 'PUT' | 'PATCH',
    url: string,
    body?: unknown,
  ): Promise<Reply> => {
    const res = await app.server.inject({
      method,
      url,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    });
    let parsed: Reply['body'] = {};
    try {
      parsed = res.json();
    } catch {
      parsed = { text: res.body };
    }
    return { status: res.statusCode, body: parsed };
  };
  const must = async (method: 'POST' | 'PUT' | 'PATCH', url: string, body: unknown, status: number) => {
    const reply = await call(method, url, body);
    if (reply.status !== status)
      throw new Error(`${method} ${url}: HTTP ${reply.status} ${JSON.stringify(reply.body).slice(0, 300)}`);
    return reply.body;
  };

  // --- Set-up: the store, its outbox email channel, suppliers and SKUs.
  const created = await must('POST', '/v1/stores', { name: 'Promise accuracy store' }, 201);
  const storeId = (created.store as { id: string }).id;
  key = created.secretKey as string;
  await must('PATCH', '/v1/settings', { handlingDays: HANDLING_DAYS }, 200);
  await must('PATCH', '/v1/settings/messaging', { email: { channel: 'outbox' } }, 200);
  const supplierIds: string[] = [];
  for (const s of SUPPLIERS) {
    const body = await must('POST', '/v1/suppliers', { name: s.name, leadTimeDays: s.leadTimeDays }, 201);
    supplierIds.push(body.id as string);
  }
  const skus: Sku[] = [];
  for (let i = 0; i < run.skuCount; i++) {
    const supplier = i % SUPPLIERS.length;
    const intermittent = rng.uniform() < 0.4;
    const rate = intermittent ? 0.05 + 0.25 * rng.uniform() : 0.3 + 2.7 * rng.uniform() ** 2;
    const size = intermittent ? 0.5 + 2 * rng.uniform() : 0.4;
    const sku = `PA-${String(i + 1).padStart(4, '0')}`;
    skus.push({
      sku,
      supplier,
      kind: intermittent ? 'intermittent' : 'poisson',
      rate,
      size,
      meanUnits: intermittent ? rate * (1 + size) : rate * 1.4,
    });
    await must(
      'PUT',
      `/v1/variants/${sku}`,
      {
        title: `Item ${sku}`,
        price: 2500,
        backorder: { mode: 'backorder', limit: null },
        supplierId: supplierIds[supplier],
      },
      201,
    );
  }
  // Opening stock: about half the lead time's demand.
  const opening = skus
    .map((s) => ({
      sku: s.sku,
      quantity: Math.round(s.meanUnits * SUPPLIERS[s.supplier]!.leadTimeDays * 0.5),
    }))
    .filter((a) => a.quantity > 0);
  for (const adjustment of opening)
    await must('POST', '/v1/inventory/adjustments', { ...adjustment, reason: 'restock' }, 201);

  // Open purchase orders: id → when it really arrives and what it carries.
  const openPos = new Map<string, { arrives: string; lines: { sku: string; quantity: number }[] }>();
  const tracked = new Map<string, TrackedLine>();
  const poLog: { supplier: number; created: string; expectedDate: string; late: number }[] = [];
  let lastMessageSeq = 0;
  let announcedInTime = 0;
  let announcedAhead = 0;
  let announcedLate = 0;
  let unannounced = 0;
  let ordersPlaced = 0;
  let waitingPlaced = 0;
  let cancellations = 0;
  let shipments = 0;
  let receipts = 0;
  let purchaseOrders = 0;
  let delayNotices = 0;

  // Wall time per step of the day, for the log.
  const spent = new Map<string, number>();
  const timed = async <T>(step: string, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await work();
    } finally {
      spent.set(step, (spent.get(step) ?? 0) + performance.now() - started);
    }
  };
  const relayAndDeliver = (deliver = true) => timed('relay and delivery', () => relayAndDeliverNow(deliver));
  const relayAndDeliverNow = async (deliver: boolean) => {
    const started = performance.now();
    for (;;) {
      await relayEvents(deps, { maxBatches: 1000 });
      if ((await relayBacklog(deps)) === 0) break;
      if (performance.now() - started > RELAY_STALL_MS)
        throw new Error('the relay waited more than 60 s for other sessions to commit');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (!deliver) return;
    const senders = createSenders();
    for (;;) {
      const counts = await deliverDue(deps, senders, { storeIds: [storeId], limit: 1000, concurrency: 8 });
      if (counts.failed > 0) violation(`${counts.failed} message(s) failed`);
      if (counts.sent + counts.retrying + counts.failed + counts.suppressed + counts.skipped === 0) break;
    }
    // Delay notices that reached the shopper: each moves the date the shopper was told.
    const sent = await queryRows<{
      seq: number | string;
      sent_at: Date | string;
      data: Record<string, unknown>;
    }>(
      deps.db,
      sql`SELECT m.seq, m.sent_at, e.data FROM messages m JOIN events e ON e.id = m.event_id AND e.store_id = m.store_id
           WHERE m.store_id = ${storeId} AND m.kind = 'delay_notice' AND m.state = 'sent' AND m.seq > ${lastMessageSeq}
           ORDER BY m.seq`,
    );
    for (const row of sent) {
      lastMessageSeq = Math.max(lastMessageSeq, Number(row.seq));
      delayNotices++;
      const line = tracked.get(String(row.data.lineId));
      if (!line) continue;
      const sentDay = dayOf(new Date(row.sent_at).getTime());
      if (line.measured) {
        if (line.toldCounted) announcedLate++;
        else if (sentDay <= line.told) {
          announcedInTime++;
          if (sentDay < line.told) announcedAhead++;
        } else announcedLate++;
      }
      line.told = String(row.data.eta);
      line.toldCounted = false;
    }
  };

  const totalDays = run.warmup + run.days;
  const wallStart = performance.now();
  for (let d = 0; d < totalDays; d++) {
    const dayStart = START + (d - run.warmup) * DAY_MS;
    const today = dayOf(dayStart);
    const measured = d >= run.warmup;
    const at = (hours: number) => setNow(dayStart + hours * 3_600_000);

    // 00:05 the daily re-dating job.
    at(0.08);
    await timed('daily job', () => refreshDuePromises(deps, { storeIds: [storeId] }));
    const stale = await queryRows<{ n: number | string }>(
      deps.db,
      sql`SELECT count(*) AS n FROM order_lines WHERE store_id = ${storeId} AND backordered > 0
             AND (eta IS NULL OR eta < ${today}::date OR eta_latest < eta)`,
    );
    if (Number(stale[0]?.n ?? 0) > 0)
      violation(
        `${today}: ${stale[0]!.n} waiting line(s) undated, dated in the past or with etaLatest < eta`,
      );
    await relayAndDeliver();

    // 08:00 deliveries that really arrive today.
    at(8);
    for (const [poId, po] of openPos) {
      if (po.arrives > today) continue;
      const reply = await call('POST', `/v1/purchase-orders/${poId}/receipts`, { lines: po.lines });
      if (reply.status !== 201) violation(`${today}: receipt of ${poId}: HTTP ${reply.status}`);
      openPos.delete(poId);
      receipts++;
    }

    // 09:00–17:00 orders and cancellations, in a seeded order over the day.
    const events: { hour: number; run: () => Promise<void> }[] = [];
    for (const s of skus) {
      const count = s.kind === 'poisson' ? rng.poisson(s.rate) : rng.uniform() < s.rate ? 1 : 0;
      for (let k = 0; k < count; k++) {
        const quantity =
          s.kind === 'poisson'
            ? rng.uniform() < 0.7
              ? 1
              : rng.uniform() < 0.67
                ? 2
                : 3
            : Math.min(8, 1 + rng.poisson(s.size));
        const shopper = `shopper-${d}-${s.sku}-${k}@example.com`;
        events.push({
          hour: 9 + 8 * rng.uniform(),
          run: async () => {
            const reply = await call('POST', '/v1/orders', {
              customer: { name: 'Shopper', email: shopper },
              lines: [{ sku: s.sku, quantity }],
            });
            if (reply.status !== 201) {
              violation(`${today}: order for ${s.sku}: HTTP ${reply.status}`);
              return;
            }
            ordersPlaced++;
            const line = reply.body.lines![0]!;
            if (Number(line.backorderedQuantity) > 0) {
              waitingPlaced++;
              if (typeof line.eta !== 'string' || typeof line.etaLatest !== 'string') {
                violation(`${today}: a waiting line was placed without a date`);
                return;
              }
              tracked.set(String(line.id), {
                lineId: String(line.id),
                orderId: String(reply.body.id),
                sku: s.sku,
                measured,
                placedDay: today,
                firstEta: line.eta,
                firstLatest: line.etaLatest,
                firstSource: String(line.etaSource),
                told: line.eta,
                toldCounted: false,
                shippedDay: null,
                cancelledDay: null,
              });
            }
          },
        });
      }
    }
    for (const line of tracked.values()) {
      if (line.shippedDay !== null || line.cancelledDay !== null) continue;
      const promisedWait = daysBetween(line.placedDay, line.firstEta);
      if (rng.uniform() >= Math.min(CANCEL_CAP, CANCEL_PER_PROMISED_DAY * promisedWait)) continue;
      events.push({
        hour: 9 + 8 * rng.uniform(),
        run: async () => {
          const reply = await call('POST', `/v1/orders/${line.orderId}/cancel`, {
            reason: 'waited too long',
          });
          // A line whose units all became ready meanwhile may have shipped already (409).
          if (reply.status === 200) {
            line.cancelledDay = today;
            cancellations++;
          } else if (reply.status !== 409) violation(`${today}: cancellation: HTTP ${reply.status}`);
        },
      });
    }
    events.sort((a, b) => a.hour - b.hour);
    await timed('orders and cancellations', async () => {
      for (const event of events) {
        at(event.hour);
        await event.run();
      }
    });
    // Relayed before anything else moves the new lines' dates: the confirmation tells the first date.
    await relayAndDeliver(false);

    // 17:30 every order with allocated units ships them.
    at(17.5);
    const ready = await queryRows<{ order_id: string }>(
      deps.db,
      sql`SELECT DISTINCT order_id FROM order_lines WHERE store_id = ${storeId} AND allocated > 0 ORDER BY order_id`,
    );
    for (const { order_id } of ready) {
      const reply = await call('POST', `/v1/orders/${order_id}/shipments`, {});
      if (reply.status !== 201) violation(`${today}: shipment of ${order_id}: HTTP ${reply.status}`);
      else shipments++;
    }

    // 18:00 the merchant reorders: order-up-to over the lead time and a week, lean on safety.
    at(18);
    const levels = await queryRows<{ sku: string; on_hand: number; allocated: number; backordered: number }>(
      deps.db,
      sql`SELECT sku, on_hand, allocated, backordered FROM inventory_levels WHERE store_id = ${storeId}`,
    );
    const onOrder = new Map<string, number>();
    for (const po of openPos.values())
      for (const l of po.lines) onOrder.set(l.sku, (onOrder.get(l.sku) ?? 0) + l.quantity);
    const byLevel = new Map(levels.map((l) => [l.sku, l]));
    const toOrder = new Map<number, { sku: string; quantity: number; unitCost: number }[]>();
    for (const s of skus) {
      const level = byLevel.get(s.sku);
      const position =
        (level ? level.on_hand - level.allocated - level.backordered : 0) + (onOrder.get(s.sku) ?? 0);
      const lead = SUPPLIERS[s.supplier]!.leadTimeDays;
      const reorderPoint = s.meanUnits * (lead + 1) + 0.5 * Math.sqrt(s.meanUnits * (lead + 1));
      if (position >= reorderPoint) continue;
      const upTo = reorderPoint + s.meanUnits * 7;
      const quantity = Math.max(1, Math.ceil(upTo - position));
      const lines = toOrder.get(s.supplier) ?? [];
      lines.push({ sku: s.sku, quantity, unitCost: 1000 });
      toOrder.set(s.supplier, lines);
    }
    for (const [supplier, lines] of toOrder) {
      const profile = SUPPLIERS[supplier]!;
      const expectedDate = addDays(today, profile.leadTimeDays);
      const po = await must(
        'POST',
        '/v1/purchase-orders',
        { supplierId: supplierIds[supplier], expectedDate, lines },
        201,
      );
      purchaseOrders++;
      poLog.push({ supplier, created: today, expectedDate, late: 0 });
      const arrives = addDays(expectedDate, drawLateness(rng, profile));
      poLog.at(-1)!.late = daysBetween(expectedDate, arrives);
      openPos.set(po.id as string, {
        arrives: arrives > today ? arrives : addDays(today, 1),
        lines: lines.map((l) => ({ sku: l.sku, quantity: l.quantity })),
      });
    }
    await relayAndDeliver();

    // End of the day: which lines shipped, and which told dates passed unannounced.
    const open = [...tracked.values()].filter((l) => l.shippedDay === null && l.cancelledDay === null);
    if (open.length > 0) {
      const rows = await queryRows<{ id: string; quantity: number; shipped: number; cancelled: number }>(
        deps.db,
        sql`SELECT id, quantity, shipped, cancelled FROM order_lines
             WHERE store_id = ${storeId} AND id = ANY(${sql.param(open.map((l) => l.lineId))}::text[])`,
      );
      const state = new Map(rows.map((r) => [r.id, r]));
      for (const line of open) {
        const row = state.get(line.lineId);
        if (row && row.shipped === row.quantity) line.shippedDay = today;
        else if (row && row.cancelled > 0) line.cancelledDay ??= today;
        else if (line.told <= today && !line.toldCounted) {
          line.toldCounted = true;
          if (line.measured) unannounced++;
        }
      }
    }
    if ((d + 1) % 10 === 0 || d + 1 === totalDays)
      log(
        `day ${d + 1 - run.warmup} (${today}): ${ordersPlaced} orders (${waitingPlaced} waiting), ` +
          `${cancellations} cancelled, ${shipments} shipments, ${purchaseOrders} POs, ${receipts} receipts, ` +
          `${delayNotices} delay notices, ${round((performance.now() - wallStart) / 1000, 1)} s ` +
          `(${[...spent].map(([step, ms]) => `${step} ${round(ms / 1000, 1)} s`).join(', ')})`,
      );
  }

  // --- Figures.
  if (process.env.PA_DUMP) {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      process.env.PA_DUMP,
      [...tracked.values()]
        .map((l) => JSON.stringify({ ...l, supplier: skus.find((s) => s.sku === l.sku)!.supplier }))
        .join('\n'),
    );
    writeFileSync(`${process.env.PA_DUMP}.po`, poLog.map((p) => JSON.stringify(p)).join('\n'));
  }
  const lastDay = dayOf(START + (run.days - 1) * DAY_MS);
  let lines = 0;
  let byFirst = 0;
  let byLatest = 0;
  let censored = 0;
  const errors: number[] = [];
  for (const line of tracked.values()) {
    if (!line.measured) continue;
    if (line.shippedDay !== null) {
      lines++;
      if (line.shippedDay <= line.firstEta) byFirst++;
      if (line.shippedDay <= line.firstLatest) byLatest++;
      errors.push(daysBetween(line.firstEta, line.shippedDay));
      continue;
    }
    const leftOn = line.cancelledDay ?? lastDay;
    if (line.firstLatest < leftOn || (line.cancelledDay === null && line.firstLatest <= lastDay)) lines++;
    else censored++;
  }
  const slips = announcedInTime + announcedLate + unannounced;
  const onTimeFirstPromise = lines > 0 ? byFirst / lines : Number.NaN;
  const onTimeLatest = lines > 0 ? byLatest / lines : Number.NaN;
  const slipsAnnouncedInTime = slips > 0 ? announcedInTime / slips : 1;
  errors.sort((a, b) => a - b);
  const at = (p: number) => errors[Math.min(errors.length - 1, Math.floor(p * errors.length))] ?? Number.NaN;
  log(
    `${lines} waiting lines with a known outcome (${censored} left out: cancelled or still waiting before ` +
      `their first etaLatest); shipped by the first eta ${byFirst} (${round(100 * onTimeFirstPromise, 1)} %), ` +
      `by the first etaLatest ${byLatest} (${round(100 * onTimeLatest, 1)} %)`,
  );
  log(
    `ship day − first eta over shipped lines: p10 ${at(0.1)}, median ${at(0.5)}, p90 ${at(0.9)}, p99 ${at(0.99)} days`,
  );
  log(
    `slips: ${slips}; announced in time ${announcedInTime} (${announcedAhead} a day or more ahead), ` +
      `announced after the told date ${announcedLate}, never announced before it passed ${unannounced}`,
  );
  if (onTimeLatest < GOALS.onTimeLatest)
    log(`WARNING: goal missed: ${round(100 * onTimeLatest, 1)} % shipped by etaLatest < 95 %`);
  if (slipsAnnouncedInTime < GOALS.slipsAnnouncedInTime)
    log(`WARNING: goal missed: ${round(100 * slipsAnnouncedInTime, 1)} % of slips announced in time < 100 %`);
  return {
    scenario: 'promise-accuracy',
    lines,
    onTimeFirstPromise: round(onTimeFirstPromise, 4),
    onTimeLatest: round(onTimeLatest, 4),
    slipsAnnouncedInTime: round(slipsAnnouncedInTime, 4),
    violations: violations.length,
  };
}
