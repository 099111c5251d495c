/**
 * Where rate-limit counters live, so that every server process counts against the same limit:
 * Redis when REDIS_URL is set (@fastify/rate-limit's own store), else the PostgreSQL database the
 * processes share (hits leased in batches: see `postgresStore`), else (PGlite: one process) memory.
 * Behind a load balancer the client is told apart by X-Forwarded-For, believed only from the
 * proxies BACKFILL_TRUST_PROXY names (Fastify's `trustProxy`: `request.ip` is then the client).
 */
import type { RateLimitPluginOptions } from '@fastify/rate-limit';
import { sql } from 'drizzle-orm';
import type { Config } from '../config.ts';
import { type Database, type Engine, queryRows } from '../db/client.ts';

type Callback = (error: Error | null, result?: { current: number; ttl: number }) => void;

/** The most hits one process takes from the shared counter in one statement. */
const MAX_LEASE = 100;
/** A lease takes at most this share of what is left of the limit (so idle leases hold little). */
const LEASE_SHARE = 1 / 8;
/** Keys whose leases a process remembers before it starts over. */
const MAX_LEASED_KEYS = 10_000;

/** Hits a process has taken from the shared counter and answers from memory. */
interface Lease {
  /** The window's count before this lease. */
  base: number;
  size: number;
  used: number;
  /** When the window ends (this process's clock). */
  endsAt: number;
}

/**
 * @fastify/rate-limit's store interface on a shared table: a fixed window per key, counted in
 * one statement that adds and reads back, so two processes never both see the last allowed hit.
 *
 * Counting every request there would put one write (and one flush) in front of every public
 * request. Instead a process takes hits in advance — a lease of up to `MAX_LEASE`, and never more
 * than `LEASE_SHARE` of what is left of the limit — and answers from memory until they are used.
 * Hits leased and not used count as used, so the processes together never admit more than the
 * limit; near the limit leases shrink to one hit, and the count is exact.
 */
function postgresStore(db: Database, namespace: string) {
  let lastSweep = 0;
  const leases = new Map<string, Lease>();
  const leasing = new Map<string, Promise<unknown>>();

  /** Answers from the key's lease if it has a hit left in the current window. */
  function fromLease(key: string, callback: Callback): boolean {
    const lease = leases.get(key);
    const now = Date.now();
    if (!lease || now >= lease.endsAt || lease.used >= lease.size) return false;
    lease.used += 1;
    callback(null, { current: lease.base + lease.used, ttl: lease.endsAt - now });
    return true;
  }

  return class PostgresRateLimitStore {
    incr(client: string, callback: Callback, timeWindow: number, max: number): void {
      const key = `${namespace}:${client}`;
      if (fromLease(key, callback)) return;
      // Another request of this process is already taking a lease for the key: share it.
      const running = leasing.get(key);
      if (running) {
        running.then(() => this.incr(client, callback, timeWindow, max));
        return;
      }
      const known = leases.get(key);
      const counted = known && Date.now() < known.endsAt ? known.base + known.size : 0;
      const size = Math.max(1, Math.min(MAX_LEASE, Math.floor((max - counted) * LEASE_SHARE)));
      const window = `${timeWindow} milliseconds`;
      const lease = queryRows<{ hits: number; ttl: number }>(
        db,
        sql`INSERT INTO rate_limit_counters AS c (key, window_start, hits) VALUES (${key}, clock_timestamp(), ${size})
            ON CONFLICT (key) DO UPDATE SET
              hits = CASE WHEN c.window_start + ${window}::interval <= clock_timestamp() THEN ${size} ELSE c.hits + ${size} END,
              window_start = CASE WHEN c.window_start + ${window}::interval <= clock_timestamp()
                                  THEN clock_timestamp() ELSE c.window_start END
            RETURNING hits,
              GREATEST(0, (EXTRACT(EPOCH FROM (window_start + ${window}::interval - clock_timestamp())) * 1000))::int AS ttl`,
      ).then(
        ([row]) => {
          const base = row!.hits - size;
          // Hits past the limit are not kept: each later request is counted (and refused) alone.
          const usable = Math.max(0, Math.min(size, max - base));
          if (leases.size >= MAX_LEASED_KEYS) leases.clear();
          leases.set(key, { base, size: usable, used: 0, endsAt: Date.now() + row!.ttl });
          if (!fromLease(key, callback)) callback(null, { current: base + 1, ttl: row!.ttl });
        },
        (error: Error) => callback(error),
      );
      const settled = lease.finally(() => leasing.delete(key));
      leasing.set(key, settled);
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

/** At most one warning per this many milliseconds while the counters cannot be reached. */
const WARN_EVERY_MS = 30_000;

/**
 * The store options for @fastify/rate-limit, and what to close when the server stops. While Redis
 * cannot be reached, requests are let through without a limit (the server's `skipOnError`: an
 * outage of the counters must not take the API down) and answered at once (no queue of commands
 * waiting for a connection); `warn` is told, at most every 30 s, so the operator sees it.
 */
export async function rateLimitStore(
  config: Pick<Config, 'redisUrl' | 'rateLimitNamespace'>,
  database: { db: Database; engine: Engine },
  warn: (message: string) => void = () => {},
): Promise<{
  options: Pick<RateLimitPluginOptions, 'redis' | 'store' | 'nameSpace'>;
  close(): Promise<void>;
}> {
  if (config.redisUrl) {
    // Loaded only here: processes without Redis do not pay for the client at start-up.
    const { Redis } = await import('ioredis');
    const redis = new Redis(config.redisUrl, {
      connectTimeout: 2000,
      maxRetriesPerRequest: 1,
      lazyConnect: false,
      // Not connected: a count fails at once (the request passes) instead of waiting for Redis.
      enableOfflineQueue: false,
    });
    let warnedAt = -Infinity;
    redis.on('error', (error: Error) => {
      if (Date.now() - warnedAt < WARN_EVERY_MS) return;
      warnedAt = Date.now();
      warn(
        `Rate-limit counters unavailable (Redis: ${error.message}): requests pass without a limit until Redis is back`,
      );
    });
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
