/**
 * Demand as shoppers expressed it, rolled up per store, SKU and calendar day (the store's time
 * zone) by the stock hooks in the transaction of each change: reports read these counters, never
 * the orders. Keys start with store_id (see test/distribution.test.ts).
 */
import { boolean, date, index, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';

const counter = (name: string) => integer(name).notNull().default(0);

/** What happened to a SKU on a day: units ordered (by what they got at once), alerts, cancellations, shipments. */
export const demandDaily = pgTable(
  'demand_daily',
  {
    storeId: text('store_id').notNull(),
    sku: text('sku').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    orderedUnits: counter('ordered_units'),
    orderedLines: counter('ordered_lines'),
    /** Units allocated from stock when the order was placed. */
    allocatedUnits: counter('allocated_units'),
    /** Units that had to wait when the order was placed, and the lines they belong to. */
    waitingUnits: counter('waiting_units'),
    waitingLines: counter('waiting_lines'),
    alertSignups: counter('alert_signups'),
    cancelledUnits: counter('cancelled_units'),
    cancelledLines: counter('cancelled_lines'),
    /** Cancelled units that were still waiting. */
    cancelledWaitingUnits: counter('cancelled_waiting_units'),
    shippedUnits: counter('shipped_units'),
  },
  (t) => [
    primaryKey({ columns: [t.storeId, t.sku, t.day] }),
    // Store-wide reports over a period (every SKU of an attribute value, a product).
    index('demand_daily_day_idx').on(t.storeId, t.day),
  ],
);

/*
 * Monthly totals of what the service report reads, per SKU and calendar month (its first day),
 * kept by statement triggers on the daily tables (migration 0021): a report over whole months reads
 * one row per SKU and month instead of one per day, and only the partial months at its ends from
 * the daily rows. Nothing writes these but the triggers.
 */
export const demandMonthly = pgTable(
  'demand_monthly',
  {
    storeId: text('store_id').notNull(),
    sku: text('sku').notNull(),
    month: date('month', { mode: 'string' }).notNull(),
    orderedUnits: counter('ordered_units'),
    allocatedUnits: counter('allocated_units'),
    waitingUnits: counter('waiting_units'),
  },
  (t) => [primaryKey({ columns: [t.storeId, t.sku, t.month] })],
);

export const demandRefusalsMonthly = pgTable(
  'demand_refusals_monthly',
  {
    storeId: text('store_id').notNull(),
    sku: text('sku').notNull(),
    month: date('month', { mode: 'string' }).notNull(),
    units: counter('units'),
  },
  (t) => [primaryKey({ columns: [t.storeId, t.sku, t.month] })],
);

export const demandOutcomesMonthly = pgTable(
  'demand_outcomes_monthly',
  {
    storeId: text('store_id').notNull(),
    sku: text('sku').notNull(),
    month: date('month', { mode: 'string' }).notNull(),
    waitDays: integer('wait_days').notNull(),
    errorDays: integer('error_days').notNull(),
    byLatest: boolean('by_latest').notNull(),
    lines: counter('lines'),
  },
  (t) => [primaryKey({ columns: [t.storeId, t.sku, t.month, t.waitDays, t.errorDays, t.byLatest] })],
);

/** Units the stock refused at placement, by reason (`RefusalReason` of the stock hooks). */
export const demandRefusals = pgTable(
  'demand_refusals',
  {
    storeId: text('store_id').notNull(),
    sku: text('sku').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    reason: text('reason').notNull(),
    units: counter('units'),
    lines: counter('lines'),
  },
  (t) => [
    primaryKey({ columns: [t.storeId, t.sku, t.day, t.reason] }),
    // The days at the ends of a report's period (the whole months come from the monthly table).
    index('demand_refusals_day_idx').on(t.storeId, t.day),
  ],
);

/** Cancellations per day and reason; the waiting lines among them and the waits they had been promised. */
export const demandCancellations = pgTable(
  'demand_cancellations',
  {
    storeId: text('store_id').notNull(),
    sku: text('sku').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    reason: text('reason').notNull(),
    units: counter('units'),
    lines: counter('lines'),
    waitingUnits: counter('waiting_units'),
    /** Lines that waited at placement and were cancelled (counted at their first cancellation). */
    waitingLines: counter('waiting_lines'),
    /** Sum over those lines of the wait they were promised at placement, in days. */
    promisedWaitDays: counter('promised_wait_days'),
  },
  (t) => [primaryKey({ columns: [t.storeId, t.sku, t.day, t.reason] })],
);

/**
 * One row per line that had units waiting when it was placed: its first promise, and the days it
 * was first cancelled and shipped in full. What later counters need to know about the line.
 */
export const demandWaits = pgTable(
  'demand_waits',
  {
    storeId: text('store_id').notNull(),
    lineId: text('line_id').notNull(),
    sku: text('sku').notNull(),
    placedOn: date('placed_on', { mode: 'string' }).notNull(),
    waitingUnits: integer('waiting_units').notNull(),
    promisedOn: date('promised_on', { mode: 'string' }).notNull(),
    promisedLatest: date('promised_latest', { mode: 'string' }).notNull(),
    /** promisedOn − placedOn. */
    promisedWaitDays: integer('promised_wait_days').notNull(),
    cancelledOn: date('cancelled_on', { mode: 'string' }),
    shippedOn: date('shipped_on', { mode: 'string' }),
  },
  (t) => [primaryKey({ columns: [t.storeId, t.lineId] })],
);

/** Lines that waited at placement, by placement day and the wait promised; how many were cancelled. */
export const demandTolerance = pgTable(
  'demand_tolerance',
  {
    storeId: text('store_id').notNull(),
    sku: text('sku').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    promisedWaitDays: integer('promised_wait_days').notNull(),
    waitingLines: counter('waiting_lines'),
    cancelledLines: counter('cancelled_lines'),
  },
  (t) => [primaryKey({ columns: [t.storeId, t.sku, t.day, t.promisedWaitDays] })],
);

/**
 * Lines that waited at placement, counted on the day they shipped in full: how long they waited
 * (days from the order), how far the first promise was off (ship day − first eta; ≤ 0 is on time)
 * and whether they shipped by the first `etaLatest`.
 */
export const demandOutcomes = pgTable(
  'demand_outcomes',
  {
    storeId: text('store_id').notNull(),
    sku: text('sku').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    waitDays: integer('wait_days').notNull(),
    errorDays: integer('error_days').notNull(),
    byLatest: boolean('by_latest').notNull(),
    lines: counter('lines'),
    units: counter('units'),
  },
  (t) => [
    primaryKey({ columns: [t.storeId, t.sku, t.day, t.waitDays, t.errorDays, t.byLatest] }),
    index('demand_outcomes_day_idx').on(t.storeId, t.day),
  ],
);
