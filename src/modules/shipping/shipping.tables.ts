import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  index,
  integer,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';
import type { Weekday } from '../../shared/dates.ts';

/** A store's shipping calendar and its default method (no row: Monday to Friday, no default). */
export const shippingSettings = pgTable('shipping_settings', {
  storeId: text('store_id').primaryKey(),
  /** Weekdays parcels leave and travel ('mon' … 'sun'). */
  workingDays: text('working_days').array().$type<Weekday[]>().notNull(),
  /** Dates nothing leaves or travels (holidays), YYYY-MM-DD. */
  closedDates: text('closed_dates').array().notNull().default(sql`'{}'::text[]`),
  /** The method of lines whose order named none; null = such lines have no delivery window. */
  defaultMethod: text('default_method'),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
});

/**
 * The ways a store ships. A method taken out of offer is kept (`retired`): lines that ship with
 * it keep their delivery window.
 */
export const shippingMethods = pgTable(
  'shipping_methods',
  {
    storeId: text('store_id').notNull(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    /** Working days in transit, at best and at worst. */
    transitDaysMin: smallint('transit_days_min').notNull(),
    transitDaysMax: smallint('transit_days_max').notNull(),
    /** Minutes after local midnight after which a parcel leaves the next working day; null = none. */
    cutoffMinute: smallint('cutoff_minute'),
    /** Where it is listed among the store's methods (the order of creation). */
    position: integer('position').notNull(),
    retired: boolean('retired').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.storeId, t.code] }),
    check(
      'shipping_methods_transit',
      sql`${t.transitDaysMin} >= 0 AND ${t.transitDaysMax} >= ${t.transitDaysMin}`,
    ),
  ],
);

/**
 * The method each line ships with, when its order named one or an incentive upgraded it (other
 * lines ship with the store's default method).
 */
export const shippingLines = pgTable(
  'shipping_lines',
  {
    lineId: text('line_id').notNull(),
    storeId: text('store_id').notNull(),
    orderId: text('order_id').notNull(),
    method: text('method').notNull(),
    /** The method the order named when placed (null: it named none). */
    orderedMethod: text('ordered_method'),
    /** The method a delay incentive upgraded the line from (null: never upgraded). */
    upgradedFrom: text('upgraded_from'),
    /** When a delay incentive upgraded the line to `method`. */
    upgradedAt: timestamp('upgraded_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ name: 'shipping_lines_pkey', columns: [t.lineId, t.storeId] }),
    index('shipping_lines_order_idx').on(t.storeId, t.orderId),
  ],
);
