import { sql } from 'drizzle-orm';
import { index, integer, numeric, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** How a line is paid: all at once when ordered, when its units are ready, or a deposit then the rest. */
export type PaymentMode = 'upfront' | 'on_ship' | 'deposit';
/** What an API key opens: every admin endpoint, admin reads only, or the storefront endpoints. */
export type KeyScope = 'full' | 'read-only' | 'storefront';

/** `none`: Backfill does not manage payments for the store (its platform does, unseen). */
export type StoreProvider = 'none' | 'manual' | 'stripe';

/** A percentage with two decimals (deposits): the store's default and a variant's own. */
export const depositPercentColumn = (name: string) => numeric(name, { precision: 5, scale: 2 });

export const stores = pgTable(
  'stores',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    currency: text('currency').notNull(),
    timezone: text('timezone').notNull(),
    /** Days between units reaching the warehouse and leaving it; added to every promise date. */
    handlingDays: integer('handling_days').notNull().default(0),
    /** Lead time assumed for a SKU that has no supplier of its own. */
    defaultLeadTimeDays: integer('default_lead_time_days').notNull().default(14),
    /** Units an automatic backorder cap allows beyond what is on open purchase orders. */
    autoLimitBuffer: integer('auto_limit_buffer').notNull().default(0),
    /** Who takes the money: `none` (not managed by Backfill), `manual` (reported) or `stripe`. */
    paymentProvider: text('payment_provider').$type<StoreProvider>().notNull().default('none'),
    /** Default payment mode of variants that set none. */
    paymentMode: text('payment_mode').$type<PaymentMode>().notNull().default('upfront'),
    depositPercent: depositPercentColumn('deposit_percent').notNull().default('20'),
    /** Days allocated units wait for a failed payment before going to the next in line. */
    paymentGraceDays: integer('payment_grace_days').notNull().default(3),
    /** Waits up to this many days are held by an authorisation; longer ones save the card instead. */
    authorisationDays: integer('authorisation_days').notNull().default(7),
    /**
     * Web origins whose pages may call the storefront endpoints from the browser (CORS), e.g.
     * `https://shop.example`; a preflight passes when any store allows its origin (GIN-indexed).
     */
    allowedOrigins: text('allowed_origins').array().notNull().default(sql`'{}'::text[]`),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('stores_allowed_origins_idx').using('gin', t.allowedOrigins)],
);

/**
 * A store's API keys, several per store, each with a name and a scope: `full` (`sk_…`, every admin
 * endpoint), `read-only` (`rk_…`, admin reads only) or `storefront` (`pk_…`, the storefront
 * endpoints). Only SHA-256 hashes are stored; the key itself is shown once, when created. A revoked
 * key stays listed (with `revokedAt`) and never works again.
 */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    storeId: text('store_id')
      .notNull()
      .references(() => stores.id),
    name: text('name').notNull().default(''),
    scope: text('scope').$type<KeyScope>().notNull().default('full'),
    keyHash: text('key_hash').notNull().unique(),
    lastFour: text('last_four').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    /** To the minute: written at most once a minute per key. */
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [index('api_keys_store_idx').on(t.storeId)],
);
