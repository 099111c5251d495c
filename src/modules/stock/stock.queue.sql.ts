/**
 * The queue order in SQL, written once: a SKU's waiting lines (`backordered > 0`) by queue ticket,
 * ascending. Reading the head for a restock, the promise schedule's running sums, the what-if's
 * slices and the units ahead of a line (`stock.queue.counts.ts`) all go through these fragments;
 * `fillQueue` (stock.queue.models.ts) is the rule applied to what they read.
 */
import { type SQL, sql } from 'drizzle-orm';

/** The ordering of a queue's lines (in window functions and ORDER BY of `order_lines` rows). */
export const QUEUE_ORDER = sql`queue_ticket`;

/**
 * A SKU's waiting lines in queue order from the head: `columns` of `order_lines`, past `after` (a
 * ticket) when given, at most `limit` lines when given. `storeId` and `sku` may be values or SQL
 * (a lateral join's columns).
 */
export function queueSlice(options: {
  storeId: SQL | string;
  sku: SQL | string;
  columns: SQL;
  after?: number | null;
  limit?: SQL | number | null;
}): SQL {
  const { storeId, sku, columns, after = null, limit = null } = options;
  return sql`SELECT ${columns} FROM order_lines
              WHERE store_id = ${storeId} AND sku = ${sku} AND backordered > 0
                    ${after === null ? sql`` : sql`AND queue_ticket > ${after}::bigint`}
              ORDER BY ${QUEUE_ORDER}
              ${limit === null ? sql`` : sql`LIMIT ${limit}`}`;
}
