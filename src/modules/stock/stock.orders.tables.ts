import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
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

export interface Customer {
  email?: string;
  name?: string;
  phone?: string;
}

// store_id is deliberately not a foreign key on the hot tables (orders, lines, events, ledger):
// each insert would take a key-share lock on the one store row and serialise a flash sale on it.
export const orders = pgTable(
  'orders',
  {
    id: text('id').notNull(),
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    storeId: text('store_id').notNull(),
    externalId: text('external_id'),
    status: text('status').notNull(),
    customer: jsonb('customer').$type<Customer>().notNull(),
    currency: text('currency').notNull(),
    /** Lines of the order (fixed at placement): a one-line order's status follows from its line alone. */
    lineCount: integer('line_count').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ name: 'orders_pkey', columns: [t.id, t.storeId] }),
    uniqueIndex('orders_external_id_idx').on(t.storeId, t.externalId),
    // No index on status: a status change then updates the row in place (a HOT update, helped by
    // fillfactor 50 in migration 0007), which is what lets a restock serve ~100k units/s. Listing
    // by status walks this index newest first and filters.
    index('orders_store_seq_idx').on(t.storeId, t.seq),
    // Customer look-up by email (GET /v1/orders?email=), newest first. The customer never changes
    // after placement, so status updates stay HOT.
    index('orders_customer_email_idx').on(t.storeId, sql`lower(${t.customer}->>'email')`, t.seq),
    // Customer look-up by a prefix of the name (GET /v1/orders?name=): text_pattern_ops lets
    // `LIKE 'ada%'` use the index whatever the database's collation.
    index('orders_customer_name_idx').on(
      t.storeId,
      sql`lower(${t.customer}->>'name') text_pattern_ops`,
      t.seq,
    ),
  ],
);

export const orderLines = pgTable(
  'order_lines',
  {
    id: text('id').notNull(),
    storeId: text('store_id').notNull(),
    orderId: text('order_id').notNull(),
    lineNo: integer('line_no').notNull(),
    sku: text('sku').notNull(),
    quantity: integer('quantity').notNull(),
    unitPrice: integer('unit_price').notNull(),
    allocated: integer('allocated').notNull(),
    backordered: integer('backordered').notNull(),
    shipped: integer('shipped').notNull(),
    cancelled: integer('cancelled').notNull(),
    /** Queue ticket from inventory_levels.queue_tail, set while the line waits. */
    queueTicket: bigint('queue_ticket', { mode: 'number' }),
    /** Promise date for the line's remaining units (see promises), in the store's time zone. */
    eta: date('eta', { mode: 'string' }),
    etaLatest: date('eta_latest', { mode: 'string' }),
    etaSource: text('eta_source'),
    /** The line's order has other lines (orders.line_count > 1); fixed at placement. */
    multiLine: boolean('multi_line').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ name: 'order_lines_pkey', columns: [t.id, t.storeId] }),
    foreignKey({
      name: 'order_lines_order_fk',
      columns: [t.orderId, t.storeId],
      foreignColumns: [orders.id, orders.storeId],
    }),
    index('order_lines_order_idx').on(t.orderId, t.lineNo),
    index('order_lines_queue_idx').on(t.storeId, t.sku, t.queueTicket).where(sql`${t.backordered} > 0`),
    // The overview's waiting orders: one-line orders are counted from the SKUs' waiting lines
    // (inventory_levels), those of several lines from here. Lines of one-line orders never enter it,
    // and a line's update already writes the queue index (its predicate reads `backordered`).
    index('order_lines_multi_waiting_idx')
      .on(t.storeId, t.orderId)
      .where(sql`${t.backordered} > 0 AND ${t.multiLine}`),
    check(
      'order_lines_quantities_add_up',
      sql`${t.quantity} = ${t.allocated} + ${t.backordered} + ${t.shipped} + ${t.cancelled}`,
    ),
    check(
      'order_lines_quantities_non_negative',
      sql`${t.allocated} >= 0 AND ${t.backordered} >= 0 AND ${t.shipped} >= 0 AND ${t.cancelled} >= 0`,
    ),
  ],
);
