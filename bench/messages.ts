/**
 * messages: the message pipeline a flash sale sets off. N shoppers (distinct email addresses) order
 * one backorder SKU; each order writes its outbox events (`order.placed`, `order.line.backordered`),
 * and the real functions of `src/modules/messages` turn them into messages and deliver them to real
 * receivers on loopback: an SMTP server (email: one `order_confirmation` per order, rendered with
 * LiquidJS) or an HTTP receiver subscribed to `order.placed` (webhook: one delivery per order).
 *
 * Two phases are timed separately: the relay (`relayEvents` until `relayBacklog` is 0) and delivery
 * (`--via deliverDue`: `deliverDue` passes until nothing is due; `--via worker`: the production
 * worker, `startMessageWorker` with its pg-boss jobs, until every message has left). Baselines in
 * the same run, on the same data: paging through the same events with a plain keyset SELECT (what
 * the relay reads, without the rest), and the raw channel sending the same messages to the same
 * receiver from as many concurrent senders (nodemailer's `sendMail` on a transport built as
 * `createSenders` builds it; `fetch` POSTs with the same headers and body). Afterwards: one message per order, all sent, each received exactly once.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { type App, createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { queryRows } from '../src/db/client.ts';
import {
  createSenders,
  SMTP_CONNECTIONS,
  smtpTransportOptions,
} from '../src/modules/messages/messages.channels.ts';
import { type DeliveryOutcome, deliverDue } from '../src/modules/messages/messages.delivery.ts';
import { relayBacklog, relayEvents, startRelayCursor } from '../src/modules/messages/messages.relay.ts';
import { startMessageWorker } from '../src/modules/messages/messages.worker.ts';
import { webhookHeaders } from '../src/modules/webhooks/webhooks.signing.ts';
import { backendsOf, type CpuUse, type Engine, freshBenchDatabase, log, round, startCpu } from './common.ts';
import { installSqlTrace, printSqlStats, sqlStats, traceSince } from './sql-trace.ts';

export type MessageChannel = 'email' | 'webhook';
export type DeliveryPath = 'deliverDue' | 'worker';

export interface MessagesOptions {
  engine: Engine;
  orders?: number;
  channel?: MessageChannel;
  /** Concurrent sends in delivery (`deliverDue`'s lanes) and in the raw-channel baseline. */
  concurrency?: number;
  /** How delivery runs: direct `deliverDue` passes, or the worker as `npm start` runs it (pg-boss). */
  via?: DeliveryPath;
  /** Time the SQL round trips of the relay and delivery phases (PostgreSQL only). */
  traceSql?: boolean;
}

const OPERATOR_TOKEN = 'bench-operator-token-0123456789';
const SKU = 'FLASH-1';
/** Concurrent order placements while setting up (not measured, only reported). */
const PLACE_CONCURRENCY = 64;
/** How long the relay may wait for other sessions' older transactions before the run gives up. */
const RELAY_STALL_MS = 60_000;
/** `createSenders`'s timeout: SMTP connection, greeting and socket, and webhook requests. */
const SEND_TIMEOUT_MS = 15_000;

// ---------------------------------------------------------------------------------------------
// Receivers on loopback: they count what arrives (per phase, per recipient or webhook-id), parse nothing.

interface Receiver {
  url: string;
  /** Label the next arrivals are counted under. */
  phase: string;
  /** phase → key (envelope recipient / webhook-id) → arrivals. */
  arrivals: Map<string, Map<string, number>>;
  close(): Promise<void>;
}

const countArrival = (receiver: Receiver, key: string): void => {
  let byKey = receiver.arrivals.get(receiver.phase);
  if (!byKey) {
    byKey = new Map();
    receiver.arrivals.set(receiver.phase, byKey);
  }
  byKey.set(key, (byKey.get(key) ?? 0) + 1);
};

const arrivalsIn = (receiver: Receiver, phase: string): { total: number; keys: Map<string, number> } => {
  const keys = receiver.arrivals.get(phase) ?? new Map<string, number>();
  let total = 0;
  for (const n of keys.values()) total += n;
  return { total, keys };
};

