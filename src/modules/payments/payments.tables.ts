import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import type { PaymentMode } from '../stores/stores.tables.ts';

/** The shopper's saved way to pay, given with the order (Stripe: a Customer and a PaymentMethod). */
export interface PaymentMethodRef {
  customerId?: string;
  paymentMethodId?: string;
}

const money = (name: string) => bigint(name, { mode: 'number' });

/**
 * The money side of one order line, for stores whose payments Backfill manages. `amount` is what
 * the line costs after its share of the order's discount; `captured` and `refunded` are the totals
 * moved so far; holds (authorisations) are in `payments`. The units a line must have paid for at
 * any moment follow from its quantities (see payments.models.ts).
 */
export const paymentLines = pgTable(
  'payment_lines',
  {
    lineId: text('line_id').notNull(),
    storeId: text('store_id').notNull(),
    orderId: text('order_id').notNull(),
    provider: text('provider').$type<'manual' | 'stripe'>().notNull(),
    mode: text('mode').$type<PaymentMode>().notNull(),
    currency: text('currency').notNull(),
    amount: money('amount').notNull(),
    discount: money('discount').notNull(),
    deposit: money('deposit').notNull(),
    captured: money('captured').notNull().default(0),
    refunded: money('refunded').notNull().default(0),
    /** The shopper asked for one shipment: no unit of the order is ready until every unit is. */
    shipComplete: boolean('ship_complete').notNull().default(false),
    method: jsonb('method').$type<PaymentMethodRef>().notNull(),
    /** Since when ready units have been waiting for money (the grace period runs from here). */
    dueSince: timestamp('due_since', { withTimezone: true }),
    /** Failed collections in a row; drives the retry schedule. */
    failures: integer('failures').notNull().default(0),
    /** When the collector should look at the line next; null = nothing to do. */
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ name: 'payment_lines_pkey', columns: [t.lineId, t.storeId] }),
    index('payment_lines_order_idx').on(t.orderId),
    check(
      'payment_lines_money_adds_up',
      sql`${t.amount} >= 0 AND ${t.deposit} BETWEEN 0 AND ${t.amount} AND ${t.refunded} BETWEEN 0 AND ${t.captured}`,
    ),
    index('payment_lines_due_idx').on(t.nextAttemptAt).where(sql`${t.nextAttemptAt} IS NOT NULL`),
    // Lines holding money (the overview's prepaid money held reads only these).
    index('payment_lines_held_idx').on(t.storeId).where(sql`${t.captured} > ${t.refunded}`),
  ],
);

/** A payment at the provider (a Stripe PaymentIntent, a reported manual payment): holds and charges. */
export const payments = pgTable(
  'payments',
  {
    id: text('id').notNull(),
    storeId: text('store_id').notNull(),
    orderId: text('order_id').notNull(),
    lineId: text('line_id').notNull(),
    provider: text('provider').notNull(),
    providerPaymentId: text('provider_payment_id').notNull(),
    /** `authorised` (a hold), `captured`, `voided`, `expired` (the hold lapsed unused). */
    state: text('state').$type<'authorised' | 'captured' | 'voided' | 'expired'>().notNull(),
    currency: text('currency').notNull(),
    authorised: money('authorised').notNull(),
    captured: money('captured').notNull(),
    refunded: money('refunded').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    reference: text('reference'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ name: 'payments_pkey', columns: [t.id, t.storeId] }),
    index('payments_line_idx').on(t.lineId),
    check(
      'payments_money_adds_up',
      sql`${t.captured} BETWEEN 0 AND ${t.authorised} AND ${t.refunded} BETWEEN 0 AND ${t.captured}`,
    ),
  ],
);

/**
 * Every call to a provider (and every payment a merchant reports), written `pending` and committed
 * before the call, settled after it. A pending attempt is money in doubt: the reconciliation job
 * settles it through the provider with the same idempotency key, so no call is applied twice.
 */
export const paymentAttempts = pgTable(
  'payment_attempts',
  {
    id: text('id').notNull(),
    storeId: text('store_id').notNull(),
    orderId: text('order_id').notNull(),
    lineId: text('line_id').notNull(),
    paymentId: text('payment_id'),
    operation: text('operation')
      .$type<'authorise' | 'capture' | 'charge' | 'refund' | 'void' | 'save_method' | 'report'>()
      .notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    amount: money('amount').notNull(),
    currency: text('currency').notNull(),
    status: text('status').$type<'pending' | 'succeeded' | 'requires_action' | 'failed'>().notNull(),
    reason: text('reason'),
    message: text('message'),
    reference: text('reference'),
    /** What was asked of the provider, so a reconciliation can repeat exactly the same call. */
    request: jsonb('request').$type<Record<string, unknown>>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    settledAt: timestamp('settled_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ name: 'payment_attempts_pkey', columns: [t.id, t.storeId] }),
    uniqueIndex('payment_attempts_key_idx').on(t.storeId, t.idempotencyKey),
    index('payment_attempts_line_idx').on(t.lineId),
    index('payment_attempts_pending_idx').on(t.createdAt).where(sql`${t.status} = 'pending'`),
  ],
);
