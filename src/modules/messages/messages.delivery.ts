import { and, eq, inArray, lte } from 'drizzle-orm';
import { inTransaction, type Tx } from '../../db/client.ts';
import type { Deps } from '../../shared/context.ts';
import { stores } from '../stores/stores.tables.ts';
import { webhookEndpoints } from '../webhooks/webhooks.tables.ts';
import type { Outgoing, Senders, SendResult } from './messages.channels.ts';
import { type DueMessage, quietHoursRelease, retryDelayMs, SEND_LEASE_MS } from './messages.models.ts';
import { loadMessagingSettings, type MessagingSettingsRow } from './messages.settings.ts';
import { contactPreferences, messageAttempts, messages } from './messages.tables.ts';

type MessageRow = typeof messages.$inferSelect;
type DeliveryDeps = Pick<Deps, 'db' | 'clock' | 'ids'>;

/** What a claimed message needs to leave: where it goes and how. */
type Route =
  | { channel: 'email'; send: (s: Senders, m: Outgoing) => Promise<SendResult> }
  | { channel: 'sms'; send: (s: Senders, m: Outgoing) => Promise<SendResult> }
  | { channel: 'webhook'; send: (s: Senders, m: Outgoing) => Promise<SendResult> };

type Claim =
  | { outcome: 'claimed'; message: MessageRow; attempt: { id: string; number: number }; route: Route }
  | { outcome: 'skipped' };

export type DeliveryOutcome = 'sent' | 'retrying' | 'failed' | 'suppressed' | 'held' | 'skipped';

/**
 * Delivers one message at most once: the attempt is committed as `sending` before the channel is
 * called and settled after, so a process that dies mid-send leaves a trace instead of a duplicate
 * (see `recoverInterrupted`). Several workers may race on one message: the row lock and the state
 * check let exactly one of them send.
 */
export async function deliverMessage(
  deps: DeliveryDeps,
  senders: Senders,
  messageId: string,
): Promise<DeliveryOutcome> {
  const claim = await inTransaction(deps.db, (tx) => claimMessage(tx, deps, messageId));
  if (claim.outcome !== 'claimed') return claimOutcome(claim);
  const { message, attempt, route } = claim;
  let result: SendResult;
  try {
    result = await route.send(senders, outgoing(message));
  } catch (error) {
    result = {
      ok: false,
      code: null,
      error: error instanceof Error ? error.message : String(error),
      permanent: false,
    };
  }
  return settle(deps, message, attempt, result);
}

// A claim that did not send says why in the message row; the caller only needs a label.
const claimOutcome = (claim: { outcome: string }): DeliveryOutcome => claim.outcome as DeliveryOutcome;

const outgoing = (m: MessageRow): Outgoing => ({
  id: m.id,
  recipient: m.recipient,
  subject: m.subject,
  body: m.body,
  html: m.html,
  payload: m.payload,
});

async function claimMessage(
  tx: Tx,
  deps: DeliveryDeps,
  messageId: string,
): Promise<Claim | { outcome: DeliveryOutcome }> {
  const now = deps.clock.now();
  const [message] = await tx
    .select()
    .from(messages)
    .where(and(eq(messages.id, messageId), eq(messages.state, 'queued'), lte(messages.nextAttemptAt, now)))
    .for('update', { skipLocked: true });
  if (!message) return { outcome: 'skipped' };
  const finish = async (state: 'failed' | 'suppressed', reason: string, outcome: DeliveryOutcome) => {
    await tx
      .update(messages)
      .set({ state, lastError: reason, nextAttemptAt: null, updatedAt: now })
      .where(eq(messages.id, message.id));
    return { outcome };
  };
  if (message.giveUpAt <= now)
    return finish('failed', message.lastError ?? 'gave up: not delivered in time', 'failed');

  let route: Route;
  if (message.channel === 'webhook') {
    const [endpoint] = await tx
      .select()
      .from(webhookEndpoints)
      .where(eq(webhookEndpoints.id, message.recipient));
    if (!endpoint?.enabled)
      return finish('suppressed', 'the webhook endpoint is disabled or deleted', 'suppressed');
    const target = { url: endpoint.url, secret: endpoint.secret };
    const timestamp = Math.floor(now.getTime() / 1000);
    route = { channel: 'webhook', send: (s, m) => s.webhook(target, m, timestamp) };
  } else {
    // Webhooks need no store settings: only shopper messages read them (one round trip fewer).
    const settings = await loadMessagingSettings(tx, deps, message.storeId);
    const held = await holdBack(tx, message, settings, now);
    if (held === 'suppressed')
      return finish('suppressed', 'the shopper turned this channel or these messages off', 'suppressed');
    if (held) {
      await tx
        .update(messages)
        .set({ nextAttemptAt: held, updatedAt: now })
        .where(eq(messages.id, message.id));
      return { outcome: 'held' };
    }
    const channelRoute = channelRouteOf(message, settings);
    if (!channelRoute)
      return finish('suppressed', `${message.channel} is not set up for this store`, 'suppressed');
    route = channelRoute;
  }

  const number = message.attempts + 1;
  const attemptId = deps.ids.next('mat');
  // The attempt and the message's move to `sending` in one statement (a data-modifying CTE).
  const started = tx.$with('started').as(
    tx
      .insert(messageAttempts)
      .values({
        id: attemptId,
        messageId: message.id,
        storeId: message.storeId,
        number,
        status: 'sending',
        startedAt: now,
      })
      .returning({ id: messageAttempts.id }),
  );
  await tx
    .with(started)
    .update(messages)
    .set({
      state: 'sending',
      attempts: number,
      nextAttemptAt: new Date(now.getTime() + SEND_LEASE_MS),
      updatedAt: now,
    })
    .where(eq(messages.id, message.id));
  return { outcome: 'claimed', message, attempt: { id: attemptId, number }, route };
}

