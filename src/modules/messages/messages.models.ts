import { chunksOf } from '../../shared/collections.ts';
import { daysBetween } from '../../shared/dates.ts';
import type { Channel, MessageKind } from './messages.tables.ts';

/**
 * Pure rules of message delivery: which messages an event makes, when a failed one is tried
 * again, and when quiet hours hold one back. No I/O here.
 */

/** How long a message keeps being retried before it is given up. */
export const GIVE_UP_AFTER_MS = 24 * 60 * 60 * 1000;
/** A send that has not settled after this long was interrupted (the process died mid-send). */
export const SEND_LEASE_MS = 5 * 60 * 1000;

const FIRST_RETRY_MS = 30_000;
const MAX_RETRY_MS = 60 * 60 * 1000;

/**
 * Exponential backoff after the `attempt`-th failure: 30 s, 1 min, 2 min … capped at 1 h, plus up
 * to 10% of jitter derived from the message id (so retries of many messages spread out, yet the
 * schedule of one message is reproducible in tests).
 */
export function retryDelayMs(attempt: number, messageId: string): number {
  const base = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempt - 1));
  let hash = 0;
  for (const char of messageId) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return base + Math.floor((base * (hash % 100)) / 1000);
}

/** Local wall-clock minutes after midnight of `at` in `timezone`. */
export function localMinuteOfDay(at: Date, timezone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: timezone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const hour = Number(parts.find((p) => p.type === 'hour')!.value);
  const minute = Number(parts.find((p) => p.type === 'minute')!.value);
  return hour * 60 + minute;
}

export interface QuietHours {
  startMinute: number;
  endMinute: number;
}

/**
 * When a message held by quiet hours may go: null if `at` is outside them. The window may wrap
 * midnight (21:00 → 08:00). Measured in local minutes, so a DST change inside the window can
 * shift the release by the hour it adds or removes.
 */
export function quietHoursRelease(at: Date, timezone: string, quiet: QuietHours | null): Date | null {
  if (!quiet || quiet.startMinute === quiet.endMinute) return null;
  const local = localMinuteOfDay(at, timezone);
  const { startMinute: start, endMinute: end } = quiet;
  const inside = start < end ? local >= start && local < end : local >= start || local < end;
  if (!inside) return null;
  const minutesLeft = (end - local + 1440) % 1440;
  const release = new Date(at.getTime() + minutesLeft * 60_000);
  release.setUTCSeconds(0, 0);
  return release;
}

/** Clock times live with the other date rules (shipping cut-offs use them too). */
export { formatClockTime, parseClockTime } from '../../shared/dates.ts';

/** The shopper message an event type makes, if any (webhooks take every type they subscribe to). */
export function shopperKindOf(type: string, data: Record<string, unknown>): MessageKind | null {
  switch (type) {
    case 'order.placed':
      return 'order_confirmation';
    case 'shipment.created':
      return 'shipped';
    case 'order.cancelled':
      return 'cancelled';
    case 'payment.refunded':
      return 'refunded';
    case 'payment.action_required':
      return 'payment_needed';
    case 'backorder.eta_changed':
      return 'delay_notice';
    case 'order.line.allocated':
      // Only a waiting line that the queue has just served in full is news: in-stock lines were
      // announced by the confirmation.
      return data.source === 'queue' && typeof data.eta === 'string' ? 'ready_to_ship' : null;
    default:
      return null;
  }
}

/** Whether a webhook endpoint subscribed to `types` (empty = all) wants an event of `type`. */
export const endpointWants = (types: readonly string[], type: string): boolean =>
  types.length === 0 || types.includes(type);

/**
 * A delay notice is due when the new date is at least `thresholdDays` past the date the shopper
 * was last told; a date that moves earlier, or slips less, is not news worth a message.
 */
export const delayIsNews = (toldEta: string | null, eta: string | null, thresholdDays: number): boolean =>
  toldEta !== null && eta !== null && daysBetween(toldEta, eta) >= thresholdDays;

/**
 * Which shopper channels a store has set up (the settings write an SMS account's fields together);
 * the built-in outbox counts as set up.
 */
