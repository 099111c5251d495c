/**
 * What the database says, read when Prometheus scrapes (and kept for a few seconds, so several
 * scrapers cost one read): waiting units, messages by state, payment attempts by outcome, how far
 * the message relay is behind, and the job queues. These are the whole deployment's figures: every
 * process reports the same values, so aggregate them with max(), not sum().
 */
import { sql } from 'drizzle-orm';
import { queryRows } from '../db/client.ts';
import { dueMessageIds } from '../modules/messages/messages.delivery.ts';
import { relayBacklog } from '../modules/messages/messages.relay.ts';
import type { Deps } from '../shared/context.ts';

export interface DatabaseGauges {
  waitingUnits: number;
  waitingLines: number;
  messages: { state: string; channel: string; count: number }[];
  paymentAttempts: { operation: string; status: string; count: number }[];
  relayBacklog: number;
  /** Messages due for delivery now (up to 1000 counted). */
  messagesDue: number;
  /** Age of the oldest event the relay has not read yet (0 when it keeps up). */
  relayLagSeconds: number;
  /** pg-boss jobs by queue and state (empty until a worker has created its schema). */
  jobs: { queue: string; state: string; count: number }[];
}

const UNDEFINED_TABLE = new Set(['42P01', '3F000']);

export async function readDatabaseGauges(deps: Pick<Deps, 'db' | 'clock'>): Promise<DatabaseGauges> {
  const [waiting] = await queryRows<{ units: number; lines: number }>(
    deps.db,
    sql`SELECT coalesce(sum(backordered), 0)::bigint::float8 AS units,
               coalesce(sum(waiting_lines), 0)::bigint::float8 AS lines
          FROM inventory_levels`,
  );
  const messages = await queryRows<{ state: string; channel: string; count: number }>(
    deps.db,
    sql`SELECT state, channel, count(*)::float8 AS count FROM messages GROUP BY state, channel`,
  );
  const paymentAttempts = await queryRows<{ operation: string; status: string; count: number }>(
    deps.db,
    sql`SELECT operation, status, count(*)::float8 AS count FROM payment_attempts GROUP BY operation, status`,
  );
  const [lag] = await queryRows<{ seconds: number | null }>(
    deps.db,
    sql`SELECT extract(epoch FROM now() - min(e.created_at))::float8 AS seconds
          FROM events e JOIN relay_cursors c ON c.name = 'messages'
         WHERE (e.xid, e.seq) > (c.xid, c.seq)`,
  );
  return {
    waitingUnits: Number(waiting?.units ?? 0),
    waitingLines: Number(waiting?.lines ?? 0),
    messages: messages.map((r) => ({ ...r, count: Number(r.count) })),
    paymentAttempts: paymentAttempts.map((r) => ({ ...r, count: Number(r.count) })),
    relayBacklog: await relayBacklog(deps),
    messagesDue: (await dueMessageIds(deps, { limit: 1000 })).length,
    relayLagSeconds: Math.max(0, Number(lag?.seconds ?? 0)),
    jobs: await jobCounts(deps),
  };
}

async function jobCounts(deps: Pick<Deps, 'db'>): Promise<DatabaseGauges['jobs']> {
  try {
    const rows = await queryRows<{ queue: string; state: string; count: number }>(
      deps.db,
      sql`SELECT name AS queue, state::text AS state, count(*)::float8 AS count
            FROM pgboss.job WHERE state < 'completed' GROUP BY name, state`,
    );
    return rows.map((r) => ({ ...r, count: Number(r.count) }));
  } catch (error) {
    const code =
      (error as { code?: string; cause?: { code?: string } }).code ??
      (error as { cause?: { code?: string } }).cause?.code;
    if (code !== undefined && UNDEFINED_TABLE.has(code)) return [];
    throw error;
  }
}

/** One read at a time, reused for `maxAgeMs`: a burst of scrapes costs the database one read. */
export function cachedGauges(
  read: () => Promise<DatabaseGauges>,
  maxAgeMs: number,
): () => Promise<DatabaseGauges> {
  let last: { at: number; value: Promise<DatabaseGauges> } | null = null;
  return () => {
    const now = performance.now();
    if (last === null || now - last.at > maxAgeMs) {
      const value = read();
      last = { at: now, value };
      value.catch(() => {
        last = null;
      });
    }
    return last.value;
  };
}
