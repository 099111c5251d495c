/**
 * Invariant 6 under a crash: a server process killed (SIGKILL) in the middle of a flash sale loses
 * no accepted order, and clients retrying with their Idempotency-Key after the restart never get a
 * second order. PostgreSQL only: it needs two processes on one database over time.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { engineUnderTest } from './support/harness.ts';
import { type Child, startServer, stopServer, TOKEN, waitHealthy } from './support/processes.ts';

interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are read loosely
  body: any;
}

async function call(base: string, method: string, path: string, key: string, body?: unknown, idem?: string) {
  const headers: Record<string, string> = { authorization: `Bearer ${key}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (idem) headers['idempotency-key'] = idem;
  const res = await fetch(`${base}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() } as Answer;
}

describe.skipIf(engineUnderTest() === 'pglite')('a server killed mid-sale (postgres)', () => {
  const servers: Child[] = [];
  afterAll(() => Promise.all(servers.map(stopServer)));

  it('loses no accepted order, and retries with the same key after a restart never duplicate', async () => {
    const first = await startServer();
    servers.push(first);
    await waitHealthy(first);
    const created = await call(first.base, 'POST', '/v1/stores', TOKEN, { name: 'Crash test' });
    expect(created.status).toBe(201);
    const key: string = created.body.secretKey;
    const S = 50;
    const L = 100;
    const N = 400;
    const sku = 'CRASH-1';
    const put = await call(first.base, 'PUT', `/v1/variants/${sku}`, key, {
      title: 'Crash jacket',
      price: 1000,
      backorder: { mode: 'backorder', limit: L },
    });
    expect(put.status).toBe(201);
    const stock = await call(first.base, 'POST', '/v1/inventory/adjustments', key, {
      sku,
      quantity: S,
      reason: 'restock',
    });
    expect(stock.status).toBe(201);

    const body = (i: number) => ({
      customer: { email: `shopper${i}@example.com` },
      lines: [{ sku, quantity: 1 }],
    });
    const answers = new Map<number, Answer>();
    let answered = 0;
    let next = 0;
    const client = async () => {
      while (next < N) {
        const i = next++;
        try {
          const answer = await call(first.base, 'POST', '/v1/orders', key, body(i), `order-${i}`);
          answers.set(i, answer);
          if (++answered === 120) first.process.kill('SIGKILL');
        } catch {
          // Connection refused or reset: the outcome is unknown; the client will retry.
        }
      }
    };
    await Promise.all(Array.from({ length: 32 }, client));
    expect(
      first.process.signalCode ?? (await new Promise((r) => first.process.once('exit', (_c, s) => r(s)))),
    ).toBe('SIGKILL');
    const beforeCrash = new Map([...answers].filter(([, a]) => a.status === 201));
    expect(answers.size).toBeGreaterThanOrEqual(120);
    expect(answers.size).toBeLessThan(N);

    const second = await startServer();
    servers.push(second);
    await waitHealthy(second);

    // Every order acknowledged before the crash is there, unchanged.
    for (const answer of beforeCrash.values()) {
      const stored = await call(second.base, 'GET', `/v1/orders/${answer.body.id}`, key);
      expect(stored.status).toBe(200);
      expect(stored.body.lines.map((l: { id: string }) => l.id)).toEqual(
        answer.body.lines.map((l: { id: string }) => l.id),
      );
    }
    // Clients retry everything they got no answer for, and (to prove replays) a few they did.
    const retry = [...Array(N).keys()]
      .filter((i) => !answers.has(i))
      .concat([...beforeCrash.keys()].slice(0, 10));
    for (const i of retry) {
      const answer = await call(second.base, 'POST', '/v1/orders', key, body(i), `order-${i}`);
      if (answers.has(i)) expect(answer.body).toEqual(answers.get(i)!.body);
      answers.set(i, answer);
    }

    const statuses = [...answers.values()].map((a) => a.status);
    expect(statuses.filter((s) => s !== 201 && s !== 409)).toEqual([]);
    const accepted = [...answers.values()].filter((a) => a.status === 201).map((a) => a.body.id as string);
    expect(new Set(accepted).size).toBe(accepted.length);
    expect(accepted.length).toBe(S + L);

    const orders: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Answer = await call(
        second.base,
        'GET',
        `/v1/orders?limit=500${cursor ? `&cursor=${cursor}` : ''}`,
        key,
      );
      orders.push(...page.body.data.map((o: { id: string }) => o.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(orders.sort()).toEqual([...accepted].sort());

    const level = await call(second.base, 'GET', `/v1/inventory/${sku}`, key);
    expect(level.body).toMatchObject({ onHand: S, allocated: S, available: 0, backordered: L });
    const queue = await call(second.base, 'GET', `/v1/backorders?sku=${sku}&limit=500`, key);
    expect(queue.body.data.map((e: { position: number }) => e.position)).toEqual(
      Array.from({ length: L }, (_, i) => i + 1),
    );
  });
});
