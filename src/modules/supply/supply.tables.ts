import { sql } from 'drizzle-orm';
import {
  bigserial,
  check,
  date,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

export const suppliers = pgTable(
  'suppliers',
  {
    id: text('id').notNull(),
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    storeId: text('store_id').notNull(),
    name: text('name').notNull(),
    email: text('email'),
    leadTimeDays: integer('lead_time_days').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ name: 'suppliers_pkey', columns: [t.id, t.storeId] }),
    index('suppliers_store_seq_idx').on(t.storeId, t.seq),
  ],
);

export type PurchaseOrderStatus = 'draft' | 'ordered' | 'partially_received' | 'received' | 'cancelled';

export const purchaseOrders = pgTable(
  'purchase_orders',
  {
    id: text('id').notNull(),
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    storeId: text('store_id').notNull(),
    supplierId: text('supplier_id').notNull(),
    reference: text('reference'),
    status: text('status').$type<PurchaseOrderStatus>().notNull(),
    expectedDate: date('expected_date', { mode: 'string' }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ name: 'purchase_orders_pkey', columns: [t.id, t.storeId] }),
    foreignKey({
      name: 'purchase_orders_supplier_fk',
      columns: [t.supplierId, t.storeId],
      foreignColumns: [suppliers.id, suppliers.storeId],
    }),
    index('purchase_orders_store_seq_idx').on(t.storeId, t.seq),
    uniqueIndex('purchase_orders_reference_idx').on(t.storeId, t.reference),
    // Open purchase orders by expected date: the late ones are a range of it.
    index('purchase_orders_open_idx')
      .on(t.storeId, t.expectedDate)
      .where(sql`${t.status} IN ('ordered', 'partially_received')`),
  ],
);

export const purchaseOrderLines = pgTable(
  'purchase_order_lines',
  {
    id: text('id').notNull(),
    storeId: text('store_id').notNull(),
    purchaseOrderId: text('purchase_order_id').notNull(),
    lineNo: integer('line_no').notNull(),
    sku: text('sku').notNull(),
    quantity: integer('quantity').notNull(),
    received: integer('received').notNull().default(0),
    unitCost: integer('unit_cost').notNull(),
  },
  (t) => [
    primaryKey({ name: 'purchase_order_lines_pkey', columns: [t.id, t.storeId] }),
    foreignKey({
      name: 'purchase_order_lines_po_fk',
      columns: [t.purchaseOrderId, t.storeId],
      foreignColumns: [purchaseOrders.id, purchaseOrders.storeId],
    }),
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
    id: text('id').notNull(),
    storeId: text('store_id').notNull(),
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    purchaseOrderId: text('purchase_order_id').notNull(),
    previousDate: date('previous_date', { mode: 'string' }),
    expectedDate: date('expected_date', { mode: 'string' }).notNull(),
    reason: text('reason'),
    changedAt: timestamp('changed_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ name: 'purchase_order_date_changes_pkey', columns: [t.id, t.storeId] }),
    foreignKey({
      name: 'purchase_order_date_changes_po_fk',
      columns: [t.purchaseOrderId, t.storeId],
      foreignColumns: [purchaseOrders.id, purchaseOrders.storeId],
    }),
    index('purchase_order_date_changes_po_idx').on(t.purchaseOrderId, t.seq),
  ],
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
    id: text('id').notNull(),
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    storeId: text('store_id').notNull(),
    purchaseOrderId: text('purchase_order_id').notNull(),
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
    primaryKey({ name: 'receipts_pkey', columns: [t.id, t.storeId] }),
    foreignKey({
      name: 'receipts_po_fk',
      columns: [t.purchaseOrderId, t.storeId],
      foreignColumns: [purchaseOrders.id, purchaseOrders.storeId],
    }),
    index('receipts_po_idx').on(t.purchaseOrderId, t.seq),
    index('receipts_supplier_idx').on(t.supplierId, t.seq),
  ],
);
