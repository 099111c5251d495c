import { and, eq, inArray, lte, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import type { Deps } from '../../shared/context.ts';
import { stores } from '../stores/stores.tables.ts';
import { webhookEndpoints } from '../webhooks/webhooks.tables.ts';
import { OUTBOX_DELIVERY, type Outgoing, type Senders, type SendResult } from './messages.channels.ts';
import { quietHoursRelease, SEND_LEASE_MS } from './messages.models.ts';
import { loadMessagingSettings, type MessagingSettingsRow } from './messages.settings.ts';
import { contactPreferences, messageAttempts, messages } from './messages.tables.ts';

export type MessageRow = typeof messages.$inferSelect;
type ContactPreference = typeof contactPreferences.$inferSelect;

export type DeliveryOutcome = 'sent' | 'retrying' | 'failed' | 'suppressed' | 'held' | 'skipped';

/** What a claimed message needs to leave: where it goes and how. */
export type Route = (s: Senders, m: Outgoing) => Promise<SendResult>;

export type Claim =
  | { outcome: 'claimed'; message: MessageRow; attempt: { id: string; number: number }; route: Route }
  | { outcome: Exclude<DeliveryOutcome, 'sent' | 'retrying'> };

/** What the claim reads once for a whole set of messages. */
interface Lookups {
  settings: Map<string, MessagingSettingsRow>;
  endpoints: Map<string, typeof webhookEndpoints.$inferSelect>;
  preferences: Map<string, ContactPreference>;
  timezones: Map<string, string>;
}

const preferenceKey = (storeId: string, contact: string) => `${storeId}\u0000${contact}`;

/**
 * Claims a set of messages for sending, in the caller's transaction: the due ones not locked by
 * another worker are locked, checked (given up, endpoint gone, shopper's choices, quiet hours,
 * channel set up) and the sendable ones get their attempt, committed as `sending` with the caller's
 * COMMIT before anything is sent. The lookups are read once per set, not once per message, and the
 * attempts and the messages' move to `sending` are one statement. Returns a claim per requested id.
 */
export async function claimMessages(
  tx: Tx,
  deps: Pick<Deps, 'clock' | 'ids'>,
  messageIds: readonly string[],
): Promise<Map<string, Claim>> {
  const now = deps.clock.now();
  const claims = new Map<string, Claim>(messageIds.map((id) => [id, { outcome: 'skipped' }]));
  if (messageIds.length === 0) return claims;
  const rows = await tx
    .select()
    .from(messages)
    .where(
      and(
        inArray(messages.id, [...messageIds]),
        eq(messages.state, 'queued'),
        lte(messages.nextAttemptAt, now),
      ),
    )
    .orderBy(messages.id)
    .for('update', { skipLocked: true });
  if (rows.length === 0) return claims;
  const lookups = await readLookups(tx, deps, rows);

  const sendable: { message: MessageRow; route: Route }[] = [];
  for (const message of rows) {
    const decision = decide(message, lookups, now);
    if ('route' in decision) {
      sendable.push({ message, route: decision.route });
    } else if (decision.outcome === 'held') {
      await tx
        .update(messages)
        .set({ nextAttemptAt: decision.until, updatedAt: now })
        .where(eq(messages.id, message.id));
      claims.set(message.id, { outcome: 'held' });
    } else {
      await tx
        .update(messages)
        .set({ state: decision.outcome, lastError: decision.reason, nextAttemptAt: null, updatedAt: now })
        .where(eq(messages.id, message.id));
      claims.set(message.id, { outcome: decision.outcome });
    }
  }
  if (sendable.length === 0) return claims;

  const attempts = sendable.map(({ message }) => ({
    id: deps.ids.next('mat'),
    messageId: message.id,
    storeId: message.storeId,
    number: message.attempts + 1,
    status: 'sending' as const,
    startedAt: now,
  }));
  // The attempts and the messages' move to `sending` in one statement (a data-modifying CTE).
  const started = tx
    .$with('started')
    .as(tx.insert(messageAttempts).values(attempts).returning({ id: messageAttempts.id }));
  await tx
    .with(started)
    .update(messages)
    .set({
      state: 'sending',
      attempts: sql`${messages.attempts} + 1`,
      nextAttemptAt: new Date(now.getTime() + SEND_LEASE_MS),
      updatedAt: now,
    })
    .where(
      inArray(
        messages.id,
        sendable.map((s) => s.message.id),
      ),
    );
  sendable.forEach(({ message, route }, i) => {
    const attempt = attempts[i]!;
    claims.set(message.id, {
      outcome: 'claimed',
      message,
      attempt: { id: attempt.id, number: attempt.number },
      route,
    });
  });
  return claims;
}

async function readLookups(tx: Tx, deps: Pick<Deps, 'clock'>, rows: readonly MessageRow[]): Promise<Lookups> {
  const shopper = rows.filter((m) => m.channel !== 'webhook');
  const hooks = rows.filter((m) => m.channel === 'webhook');
  const lookups: Lookups = {
    settings: new Map(),
    endpoints: new Map(),
    preferences: new Map(),
    timezones: new Map(),
  };
  // Webhooks need no store settings: only shopper messages read them.
  for (const storeId of new Set(shopper.map((m) => m.storeId)))
    lookups.settings.set(storeId, await loadMessagingSettings(tx, deps, storeId));
  if (hooks.length > 0) {
    const endpoints = await tx
      .select()
      .from(webhookEndpoints)
      .where(inArray(webhookEndpoints.id, [...new Set(hooks.map((m) => m.recipient))]));
    for (const endpoint of endpoints) lookups.endpoints.set(endpoint.id, endpoint);
  }
  if (shopper.length > 0) {
    const preferences = await tx
      .select()
      .from(contactPreferences)
      .where(
        and(
          inArray(contactPreferences.storeId, [...new Set(shopper.map((m) => m.storeId))]),
          inArray(contactPreferences.contact, [...new Set(shopper.map((m) => m.recipient))]),
        ),
      );
    for (const p of preferences) lookups.preferences.set(preferenceKey(p.storeId, p.contact), p);
  }
  const quiet = shopper.filter((m) => {
    const settings = lookups.settings.get(m.storeId);
    return !m.transactional && settings?.quietStartMinute != null && settings.quietEndMinute != null;
  });
  if (quiet.length > 0) {
    const zones = await tx
      .select({ id: stores.id, timezone: stores.timezone })
      .from(stores)
      .where(inArray(stores.id, [...new Set(quiet.map((m) => m.storeId))]));
    for (const z of zones) lookups.timezones.set(z.id, z.timezone);
  }
  return lookups;
}

type Decision =
  | { route: Route }
  | { outcome: 'held'; until: Date }
  | { outcome: 'failed' | 'suppressed'; reason: string };

/** Whether a locked, due message goes now, waits (quiet hours) or ends here, and why. */
function decide(message: MessageRow, lookups: Lookups, now: Date): Decision {
  if (message.giveUpAt <= now)
    return { outcome: 'failed', reason: message.lastError ?? 'gave up: not delivered in time' };
  if (message.channel === 'webhook') {
    const endpoint = lookups.endpoints.get(message.recipient);
    if (!endpoint?.enabled)
      return { outcome: 'suppressed', reason: 'the webhook endpoint is disabled or deleted' };
    const target = { url: endpoint.url, secret: endpoint.secret };
    const timestamp = Math.floor(now.getTime() / 1000);
    return { route: (s, m) => s.webhook(target, m, timestamp) };
  }
  const settings = lookups.settings.get(message.storeId)!;
  const held = holdBack(message, settings, lookups, now);
  if (held === 'suppressed')
    return { outcome: 'suppressed', reason: 'the shopper turned this channel or these messages off' };
  if (held) return { outcome: 'held', until: held };
  const route = channelRouteOf(message, settings);
  if (!route) return { outcome: 'suppressed', reason: `${message.channel} is not set up for this store` };
  return { route };
}

/** The built-in outbox "delivers" by keeping the rendered message in the log: nothing leaves. */
const keepInOutbox: Route = async () => OUTBOX_DELIVERY;

function channelRouteOf(message: MessageRow, settings: MessagingSettingsRow): Route | null {
  if (message.channel === 'email' ? settings.emailOutbox : settings.smsOutbox) return keepInOutbox;
  if (message.channel === 'email') {
    if (!settings.smtpUrl || !settings.emailFrom) return null;
    const email = { smtpUrl: settings.smtpUrl, from: settings.emailFrom, replyTo: settings.replyTo };
    return (s, m) => s.email(email, m);
  }
  if (!settings.smsBaseUrl || !settings.smsAccountSid || !settings.smsAuthToken || !settings.smsFrom)
    return null;
  const sms = {
    baseUrl: settings.smsBaseUrl,
    accountSid: settings.smsAccountSid,
    authToken: settings.smsAuthToken,
    from: settings.smsFrom,
  };
  return (s, m) => s.sms(sms, m);
}

/**
 * Shopper messages respect the shopper's choices (a channel off; no more updates) and, unless
 * transactional, the store's quiet hours: returns when the message may go, or 'suppressed'.
 */
function holdBack(
  message: MessageRow,
  settings: MessagingSettingsRow,
  lookups: Lookups,
  now: Date,
): Date | 'suppressed' | null {
  const preference = lookups.preferences.get(preferenceKey(message.storeId, message.recipient));
  if (preference) {
    if (message.channel === 'email' && !preference.email) return 'suppressed';
    if (message.channel === 'sms' && !preference.sms) return 'suppressed';
    if (!message.transactional && preference.unsubscribed) return 'suppressed';
  }
  if (message.transactional || settings.quietStartMinute === null || settings.quietEndMinute === null)
    return null;
  return quietHoursRelease(now, lookups.timezones.get(message.storeId) ?? 'UTC', {
    startMinute: settings.quietStartMinute,
    endMinute: settings.quietEndMinute,
  });
}
