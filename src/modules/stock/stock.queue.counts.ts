/**
 * Bucketed counts of each SKU's queue, so that a line's place in the queue and the units ahead of
 * it are read from at most a few hundred rows whatever the queue's length (counting the queue ahead
 * took 250 ms at the end of a million-line queue).
 *
 * `queue_counts` holds, for each level k = 1..LEVELS, per (store, sku, k, bucket = ticket >> 6k)
 * the waiting lines and waiting units whose ticket falls in that bucket. What waits ahead of ticket
 * t is: the waiting lines of t's level-1 bucket with a smaller ticket (fewer than 64, read from the
 * queue index), plus at each level k < LEVELS the level-k buckets before t's inside t's level-k+1
 * bucket (fewer than 64 each), plus the top level's buckets before t's. `>>` is a floor division,
 * so tickets below zero (lines put back ahead of the queue) are counted the same way.
 *
 * Every statement that changes a line's `backordered` or `queue_ticket` adds its change here in the
 * same statement (`queueCountChanges`), under the SKU's stock lock: placement, fills, releases,
 * requeues. A change of BUCKET_BITS or LEVELS needs a migration that rebuilds the table.
 */
import { type SQL, sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../../db/client.ts';

const BUCKET_BITS = 6;
const LEVELS = 4;
const levelList = sql.raw(Array.from({ length: LEVELS }, (_, i) => `(${i + 1})`).join(', '));
const MIN_BUCKET = sql.raw(`'-9223372036854775808'::bigint`);

/**
 * The upsert that adds signed per-line changes to the counts. `source` is a SELECT of rows
 * (store_id, sku, ticket, lines, units): a line that starts waiting adds (its ticket, 1, its
 * waiting units), one that stops waiting subtracts them, a partial fill subtracts units only.
 * Changes are summed per level-1 bucket first, so a restock of 100k lines writes ~1.6k rows.
 */
export function queueCountChanges(source: SQL): SQL {
  return sql`
    INSERT INTO queue_counts AS c (store_id, sku, level, bucket, lines, units)
    SELECT d.store_id, d.sku, k.level, d.bucket >> (${BUCKET_BITS} * (k.level - 1)), sum(d.lines), sum(d.units)
      FROM (SELECT s.store_id, s.sku, s.ticket >> ${BUCKET_BITS} AS bucket, sum(s.lines) AS lines, sum(s.units) AS units
              FROM (${source}) AS s(store_id, sku, ticket, lines, units)
             WHERE s.ticket IS NOT NULL
             GROUP BY 1, 2, 3) d
     CROSS JOIN (VALUES ${levelList}) AS k(level)
     GROUP BY 1, 2, 3, 4
    HAVING sum(d.lines) <> 0 OR sum(d.units) <> 0
    ON CONFLICT (store_id, sku, level, bucket)
    DO UPDATE SET lines = c.lines + excluded.lines, units = c.units + excluded.units`;
}

export interface WaitingChange {
  storeId: string;
  sku: string;
  ticket: number;
  lines: number;
  units: number;
}

/** `queueCountChanges` for changes known to the application (new lines of a placement batch). */
export function queueCountChangesOf(changes: readonly WaitingChange[]): SQL | null {
  const moving = changes.filter((c) => c.lines !== 0 || c.units !== 0);
  if (moving.length === 0) return null;
  return queueCountChanges(sql`
    SELECT * FROM unnest(${sql.param(moving.map((c) => c.storeId))}::text[],
                         ${sql.param(moving.map((c) => c.sku))}::text[],
                         ${sql.param(moving.map((c) => c.ticket))}::bigint[],
                         ${sql.param(moving.map((c) => c.lines))}::int[],
                         ${sql.param(moving.map((c) => c.units))}::int[])`);
}

/** The counts' change for new lines (a placement batch): each waiting line joins its queue. */
export const newLinesWaiting = (
  lines: readonly { storeId: string; sku: string; queueTicket: number | null; backordered: number }[],
): SQL | null =>
  queueCountChangesOf(
    lines.flatMap((l) =>
      l.backordered > 0 && l.queueTicket !== null
        ? [{ storeId: l.storeId, sku: l.sku, ticket: l.queueTicket, lines: 1, units: l.backordered }]
        : [],
    ),
  );

/**
 * A lateral subquery on (`storeId`, `sku`, `ticket`) giving `lines_ahead` and `units_ahead`: the
 * waiting lines and units of the queue with a smaller ticket (see the top of this file).
 */
export function aheadOf(storeId: SQL, sku: SQL, ticket: SQL): SQL {
  return sql`
    SELECT (near.lines + far.lines)::int AS lines_ahead, (near.units + far.units)::bigint AS units_ahead
      FROM (SELECT count(*) AS lines, coalesce(sum(q.backordered), 0) AS units FROM order_lines q
             WHERE q.store_id = ${storeId} AND q.sku = ${sku} AND q.backordered > 0
               AND q.queue_ticket >= (${ticket} >> ${BUCKET_BITS}) << ${BUCKET_BITS}
               AND q.queue_ticket < ${ticket}) near,
           (SELECT coalesce(sum(b.lines), 0) AS lines, coalesce(sum(b.units), 0) AS units
              FROM (SELECT k.level, ${ticket} >> (${BUCKET_BITS} * k.level) AS upto,
                           CASE WHEN k.level = ${LEVELS} THEN ${MIN_BUCKET}
                                ELSE (${ticket} >> (${BUCKET_BITS} * (k.level + 1))) << ${BUCKET_BITS} END AS since
                      FROM (VALUES ${levelList}) AS k(level)) r
              CROSS JOIN LATERAL (
                SELECT c.lines, c.units FROM queue_counts c
                 WHERE c.store_id = ${storeId} AND c.sku = ${sku} AND c.level = r.level
                   AND c.bucket >= r.since AND c.bucket < r.upto) b) far`;
}

/** Waiting lines and units ahead of each given (sku, ticket) of one store, keyed `ticket:sku`. */
export async function readAhead(
  db: Executor,
  storeId: string,
  probes: readonly { sku: string; ticket: number }[],
): Promise<Map<string, { lines: number; units: number }>> {
  if (probes.length === 0) return new Map();
  const rows = await queryRows<{
    sku: string;
    ticket: string | number;
    lines_ahead: number;
    units_ahead: string;
  }>(
    db,
    sql`SELECT p.sku, p.ticket, a.lines_ahead, a.units_ahead
          FROM unnest(${sql.param(probes.map((p) => p.sku))}::text[], ${sql.param(probes.map((p) => p.ticket))}::bigint[])
               AS p(sku, ticket)
          CROSS JOIN LATERAL (${aheadOf(sql`${storeId}::text`, sql`p.sku`, sql`p.ticket`)}) a`,
  );
  return new Map(
    rows.map((r) => [`${Number(r.ticket)}:${r.sku}`, { lines: r.lines_ahead, units: Number(r.units_ahead) }]),
  );
}

const scopeOf = (scope: { storeId?: string; sku?: string }, alias: string): SQL =>
  sql.join(
    [
      sql`true`,
      ...(scope.storeId !== undefined ? [sql`${sql.raw(alias)}.store_id = ${scope.storeId}`] : []),
      ...(scope.sku !== undefined ? [sql`${sql.raw(alias)}.sku = ${scope.sku}`] : []),
    ],
    sql` AND `,
  );

/** Every waiting line as a change from nothing: the counts from scratch. */
const waitingLines = (scope: { storeId?: string; sku?: string }): SQL =>
  sql`SELECT l.store_id, l.sku, l.queue_ticket, 1, l.backordered FROM order_lines l
       WHERE l.backordered > 0 AND ${scopeOf(scope, 'l')}`;

/**
 * Recomputes the counts of the given scope (a store, a SKU, or everything) from the order lines:
 * for data written around the application (bulk loads). Callers hold the SKUs' stock locks.
 */
export async function rebuildQueueCounts(
  db: Executor,
  scope: { storeId?: string; sku?: string } = {},
): Promise<void> {
  await db.execute(sql`DELETE FROM queue_counts c WHERE ${scopeOf(scope, 'c')}`);
  await db.execute(queueCountChanges(waitingLines(scope)));
}

export interface QueueCountDrift {
  sku: string;
  level: number;
  bucket: number;
  stored: { lines: number; units: number };
  fromScratch: { lines: number; units: number };
}

/** Stored counts of a store that differ from a count from scratch (empty buckets may remain stored). */
export async function queueCountDrift(db: Executor, storeId: string): Promise<QueueCountDrift[]> {
  const rows = await queryRows<{
    sku: string;
    level: number;
    bucket: string | number;
    stored_lines: number;
    stored_units: number;
    lines: number;
    units: number;
  }>(
    db,
    sql`WITH scratch AS (
          SELECT s.sku, k.level, s.ticket >> (${BUCKET_BITS} * k.level) AS bucket, count(*)::int AS lines,
                 sum(s.units)::int AS units
            FROM (SELECT l.sku, l.queue_ticket AS ticket, l.backordered AS units FROM order_lines l
                   WHERE l.store_id = ${storeId} AND l.backordered > 0) s
           CROSS JOIN (VALUES ${levelList}) AS k(level)
           GROUP BY 1, 2, 3),
        stored AS (SELECT sku, level, bucket, lines, units FROM queue_counts WHERE store_id = ${storeId})
        SELECT coalesce(stored.sku, scratch.sku) AS sku, coalesce(stored.level, scratch.level) AS level,
               coalesce(stored.bucket, scratch.bucket) AS bucket,
               coalesce(stored.lines, 0) AS stored_lines, coalesce(stored.units, 0) AS stored_units,
               coalesce(scratch.lines, 0) AS lines, coalesce(scratch.units, 0) AS units
          FROM stored FULL JOIN scratch
            ON scratch.sku = stored.sku AND scratch.level = stored.level AND scratch.bucket = stored.bucket
         WHERE coalesce(stored.lines, 0) <> coalesce(scratch.lines, 0)
            OR coalesce(stored.units, 0) <> coalesce(scratch.units, 0)
         ORDER BY 1, 2, 3`,
  );
  return rows.map((r) => ({
    sku: r.sku,
    level: r.level,
    bucket: Number(r.bucket),
    stored: { lines: r.stored_lines, units: r.stored_units },
    fromScratch: { lines: r.lines, units: r.units },
  }));
}
