import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
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
import { stores } from '../stores/stores.tables.ts';

export type Platform = 'shopify' | 'bigcommerce' | 'woocommerce';
export type ConnectionState = 'active' | 'error';

/** The initial import's progress: resumable from `cursor` within `phase`. */
export interface ImportProgress {
  state: 'idle' | 'running' | 'done' | 'failed';
  phase: 'catalogue' | 'orders' | 'done';
  cursor: string | null;
  variants: number;
  orders: number;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
}

/** What the last reconciliation found and repaired. */
export interface DriftReport {
  checkedAt: string;
  checked: number;
  found: number;
  repaired: number;
  items: { sku: string; field: string; platform: unknown; backfill: unknown }[];
}

/** A store's link to its platform: credentials sealed at rest (AES-256-GCM), never returned. */
export const connections = pgTable(
  'connections',
  {
    id: text('id').notNull(),
    storeId: text('store_id').notNull(),
    platform: text('platform').$type<Platform>().notNull(),
    /** The shop's domain (`example.myshopify.com`). */
    shop: text('shop').notNull(),
    /** Where the platform's API is reached: `https://<shop>` unless a proxy or stand-in is named. */
    baseUrl: text('base_url').notNull(),
    /** `v1.` + base64 of iv | tag | ciphertext of the credentials' JSON. */
    credentials: text('credentials').notNull(),
    /** The platform location whose quantity Backfill sets (found at import). */
    locationId: text('location_id'),
    state: text('state').$type<ConnectionState>().notNull(),
    lastError: text('last_error'),
    lastSyncAt: timestamp('last_sync_at', { withTimezone: true }),
    importProgress: jsonb('import_progress').$type<ImportProgress>().notNull(),
    drift: jsonb('drift').$type<DriftReport>(),
    /** Shipments Backfill records for the connection's orders are created on the platform too. */
    pushFulfilments: boolean('push_fulfilments').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ name: 'connections_pkey', columns: [t.id, t.storeId] }),
    foreignKey({ name: 'connections_store_fk', columns: [t.storeId], foreignColumns: [stores.id] }),
    uniqueIndex('connections_shop_idx').on(t.storeId, t.platform, t.shop),
    // Webhooks name the connection alone (the platform knows no store id): not unique, by design of
    // distribution (a unique index must hold store_id), but ids are random.
    index('connections_id_idx').on(t.id),
  ],
);

export type InboxState = 'pending' | 'parked' | 'done' | 'skipped' | 'failed';

/**
 * Inbound webhooks, stored before anything is done with them (the inbox), once per platform event:
 * `dedupeKey` is topic + resource id + version, so a replay or a second delivery is no new row.
 * Processed by the worker; an event about an order not yet known waits (`parked`, `waitsFor`).
 */
export const connectorEvents = pgTable(
  'connector_events',
  {
    id: text('id').notNull(),
    storeId: text('store_id').notNull(),
    connectionId: text('connection_id').notNull(),
    topic: text('topic').notNull(),
    resourceId: text('resource_id').notNull(),
    version: text('version').notNull(),
    dedupeKey: text('dedupe_key').notNull(),
    webhookId: text('webhook_id'),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    state: text('state').$type<InboxState>().notNull(),
    /** `order:<platform order id>` while the event waits for that order. */
    waitsFor: text('waits_for'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }),
    lastError: text('last_error'),
    /** What processing did (the order placed, the units shipped, a privacy export). */
    result: jsonb('result').$type<Record<string, unknown>>(),
    orderId: text('order_id'),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull(),
    processedAt: timestamp('processed_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ name: 'connector_events_pkey', columns: [t.id, t.storeId] }),
    foreignKey({
      name: 'connector_events_connection_fk',
      columns: [t.connectionId, t.storeId],
      foreignColumns: [connections.id, connections.storeId],
    }).onDelete('cascade'),
    uniqueIndex('connector_events_dedupe_idx').on(t.storeId, t.connectionId, t.dedupeKey),
    index('connector_events_state_idx').on(t.storeId, t.connectionId, t.state, t.receivedAt),
    index('connector_events_waits_idx')
      .on(t.storeId, t.connectionId, t.waitsFor)
      .where(sql`${t.state} = 'parked'`),
    index('connector_events_due_idx').on(t.nextAttemptAt).where(sql`${t.state} = 'pending'`),
  ],
);

/** What Backfill last told the platform about a SKU. */
export interface PushedState {
  policy: 'CONTINUE' | 'DENY';
  quantity: number;
  expectedDate: string | null;
  /** Units that may still wait beyond the stock (null: no cap); BigCommerce's `backorder_limit`. */
  backorderRemaining?: number | null;
}

