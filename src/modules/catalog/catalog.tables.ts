import { date, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { stores } from '../stores/stores.tables.ts';

export const variants = pgTable(
  'variants',
  {
    storeId: text('store_id')
      .notNull()
      .references(() => stores.id),
    sku: text('sku').notNull(),
    title: text('title').notNull(),
    productId: text('product_id'),
    attributes: jsonb('attributes').$type<Record<string, string>>().notNull(),
    price: integer('price').notNull(),
    backorderMode: text('backorder_mode', { enum: ['deny', 'backorder', 'preorder'] }).notNull(),
    backorderLimit: integer('backorder_limit'),
    backorderMessage: text('backorder_message'),
    expectedDate: date('expected_date', { mode: 'string' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.storeId, t.sku] })],
);
