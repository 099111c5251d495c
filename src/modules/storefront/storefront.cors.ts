/**
 * Cross-origin calls from product pages (CORS), for the publishable-key endpoints only:
 *
 * - a preflight (`OPTIONS`, which carries no key) passes when some store allows the page's origin;
 * - the real request gets `Access-Control-Allow-Origin` only when the key's own store allows it;
 * - every storefront answer says `Vary: Origin`, since it depends on it;
 * - nothing else answers cross-origin: admin (secret-key) endpoints have no preflight route and
 *   never carry CORS headers, so a browser refuses them to any other site.
 *
 * The same hook keeps the storefront cache honest: a store's write request empties the store's
 * entries before its answer is sent (see storefront.cache.ts).
 */
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../db/client.ts';
import { problem, sendProblem } from '../../http/problem.ts';
import type { StorefrontCache } from './storefront.cache.ts';
import { anyStoreAllows } from './storefront.repository.ts';
import { allowedOrigins, cachedOrigins, type StorefrontEntry } from './storefront.usecases.ts';

export const STOREFRONT_PREFIX = '/v1/storefront/';
const ALLOWED_METHODS = 'GET, POST';
const ALLOWED_HEADERS = 'Authorization, Content-Type, Idempotency-Key, If-None-Match';
const EXPOSED_HEADERS = 'ETag, Retry-After, Idempotent-Replayed';
/** How long a browser may reuse a preflight's answer (seconds; Chromium keeps it 2 hours at most). */
const PREFLIGHT_MAX_AGE = 600;
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Adds names to a `Vary` header without repeating one. */
export function withVary(current: unknown, ...names: string[]): string {
  const list = typeof current === 'string' && current !== '' ? current.split(/\s*,\s*/) : [];
  for (const name of names) {
    if (!list.some((item) => item.toLowerCase() === name.toLowerCase())) list.push(name);
  }
  return list.join(', ');
}

/**
 * The SKUs whose availability a write can change, when it names them all (placing an order
 * touches only its lines' SKUs); undefined: anything of the store (settings, variants, stock,
 * cancellations, shipments, supply…).
 */
export function skusChangedBy(
  route: string | undefined,
  method: string,
  body: unknown,
): string[] | undefined {
  if (method !== 'POST' || route !== '/v1/orders') return undefined;
  const lines = (body as { lines?: unknown } | null)?.lines;
  if (!Array.isArray(lines)) return undefined;
  const skus = lines.map((line) => (line as { sku?: unknown } | null)?.sku);
  return skus.every((sku): sku is string => typeof sku === 'string') ? skus : undefined;
}

export function registerStorefrontCors(
  app: FastifyInstance,
  db: Database,
  cache: StorefrontCache<StorefrontEntry>,
): void {
  // A callback hook, not an async one: it runs on every answer of the server, and on a storefront
  // read whose store's origins are cached it completes without a promise.
  app.addHook('onSend', (request, reply, payload, done) => {
    const caller = request.caller;
    const store =
      caller?.kind === 'secret' || caller?.kind === 'publishable' || caller?.kind === 'staff'
        ? caller.store
        : null;
    if (store && !READS.has(request.method)) {
      cache.invalidate(store.id, skusChangedBy(request.routeOptions.url, request.method, request.body));
    }
    if (request.method === 'OPTIONS' || !request.url.startsWith(STOREFRONT_PREFIX))
      return done(null, payload);
    const vary = reply.getHeader('vary');
    reply.header('vary', vary === undefined ? 'Origin' : withVary(vary, 'Origin'));
    const origin = request.headers.origin;
    if (origin === undefined || caller?.kind !== 'publishable' || !store) return done(null, payload);
    const allow = (allowed: readonly string[]) => {
      if (allowed.includes(origin)) {
        reply.header('access-control-allow-origin', origin);
        reply.header('access-control-expose-headers', EXPOSED_HEADERS);
      }
    };
    const cached = cachedOrigins(cache, store.id);
    if (cached) {
      allow(cached);
      return done(null, payload);
    }
    allowedOrigins(db, cache, store.id).then(
      (allowed) => {
        allow(allowed);
        done(null, payload);
      },
      (error: Error) => done(error),
    );
  });

  app.options(`${STOREFRONT_PREFIX}*`, { schema: { hide: true } }, async (request, reply) => {
    reply.header(
      'vary',
      withVary(
        reply.getHeader('vary'),
        'Origin',
        'Access-Control-Request-Method',
        'Access-Control-Request-Headers',
      ),
    );
    const origin = request.headers.origin;
    if (origin === undefined || request.headers['access-control-request-method'] === undefined) {
      return sendProblem(
        reply,
        problem(
          400,
          'bad_request',
          'OPTIONS here answers CORS preflights: send Origin and Access-Control-Request-Method',
        ),
      );
    }
    if (!(await anyStoreAllows(db, origin))) {
      return sendProblem(
        reply,
        problem(
          403,
          'origin_not_allowed',
          `No store lets pages of ${origin.slice(0, 200)} call the storefront API; ` +
            'add the origin to allowedOrigins with PATCH /v1/settings',
        ),
      );
    }
    // The browser checks the method and headers it asked for against these lists itself.
    return reply
      .code(204)
      .header('access-control-allow-origin', origin)
      .header('access-control-allow-methods', ALLOWED_METHODS)
      .header('access-control-allow-headers', ALLOWED_HEADERS)
      .header('access-control-max-age', String(PREFLIGHT_MAX_AGE))
      .send();
  });
}
