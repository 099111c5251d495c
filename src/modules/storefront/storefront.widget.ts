/**
 * The storefront widget: `/widget.js` (the `<backfill-availability>` custom element, bundled and
 * minified from web/widget/ on first request) and `/widget/demo`, a sample product page using it.
 */

import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { RouteContext } from '../../http/context.ts';
import { demoPage } from './storefront.demo.ts';
import { etagOf, matchesEtag } from './storefront.models.ts';

const ENTRY = join(dirname(fileURLToPath(import.meta.url)), '../../../web/widget/index.ts');

export interface WidgetBundle {
  code: string;
  etag: string;
  /** Bytes of the code gzip-compressed: what a browser downloads from a server that compresses. */
  gzipBytes: number;
}

let bundle: Promise<WidgetBundle> | null = null;

/** The widget's script, built once per process (esbuild: bundled, minified, for browsers since 2021). */
export function widgetBundle(): Promise<WidgetBundle> {
  bundle ??= build({
    entryPoints: [ENTRY],
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['chrome93', 'firefox92', 'safari15.4', 'edge93'],
    legalComments: 'none',
    write: false,
    logLevel: 'silent',
  }).then(
    (result) => {
      const code = result.outputFiles[0]!.text;
      return { code, etag: etagOf(code), gzipBytes: gzipSync(code, { level: 9 }).length };
    },
    (error: unknown) => {
      bundle = null;
      throw error;
    },
  );
  return bundle;
}

function sendWithValidator(
  reply: FastifyReply,
  ifNoneMatch: string | undefined,
  etag: string,
  type: string,
  body: string,
): FastifyReply {
  reply.header('etag', etag);
  if (matchesEtag(ifNoneMatch, etag)) return reply.code(304).send();
  return reply.type(type).send(body);
}

export function widgetRoutes(app: FastifyInstance, _ctx: RouteContext): void {
  app.get('/widget.js', { schema: { hide: true } }, async (request, reply) => {
    const { code, etag } = await widgetBundle();
    // Any shop's page may load it: as a classic script (which helmet's same-origin CORP would
    // block) or as a module / with `crossorigin` (which needs CORS).
    reply
      .header('cross-origin-resource-policy', 'cross-origin')
      .header('access-control-allow-origin', '*')
      .header('cache-control', 'public, max-age=300, stale-while-revalidate=86400');
    return sendWithValidator(
      reply,
      request.headers['if-none-match'],
      etag,
      'application/javascript; charset=utf-8',
      code,
    );
  });

  app.get(
    '/widget/demo',
    {
      schema: {
        hide: true,
        querystring: Type.Object({
          store: Type.Optional(Type.String({ maxLength: 100 })),
          sku: Type.Optional(Type.String({ maxLength: 100 })),
          lang: Type.Optional(Type.String({ maxLength: 35 })),
          quantity: Type.Optional(Type.Integer({ minimum: 1, maximum: 99 })),
        }),
      },
    },
    async (request, reply) => {
      const query = request.query as { store?: string; sku?: string; lang?: string; quantity?: number };
      return reply.header('cache-control', 'no-store').type('text/html; charset=utf-8').send(demoPage(query));
    },
  );
}