/**
 * Each SKU the platform sells, with its platform ids, and its outbound sync state: stock commands
 * bump `wantedVersion` in their own transaction (cheap: one indexed UPDATE); the pusher sends the
 * SKU's latest state once and records `pushedVersion`, so any number of changes coalesce into one
 * call, and a push whose state equals `pushedState` calls nothing.
 */
export const connectorSkus = pgTable(
  'connector_skus',
  {
    storeId: text('store_id').notNull(),
    connectionId: text('connection_id').notNull(),
    sku: text('sku').notNull(),
    productId: text('product_id').notNull(),
    variantId: text('variant_id').notNull(),
    inventoryItemId: text('inventory_item_id'),
    wantedVersion: bigint('wanted_version', { mode: 'number' }).notNull().default(1),
    pushedVersion: bigint('pushed_version', { mode: 'number' }).notNull().default(0),
    pushedState: jsonb('pushed_state').$type<PushedState>(),
    pushedAt: timestamp('pushed_at', { withTimezone: true }),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }),
    /** A pusher holds the row until then (two workers never push one SKU at once). */
    leaseUntil: timestamp('lease_until', { withTimezone: true }),
    lastError: text('last_error'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ name: 'connector_skus_pkey', columns: [t.storeId, t.connectionId, t.sku] }),
    foreignKey({
      name: 'connector_skus_connection_fk',
      columns: [t.connectionId, t.storeId],
      foreignColumns: [connections.id, connections.storeId],
    }).onDelete('cascade'),
    index('connector_skus_sku_idx').on(t.storeId, t.sku),
    // Only rows with an item (Shopify's): an index of every row, led by (store, connection) and
    // smaller than the key, was the planner's pick for joins on the key before a connection's first
    // ANALYZE (the placement's marking of SKUs walked every SKU of the connection, per SKU marked).
    index('connector_skus_item_idx')
      .on(t.storeId, t.connectionId, t.inventoryItemId)
      .where(sql`${t.inventoryItemId} IS NOT NULL`),
    index('connector_skus_dirty_idx')
      .on(t.storeId, t.connectionId)
      .where(sql`${t.wantedVersion} > ${t.pushedVersion}`),
  ],
);

/**
 * Which Backfill order each platform order became, per connection (written when the order is
 * placed or found from a platform event or the import): fulfilment pushes address the platform's
 * order through it.
 */
export const connectorOrders = pgTable(
  'connector_orders',
  {
    storeId: text('store_id').notNull(),
    connectionId: text('connection_id').notNull(),
    platformOrderId: text('platform_order_id').notNull(),
    orderId: text('order_id').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ name: 'connector_orders_pkey', columns: [t.storeId, t.connectionId, t.platformOrderId] }),
    foreignKey({
      name: 'connector_orders_connection_fk',
      columns: [t.connectionId, t.storeId],
      foreignColumns: [connections.id, connections.storeId],
    }).onDelete('cascade'),
    index('connector_orders_order_idx').on(t.storeId, t.orderId),
  ],
);

export type FulfilmentState = 'pending' | 'done' | 'failed' | 'from_platform';

/**
 * Shipments to create on the platform (the fulfilment push): one row per Backfill shipment of an
 * order that came through a connection with `push_fulfilments`, written by the stock hook in the
 * shipment's transaction. A shipment the platform itself reported is `from_platform` and never
 * sent back. The pusher leases pending rows, creates the platform's fulfilment (the connector finds
 * one it already created for this shipment before creating another) and records its id.
 */
export const connectorFulfilments = pgTable(
  'connector_fulfilments',
  {
    storeId: text('store_id').notNull(),
    connectionId: text('connection_id').notNull(),
    shipmentId: text('shipment_id').notNull(),
    orderId: text('order_id').notNull(),
    platformOrderId: text('platform_order_id').notNull(),
    state: text('state').$type<FulfilmentState>().notNull(),
    platformId: text('platform_id'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }),
    leaseUntil: timestamp('lease_until', { withTimezone: true }),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ name: 'connector_fulfilments_pkey', columns: [t.storeId, t.connectionId, t.shipmentId] }),
    foreignKey({
      name: 'connector_fulfilments_connection_fk',
      columns: [t.connectionId, t.storeId],
      foreignColumns: [connections.id, connections.storeId],
    }).onDelete('cascade'),
    index('connector_fulfilments_due_idx').on(t.nextAttemptAt).where(sql`${t.state} = 'pending'`),
  ],
);
