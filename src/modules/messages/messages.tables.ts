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
  numeric,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { xid8 } from '../../db/outbox.tables.ts';
import type { TemplateKind } from '../templates/templates.context.ts';

/** What a message is about: a kind with a default template per channel (see templates), or a webhook. */
export type MessageKind = TemplateKind | 'webhook';
/**
 * Kinds in the log: also staff invitations (plain text written by the staff module, no template)
 * and the channel tests merchants send from the settings (messages.channeltest.ts), and purchase
 * orders emailed to suppliers (written by replenishment, with a CSV attachment).
 */
export type LoggedMessageKind = MessageKind | 'staff_invite' | 'channel_test' | 'purchase_order';

export type Channel = 'email' | 'sms' | 'webhook';
export type MessageState = 'queued' | 'sending' | 'sent' | 'failed' | 'suppressed';

/** How far the relay has read the outbox (`events`), in (transaction id, seq) order. */
export const relayCursors = pgTable('relay_cursors', {
  name: text('name').primaryKey(),
  xid: xid8('xid').notNull(),
  seq: bigint('seq', { mode: 'number' }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
});

export type IncentiveKind = 'free_shipping' | 'percent_off' | 'free_express';

/** One delay incentive rule: a waiting line promised later than `afterDays` days from its order earns it. */
export interface DelayIncentiveRule {
  afterDays: number;
  kind: IncentiveKind;
  percent?: number;
  /** free_express: the method to upgrade to (default: the store's fastest). */
  shippingMethod?: string;
}

/** Per-store channels and messaging rules (secrets are write-only over the API). */
export const messagingSettings = pgTable(
  'messaging_settings',
  {
    storeId: text('store_id').primaryKey(),
    /** smtp(s)://user:pass@host:port; null = email off. */
    smtpUrl: text('smtp_url'),
    emailFrom: text('email_from'),
    replyTo: text('reply_to'),
    /** Twilio-compatible REST API: base URL (e.g. https://api.twilio.com), account SID, token, sender. */
    smsBaseUrl: text('sms_base_url'),
    smsAccountSid: text('sms_account_sid'),
    smsAuthToken: text('sms_auth_token'),
    smsFrom: text('sms_from'),
    /**
     * The built-in outbox: email (SMS) is kept in the message log as delivered instead of being
     * sent, so a store without SMTP or an SMS account still sees its messages (the console shows them).
     */
    emailOutbox: boolean('email_outbox').notNull().default(false),
    smsOutbox: boolean('sms_outbox').notNull().default(false),
    /** Minutes after local midnight; non-transactional messages wait outside [end, start). */
    quietStartMinute: smallint('quiet_start_minute'),
    quietEndMinute: smallint('quiet_end_minute'),
    statusUpdateDays: integer('status_update_days').notNull().default(7),
    /** A delay notice goes out when a line's date moves this many days past the date last told. */
    delayNoticeDays: integer('delay_notice_days').notNull().default(1),
    /** Where the merchant's daily digest goes; null = no digest. */
    merchantEmail: text('merchant_email'),
    /** Public origin of this server, used in self-service links (e.g. https://orders.example.com). */
    publicUrl: text('public_url'),
    /** HMAC key of the store's self-service links; generated on first use. */
    linkSecret: text('link_secret').notNull(),
    /** The key before the last rotation: links signed with it still open until `previousLinkSecretUntil`. */
    previousLinkSecret: text('previous_link_secret'),
    previousLinkSecretUntil: timestamp('previous_link_secret_until', { withTimezone: true }),
    linkSecretRotatedAt: timestamp('link_secret_rotated_at', { withTimezone: true }),
    /** How long a link in a message (or one customer service sends) stays valid. */
    linkLifetimeDays: integer('link_lifetime_days').notNull().default(90),
    /** After a rotation, how long links signed with the previous secret keep working. */
    linkSecretGraceDays: integer('link_secret_grace_days').notNull().default(7),
    /** Back-in-stock alerts sent per free unit in one batch. */
    stockAlertFactor: numeric('stock_alert_factor', { precision: 6, scale: 2, mode: 'number' })
      .notNull()
      .default(1),
    delayIncentives: jsonb('delay_incentives').$type<DelayIncentiveRule[]>().notNull().default([]),
    /** Minutes between two back-in-stock batches of one SKU. */
    alertBatchIntervalMinutes: integer('alert_batch_interval_minutes').notNull().default(15),
    /**
     * The store's platform refunds cancellations by itself: messages may promise a refund even
     * though Backfill does not manage the money.
     */
    refundsAutomatic: boolean('refunds_automatic').notNull().default(false),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    check('messaging_status_update_days', sql`${t.statusUpdateDays} BETWEEN 0 AND 365`),
    check('messaging_delay_notice_days', sql`${t.delayNoticeDays} BETWEEN 1 AND 365`),
    check('messaging_link_lifetime_days', sql`${t.linkLifetimeDays} BETWEEN 1 AND 365`),
    check('messaging_link_grace_days', sql`${t.linkSecretGraceDays} BETWEEN 0 AND 365`),
    check('messaging_alert_batch_interval', sql`${t.alertBatchIntervalMinutes} BETWEEN 1 AND 10080`),
    check(
      'messaging_quiet_minutes',
      sql`(${t.quietStartMinute} IS NULL) = (${t.quietEndMinute} IS NULL)
        AND coalesce(${t.quietStartMinute}, 0) BETWEEN 0 AND 1439 AND coalesce(${t.quietEndMinute}, 0) BETWEEN 0 AND 1439`,
    ),
  ],
);

/**
 * Every message Backfill sends or decided not to send: one row per (event, channel, recipient),
 * enforced by `dedupe_key`, which is what makes delivery at most once.
 */
export const messages = pgTable(
  'messages',
  {
    id: text('id').notNull(),
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    storeId: text('store_id').notNull(),
    dedupeKey: text('dedupe_key').notNull(),
    eventId: text('event_id'),
    eventType: text('event_type'),
    kind: text('kind').$type<LoggedMessageKind>().notNull(),
    channel: text('channel').$type<Channel>().notNull(),
    /** An email address, a phone number, or a webhook endpoint id. */
    recipient: text('recipient').notNull(),
    orderId: text('order_id'),
    /** Transactional messages ignore quiet hours and unsubscribes. */
    transactional: boolean('transactional').notNull(),
    subject: text('subject'),
    body: text('body'),
    html: text('html'),
    /** Webhooks: the JSON body sent. */
    payload: jsonb('payload').$type<Record<string, unknown>>(),
    state: text('state').$type<MessageState>().notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }),
    /** After this, a failing message is given up. */
    giveUpAt: timestamp('give_up_at', { withTimezone: true }).notNull(),
    lastError: text('last_error'),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ name: 'messages_pkey', columns: [t.id, t.storeId] }),
    uniqueIndex('messages_dedupe_idx').on(t.storeId, t.dedupeKey),
    index('messages_store_seq_idx').on(t.storeId, t.seq),
    index('messages_order_idx').on(t.storeId, t.orderId),
    index('messages_due_idx').on(t.nextAttemptAt).where(sql`${t.state} IN ('queued', 'sending')`),
    // Failures by when they were given up (the overview counts today's).
    index('messages_failed_idx').on(t.storeId, t.updatedAt).where(sql`${t.state} = 'failed'`),
  ],
);

