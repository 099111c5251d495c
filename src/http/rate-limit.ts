/**
 * Where rate-limit counters live, so that every server process counts against the same limit:
 * Redis when REDIS_URL is set (@fastify/rate-limit's own store), else the PostgreSQL database the
 * processes share (one UPSERT per counted request), else (PGlite: one process) memory.
 * Behind a load balancer the client is told apart by X-Forwarded-For, believed only from the
 * proxies BACKFILL_TRUST_PROXY names (Fastify's `trustProxy`: `request.ip` is then the client).
 */
import type { RateLimitPluginOptions } from '@fastify/rate-limit';
import { sql } from 'drizzle-orm';
import { Redis } from 'ioredis';
import type { Config } from '../config.ts';
import { type Database, type Engine, queryRows } from '../db/client.ts';

type Callback = (error: Error | null, result?: { current: number; ttl: number }) => void;

/**
 * @fastify/rate-limit's store interface on a shared table: a fixed window per key, counted and
 * read back in one statement, so two processes never both see the last allowed hit.
 */
function postgresStore(db: Database, namespace: string) {
  let lastSweep = 0;
  return class PostgresRateLimitStore {
    incr(client: string, callback: Callback, timeWindow: number): void {
      const key = `${namespace}:${client}`;
      const window = `${timeWindow} milliseconds`;
      queryRows<{ hits: number; ttl: number }>(
        db,
        sql`INSERT INTO rate_limit_counters AS c (key, window_start, hits) VALUES (${key}, clock_timestamp(), 1)
            ON CONFLICT (key) DO UPDATE SET
              hits = CASE WHEN c.window_start + ${window}::interval <= clock_timestamp() THEN 1 ELSE c.hits + 1 END,
              window_start = CASE WHEN c.window_start + ${window}::interval <= clock_timestamp()
                                  THEN clock_timestamp() ELSE c.window_start END
            RETURNING hits,
              GREATEST(0, (EXTRACT(EPOCH FROM (window_start + ${window}::interval - clock_timestamp())) * 1000))::int AS ttl`,
      ).then(
        ([row]) => callback(null, { current: row!.hits, ttl: row!.ttl }),
        (error: Error) => callback(error),
      );
      this.sweep(timeWindow);
    }

    /** Windows long over are deleted now and then (at most once a minute per process). */
    private sweep(timeWindow: number): void {
      const now = Date.now();
      if (now - lastSweep < 60_000) return;
      lastSweep = now;
      db.execute(
        sql`DELETE FROM rate_limit_counters
             WHERE window_start < clock_timestamp() - ${`${timeWindow} milliseconds`}::interval`,
      ).catch(() => {});
    }

    child(): PostgresRateLimitStore {
      return this;
    }
  };
}

/** The store options for @fastify/rate-limit, and what to close when the server stops. */
export function rateLimitStore(
  config: Pick<Config, 'redisUrl' | 'rateLimitNamespace'>,
  database: { db: Database; engine: Engine },
): { options: Pick<RateLimitPluginOptions, 'redis' | 'store' | 'nameSpace'>; close(): Promise<void> } {
  if (config.redisUrl) {
    const redis = new Redis(config.redisUrl, {
      connectTimeout: 2000,
      maxRetriesPerRequest: 1,
      lazyConnect: false,
    });
    redis.on('error', () => {}); // a failed count is answered per request (skipOnError is off)
    return {
      options: { redis, nameSpace: `${config.rateLimitNamespace}-rate-limit:` },
      close: async () => {
        redis.disconnect();
      },
    };
  }
  if (database.engine === 'postgres') {
    const store = postgresStore(database.db, config.rateLimitNamespace);
    return { options: { store: store as never }, close: async () => {} };
  }
  return { options: {}, close: async () => {} };
}
