import { boolean, index, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/** Where a store wants its events delivered, signed per the Standard Webhooks spec. */
export const webhookEndpoints = pgTable(
  'webhook_endpoints',
  {
    id: text('id').notNull(),
    storeId: text('store_id').notNull(),
    url: text('url').notNull(),
    description: text('description'),
    /** Event types delivered; empty = every type. */
    eventTypes: text('event_types').array().notNull(),
    /** `whsec_` + base64 of the signing key. */
    secret: text('secret').notNull(),
    enabled: boolean('enabled').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ name: 'webhook_endpoints_pkey', columns: [t.id, t.storeId] }),
    index('webhook_endpoints_store_idx').on(t.storeId),
  ],
);