function channelRouteOf(message: MessageRow, settings: MessagingSettingsRow): Route | null {
  if (message.channel === 'email') {
    if (!settings.smtpUrl || !settings.emailFrom) return null;
    const email = { smtpUrl: settings.smtpUrl, from: settings.emailFrom, replyTo: settings.replyTo };
    return { channel: 'email', send: (s, m) => s.email(email, m) };
  }
  if (!settings.smsBaseUrl || !settings.smsAccountSid || !settings.smsAuthToken || !settings.smsFrom)
    return null;
  const sms = {
    baseUrl: settings.smsBaseUrl,
    accountSid: settings.smsAccountSid,
    authToken: settings.smsAuthToken,
    from: settings.smsFrom,
  };
  return { channel: 'sms', send: (s, m) => s.sms(sms, m) };
}

/**
 * Shopper messages respect the shopper's choices (a channel off; no more updates) and, unless
 * transactional, the store's quiet hours: returns when the message may go, or 'suppressed'.
 */
async function holdBack(
  tx: Tx,
  message: MessageRow,
  settings: MessagingSettingsRow,
  now: Date,
): Promise<Date | 'suppressed' | null> {
  const [preference] = await tx
    .select()
    .from(contactPreferences)
    .where(
      and(eq(contactPreferences.storeId, message.storeId), eq(contactPreferences.contact, message.recipient)),
    );
  if (preference) {
    if (message.channel === 'email' && !preference.email) return 'suppressed';
    if (message.channel === 'sms' && !preference.sms) return 'suppressed';
    if (!message.transactional && preference.unsubscribed) return 'suppressed';
  }
  if (message.transactional || settings.quietStartMinute === null || settings.quietEndMinute === null)
    return null;
  const [store] = await tx
    .select({ timezone: stores.timezone })
    .from(stores)
    .where(eq(stores.id, message.storeId));
  return quietHoursRelease(now, store?.timezone ?? 'UTC', {
    startMinute: settings.quietStartMinute,
    endMinute: settings.quietEndMinute,
  });
}

/**
 * Records the attempt's outcome and moves the message on, in one statement (the attempt's update is
 * a data-modifying CTE): as atomic as a transaction, without its BEGIN and COMMIT round trips.
 */
async function settle(
  deps: DeliveryDeps,
  message: MessageRow,
  attempt: { id: string; number: number },
  result: SendResult,
): Promise<DeliveryOutcome> {
  const now = deps.clock.now();
  const recorded = deps.db.$with('recorded').as(
    deps.db
      .update(messageAttempts)
      .set({
        status: result.ok ? 'sent' : 'failed',
        responseCode: result.code,
        response: result.ok ? result.response : null,
        error: result.ok ? null : result.error.slice(0, 2000),
        finishedAt: now,
      })
      .where(eq(messageAttempts.id, attempt.id))
      .returning({ id: messageAttempts.id }),
  );
  // Only the process that claimed the attempt settles the message; if recovery took it over, not.
  const current = and(
    eq(messages.id, message.id),
    eq(messages.state, 'sending'),
    eq(messages.attempts, attempt.number),
  );
  if (result.ok) {
    await deps.db
      .with(recorded)
      .update(messages)
      .set({ state: 'sent', sentAt: now, nextAttemptAt: null, lastError: null, updatedAt: now })
      .where(current);
    return 'sent';
  }
  const next = new Date(now.getTime() + retryDelayMs(attempt.number, message.id));
  const giveUp = result.permanent || next >= message.giveUpAt;
  await deps.db
    .with(recorded)
    .update(messages)
    .set({
      state: giveUp ? 'failed' : 'queued',
      nextAttemptAt: giveUp ? null : next,
      lastError: result.error.slice(0, 2000),
      updatedAt: now,
    })
    .where(current);
  return giveUp ? 'failed' : 'retrying';
}

