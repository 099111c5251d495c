/**
 * Rate limits behind a proxy and across processes: the client is the address X-Forwarded-For names,
 * believed only from the proxies BACKFILL_TRUST_PROXY trusts (a number of hops, or CIDR ranges), and
 * server processes count against one shared limit (in PostgreSQL, or in Redis when REDIS_URL is
 * set), so N processes do not allow N times the limit. The last test also revokes a key on one real
 * process and sees it refused by the other within a second.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineUnderTest, startTestApp, type TestApp } from './support/harness.ts';
import { type Child, startServer, stopServer, TOKEN } from './support/processes.ts';

const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

describe('the client address behind a proxy (in-process)', () => {
  let hops: TestApp;
  let cidr: TestApp;
  let direct: TestApp;
  beforeAll(async () => {
    hops = await startTestApp({ config: { publicRateLimit: 3, trustProxy: 1 } });
    cidr = await startTestApp({ config: { publicRateLimit: 3, trustProxy: ['10.0.0.0/8'] } });
    direct = await startTestApp({ config: { publicRateLimit: 3 } });
  });
  afterAll(async () => {
    await hops.close();
    await cidr.close();
    await direct.close();
  });

  const health = (app: TestApp, forwardedFor: string, remoteAddress = '127.0.0.1') =>
    app.app.server
      .inject({ method: 'GET', url: '/health', remoteAddress, headers: { 'x-forwarded-for': forwardedFor } })
      .then((res) => res.statusCode);

  it('with one trusted hop, each forwarded client has its own bucket', async () => {
    const a = [];
    for (let i = 0; i < 4; i++) a.push(await health(hops, '198.51.100.7'));
    expect(a).toEqual([200, 200, 200, 429]);
    expect(await health(hops, '198.51.100.8')).toBe(200);
    // Only the proxy's own entry is trusted: what the client wrote before it is not.
    expect(await health(hops, '1.2.3.4, 198.51.100.7')).toBe(429);
  });

  it('with trusted ranges, X-Forwarded-For counts only when the proxy is in them', async () => {
    const viaProxy = [];
    for (let i = 0; i < 4; i++) viaProxy.push(await health(cidr, '198.51.100.9', '10.1.2.3'));
    expect(viaProxy).toEqual([200, 200, 200, 429]);
    expect(await health(cidr, '198.51.100.10', '10.1.2.3')).toBe(200);
    // From an address that is not a trusted proxy, X-Forwarded-For is the client's own claim.
    const spoofed = [];
    for (let i = 0; i < 4; i++) spoofed.push(await health(cidr, `203.0.113.${i}`, '192.0.2.50'));
    expect(spoofed).toEqual([200, 200, 200, 429]);
  });

  it('counts an IPv6 client by its /64, and an IPv4 address written as IPv6 as that address', async () => {
    // One home's network, four of its (privacy) addresses in turn: one bucket, not four.
    const rotating = [];
    for (const address of [
      '2001:db8:77:1::1',
      '2001:db8:77:1:a:b:c:d',
      '2001:db8:77:1:ffff::1',
      '2001:db8:77:1::42',
    ])
      rotating.push(await health(hops, address));
    expect(rotating).toEqual([200, 200, 200, 429]);
    expect(await health(hops, '2001:db8:77:2::1')).toBe(200); // the next /64 is someone else
    for (let i = 0; i < 3; i++) expect(await health(hops, '198.51.100.77')).toBe(200);
    expect(await health(hops, '::ffff:198.51.100.77')).toBe(429);
  });

  it('without a trusted proxy, X-Forwarded-For changes nothing', async () => {
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push(await health(direct, `198.51.100.${i}`));
    expect(statuses).toEqual([200, 200, 200, 429]);
  });
});

/** Two real server processes with one limit of 10 a minute, behind one trusted proxy hop. */
async function twoProcesses(env: Record<string, string>): Promise<Child[]> {
  const shared = {
    BACKFILL_PUBLIC_RATE_LIMIT: '10',
    BACKFILL_TRUST_PROXY: '1',
    BACKFILL_RATE_LIMIT_NAMESPACE: `two-${randomUUID()}`,
    ...env,
  };
  const children = [await startServer({ env: shared }), await startServer({ env: shared })];
  await Promise.all(children.map(ready));
  return children;
}

