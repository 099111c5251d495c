/**
 * The merchant console (web/admin, built by `npm run build` into dist-admin/) served at /admin:
 * its files from memory, hashed assets cached for a year, every other path under /admin answered
 * with index.html (the console's router takes it from there). `GET /` leads to it. Without a
 * build, /admin answers a 503 page that says how to build it.
 *
 * The console's pages get a stricter Content-Security-Policy than the server's default: scripts
 * and connections to this origin only, no inline script (the Vite build emits none).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** dist-admin/ beside src/ (from src/http when run with tsx, from dist/http when built). */
export const DEFAULT_ADMIN_DIR = fileURLToPath(new URL('../../dist-admin', import.meta.url));

/**
 * Scripts only from this origin (no inline, no eval). Styles allow inline `<style>` elements:
 * Mantine writes its theme's CSS variables into one (styles cannot run code). Images may come from
 * any https origin: the Messages page shows emails as shoppers saw them, product pictures included
 * (in a sandboxed `srcdoc` frame, which inherits this policy: no script runs in it either).
 */
export const ADMIN_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: https:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

interface StaticFile {
  body: Buffer;
  compressible: boolean;
  /** Made with the first request that accepts it (start-up does not pay for it). */
  gzip?: Buffer;
  type: string;
  etag: string;
  cacheControl: string;
}

function cacheControlOf(path: string): string {
  // Vite names built assets by their content hash: a changed file is a new name.
  if (path.startsWith('assets/')) return 'public, max-age=31536000, immutable';
  if (path === 'index.html') return 'no-cache';
  return 'public, max-age=3600';
}

function filesUnder(dir: string, root = dir, found: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) filesUnder(path, root, found);
    else if (entry.isFile()) found.push(relative(root, path).split(sep).join('/'));
  }
  return found;
}

/** Every file of the build, read once (the whole console is about a megabyte). */
function loadBuild(dir: string): Map<string, StaticFile> | null {
  if (!existsSync(join(dir, 'index.html')) || !statSync(dir).isDirectory()) return null;
  const files = new Map<string, StaticFile>();
  for (const path of filesUnder(dir)) {
    const body = readFileSync(join(dir, path));
    const type = TYPES[extname(path)] ?? 'application/octet-stream';
    const compressible = /^(text\/|application\/json|image\/svg)/.test(type) && body.length > 1024;
    files.set(path, {
      body,
      compressible,
      type,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
      cacheControl: cacheControlOf(path),
    });
  }
  return files;
}

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Backfill console not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5">
<h1>The console is not built yet</h1>
<p>This server has no <code>dist-admin/</code> folder. Build the console with <code>npm run build</code>
(<code>npm install</code> and <code>npm ci</code> run it), then reload this page.</p>
<p>For development with hot reload, run <code>npm run dev</code> and open the address it prints.</p>
<p>The API works without it: see <a href="/docs">/docs</a>.</p>
</body></html>
`;

function send(request: FastifyRequest, reply: FastifyReply, file: StaticFile): FastifyReply {
  reply
    .header('content-security-policy', ADMIN_CSP)
    .header('cache-control', file.cacheControl)
    .header('etag', file.etag)
    .header('vary', 'accept-encoding')
    .type(file.type);
  if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
  const acceptsGzip = /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
  if (file.compressible && acceptsGzip) {
    file.gzip ??= gzipSync(file.body, { level: 9 });
    return reply.header('content-encoding', 'gzip').send(file.gzip);
  }
  return reply.send(file.body);
}

export interface AdminOptions {
  /** The built console; dist-admin/ beside src/ by default. */
  dir?: string;
}

export function registerAdminRoutes(app: FastifyInstance, options: AdminOptions = {}): void {
  const dir = options.dir ?? DEFAULT_ADMIN_DIR;
  let build = loadBuild(dir);
  // Built after the server started (a first `npm run build` while it runs): picked up then.
  const current = () => {
    build ??= loadBuild(dir);
    return build;
  };
  // Files from memory cost next to nothing: they do not count against the public rate limit.
  const config = { rateLimit: false } as const;

  const serve = async (request: FastifyRequest<{ Params: { '*'?: string } }>, reply: FastifyReply) => {
    const files = current();
    if (files === null) {
      return reply
        .code(503)
        .header('cache-control', 'no-store')
        .header('content-security-policy', ADMIN_CSP)
        .type('text/html; charset=utf-8')
        .send(NOT_BUILT);
    }
    const path = request.params['*'] ?? '';
    const file = files.get(path);
    if (file) return send(request, reply, file);
    // A missing asset is a 404 (a stale page asking for an old chunk), not the page itself.
    if (path.startsWith('assets/') || /\.[a-z0-9]+$/i.test(path)) {
      return reply.callNotFound();
    }
    return send(request, reply, files.get('index.html')!);
  };

  app.get('/', { schema: { hide: true }, config }, async (_request, reply) => reply.redirect('/admin', 302));
  app.get('/admin', { schema: { hide: true }, config }, serve);
  app.get('/admin/*', { schema: { hide: true }, config }, serve);
}
