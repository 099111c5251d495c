import { integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Rate-limit counters shared by every server process on one PostgreSQL (http/rate-limit.ts): one
 * row per client address (or store, for secret keys) and fixed window. Keyed by the client, not by
 * a store: like pg-boss's tables, a per-deployment table, not store data.
 */
export const rateLimitCounters = pgTable('rate_limit_counters', {
  key: text('key').primaryKey(),
  windowStart: timestamp('window_start', { withTimezone: true }).notNull(),
  hits: integer('hits').notNull(),
});
