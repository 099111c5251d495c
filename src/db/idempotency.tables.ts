import { integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * A key is claimed (row inserted) inside the command's own transaction, so a crash leaves no
 * half-claimed key and a concurrent request with the same key waits on the row, then replays.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    storeId: text('store_id').notNull(),
    method: text('method').notNull(),
    path: text('path').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    statusCode: integer('status_code'),
    response: jsonb('response'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.storeId, t.method, t.path, t.key] })],
);
