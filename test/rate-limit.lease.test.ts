/**
 * The PostgreSQL rate-limit store leases hits in batches: whatever the interleaving of processes
 * and requests, together they admit exactly the limit in a window, never more, and a process
 * answers most requests without a statement. Two stores on one database stand for two processes.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rateLimitStore } from '../src/http/rate-limit.ts';
import { engineUnderTest, startTestApp, type TestApp } from './support/harness.ts';
import { propertyOptions } from './support/property.ts';

interface Store {
  incr(
    key: string,
    callback: (error: Error | null, result?: { current: number; ttl: number }) => void,
    timeWindow: number,
    max: number,
  ): void;
}

/** A store as one process has it; `statements` counts what it sends to the database. */
const storeFor = async (t: TestApp, namespace: string, statements = { count: 0 }): Promise<Store> => {
  const db = t.app.deps.db;
  const counting = new Proxy(db, {
    get(target, property, receiver) {
      if (property !== 'execute') return Reflect.get(target, property, receiver);
      return (query: Parameters<typeof db.execute>[0]) => {
        statements.count += 1;
        return target.execute(query);
      };
    },
  });
  const { options } = await rateLimitStore(
    { redisUrl: null, rateLimitNamespace: namespace },
    {
      db: counting,
      engine: 'postgres',
    },
  );
  const Store = options.store as unknown as new () => Store;
  return new Store();
};

const hit = (store: Store, key: string, max: number) =>
  new Promise<number>((resolve, reject) =>
    store.incr(key, (error, result) => (error ? reject(error) : resolve(result!.current)), 60_000, max),
  );

describe.skipIf(engineUnderTest() !== 'postgres')('rate-limit leases in PostgreSQL', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('two processes admit exactly the limit together, in any interleaving, bursts included', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 400 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 1, max: 30 })), {
          minLength: 1,
          maxLength: 40,
        }),
        async (max, bursts) => {
          const namespace = `lease-${randomUUID()}`;
          const processes = [await storeFor(t, namespace), await storeFor(t, namespace)];
          let admitted = 0;
          for (const [which, size] of bursts) {
            // A burst: `size` requests at once on one process (they share its lease).
            const answers = await Promise.all(
              Array.from({ length: size }, () => hit(processes[which]!, 'client', max)),
            );
            admitted += answers.filter((current) => current <= max).length;
          }
          // Never more than the limit, whatever the leases held.
          expect(admitted).toBeLessThanOrEqual(max);
          // Then both processes, asked until both refuse, bring the total to the limit exactly.
          for (const process of processes) {
            while ((await hit(process, 'client', max)) <= max) admitted++;
          }
          expect(admitted).toBe(max);
        },
      ),
      propertyOptions(100),
    );
  });

  it('answers most requests of a busy client from its lease: about one statement per lease', async () => {
    const statements = { count: 0 };
    const store = await storeFor(t, `lease-${randomUUID()}`, statements);
    const currents: number[] = [];
    for (let i = 0; i < 1000; i++) currents.push(await hit(store, 'busy', 1_000_000));
    // Every hit counted once, in order; 1,000 hits in leases of 100: ten statements, not 1,000
    // (the sweep of old windows may add one).
    expect(currents).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(statements.count).toBeGreaterThanOrEqual(10);
    expect(statements.count).toBeLessThanOrEqual(11);
  });
});