export const channelsSetUp = (settings: {
  smtpUrl: string | null;
  emailFrom: string | null;
  smsBaseUrl: string | null;
  smsFrom: string | null;
  emailOutbox?: boolean;
  smsOutbox?: boolean;
}): { email: boolean; sms: boolean } => ({
  email: settings.emailOutbox === true || (settings.smtpUrl !== null && settings.emailFrom !== null),
  sms: settings.smsOutbox === true || (settings.smsBaseUrl !== null && settings.smsFrom !== null),
});

/**
 * A date that rests on the supplier's lead time ("today + lead time", nothing on order) slips a day
 * every day until stock is ordered; a notice per day would be noise, so such slips are told once
 * they add up to a week (or the store's threshold, if larger).
 */
export const LEAD_TIME_DRIFT_NOTICE_DAYS = 7;

export const delayThresholdDays = (etaSource: unknown, storeThreshold: number): number =>
  etaSource === 'lead_time' ? Math.max(LEAD_TIME_DRIFT_NOTICE_DAYS, storeThreshold) : storeThreshold;

/** The shopper channels a message goes on, given what the store set up and what the shopper chose. */
export function shopperChannels(
  configured: { email: boolean; sms: boolean },
  contact: { email?: string | undefined; phone?: string | undefined },
): { channel: Exclude<Channel, 'webhook'>; recipient: string }[] {
  const out: { channel: Exclude<Channel, 'webhook'>; recipient: string }[] = [];
  if (configured.email && contact.email)
    out.push({ channel: 'email', recipient: contact.email.toLowerCase() });
  if (configured.sms && contact.phone) out.push({ channel: 'sms', recipient: normalisePhone(contact.phone) });
  return out;
}

/** Phone numbers as E.164-ish digits with a leading + kept: "+1 (555) 010-0000" → "+15550100000". */
export const normalisePhone = (phone: string): string => phone.replace(/[^\d+]/g, '').replace(/(?!^)\+/g, '');

/** A message due for delivery and the time it came due (its `nextAttemptAt`). */
export interface DueMessage {
  id: string;
  dueAt: number;
}

/** When a worker enqueued a message, and for which due time. */
export type Enqueued = ReadonlyMap<string, { dueAt: number; at: number }>;

/**
 * The due messages a worker enqueues on this pass: not those it already enqueued for the same due
 * time less than `againAfterMs` ago, whose job is most likely still waiting (enqueueing a sale's
 * thousand due messages again every second would only queue duplicate jobs, each a wasted claim).
 * A retry or a release from quiet hours is a new due time and goes at once; a job lost on the way
 * (failed past pg-boss's retries) is replaced after `againAfterMs`. Remembers only messages still
 * due, so the memory stays as small as the list.
 */
export function messagesToEnqueue(
  due: readonly DueMessage[],
  enqueued: Enqueued,
  now: number,
  againAfterMs: number,
): { ids: string[]; enqueued: Enqueued } {
  const ids: string[] = [];
  const next = new Map<string, { dueAt: number; at: number }>();
  for (const message of due) {
    const before = enqueued.get(message.id);
    if (before && before.dueAt === message.dueAt && now - before.at < againAfterMs) {
      next.set(message.id, before);
    } else {
      ids.push(message.id);
      next.set(message.id, { dueAt: message.dueAt, at: now });
    }
  }
  return { ids, enqueued: next };
}

/**
 * Messages claimed together (one transaction, one read of their settings, endpoints and shopper
 * preferences, one write of their attempts), and so carried by one delivery job.
 */
export const DELIVERY_SET_SIZE = 10;

/**
 * Delivery lanes (sets sent side by side) for about `concurrency` sends at a time; at least two,
 * so that one stalled endpoint never holds up all of them.
 */
export const deliveryLanes = (concurrency: number): number =>
  Math.max(2, Math.ceil(concurrency / DELIVERY_SET_SIZE));

/**
 * Splits messages into delivery jobs of at most `perJob`, spread over at least `lanes` jobs when
 * there are enough messages, so that a handful of due messages still go out side by side.
 */
export function deliveryJobs(ids: readonly string[], lanes: number, perJob: number): string[][] {
  const size = Math.max(1, Math.min(perJob, Math.ceil(ids.length / Math.max(1, lanes))));
  return chunksOf(ids, size);
}
