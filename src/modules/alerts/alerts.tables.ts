import { sql } from 'drizzle-orm';
import { index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

/** A shopper waiting to hear that a variant which cannot be backordered is back in stock. */
export const stockAlerts = pgTable(
  'stock_alerts',
  {
    id: text('id').notNull(),
    storeId: text('store_id').notNull(),
    sku: text('sku').notNull(),
    channel: text('channel').$type<'email' | 'sms'>().notNull(),
    contact: text('contact').notNull(),
    state: text('state').$type<'waiting' | 'notified' | 'cancelled'>().notNull(),
    /** Sign-ups merged into this one (the same contact asking again). */
    signups: integer('signups').notNull().default(1),
    messageId: text('message_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    notifiedAt: timestamp('notified_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ name: 'stock_alerts_pkey', columns: [t.id, t.storeId] }),
    uniqueIndex('stock_alerts_waiting_idx')
      .on(t.storeId, t.sku, t.contact)
      .where(sql`${t.state} = 'waiting'`),
    index('stock_alerts_queue_idx').on(t.storeId, t.sku, t.createdAt).where(sql`${t.state} = 'waiting'`),
    // The last batch per SKU spaces the next one.
    index('stock_alerts_notified_idx').on(t.storeId, t.sku, t.notifiedAt).where(sql`${t.state} = 'notified'`),
  ],
);
