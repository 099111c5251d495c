/**
 * Which request bodies a route takes besides JSON: `text/csv` (routes with `csvBody`, see csv.ts)
 * and `application/merge-patch+json` (routes with `mergePatch`, RFC 7396). Anything else sent to
 * them is refused before the body is read.
 */
import type { FastifyInstance } from 'fastify';
import { problem, sendProblem } from './problem.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The body is a JSON Merge Patch (RFC 7396): `application/merge-patch+json` is taken too. */
    mergePatch?: boolean;
  }
}

export const CSV = 'text/csv';
export const MERGE_PATCH = 'application/merge-patch+json';

/** The media type of a Content-Type header, lowercased, without parameters. */
export const mediaTypeOf = (header: string | undefined): string =>
  (header ?? '').split(';')[0]!.trim().toLowerCase();

/** Runs at preParsing, after authentication: a CSV or merge-patch body where the route takes none → 415. */
export function registerMediaTypeCheck(app: FastifyInstance): void {
  app.addHook('preParsing', async (request, reply) => {
    if (request.method !== 'POST' && request.method !== 'PUT' && request.method !== 'PATCH') return;
    const type = mediaTypeOf(request.headers['content-type']);
    const config = request.routeOptions.config ?? {};
    const refused =
      (type === CSV && config.csvBody === undefined) || (type === MERGE_PATCH && config.mergePatch !== true);
    if (!refused) return;
    const takes = [
      'application/json',
      ...(config.csvBody ? [CSV] : []),
      ...(config.mergePatch ? [MERGE_PATCH] : []),
    ].join(' or ');
    return sendProblem(
      reply,
      problem(415, 'unsupported_media_type', `This endpoint does not take ${type}; send ${takes}`),
    );
  });
}