/** An SMTP server that accepts everything and counts each message once per envelope recipient. */
async function startSmtpReceiver(): Promise<Receiver> {
  const receiver: Receiver = { url: '', phase: 'setup', arrivals: new Map(), close: async () => {} };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    // smtp-server resolves every client address by reverse DNS unless told not to; a real MTA on
    // loopback would not pay that per connection, and neither side of the comparison should.
    disableReverseLookup: true,
    logger: false,
    closeTimeout: 100,
    onData(stream, session, callback) {
      stream.on('end', () => {
        for (const rcpt of session.envelope.rcptTo) countArrival(receiver, rcpt.address.toLowerCase());
        callback();
      });
      stream.resume();
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  receiver.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return receiver;
}

/** An HTTP server answering 200 to every POST, counting by `webhook-id`. */
async function startHttpReceiver(): Promise<Receiver> {
  const receiver: Receiver = { url: '', phase: 'setup', arrivals: new Map(), close: async () => {} };
  const server: Server = createServer((request, response) => {
    const id = request.headers['webhook-id'];
    request.on('end', () => {
      countArrival(receiver, typeof id === 'string' ? id : '(no webhook-id)');
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"ok":true}');
    });
    request.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  receiver.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return receiver;
}

// ---------------------------------------------------------------------------------------------

interface Reply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are read loosely
  body: any;
}

async function call(
  app: App,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH',
  url: string,
  key: string,
  body?: unknown,
): Promise<Reply> {
  const headers: Record<string, string> = { authorization: `Bearer ${key}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await app.server.inject({
    method,
    url,
    headers,
    ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
  });
  let parsed: unknown = null;
  try {
    parsed = res.json();
  } catch {
    parsed = res.body;
  }
  return { status: res.statusCode, body: parsed };
}

function expectStatus(reply: Reply, status: number, what: string): void {
  if (reply.status !== status)
    throw new Error(`${what}: HTTP ${reply.status} ${JSON.stringify(reply.body).slice(0, 300)}`);
}

/** Runs `work(i)` for i in [0, n) from `lanes` concurrent loops. */
async function inLanes(n: number, lanes: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(lanes, n) }, async () => {
      for (let i = next++; i < n; i = next++) await work(i);
    }),
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const cpuText = (cpu: CpuUse, seconds: number, engine: Engine) =>
  `CPU (2 cores = ${(2 * seconds).toFixed(1)} core-s): bench process ` +
  `(receiver included${engine === 'pglite' ? ', PGlite too' : ''}) ${cpu.bench.toFixed(2)} s` +
  (cpu.postgres === null ? '' : `, this run's postgres backends ${cpu.postgres.toFixed(2)} s`);

const traceMark = () => new Map(sqlStats().map((r) => [r.statement, r]));

interface MessageRow {
  id: string;
  order_id: string | null;
  kind: string;
  channel: string;
  recipient: string;
  state: string;
  subject: string | null;
  body: string | null;
  html: string | null;
  payload: Record<string, unknown> | null;
}

type Outcomes = Record<DeliveryOutcome, number>;
const noOutcomes = (): Outcomes => ({ sent: 0, retrying: 0, failed: 0, suppressed: 0, held: 0, skipped: 0 });

/** `--via deliverDue`: delivery passes in this process until one finds nothing due. */
async function deliverByPasses(
  deps: App['deps'],
  senders: ReturnType<typeof createSenders>,
  storeId: string,
  concurrency: number,
  orderCount: number,
): Promise<{ outcomes: Outcomes; passes: string }> {
  log(`delivery: deliverDue(limit 1000, concurrency ${concurrency}) until nothing is due`);
  const outcomes = noOutcomes();
  let passes = 0;
  for (;;) {
    const counts = await deliverDue(deps, senders, { storeIds: [storeId], limit: 1000, concurrency });
    passes++;
    let total = 0;
    for (const [outcome, n] of Object.entries(counts)) {
      outcomes[outcome as DeliveryOutcome] += n;
      total += n;
    }
    if (total === 0) break;
    if (passes > orderCount + 10) throw new Error('delivery does not finish');
  }
  return { outcomes, passes: `${passes} passes` };
}

/**
 * `--via worker`: the worker `npm start` runs (relay timer, pg-boss delivery jobs), scoped to the
 * bench's store, until no message of it is queued or sending. Outcomes are read from the log.
 */
async function deliverThroughWorker(
  app: App,
  senders: ReturnType<typeof createSenders>,
  scope: { cursor: string; storeIds: string[] },
  concurrency: number,
  orderCount: number,
): Promise<{ outcomes: Outcomes; passes: string }> {
  const interval = loadConfig({}).messagesIntervalMs;
  log(
    `delivery: startMessageWorker(interval ${interval} ms, concurrency ${concurrency}) until every message has left`,
  );
  const quiet = {
    info: () => {},
    error: (object: unknown) => log(`worker error: ${JSON.stringify(object)}`),
  };
  const worker = await startMessageWorker(app.deps, app.database, senders, quiet, {
    intervalMs: interval,
    concurrency,
    scope,
  });
  const deadline = performance.now() + Math.max(120_000, orderCount * 100);
  try {
    for (;;) {
      const [left] = await queryRows<{ n: number }>(
        app.deps.db,
        sql`SELECT count(*)::int AS n FROM messages
             WHERE store_id = ${scope.storeIds[0]} AND state IN ('queued', 'sending')`,
      );
      if ((left?.n ?? 0) === 0) break;
      if (performance.now() > deadline) throw new Error(`the worker left ${left!.n} messages undelivered`);
      await sleep(20);
    }
  } finally {
    await worker.stop();
  }
  const outcomes = noOutcomes();
  const states = await queryRows<{ state: string; n: number }>(
    app.deps.db,
    sql`SELECT state, count(*)::int AS n FROM messages WHERE store_id = ${scope.storeIds[0]} GROUP BY state`,
  );
  for (const { state, n } of states)
    if (state === 'sent' || state === 'failed' || state === 'suppressed') outcomes[state] += n;
  return { outcomes, passes: 'pg-boss jobs' };
}

export async function runMessages(options: MessagesOptions): Promise<Record<string, unknown>> {
  const { engine } = options;
  const channel: MessageChannel = options.channel ?? 'email';
  if (channel !== 'email' && channel !== 'webhook') throw new Error('--channel must be email or webhook');
  const orderCount = options.orders ?? (engine === 'postgres' ? 5000 : 1000);
  const concurrency = Math.max(1, options.concurrency ?? 16);
  const via: DeliveryPath = options.via ?? 'deliverDue';
  const database = await freshBenchDatabase(engine, 'messages');
  log(
    `messages on ${engine} (${engine === 'postgres' ? 'database' : 'directory'} ${database.name}): ` +
      `orders=${orderCount} channel=${channel} concurrency=${concurrency} via=${via}`,
  );
  try {
    return await messagesOn(database.url, options, { engine, channel, orderCount, concurrency, via });
  } finally {
    await database.drop();
  }
}

async function messagesOn(
  url: string,
  options: MessagesOptions,
  run: {
    engine: Engine;
    channel: MessageChannel;
    orderCount: number;
    concurrency: number;
    via: DeliveryPath;
  },
): Promise<Record<string, unknown>> {
  const { engine, channel, orderCount, concurrency, via } = run;

  const receiver = channel === 'email' ? await startSmtpReceiver() : await startHttpReceiver();
  const smtpUrl = receiver.url;
  const app = await createApp(
    {
      ...loadConfig({}),
      allowPrivateUrls: true,
      databaseUrl: url,
      operatorToken: OPERATOR_TOKEN,
      logLevel: 'silent',
      port: 0,
      publicRateLimit: 10_000_000,
    },
    { logger: false },
  );
  const violations: string[] = [];
  try {
    await app.server.ready();
    const deps = app.deps;

    // --- Set-up: a store with the channel configured, one backorder SKU, a relay cursor of its own.
    const created = await call(app, 'POST', '/v1/stores', OPERATOR_TOKEN, {
      name: `bench messages ${Date.now()}`,
      currency: 'USD',
    });
    expectStatus(created, 201, 'store creation');
    const storeId: string = created.body.store.id;
    const key: string = created.body.secretKey;
    let webhookSecret = '';
    if (channel === 'email') {
      const res = await call(app, 'PATCH', '/v1/settings/messaging', key, {
        email: { smtpUrl, from: 'Flash Shop <orders@flash.example>' },
      });
      expectStatus(res, 200, 'messaging settings');
    } else {
      const res = await call(app, 'POST', '/v1/webhook-endpoints', key, {
        url: receiver.url,
        eventTypes: ['order.placed'],
      });
      expectStatus(res, 201, 'webhook endpoint');
      webhookSecret = res.body.secret;
    }
    expectStatus(
      await call(app, 'PUT', `/v1/variants/${SKU}`, key, {
        title: 'Flash sale lamp',
        price: 4900,
        backorder: { mode: 'backorder', limit: null },
      }),
      201,
      'variant',
    );
    const scope = { cursor: `bench-messages-${storeId}`, storeIds: [storeId] };
    await startRelayCursor(deps, scope.cursor);
    const [start] = await queryRows<{ xid: string; seq: number | string }>(
      deps.db,
      sql`SELECT xid::text AS xid, seq FROM relay_cursors WHERE name = ${scope.cursor}`,
    );

    // --- Orders (not measured): N shoppers, one unit each, through POST /v1/orders in parallel.
    log(`placing ${orderCount} orders (${PLACE_CONCURRENCY} at a time, POST /v1/orders in-process)`);
    const placeStart = performance.now();
    let placeFailures = 0;
    await inLanes(orderCount, PLACE_CONCURRENCY, async (i) => {
      const res = await call(app, 'POST', '/v1/orders', key, {
        customer: { name: `Shopper ${i + 1}`, email: `shopper-${i + 1}@flash.example` },
        lines: [{ sku: SKU, quantity: 1 }],
      });
      if (res.status !== 201 || res.body.status !== 'backordered') {
        placeFailures++;
        if (placeFailures <= 3)
          log(`order ${i + 1}: HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
      }
    });
    const placeSeconds = (performance.now() - placeStart) / 1000;
    if (placeFailures > 0) violations.push(`${placeFailures} orders not placed as backordered`);
    log(`orders placed in ${placeSeconds.toFixed(2)} s (${(orderCount / placeSeconds).toFixed(0)} orders/s)`);

    const tracing = options.traceSql === true && engine === 'postgres';
    if (tracing) installSqlTrace();

    // --- Phase 1: relay.
    log('relay: relayEvents until relayBacklog is 0');
    let mark = traceMark();
    const backends = engine === 'postgres' ? backendsOf(app.database.executeSql) : null;
    let cpu = await startCpu(backends);
    const relayStart = performance.now();
    let relayed = 0;
    let createdCount = 0;
    let calls = 0;
    let waitedMs = 0;
    for (;;) {
      const result = await relayEvents(deps, { scope, maxBatches: 1_000_000 });
      calls++;
      relayed += result.events;
      createdCount += result.created.length;
      if ((await relayBacklog(deps, scope)) === 0) break;
      if (result.events === 0) {
        // Events are committed but an older transaction of another session is still running:
        // the relay rightly waits below it (pg_snapshot_xmin).
        if (waitedMs > RELAY_STALL_MS)
          throw new Error('the relay waited more than 60 s for other sessions to commit');
        await sleep(10);
        waitedMs += 10;
      }
    }
    const relaySeconds = (performance.now() - relayStart) / 1000;
    const relayCpu = await cpu.stop();
    const relayEventsPerSec = relayed / relaySeconds;
    log(
      `relay: ${relayed} events → ${createdCount} messages in ${relaySeconds.toFixed(2)} s = ` +
        `${relayEventsPerSec.toFixed(0)} events/s, ${(createdCount / relaySeconds).toFixed(0)} messages created/s ` +
        `(${calls} relayEvents call(s); ${waitedMs} ms waiting for other sessions' transactions)`,
    );
    log(`relay ${cpuText(relayCpu, relaySeconds, engine)}`);
    if (tracing) {
      log('SQL round trips of the relay phase:');
      printSqlStats(traceSince(mark));
    }

    // Baseline: page through the same events with the relay's own SELECT, nothing else.
    const readStart = performance.now();
    let read = 0;
    let after = { xid: start!.xid, seq: Number(start!.seq) };
    for (;;) {
      const rows = await queryRows<{ xid: string; seq: number | string }>(
        deps.db,
        sql`SELECT id, store_id, type, data, created_at, xid::text AS xid, seq FROM events
             WHERE (xid, seq) > (${after.xid}::xid8, ${after.seq}::bigint)
               AND xid < pg_snapshot_xmin(pg_current_snapshot())
               AND store_id = ANY(${sql.param([storeId])}::text[])
             ORDER BY events.xid, events.seq
             LIMIT 500`,
      );
      read += rows.length;
      if (rows.length < 500) break;
      const last = rows.at(-1)!;
      after = { xid: last.xid, seq: Number(last.seq) };
    }
    const readSeconds = (performance.now() - readStart) / 1000;
    const relayReadBaselinePerSec = read / readSeconds;
    const relayRatio = relayEventsPerSec / relayReadBaselinePerSec;
    log(
      `relay baseline (keyset SELECT … FROM events ORDER BY events.xid, events.seq LIMIT 500): ${read} events in ` +
        `${(readSeconds * 1000).toFixed(0)} ms = ${relayReadBaselinePerSec.toFixed(0)} events/s; ` +
        `relay ratio ${relayRatio.toFixed(3)}`,
    );
    if (read !== relayed) violations.push(`the relay read ${relayed} events, the plain SELECT ${read}`);
    const [placedEvents] = await queryRows<{ n: number }>(
      deps.db,
      sql`SELECT count(*)::int AS n FROM events WHERE store_id = ${storeId} AND type = 'order.placed'
             AND (xid, seq) > (${start!.xid}::xid8, ${Number(start!.seq)}::bigint)`,
    );
    if ((placedEvents?.n ?? 0) !== orderCount)
      violations.push(`${placedEvents?.n ?? 0} order.placed events for ${orderCount} orders`);

    const messages = await queryRows<MessageRow>(
      deps.db,
      sql`SELECT id, order_id, kind, channel, recipient, state, subject, body, html, payload
            FROM messages WHERE store_id = ${storeId} ORDER BY seq`,
    );
    const expectedKind = channel === 'email' ? 'order_confirmation' : 'webhook';
    const sample = messages[0];
    if (sample)
      log(
        `a message: ${sample.kind}/${sample.channel}, ` +
          (channel === 'email'
            ? `subject "${sample.subject}", text ${sample.body?.length ?? 0} chars, html ${sample.html?.length ?? 0} chars`
            : `payload ${JSON.stringify(sample.payload).length} bytes`),
      );

    // --- Phase 2: delivery.
    // The receiver is on loopback: private addresses must be allowed (BACKFILL_ALLOW_PRIVATE_URLS).
    const senders = createSenders({ allowPrivateUrls: true });
    receiver.phase = 'backfill';
    mark = traceMark();
    cpu = await startCpu(backends);
    const deliverStart = performance.now();
    const { outcomes, passes } =
      via === 'worker'
        ? await deliverThroughWorker(app, senders, scope, concurrency, orderCount)
        : await deliverByPasses(deps, senders, storeId, concurrency, orderCount);
    const deliverSeconds = (performance.now() - deliverStart) / 1000;
    const deliverCpu = await cpu.stop();
    const deliveredPerSec = outcomes.sent / deliverSeconds;
    log(
      `delivery: ${JSON.stringify(outcomes)} in ${deliverSeconds.toFixed(2)} s (${passes}) = ` +
        `${deliveredPerSec.toFixed(0)} messages/s`,
    );
    log(`delivery ${cpuText(deliverCpu, deliverSeconds, engine)}`);
    if (tracing) {
      log('SQL round trips of the delivery phase:');
      printSqlStats(traceSince(mark));
    }
    for (const outcome of ['retrying', 'failed', 'suppressed', 'held'] as const)
      if (outcomes[outcome] > 0) violations.push(`${outcomes[outcome]} deliveries ${outcome}`);

    // --- Baseline: the raw channel, the same messages, the same receiver, as many senders.
    const toSend = messages.filter((m) => m.kind === expectedKind);
    const rawSend = async (
      phase: string,
      send: (m: MessageRow, i: number) => Promise<void>,
    ): Promise<{ perSec: number; seconds: number; errors: number }> => {
      receiver.phase = phase;
      let errors = 0;
      const t0 = performance.now();
      await inLanes(toSend.length, concurrency, async (i) => {
        try {
          await send(toSend[i]!, i);
        } catch (error) {
          errors++;
          if (errors <= 3) log(`${phase}: ${error instanceof Error ? error.message : String(error)}`);
        }
      });
      const seconds = (performance.now() - t0) / 1000;
      const arrived = arrivalsIn(receiver, phase).total;
      if (arrived !== toSend.length)
        violations.push(`${phase}: the receiver counted ${arrived} of ${toSend.length}`);
      return { perSec: (toSend.length - errors) / seconds, seconds, errors };
    };
    let baselinePerSec: number;
    // The raw channel does not use the database: only the bench process's CPU is of interest.
    cpu = await startCpu(null);
    if (channel === 'email') {
      const mailOf = (m: MessageRow, i: number) => ({
        from: 'Flash Shop <orders@flash.example>',
        to: m.recipient,
        subject: m.subject ?? '',
        text: m.body ?? '',
        ...(m.html ? { html: m.html } : {}),
        messageId: `<baseline-${i}-${m.id}@backfill>`,
      });
      // The transport as createSenders builds it for this URL: one per URL, a pool of
      // SMTP_CONNECTIONS reused connections, the same timeouts.
      const same = nodemailer.createTransport(smtpTransportOptions(smtpUrl, SEND_TIMEOUT_MS));
      const raw = await rawSend('baseline', async (m, i) => {
        await same.sendMail(mailOf(m, i));
      });
      same.close();
      baselinePerSec = raw.perSec;
      log(
        `baseline: nodemailer sendMail, the store's transport (a pool of ${SMTP_CONNECTIONS} connections), ` +
          `${concurrency} senders: ${toSend.length - raw.errors} in ${raw.seconds.toFixed(2)} s = ${raw.perSec.toFixed(0)}/s`,
      );
      log(`baseline ${cpuText(await cpu.stop(), raw.seconds, engine)}`);
      // For reference: the same raw sends on a new SMTP connection each (how Backfill sent before 2026-12-01).
      const single = nodemailer.createTransport({
        ...smtpTransportOptions(smtpUrl, SEND_TIMEOUT_MS),
        pool: false,
      });
      const p = await rawSend('unpooled', async (m, i) => {
        await single.sendMail(mailOf(m, i));
      });
      single.close();
      log(
        `reference: the same on a new connection per message: ` +
          `${p.perSec.toFixed(0)}/s (${(p.perSec / baselinePerSec).toFixed(2)}× the pooled transport)`,
      );
    } else {
      const timestamp = Math.floor(Date.now() / 1000);
      const raw = await rawSend('baseline', async (m, i) => {
        const body = JSON.stringify(m.payload ?? {});
        const response = await fetch(receiver.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'Backfill-Webhooks/1',
            ...webhookHeaders(webhookSecret, `baseline-${i}-${m.id}`, timestamp, body),
          },
          body,
          redirect: 'manual',
          signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
        });
        await response.text();
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
      });
      baselinePerSec = raw.perSec;
      log(
        `baseline: fetch POST of the same signed bodies, ${concurrency} loops: ${toSend.length - raw.errors} in ` +
          `${raw.seconds.toFixed(2)} s = ${raw.perSec.toFixed(0)}/s`,
      );
      log(`baseline ${cpuText(await cpu.stop(), raw.seconds, engine)}`);
    }
    const ratio = deliveredPerSec / baselinePerSec;
    log(`delivery ratio (Backfill ÷ raw channel) ${ratio.toFixed(3)}`);

    // --- Verification.
    log('verifying: one message per order, all sent, each received exactly once');
    const [perOrder] = await queryRows<{ orders: number; wrong: number }>(
      deps.db,
      sql`SELECT count(*)::int AS orders, count(*) FILTER (WHERE n <> 1)::int AS wrong FROM (
            SELECT o.id, count(m.id) AS n
              FROM orders o
              LEFT JOIN messages m ON m.store_id = o.store_id AND m.order_id = o.id
                                  AND m.kind = ${expectedKind} AND m.channel = ${channel}
             WHERE o.store_id = ${storeId}
             GROUP BY o.id) x`,
    );
    if ((perOrder?.orders ?? 0) !== orderCount)
      violations.push(`${perOrder?.orders ?? 0} orders in the store, expected ${orderCount}`);
    if ((perOrder?.wrong ?? 0) > 0)
      violations.push(`${perOrder!.wrong} orders without exactly one ${expectedKind} message`);
    const others = messages.filter((m) => m.kind !== expectedKind || m.channel !== channel);
    if (others.length > 0)
      violations.push(
        `${others.length} unexpected messages (${[...new Set(others.map((m) => `${m.kind}/${m.channel}`))].join(', ')})`,
      );
    const states = await queryRows<{ state: string; n: number }>(
      deps.db,
      sql`SELECT state, count(*)::int AS n FROM messages WHERE store_id = ${storeId} GROUP BY state`,
    );
    for (const s of states) if (s.state !== 'sent') violations.push(`${s.n} messages ${s.state}`);
    const [attempts] = await queryRows<{ total: number; notSent: number }>(
      deps.db,
      sql`SELECT count(*)::int AS total, count(*) FILTER (WHERE status <> 'sent')::int AS "notSent"
            FROM message_attempts WHERE store_id = ${storeId}`,
    );
    if ((attempts?.notSent ?? 0) > 0) violations.push(`${attempts!.notSent} attempts not sent`);
    if ((attempts?.total ?? 0) !== messages.length)
      violations.push(`${attempts?.total ?? 0} attempts for ${messages.length} messages`);
    const received = arrivalsIn(receiver, 'backfill');
    if (received.total !== orderCount)
      violations.push(`the receiver counted ${received.total} deliveries, expected ${orderCount}`);
    const expectedKeys = toSend.map((m) => (channel === 'email' ? m.recipient : m.id));
    let duplicates = 0;
    let missing = 0;
    for (const k of expectedKeys) {
      const n = received.keys.get(k) ?? 0;
      if (n === 0) missing++;
      else if (n > 1) duplicates += n - 1;
    }
    const known = new Set(expectedKeys);
    const strangers = [...received.keys.keys()].filter((k) => !known.has(k)).length;
    if (duplicates > 0) violations.push(`${duplicates} duplicate deliveries at the receiver`);
    if (missing > 0) violations.push(`${missing} messages never reached the receiver`);
    if (strangers > 0) violations.push(`${strangers} unknown recipients / ids at the receiver`);
    if (createdCount !== orderCount)
      violations.push(`the relay created ${createdCount} messages for ${orderCount} orders`);

    for (const v of violations) log(`VIOLATION: ${v}`);
    log(`verification done: ${violations.length} violation(s)`);
    return {
      scenario: 'messages',
      engine,
      channel,
      via,
      orders: orderCount,
      relayEventsPerSec: round(relayEventsPerSec),
      relayReadBaselinePerSec: round(relayReadBaselinePerSec),
      relayRatio: round(relayRatio, 3),
      deliveredPerSec: round(deliveredPerSec),
      baselinePerSec: round(baselinePerSec),
      ratio: round(ratio, 3),
      violations: violations.length,
    };
  } finally {
    await app.close();
    await receiver.close();
  }
}