/** Every try at delivering a message, kept for the audit log. */
export const messageAttempts = pgTable(
  'message_attempts',
  {
    id: text('id').notNull(),
    messageId: text('message_id').notNull(),
    storeId: text('store_id').notNull(),
    number: integer('number').notNull(),
    status: text('status').$type<'sending' | 'sent' | 'failed' | 'in_doubt'>().notNull(),
    /** HTTP status (webhooks, SMS) or SMTP reply code. */
    responseCode: integer('response_code'),
    response: text('response'),
    error: text('error'),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ name: 'message_attempts_pkey', columns: [t.id, t.storeId] }),
    foreignKey({
      name: 'message_attempts_message_fk',
      columns: [t.messageId, t.storeId],
      foreignColumns: [messages.id, messages.storeId],
    }),
    uniqueIndex('message_attempts_number_idx').on(t.messageId, t.number),
  ],
);

/** A shopper's choices, per store and contact (an email address or a phone number). */
export const contactPreferences = pgTable(
  'contact_preferences',
  {
    storeId: text('store_id').notNull(),
    contact: text('contact').notNull(),
    /** No more non-transactional messages (status updates, alerts). */
    unsubscribed: boolean('unsubscribed').notNull().default(false),
    email: boolean('email').notNull().default(true),
    sms: boolean('sms').notNull().default(true),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.storeId, t.contact] })],
);

/**
 * The promise dates a shopper has been told for a line: the first (incentives measure the delay
 * from it) and the latest (a delay notice goes out only when the date moves past it).
 */
export const linePromisesTold = pgTable(
  'line_promises_told',
  {
    lineId: text('line_id').notNull(),
    storeId: text('store_id').notNull(),
    orderId: text('order_id').notNull(),
    firstEta: date('first_eta', { mode: 'string' }).notNull(),
    toldEta: date('told_eta', { mode: 'string' }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ name: 'line_promises_told_pkey', columns: [t.lineId, t.storeId] })],
);

/** A delay incentive earned by a waiting line (the store's platform honours the code). */
export const orderIncentives = pgTable(
  'order_incentives',
  {
    id: text('id').notNull(),
    storeId: text('store_id').notNull(),
    orderId: text('order_id').notNull(),
    lineId: text('line_id').notNull(),
    afterDays: integer('after_days').notNull(),
    kind: text('kind').$type<IncentiveKind>().notNull(),
    percent: integer('percent'),
    code: text('code').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ name: 'order_incentives_pkey', columns: [t.id, t.storeId] }),
    uniqueIndex('order_incentives_rule_idx').on(t.lineId, t.afterDays),
    index('order_incentives_order_idx').on(t.storeId, t.orderId),
  ],
);

/**
 * Short links for SMS (`/s/{token}`): the token names a signed self-service link, which the
 * server redirects to. Made only for the links a text message actually carries.
 */
export const shortLinks = pgTable(
  'short_links',
  {
    /** The random part of the token; the rest of the token is its signature. */
    id: text('id').notNull(),
    storeId: text('store_id').notNull(),
    /** The signed link it stands for. */
    target: text('target').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ name: 'short_links_pkey', columns: [t.id, t.storeId] }),
    index('short_links_expiry_idx').on(t.expiresAt),
  ],
);