/**
 * Settles sends a process never came back from (it died mid-send): the attempt is marked
 * `in_doubt`. A webhook goes again (receivers dedupe by webhook-id, which does not change); an
 * email or SMS is not sent again — it may have left, and twice is worse than a logged gap.
 */
export async function recoverInterrupted(
  deps: DeliveryDeps,
  options: { storeIds?: string[] } = {},
): Promise<number> {
  const now = deps.clock.now();
  return inTransaction(deps.db, async (tx) => {
    const stuck = await tx
      .select({
        id: messages.id,
        channel: messages.channel,
        attempts: messages.attempts,
        giveUpAt: messages.giveUpAt,
      })
      .from(messages)
      .where(
        and(
          eq(messages.state, 'sending'),
          lte(messages.nextAttemptAt, now),
          options.storeIds ? inArray(messages.storeId, options.storeIds) : undefined,
        ),
      )
      .limit(500)
      .for('update', { skipLocked: true });
    for (const row of stuck) {
      await tx
        .update(messageAttempts)
        .set({
          status: 'in_doubt',
          error: 'the sending process stopped before it recorded the outcome',
          finishedAt: now,
        })
        .where(and(eq(messageAttempts.messageId, row.id), eq(messageAttempts.number, row.attempts)));
      const retry = row.channel === 'webhook' && row.giveUpAt > now;
      await tx
        .update(messages)
        .set({
          state: retry ? 'queued' : 'failed',
          nextAttemptAt: retry ? now : null,
          lastError: retry
            ? 'interrupted mid-send; sent again with the same webhook-id'
            : 'interrupted mid-send; not sent again, so it is never sent twice',
          updatedAt: now,
        })
        .where(eq(messages.id, row.id));
    }
    return stuck.length;
  });
}

/** Messages due now (new, retries, released from quiet hours), oldest first, with when each came due. */
export async function dueMessages(
  deps: Pick<Deps, 'db' | 'clock'>,
  options: { storeIds?: string[]; limit?: number } = {},
): Promise<DueMessage[]> {
  const rows = await deps.db
    .select({ id: messages.id, dueAt: messages.nextAttemptAt })
    .from(messages)
    .where(
      and(
        eq(messages.state, 'queued'),
        lte(messages.nextAttemptAt, deps.clock.now()),
        options.storeIds ? inArray(messages.storeId, options.storeIds) : undefined,
      ),
    )
    .orderBy(messages.nextAttemptAt)
    .limit(options.limit ?? 500);
  return rows.map((r) => ({ id: r.id, dueAt: r.dueAt!.getTime() }));
}

export const dueMessageIds = async (
  deps: Pick<Deps, 'db' | 'clock'>,
  options: { storeIds?: string[]; limit?: number } = {},
): Promise<string[]> => (await dueMessages(deps, options)).map((m) => m.id);

/** One pass of delivery in this process: recover interrupted sends, then deliver what is due. */
export async function deliverDue(
  deps: DeliveryDeps,
  senders: Senders,
  options: { storeIds?: string[]; limit?: number; concurrency?: number } = {},
): Promise<Record<DeliveryOutcome, number>> {
  await recoverInterrupted(deps, options);
  const ids = await dueMessageIds(deps, options);
  const counts: Record<DeliveryOutcome, number> = {
    sent: 0,
    retrying: 0,
    failed: 0,
    suppressed: 0,
    held: 0,
    skipped: 0,
  };
  const queue = [...ids];
  const lanes = Array.from({ length: Math.min(options.concurrency ?? 8, queue.length) }, async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      counts[await deliverMessage(deps, senders, id)] += 1;
    }
  });
  await Promise.all(lanes);
  return counts;
}