/** Waits for /health, each poll as another client: polls must not use up the limit under test. */
async function ready(child: Child): Promise<void> {
  const deadline = Date.now() + 90_000;
  for (let poll = 0; Date.now() < deadline; poll++) {
    if (child.process.exitCode !== null) throw new Error(`server exited: ${child.output.join('')}`);
    const client = `192.0.2.${poll % 250}`;
    const status = await fetch(`${child.base}/health`, { headers: { 'x-forwarded-for': client } }).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`server at ${child.base} not healthy in time: ${child.output.join('')}`);
}

async function sharedLimit(children: Child[]): Promise<void> {
  const get = (child: Child, client: string) =>
    fetch(`${child.base}/health`, { headers: { 'x-forwarded-for': client } }).then((r) => r.status);
  const statuses = [];
  for (let i = 0; i < 12; i++) statuses.push(await get(children[i % 2]!, '198.51.100.77'));
  // Ten in all, whichever process answered; the 11th and 12th are refused by both.
  expect(statuses).toEqual([...Array(10).fill(200), 429, 429]);
  expect(await get(children[0]!, '198.51.100.78')).toBe(200);
  expect(await get(children[1]!, '198.51.100.78')).toBe(200);
}

describe('counters shared by two processes', () => {
  it.skipIf(engineUnderTest() === 'pglite')(
    'in PostgreSQL: one limit for both; a key revoked on one is refused by the other within a second',
    async () => {
      const children = await twoProcesses({});
      try {
        await sharedLimit(children);
        const [a, b] = children as [Child, Child];
        const call = (child: Child, method: string, path: string, key: string, body?: unknown) =>
          fetch(`${child.base}${path}`, {
            method,
            headers: {
              authorization: `Bearer ${key}`,
              ...(body ? { 'content-type': 'application/json' } : {}),
            },
            ...(body ? { body: JSON.stringify(body) } : {}),
          });
        const store = await (await call(a, 'POST', '/v1/stores', TOKEN, { name: 'Two' })).json();
        const created = await (
          await call(a, 'POST', '/v1/keys', store.secretKey, { name: 'Leaked', scope: 'full' })
        ).json();
        expect((await call(a, 'GET', '/v1/orders', created.key)).status).toBe(200);
        expect((await call(b, 'GET', '/v1/orders', created.key)).status).toBe(200);
        expect((await call(a, 'POST', `/v1/keys/${created.id}/revoke`, store.secretKey)).status).toBe(200);
        const at = Date.now();
        let status = 200;
        while (status !== 401 && Date.now() - at < 3000) {
          status = (await call(b, 'GET', '/v1/orders', created.key)).status;
        }
        expect(status).toBe(401);
        expect(Date.now() - at).toBeLessThan(1000);
      } finally {
        await Promise.all(children.map(stopServer));
      }
    },
    180_000,
  );

  it('in Redis (REDIS_URL): one limit for both', async () => {
    const children = await twoProcesses({ REDIS_URL });
    try {
      await sharedLimit(children);
    } finally {
      await Promise.all(children.map(stopServer));
    }
  }, 180_000);
});

describe('counters that cannot be reached', () => {
  it('let requests through at once (no wait for Redis) rather than failing them', async () => {
    // Nothing listens on this port: every count fails.
    const app = await startTestApp({ config: { publicRateLimit: 5, redisUrl: 'redis://127.0.0.1:6399' } });
    try {
      const started = Date.now();
      const statuses = [];
      for (let i = 0; i < 12; i++) {
        statuses.push((await app.app.server.inject({ method: 'GET', url: '/v1/orders' })).statusCode);
      }
      // Unlimited while the counters are down (401: no key), and not 1-2 s a request waiting on Redis.
      expect(statuses).toEqual(Array(12).fill(401));
      expect(Date.now() - started).toBeLessThan(6_000);
    } finally {
      await app.close();
    }
  });
});
