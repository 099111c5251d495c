/**
 * Prometheus metrics for one process (its own registry, so tests can build many), at `/metrics`
 * behind the operator token. Flows are counted where they happen without domain code calling
 * metrics: orders placed and refused from the answers of `POST /v1/orders`, units filled through a
 * stock hook (counted once its transaction commits). States are read from the database at scrape
 * time (`metrics.gauges.ts`).
 */
import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { afterCommit } from '../db/client.ts';
import type { StockHook } from '../modules/stock/stock.hooks.ts';
import type { Deps } from '../shared/context.ts';
import { cachedGauges, readDatabaseGauges } from './metrics.gauges.ts';

export interface AppMetrics {
  registry: Registry;
  /** Registered with the stock core by the app's assembly: counts units handed to waiting lines. */
  stockHook: StockHook;
}

const ORDERS_ROUTE = '/v1/orders';

/** The process-side metrics: built before the dependencies, so the stock hook can join the assembly. */
export function createMetrics(): AppMetrics {
  const registry = new Registry();
  // Node's own figures (process_cpu_seconds_total, nodejs_heap_size_used_bytes, …) under backfill_.
  collectDefaultMetrics({ register: registry, prefix: 'backfill_' });
  const unitsFilled = new Counter({
    name: 'backfill_units_filled_total',
    help: 'Units handed from arriving stock to waiting lines (restocks, receipts, returns to stock)',
    registers: [registry],
  });
  return {
    registry,
    stockHook: {
      name: 'metrics',
      async linesChanged(tx, _ctx, _store, changes) {
        let units = 0;
        for (const change of changes) if (change.cause === 'filled') units += change.quantity;
        if (units > 0) afterCommit(tx, () => unitsFilled.inc(units));
      },
    },
  };
}

/** HTTP metrics, order outcomes and the database's gauges, on the server's registry. */
export function registerMetrics(
  app: FastifyInstance,
  deps: Pick<Deps, 'db' | 'clock'>,
  metrics: AppMetrics,
): void {
  const { registry } = metrics;
  const requests = new Counter({
    name: 'backfill_http_requests_total',
    help: 'HTTP requests by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'backfill_http_request_duration_seconds',
    help: 'HTTP request duration by route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const placed = new Counter({
    name: 'backfill_orders_placed_total',
    help: 'Orders accepted (replays of an Idempotency-Key not counted)',
    registers: [registry],
  });
  const refused = new Counter({
    name: 'backfill_orders_refused_total',
    help: 'Orders refused, by problem code (insufficient_stock, backorder_limit_reached, validation_failed, …)',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.method !== 'POST' || request.routeOptions.url !== ORDERS_ROUTE) return payload;
    if (reply.getHeader('idempotent-replayed') === 'true') return payload;
    if (reply.statusCode === 201) placed.inc();
    else if (reply.statusCode === 409 || reply.statusCode === 422) {
      refused.inc({ code: problemCode(payload) });
    }
    return payload;
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    duration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });

  const gauges = cachedGauges(() => readDatabaseGauges(deps), 5_000);
  const fromDatabase = <L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    set: (gauge: Gauge<L>, values: Awaited<ReturnType<typeof gauges>>) => void,
  ) =>
    new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        const values = await gauges();
        this.reset();
        set(this, values);
      },
    });
  fromDatabase('backfill_waiting_units', 'Units waiting in backorder queues (all stores)', [], (g, v) =>
    g.set(v.waitingUnits),
  );
  fromDatabase('backfill_waiting_lines', 'Order lines waiting in backorder queues (all stores)', [], (g, v) =>
    g.set(v.waitingLines),
  );
  fromDatabase('backfill_messages', 'Messages by state and channel', ['state', 'channel'], (g, v) => {
    for (const row of v.messages) g.set({ state: row.state, channel: row.channel }, row.count);
  });
  fromDatabase(
    'backfill_payment_attempts',
    'Payment provider calls by operation and outcome (pending = in flight or in doubt)',
    ['operation', 'status'],
    (g, v) => {
      for (const row of v.paymentAttempts) g.set({ operation: row.operation, status: row.status }, row.count);
    },
  );
  fromDatabase(
    'backfill_messages_relay_backlog',
    'Committed events the message relay has not read yet',
    [],
    (g, v) => g.set(v.relayBacklog),
  );
  fromDatabase('backfill_messages_due', 'Messages due for delivery now (up to 1000 counted)', [], (g, v) =>
    g.set(v.messagesDue),
  );
  fromDatabase(
    'backfill_messages_relay_lag_seconds',
    'Age of the oldest event the message relay has not read yet (0 when it keeps up)',
    [],
    (g, v) => g.set(v.relayLagSeconds),
  );
  fromDatabase(
    'backfill_jobs',
    'Background jobs waiting or running, by queue and state',
    ['queue', 'state'],
    (g, v) => {
      for (const row of v.jobs) g.set({ queue: row.queue, state: row.state }, row.count);
    },
  );
}

function problemCode(payload: unknown): string {
  if (typeof payload !== 'string') return 'unknown';
  try {
    const code = (JSON.parse(payload) as { code?: unknown }).code;
    return typeof code === 'string' && /^[a-z_]{1,64}$/.test(code) ? code : 'unknown';
  } catch {
    return 'unknown';
  }
}
