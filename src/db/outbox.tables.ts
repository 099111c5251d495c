import { sql } from 'drizzle-orm';
import {
  bigserial,
  customType,
  index,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';

/** PostgreSQL's 64-bit transaction id: lets the relay read the outbox without missing late commits. */
export const xid8 = customType<{ data: string; driverData: string }>({ dataType: () => 'xid8' });

/**
 * The order an event is about: `data.orderId`, or the order of `order.placed` (`{ order }`) and
 * `shipment.created` (`{ shipment }`). Written the same in events_order_idx and in its queries.
 */
export const EVENT_ORDER_ID = `coalesce(data->>'orderId', data->'order'->>'id', data->'shipment'->>'orderId')`;

/** Every state change writes its events here in the same transaction; it doubles as the outbox. */
export const events = pgTable(
  'events',
  {
    id: text('id').notNull(),
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    storeId: text('store_id').notNull(),
    type: text('type').notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    /** The writing transaction: the relay reads only transactions that can no longer commit late. */
    xid: xid8('xid').notNull().default(sql`pg_current_xact_id()`),
  },
  (t) => [
    primaryKey({ name: 'events_pkey', columns: [t.id, t.storeId] }),
    index('events_store_seq_idx').on(t.storeId, t.seq),
    index('events_store_type_seq_idx').on(t.storeId, t.type, t.seq),
    index('events_xid_seq_idx').on(t.xid, t.seq),
    // An order's events: the console's order timeline, and the shopper's order page (its date
    // history). Only events about an order are indexed; queries name EVENT_ORDER_ID as written.
    index('events_order_idx')
      .on(t.storeId, sql.raw(EVENT_ORDER_ID), t.seq)
      .where(sql.raw(`${EVENT_ORDER_ID} IS NOT NULL`)),
    // Fills of waiting lines by time: the overview's "filled today".
    index('events_queue_fills_idx')
      .on(t.storeId, t.createdAt)
      .where(sql`${t.type} = 'order.line.allocated' AND (${t.data}->>'source') = 'queue'`),
  ],
);
