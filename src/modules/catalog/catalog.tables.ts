import { sql } from 'drizzle-orm';
import { boolean, date, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { depositPercentColumn, type PaymentMode, stores } from '../stores/stores.tables.ts';

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
    /** Free labels ("vegan", "running-shoes"): variants sharing one are offered as alternatives. */
    tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
    /** The product page on the store (http or https): messages and shopper pages link to it. */
    url: text('url'),
    /** A picture of the variant (http or https): messages show it beside the title. */
    imageUrl: text('image_url'),
    price: integer('price').notNull(),
    backorderMode: text('backorder_mode', { enum: ['deny', 'backorder', 'preorder'] }).notNull(),
    backorderLimit: integer('backorder_limit'),
    /** `limit: "auto"`: the cap follows the units on open purchase orders (see promises). */
    backorderLimitAuto: boolean('backorder_limit_auto').notNull().default(false),
    backorderMessage: text('backorder_message'),
    expectedDate: date('expected_date', { mode: 'string' }),
    /** Pre-orders: units may be allocated before this date but do not ship before it. */
    releaseDate: date('release_date', { mode: 'string' }),
    /** The supplier whose lead time dates demand beyond the known purchase orders. */
    supplierId: text('supplier_id'),
    /** How backorders of this variant are paid; null = the store's default. */
    paymentMode: text('payment_mode').$type<PaymentMode>(),
    depositPercent: depositPercentColumn('deposit_percent'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.storeId, t.sku] })],
);
