import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance, type FastifyServerOptions, LogController } from 'fastify';
import type { Config } from '../config.ts';
import { alertsRoutes } from '../modules/alerts/alerts.routes.ts';
import { analyticsRoutes } from '../modules/analytics/analytics.routes.ts';
import { catalogRoutes } from '../modules/catalog/catalog.routes.ts';
import { type ConnectorRegistry, defaultConnectors } from '../modules/connectors/connectors.context.ts';
import { connectorsRoutes } from '../modules/connectors/connectors.routes.ts';
import { eventsRoutes } from '../modules/events/events.routes.ts';
import { inventoryRoutes } from '../modules/inventory/inventory.routes.ts';
import { liveRoutes } from '../modules/live/live.routes.ts';
import { messagesRoutes } from '../modules/messages/messages.routes.ts';
import { ordersRoutes } from '../modules/orders/orders.routes.ts';
import { overviewRoutes } from '../modules/overview/overview.routes.ts';
import { checkPaymentMethod } from '../modules/payments/payments.gates.ts';
import { paymentsRoutes } from '../modules/payments/payments.routes.ts';
import { promisesRoutes } from '../modules/promises/promises.routes.ts';
import { replenishmentRoutes } from '../modules/replenishment/replenishment.routes.ts';
import { selfServiceRoutes } from '../modules/selfservice/selfservice.routes.ts';
import { settingsRoutes } from '../modules/settings/settings.routes.ts';
import { shipmentsRoutes } from '../modules/shipments/shipments.routes.ts';
import { shippingRoutes } from '../modules/shipping/shipping.routes.ts';
import { staffRoutes } from '../modules/staff/staff.routes.ts';
import { createFirstOwner } from '../modules/staff/staff.usecases.ts';
import { OrderPlacement } from '../modules/stock/stock.placement.ts';
import { storefrontRoutes } from '../modules/storefront/storefront.routes.ts';
import { keysRoutes } from '../modules/stores/stores.keys.routes.ts';
import { storesRoutes } from '../modules/stores/stores.routes.ts';
import { supplyRoutes } from '../modules/supply/supply.routes.ts';
import { templatesRoutes } from '../modules/templates/templates.routes.ts';
import { webhooksRoutes } from '../modules/webhooks/webhooks.routes.ts';
import type { Deps } from '../shared/context.ts';
import { rateLimitClient } from '../shared/ip.ts';
import { registerAdminRoutes } from './admin.ts';
import { registerAuditTrail } from './audit.ts';
import { registerAccessCheck, registerAuth } from './auth.ts';
import { lazySerializers, lazyValidators } from './compilers.ts';
import type { RouteContext } from './context.ts';
import { registerCsvBodies } from './csv.ts';
import { MERGE_PATCH, registerMediaTypeCheck } from './media-types.ts';
import { type AppMetrics, createMetrics, registerMetrics } from './metrics.ts';
import { registerOpenApi } from './openapi.ts';
import { mapError, problem, sendProblem } from './problem.ts';
import { rateLimitStore } from './rate-limit.ts';
import { registerSecurityHeaders } from './security.ts';
import { registerSystemRoutes } from './system.ts';

const BODY_LIMIT = 1024 * 1024;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const unstorable = (text: string): string | null => {
  if (text.includes('\u0000')) return 'the NUL character (\\u0000)';
  return LONE_SURROGATE.test(text) ? 'unpaired UTF-16 surrogates' : null;
};

/**
 * Names the first string (or key) in a parsed body that PostgreSQL could not store, if any. It walks
 * the body with a stack of its own: a body nested thousands deep (JSON.parse takes it) overflowed the
 * call stack of a recursive walk, a 500 instead of the 422 that an unknown field gets.
 */
function findUnstorableString(body: unknown): string | null {
  const pending: unknown[] = [body];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === 'string') {
      const bad = unstorable(value);
      if (bad !== null) return bad;
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        const bad = unstorable(key);
        if (bad !== null) return bad;
        pending.push(item);
      }
    }
  }
  return null;
}

/** Trusts the `hops` proxies nearest to us: X-Forwarded-For's entry before them is the client. */
const trustHops = (hops: number) => (_address: string, hop: number) => hop < hops;

export interface ServerOptions {
  logger?: FastifyServerOptions['logger'];
  placement?: OrderPlacement;
  /** The process's metrics (the app's assembly registers their stock hook); a fresh set if absent. */
  metrics?: AppMetrics;
  /** The built console served at /admin (dist-admin/ by default). */
  adminDir?: string;
  /** The platform connectors (tests may pass their own); Shopify's by default. */
  connectors?: ConnectorRegistry;
}

