import { pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/** A store's own template for one message kind on one channel (defaults live in code). */
export const messageTemplates = pgTable(
  'message_templates',
  {
    storeId: text('store_id').notNull(),
    kind: text('kind').notNull(),
    channel: text('channel').notNull(),
    subject: text('subject'),
    body: text('body').notNull(),
    html: text('html'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.storeId, t.kind, t.channel] })],
);
