/**
 * Test harness: a real app on the engine under test. Tests run on in-memory PGlite by default
 * and on PostgreSQL when TEST_DATABASE_URL is set (CI runs the suite both ways).
 */
import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { type App, createApp } from '../../src/app.ts';
import { type Config, loadConfig } from '../../src/config.ts';
import type { PaymentProviders } from '../../src/modules/payments/payments.collector.ts';
import type { Clock } from '../../src/shared/clock.ts';

export const testDatabaseUrl = (): string => process.env.TEST_DATABASE_URL || 'pglite://memory';
export const engineUnderTest = (): 'postgres' | 'pglite' =>
  testDatabaseUrl().startsWith('pglite') ? 'pglite' : 'postgres';

export const OPERATOR_TOKEN = 'test-operator-token-0123456789';

export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    ...loadConfig({}),
    databaseUrl: testDatabaseUrl(),
    operatorToken: OPERATOR_TOKEN,
    logLevel: 'silent',
    port: 0,
    publicRateLimit: 100_000,
    // Each app counts its own requests (apps of other test files share the PostgreSQL database).
    rateLimitNamespace: `test-${randomUUID()}`,
    // Test receivers (webhooks, SMS, SMTP) run on loopback; test/outbound.test.ts turns the guard on.
    allowPrivateUrls: true,
    ...overrides,
  };
}

export interface StoreKeys {
  id: string;
  secretKey: string;
  publishableKey: string;
}

export interface TestApp {
  app: App;
  /** Sends a request through the server in-process (no socket). */
  request(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    options?: { key?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> },
    // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely
  ): Promise<LightMyRequestResponse & { body: string; json: <T = any>() => T }>;
  createStore(name?: string, currency?: string): Promise<StoreKeys>;
  close(): Promise<void>;
}

export async function startTestApp(
  options: { clock?: Clock; config?: Partial<Config>; providers?: PaymentProviders } = {},
): Promise<TestApp> {
  const app = await createApp(testConfig(options.config), {
    clock: options.clock,
    providers: options.providers,
    // TEST_LOG=error (or debug…) shows the server's log while debugging a test.
    logger: process.env.TEST_LOG ? { level: process.env.TEST_LOG } : false,
  });
  await app.server.ready();
  const request: TestApp['request'] = async (method, url, opts = {}) => {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (opts.key) headers.authorization = `Bearer ${opts.key}`;
    let payload: string | undefined;
    if (opts.rawBody !== undefined) payload = opts.rawBody;
    else if (opts.body !== undefined) payload = JSON.stringify(opts.body);
    if (payload !== undefined && headers['content-type'] === undefined)
      headers['content-type'] = 'application/json';
    return (await app.server.inject({ method, url, headers, payload })) as never;
  };
  return {
    app,
    request,
    async createStore(name = 'Test store', currency = 'USD') {
      const res = await request('POST', '/v1/stores', { key: OPERATOR_TOKEN, body: { name, currency } });
      if (res.statusCode !== 201) throw new Error(`store creation failed: ${res.statusCode} ${res.body}`);
      const body = res.json();
      return { id: body.store.id, secretKey: body.secretKey, publishableKey: body.publishableKey };
    },
    close: () => app.close(),
  };
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH';

/**
 * Requests made with a store's secret key: `call` answers the response, `ok` the JSON body of a
 * success (and throws, with the answer, on anything else).
 */
export function withStoreKey(t: TestApp) {
  const call = (method: Method, url: string, store: StoreKeys, body?: unknown) =>
    t.request(method, url, { key: store.secretKey, body });
  const ok = async (method: Method, url: string, store: StoreKeys, body?: unknown) => {
    const res = await call(method, url, store, body);
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };
  return { call, ok };
}

/** A variant body with sensible defaults. */
export function variant(
  mode: 'deny' | 'backorder' | 'preorder',
  limit: number | null = null,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { title: 'Test variant', price: 1000, backorder: { mode, limit }, ...extra };
}
