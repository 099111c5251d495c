import { sql } from 'drizzle-orm';
import {
  bigserial,
  check,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

export const suppliers = pgTable(
  'suppliers',
  {
    id: text('id').primaryKey(),
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    storeId: text('store_id').notNull(),
    name: text('name').notNull(),
    email: text('email'),
    leadTimeDays: integer('lead_time_days').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('suppliers_store_seq_idx').on(t.storeId, t.seq)],
);

export type PurchaseOrderStatus = 'draft' | 'ordered' | 'partially_received' | 'received' | 'cancelled';

export const purchaseOrders = pgTable(
  'purchase_orders',
  {
    id: text('id').primaryKey(),
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    storeId: text('store_id').notNull(),
    supplierId: text('supplier_id')
      .notNull()
      .references(() => suppliers.id),
    reference: text('reference'),
    status: text('status').$type<PurchaseOrderStatus>().notNull(),
    expectedDate: date('expected_date', { mode: 'string' }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('purchase_orders_store_seq_idx').on(t.storeId, t.seq),
    uniqueIndex('purchase_orders_reference_idx').on(t.storeId, t.reference),
  ],
);

export const purchaseOrderLines = pgTable(
  'purchase_order_lines',
  {
    id: text('id').primaryKey(),
    storeId: text('store_id').notNull(),
    purchaseOrderId: text('purchase_order_id')
      .notNull()
      .references(() => purchaseOrders.id),
    lineNo: integer('line_no').notNull(),
    sku: text('sku').notNull(),
    quantity: integer('quantity').notNull(),
    received: integer('received').notNull().default(0),
    unitCost: integer('unit_cost').notNull(),
  },
  (t) => [
    index('purchase_order_lines_po_idx').on(t.purchaseOrderId, t.lineNo),
    // Open supply per SKU: what the promise engine reads.
    index('purchase_order_lines_sku_idx').on(t.storeId, t.sku),
    check('purchase_order_lines_received_range', sql`${t.received} >= 0 AND ${t.quantity} > 0`),
  ],
);

/** Every move of a purchase order's expected date, oldest first. */
export const purchaseOrderDateChanges = pgTable(
  'purchase_order_date_changes',
  {
    id: text('id').primaryKey(),
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    purchaseOrderId: text('purchase_order_id')
      .notNull()
      .references(() => purchaseOrders.id),
    previousDate: date('previous_date', { mode: 'string' }),
    expectedDate: date('expected_date', { mode: 'string' }).notNull(),
    reason: text('reason'),
    changedAt: timestamp('changed_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('purchase_order_date_changes_po_idx').on(t.purchaseOrderId, t.seq)],
);

export interface ReceiptLine {
  sku: string;
  quantity: number;
}
export interface CrossDockLine {
  orderId: string;
  lineId: string;
  sku: string;
  quantity: number;
}

/**
 * A delivery received against a purchase order, with the plan it produced: which units went
 * straight to waiting orders (cross-dock) and which to the shelf. `lateDays` (receipt day minus
 * the expected date in force, in the store's time zone) measures the supplier's reliability.
 */
export const receipts = pgTable(
  'receipts',
  {
    id: text('id').primaryKey(),
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    storeId: text('store_id').notNull(),
    purchaseOrderId: text('purchase_order_id')
      .notNull()
      .references(() => purchaseOrders.id),
    supplierId: text('supplier_id').notNull(),
    lines: jsonb('lines').$type<ReceiptLine[]>().notNull(),
    crossDock: jsonb('cross_dock').$type<CrossDockLine[]>().notNull(),
    putaway: jsonb('putaway').$type<ReceiptLine[]>().notNull(),
    expectedDate: date('expected_date', { mode: 'string' }).notNull(),
    receivedOn: date('received_on', { mode: 'string' }).notNull(),
    lateDays: integer('late_days').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('receipts_po_idx').on(t.purchaseOrderId, t.seq),
    index('receipts_supplier_idx').on(t.supplierId, t.seq),
  ],
);
