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
    // The shopper's order page reads an order's date history; only date changes are indexed.
    index('events_eta_changed_order_idx')
      .on(t.storeId, sql`(${t.data}->>'orderId')`, t.seq)
      .where(sql`${t.type} = 'backorder.eta_changed'`),
    // Fills of waiting lines by time: the overview's "filled today".
    index('events_queue_fills_idx')
      .on(t.storeId, t.createdAt)
      .where(sql`${t.type} = 'order.line.allocated' AND (${t.data}->>'source') = 'queue'`),
  ],
);