export async function buildServer(
  deps: Deps,
  config: Config,
  options: ServerOptions = {},
): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? { level: config.logLevel },
    bodyLimit: BODY_LIMIT,
    // Per-request log lines only at debug: at flash-sale rates they would cost more than the work.
    logController: new LogController({
      disableRequestLogging: config.logLevel !== 'debug' && config.logLevel !== 'trace',
    }),
    return503OnClosing: true,
    // Behind a load balancer: believe X-Forwarded-For from these proxies (request.ip = the client).
    trustProxy:
      typeof config.trustProxy === 'number' ? trustHops(config.trustProxy) : (config.trustProxy ?? false),
    schemaController: { compilersFactory: { buildSerializer: lazySerializers } },
    // Errors Fastify raises before routing (e.g. a malformed %-escape in the path) are problems too.
    frameworkErrors: (error, request, reply) => sendProblem(reply, mapError(error, request)),
  });
  app.setValidatorCompiler(lazyValidators());

  // JSON bodies: strings PostgreSQL cannot store (NUL, lone UTF-16 surrogates) are refused up front.
  // A JSON Merge Patch is JSON too (routes that take one say so: registerMediaTypeCheck).
  app.addContentTypeParser(
    ['application/json', MERGE_PATCH],
    { parseAs: 'string' },
    (_request, body, done) => {
      const text = body as string;
      let value: unknown;
      try {
        value = text === '' ? undefined : JSON.parse(text);
      } catch (error) {
        done(error as Error, undefined);
        return;
      }
      // Only \u escapes can produce such characters: decoded UTF-8 never holds them.
      const bad = text.includes('\\u') ? findUnstorableString(value) : null;
      if (bad !== null) {
        done(Object.assign(new Error(`Strings may not contain ${bad}`), { statusCode: 400 }), undefined);
        return;
      }
      done(null, value);
    },
  );

  app.setErrorHandler((error, request, reply) => sendProblem(reply, mapError(error as Error, request)));
  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      reply,
      problem(404, 'not_found', `No route for ${request.method} ${request.url.split('?')[0]}`),
    ),
  );

  registerSecurityHeaders(app);
  // A NUL in a path or query parameter could never match anything PostgreSQL stores.
  app.addHook('onRequest', async (request, reply) => {
    if (request.url.includes('%00')) {
      return sendProblem(
        reply,
        problem(400, 'bad_request', 'The URL may not contain the NUL character (%00)'),
      );
    }
  });
  registerAuth(app, deps, config.operatorToken);
  const counters = await rateLimitStore(config, deps, (message) => app.log.warn(message));
  app.addHook('onClose', () => counters.close());
  await app.register(rateLimit, {
    ...counters.options,
    // A counter store that cannot answer (Redis down) lets requests through rather than failing
    // them: an outage of the counters must not take the API down (rateLimitStore warns in the log).
    skipOnError: true,
    global: true,
    timeWindow: 60_000,
    // Staff signed in to the console count as their store's secret traffic.
    keyGenerator: (request) =>
      request.caller?.kind === 'secret' || request.caller?.kind === 'staff'
        ? `store:${request.caller.store.id}`
        : rateLimitClient(request.ip),
    allowList: (request) =>
      request.caller?.kind === 'operator' ||
      ((request.caller?.kind === 'secret' || request.caller?.kind === 'staff') &&
        config.secretRateLimit === null),
    max: (request) =>
      request.caller?.kind === 'secret' || request.caller?.kind === 'staff'
        ? (config.secretRateLimit ?? 0)
        : config.publicRateLimit,
    errorResponseBuilder: (_request, context) =>
      Object.assign(new Error(`Too many requests; retry after ${Math.ceil(context.ttl / 1000)} s`), {
        statusCode: 429,
        code: 'RATE_LIMITED',
      }),
  });
  registerAccessCheck(app);
  registerMediaTypeCheck(app);
  registerCsvBodies(app);
  const metrics = options.metrics ?? createMetrics();
  registerMetrics(app, deps, metrics);

  await registerOpenApi(app, config);

  registerSystemRoutes(app, deps, metrics);
  registerAdminRoutes(app, options.adminDir === undefined ? {} : { dir: options.adminDir });
  registerAuditTrail(app, deps);

  const connectors = options.connectors ?? defaultConnectors({ allowPrivate: config.allowPrivateUrls });
  const ctx: RouteContext = {
    deps,
    config,
    placement: options.placement ?? new OrderPlacement(deps),
    beforePlacement: [(store, input) => checkPaymentMethod(deps, store, input)],
    firstOwner: async (tx, storeId, email) => (await createFirstOwner(tx, deps, storeId, email)).link,
  };
  for (const routes of [
    storesRoutes,
    keysRoutes,
    catalogRoutes,
    inventoryRoutes,
    ordersRoutes,
    shipmentsRoutes,
    storefrontRoutes,
    eventsRoutes,
    supplyRoutes,
    settingsRoutes,
    shippingRoutes,
    promisesRoutes,
    paymentsRoutes,
    messagesRoutes,
    webhooksRoutes,
    selfServiceRoutes,
    templatesRoutes,
    alertsRoutes,
    overviewRoutes,
    analyticsRoutes,
    replenishmentRoutes,
    liveRoutes,
    staffRoutes,
    connectorsRoutes(() => connectors),
  ]) {
    routes(app, ctx);
  }
  return app;
}
