import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * `api`: the route answers JSON that pages of other sites (the storefront) or machines (the
     * platforms' webhooks) read, so it gets `API_SECURITY_HEADERS` instead of helmet's set for documents.
     */
    securityHeaders?: 'api';
  }
}

/**
 * For JSON answers read cross-origin: no document may frame or run anything from them, no MIME
 * sniffing, HTTPS remembered, no referrer, and readable from any site (CORS still decides who may).
 * Helmet's document headers (a page's CSP, COOP, Origin-Agent-Cluster, X-DNS-Prefetch-Control, …)
 * mean nothing on them and cost a storefront read about a quarter of its CPU, in the server and
 * in the client parsing them (measured with `npm run bench -- storefront`).
 */
export const API_SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'cross-origin-resource-policy': 'cross-origin',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
} as const;

/**
 * Security headers from helmet, with its policy built once. (@fastify/helmet rebuilds the helmet
 * middleware, CSP parsing included, on every request: about 10% of a flash-sale order's CPU here;
 * see README "Stack changes".)
 */
export function registerSecurityHeaders(app: FastifyInstance): void {
  const applyHeaders = helmet({
    contentSecurityPolicy: {
      directives: {
        'img-src': ["'self'", 'data:'],
        'script-src': ["'self'"],
        'style-src': ["'self'", "'unsafe-inline'"],
        // The server often runs on plain http://127.0.0.1 (TLS, if any, ends at a proxy in front).
        'upgrade-insecure-requests': null,
      },
    },
  });
  app.addHook('onRequest', (request, reply, done) => {
    if (request.routeOptions.config?.securityHeaders === 'api') {
      reply.headers(API_SECURITY_HEADERS);
      return done();
    }
    applyHeaders(request.raw, reply.raw, (error?: unknown) => done(error as Error | undefined));
  });
}
