import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';
import type { AppliedSchedule, PromiseInputs } from '../promises/promises.models.ts';

/**
 * One row per SKU: the stock buckets, kept in step with the ledger and the order lines inside
 * the same transaction. The row is also the SKU's lock: every command that moves stock or the
 * queue takes it with SELECT … FOR UPDATE first. The backorder policy is copied here from the
 * variant (in the variant's transaction) so that one locked row holds everything allocation reads.
 */
export const inventoryLevels = pgTable(
  'inventory_levels',
  {
    storeId: text('store_id').notNull(),
    sku: text('sku').notNull(),
    onHand: integer('on_hand').notNull().default(0),
    allocated: integer('allocated').notNull().default(0),
    backordered: integer('backordered').notNull().default(0),
    /** Number of order lines currently waiting in this SKU's queue. */
    waitingLines: integer('waiting_lines').notNull().default(0),
    /** Last queue ticket handed out; a waiting line's ticket fixes its place in the queue. */
    queueTail: bigint('queue_tail', { mode: 'number' }).notNull().default(0),
    backorderMode: text('backorder_mode', { enum: ['deny', 'backorder', 'preorder'] }).notNull(),
    backorderLimit: integer('backorder_limit'),
    /** The limit is kept equal to open purchase-order units + the store's buffer. */
    backorderLimitAuto: boolean('backorder_limit_auto').notNull().default(false),
    /** What the promise engine needs about this SKU's supply, kept in step under this row's lock. */
    promiseInputs: jsonb('promise_inputs').$type<PromiseInputs>(),
    /** Bumped whenever promiseInputs change: an optimistic placement re-checks it. */
    promiseVersion: integer('promise_version').notNull().default(0),
    /** The schedule the waiting lines' stored dates were last computed from. */
    promiseApplied: jsonb('promise_applied').$type<AppliedSchedule>(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.storeId, t.sku] }),
    check('inventory_levels_allocated_range', sql`${t.allocated} >= 0 AND ${t.allocated} <= ${t.onHand}`),
    check('inventory_levels_backordered_range', sql`${t.backordered} >= 0 AND ${t.waitingLines} >= 0`),
  ],
);

/**
 * Waiting lines and units per bucket of queue tickets, at several levels: what lets a line's place
 * in its queue be read without counting the queue (see stock.queue.counts.ts). Kept in step by the
 * statements that change order lines, under the SKU's stock lock; buckets that empty stay, at zero.
 */
export const queueCounts = pgTable(
  'queue_counts',
  {
    storeId: text('store_id').notNull(),
    sku: text('sku').notNull(),
    level: smallint('level').notNull(),
    /** queue_ticket >> (6 × level), a floor division. */
    bucket: bigint('bucket', { mode: 'number' }).notNull(),
    lines: integer('lines').notNull(),
    units: integer('units').notNull(),
  },
  // No CHECK (lines >= 0): an upsert checks the row it proposes (the negative change) before it
  // finds the row to add it to.
  (t) => [primaryKey({ columns: [t.storeId, t.sku, t.level, t.bucket] })],
);

export const inventoryAdjustments = pgTable(
  'inventory_adjustments',
  {
    id: text('id').notNull(),
    storeId: text('store_id').notNull(),
    sku: text('sku').notNull(),
    quantity: integer('quantity').notNull(),
    reason: text('reason', { enum: ['restock', 'count', 'damage', 'return', 'other'] }).notNull(),
    note: text('note'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ name: 'inventory_adjustments_pkey', columns: [t.id, t.storeId] })],
);

/** The append-only ledger: `quantity` is the signed change to onHand. */
export const stockMovements = pgTable(
  'stock_movements',
  {
    id: text('id').notNull(),
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    storeId: text('store_id').notNull(),
    sku: text('sku').notNull(),
    type: text('type', { enum: ['adjustment', 'receipt', 'shipment'] }).notNull(),
    quantity: integer('quantity').notNull(),
    orderId: text('order_id'),
    lineId: text('line_id'),
    adjustmentId: text('adjustment_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ name: 'stock_movements_pkey', columns: [t.id, t.storeId] }),
    index('stock_movements_sku_idx').on(t.storeId, t.sku, t.seq),
  ],
);
