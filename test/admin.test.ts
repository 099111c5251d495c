/**
 * The console as the server serves it: `/` leads to `/admin`, the built page and its hashed
 * assets (cached for a year, gzipped), every other console path falls back to the page, a strict
 * Content-Security-Policy with no inline script, and a 503 page that says how to build when
 * dist-admin/ is missing. Also: the committed API types match the server's routes.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { committedApiTypes, generateApiTypes } from '../scripts/api-types.ts';
import { ADMIN_CSP, DEFAULT_ADMIN_DIR, registerAdminRoutes } from '../src/http/admin.ts';
import { startTestApp, type TestApp } from './support/harness.ts';

let t: TestApp;
const index = readFileSync(join(DEFAULT_ADMIN_DIR, 'index.html'), 'utf8');
const entry = /src="\/admin\/(assets\/[^"]+\.js)"/.exec(index)?.[1];

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.close());

describe('serving the console', () => {
  it('GET / redirects to /admin', async () => {
    const res = await t.request('GET', '/');
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('/admin');
  });

  it('/admin answers the built page with a CSP that allows no inline script', async () => {
    const res = await t.request('GET', '/admin');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.body).toContain('<div id="root">');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toBe(ADMIN_CSP);
    const scripts = /script-src ([^;]+)/.exec(csp)?.[1] ?? '';
    expect(scripts).toBe("'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    // Vite's build: every <script> has a src (the CSP would block an inline one).
    const tags = res.body.match(/<script\b[^>]*>/g) ?? [];
    expect(tags.length).toBeGreaterThan(0);
    for (const tag of tags) expect(tag).toMatch(/\ssrc="\/admin\/assets\//);
  });

  it.each(['/admin/', '/admin/orders', '/admin/orders/ord_123?x=1', '/admin/sign-in'])(
    '%s falls back to the page (the console routes it)',
    async (url) => {
      const res = await t.request('GET', url);
      expect(res.statusCode).toBe(200);
      expect(res.body).toBe(index);
    },
  );

  it('hashed assets are cached for a year and gzipped when asked', async () => {
    expect(entry).toBeDefined();
    const plain = await t.request('GET', `/admin/${entry}`);
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['content-type']).toMatch(/^text\/javascript/);
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const zipped = await t.app.server.inject({
      method: 'GET',
      url: `/admin/${entry}`,
      headers: { 'accept-encoding': 'gzip, br' },
    });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(zipped.rawPayload).toString()).toBe(plain.body);
    const again = await t.request('GET', `/admin/${entry}`, {
      headers: { 'if-none-match': String(plain.headers.etag) },
    });
    expect(again.statusCode).toBe(304);
  });

  it('a missing asset is a 404, not the page', async () => {
    expect((await t.request('GET', '/admin/assets/gone-1234.js')).statusCode).toBe(404);
    expect((await t.request('GET', '/admin/robots.txt')).statusCode).toBe(404);
  });

  it('without a build, /admin says how to build it (503)', async () => {
    const app = Fastify({ logger: false });
    registerAdminRoutes(app, { dir: mkdtempSync(join(tmpdir(), 'no-admin-')) });
    const res = await app.inject({ method: 'GET', url: '/admin/orders' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('npm run build');
    await app.close();
  });

  it('the console is not part of the API document', async () => {
    const doc = (await t.request('GET', '/openapi.json')).json();
    expect(Object.keys(doc.paths).filter((p) => p === '/' || p.startsWith('/admin'))).toEqual([]);
  });
});

describe('generated API types', () => {
  it('web/admin/src/api/schema.d.ts matches the routes (else run `npm run api:types`)', async () => {
    const fresh = await generateApiTypes();
    expect(fresh).toContain('"/v1/orders/{id}/cancel"');
    expect(
      committedApiTypes() === fresh,
      'web/admin/src/api/schema.d.ts is stale: run `npm run api:types` and commit it',
    ).toBe(true);
  });
});
