import { foreignKey, index, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { orders } from './stock.orders.tables.ts';

export const shipments = pgTable(
  'shipments',
  {
    id: text('id').notNull(),
    storeId: text('store_id').notNull(),
    orderId: text('order_id').notNull(),
    carrier: text('carrier'),
    trackingNumber: text('tracking_number'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ name: 'shipments_pkey', columns: [t.id, t.storeId] }),
    foreignKey({
      name: 'shipments_order_fk',
      columns: [t.orderId, t.storeId],
      foreignColumns: [orders.id, orders.storeId],
    }),
    index('shipments_order_idx').on(t.orderId),
  ],
);

export const shipmentLines = pgTable(
  'shipment_lines',
  {
    shipmentId: text('shipment_id').notNull(),
    storeId: text('store_id').notNull(),
    lineId: text('line_id').notNull(),
    sku: text('sku').notNull(),
    quantity: integer('quantity').notNull(),
  },
  (t) => [
    foreignKey({
      name: 'shipment_lines_shipment_fk',
      columns: [t.shipmentId, t.storeId],
      foreignColumns: [shipments.id, shipments.storeId],
    }),
    primaryKey({ name: 'shipment_lines_pkey', columns: [t.shipmentId, t.lineId, t.storeId] }),
  ],
);
