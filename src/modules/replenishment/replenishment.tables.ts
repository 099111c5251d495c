import {
  boolean,
  doublePrecision,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';

/** A store's replenishment defaults (a row once changed; defaults otherwise). */
export const replenishmentSettings = pgTable('replenishment_settings', {
  storeId: text('store_id').primaryKey(),
  /** Target service level (probability of not running out during the protection period). */
  serviceLevel: doublePrecision('service_level').notNull().default(0.95),
  /** Days between replenishment runs: an order covers the protection period plus these. */
  reviewDays: integer('review_days').notNull().default(7),
  /** Days of demand history the forecasts read. */
  historyDays: integer('history_days').notNull().default(365),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
});

/** Per-variant rules: a service level of its own, min/max (which override the forecast), order constraints. */
export const replenishmentRules = pgTable(
  'replenishment_rules',
  {
    storeId: text('store_id').notNull(),
    sku: text('sku').notNull(),
    serviceLevel: doublePrecision('service_level'),
    minUnits: integer('min_units'),
    maxUnits: integer('max_units'),
    moq: integer('moq'),
    packSize: integer('pack_size'),
    maxOrder: integer('max_order'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.storeId, t.sku] })],
);

/** Suppliers in automatic mode: their drafts are ordered and emailed at once. */
export const replenishmentSuppliers = pgTable(
  'replenishment_suppliers',
  {
    storeId: text('store_id').notNull(),
    supplierId: text('supplier_id').notNull(),
    automatic: boolean('automatic').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.storeId, t.supplierId] })],
);

/** Purchase orders a run drafted, with each line's explanation (a later run replaces drafts still unordered). */
export const replenishmentDrafts = pgTable(
  'replenishment_drafts',
  {
    storeId: text('store_id').notNull(),
    purchaseOrderId: text('purchase_order_id').notNull(),
    supplierId: text('supplier_id').notNull(),
    explanations: jsonb('explanations').$type<Record<string, unknown>[]>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.storeId, t.purchaseOrderId] })],
);
