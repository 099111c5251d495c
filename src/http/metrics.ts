import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { dueMessageIds } from '../modules/messages/messages.delivery.ts';
import { relayBacklog } from '../modules/messages/messages.relay.ts';
import type { Deps } from '../shared/context.ts';

/** Prometheus metrics for one server instance (its own registry, so tests can build many). */
export function registerMetrics(app: FastifyInstance, deps: Deps): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'backfill_process_' });
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
  // Read at scrape time: how far the message pipeline is behind (both are 0 when it keeps up).
  new Gauge({
    name: 'backfill_messages_relay_backlog',
    help: 'Committed events the message relay has not read yet',
    registers: [registry],
    async collect() {
      this.set(await relayBacklog(deps));
    },
  });
  new Gauge({
    name: 'backfill_messages_due',
    help: 'Messages due for delivery now (up to 1000 counted)',
    registers: [registry],
    async collect() {
      this.set((await dueMessageIds(deps, { limit: 1000 })).length);
    },
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    duration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });
  return registry;
}
