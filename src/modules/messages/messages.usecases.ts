import { and, asc, desc, eq, lt, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import type { Deps } from '../../shared/context.ts';
import { decodeCursor, type Page, toPage } from '../../shared/cursor.ts';
import { DomainError, invalid, notFound } from '../../shared/errors.ts';
import { formatClockTime, GIVE_UP_AFTER_MS, parseClockTime } from './messages.models.ts';
import { loadMessagingSettings, type MessagingSettingsRow } from './messages.settings.ts';
import {
  type Channel,
  type DelayIncentiveRule,
  type MessageState,
  messageAttempts,
  messages,
  messagingSettings,
} from './messages.tables.ts';

type MessageRow = typeof messages.$inferSelect;
type AttemptRow = typeof messageAttempts.$inferSelect;

export interface MessageView {
  id: string;
  kind: string;
  channel: Channel;
  recipient: string;
  state: MessageState;
  eventId: string | null;
  eventType: string | null;
  orderId: string | null;
  transactional: boolean;
  subject: string | null;
  body: string | null;
  html: string | null;
  payload: Record<string, unknown> | null;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  sentAt: string | null;
  createdAt: string;
}

export interface AttemptView {
  number: number;
  status: string;
  responseCode: number | null;
  response: string | null;
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

const toView = (m: MessageRow): MessageView => ({
  id: m.id,
  kind: m.kind,
  channel: m.channel,
  recipient: m.recipient,
  state: m.state,
  eventId: m.eventId,
  eventType: m.eventType,
  orderId: m.orderId,
  transactional: m.transactional,
  subject: m.subject,
  body: m.body,
  html: m.html,
  payload: m.payload,
  attempts: m.attempts,
  nextAttemptAt: iso(m.nextAttemptAt),
  lastError: m.lastError,
  sentAt: iso(m.sentAt),
  createdAt: m.createdAt.toISOString(),
});

const toAttemptView = (a: AttemptRow): AttemptView => ({
  number: a.number,
  status: a.status,
  responseCode: a.responseCode,
  response: a.response,
  error: a.error,
  startedAt: a.startedAt.toISOString(),
  finishedAt: iso(a.finishedAt),
});

export interface MessageQuery {
  limit: number;
  cursor?: string;
  orderId?: string;
  channel?: Channel;
  state?: MessageState;
  kind?: string;
  recipient?: string;
}

/** The message log, newest first. */
export async function listMessages(
  db: Executor,
  storeId: string,
  query: MessageQuery,
): Promise<Page<MessageView>> {
  const after = decodeCursor(query.cursor);
  const conditions: (SQL | undefined)[] = [
    eq(messages.storeId, storeId),
    query.orderId ? eq(messages.orderId, query.orderId) : undefined,
    query.channel ? eq(messages.channel, query.channel) : undefined,
    query.state ? eq(messages.state, query.state) : undefined,
    query.kind ? eq(messages.kind, query.kind as MessageRow['kind']) : undefined,
    query.recipient ? eq(messages.recipient, query.recipient) : undefined,
    after !== null ? lt(messages.seq, after) : undefined,
  ];
  const rows = await db
    .select()
    .from(messages)
    .where(and(...conditions))
    .orderBy(desc(messages.seq))
    .limit(query.limit + 1);
  return toPage(rows, query.limit, (row) => row.seq, toView);
}

async function findMessage(db: Executor, storeId: string, id: string, lock = false): Promise<MessageRow> {
  const query = db
    .select()
    .from(messages)
    .where(and(eq(messages.storeId, storeId), eq(messages.id, id)));
  const [row] = lock ? await query.for('update') : await query;
  if (!row) throw notFound('Message', id);
  return row;
}

/** One message with every delivery attempt, oldest first. */
export async function getMessage(
  db: Executor,
  storeId: string,
  id: string,
): Promise<MessageView & { deliveryAttempts: AttemptView[] }> {
  const message = await findMessage(db, storeId, id);
  const attempts = await db
    .select()
    .from(messageAttempts)
    .where(eq(messageAttempts.messageId, id))
    .orderBy(asc(messageAttempts.number));
  return { ...toView(message), deliveryAttempts: attempts.map(toAttemptView) };
}

/**
 * Sends a message again on request (customer service resending an email, a developer replaying a
 * webhook after fixing the receiver): the same message, with the same webhook-id, queued now with
 * a fresh day of retries. A message still on its way cannot be replayed.
 */
export async function replayMessage(
  tx: Executor,
  deps: Pick<Deps, 'clock'>,
  storeId: string,
  id: string,
): Promise<MessageView> {
  const message = await findMessage(tx, storeId, id, true);
  if (message.state === 'queued' || message.state === 'sending') {
    throw new DomainError(
      'conflict',
      'message_in_flight',
      `Message "${id}" is already on its way (${message.state})`,
    );
  }
  if (message.body === null && message.payload === null) {
    throw new DomainError('conflict', 'message_not_rendered', `Message "${id}" has no content to send`);
  }
  const now = deps.clock.now();
  const [row] = await tx
    .update(messages)
    .set({
      state: 'queued',
      nextAttemptAt: now,
      giveUpAt: new Date(now.getTime() + GIVE_UP_AFTER_MS),
      updatedAt: now,
    })
    .where(eq(messages.id, id))
    .returning();
  return toView(row!);
}

// ---- Messaging settings ----------------------------------------------------------------------

export interface MessagingSettingsView {
  email: { smtpUrl: string; from: string; replyTo: string | null } | null;
  sms: { baseUrl: string; accountSid: string; authToken: string; from: string } | null;
  quietHours: { start: string; end: string } | null;
  statusUpdateDays: number;
  delayNoticeDays: number;
  merchantEmail: string | null;
  publicUrl: string | null;
  stockAlertFactor: number;
  delayIncentives: DelayIncentiveRule[];
}

export type MessagingSettingsInput = Partial<
  Omit<MessagingSettingsView, 'email' | 'sms'> & {
    email: { smtpUrl: string; from: string; replyTo?: string | null } | null;
    sms: { baseUrl: string; accountSid: string; authToken: string; from: string } | null;
  }
>;

/** Secrets are shown masked: enough to recognise them, not to use them. */
const mask = (secret: string) => `••••${secret.slice(-4)}`;

function maskSmtpUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '****';
    return parsed.toString();
  } catch {
    return '****';
  }
}

function settingsView(row: MessagingSettingsRow): MessagingSettingsView {
  return {
    email:
      row.smtpUrl && row.emailFrom
        ? { smtpUrl: maskSmtpUrl(row.smtpUrl), from: row.emailFrom, replyTo: row.replyTo }
        : null,
    sms:
      row.smsBaseUrl && row.smsAccountSid && row.smsAuthToken && row.smsFrom
        ? {
            baseUrl: row.smsBaseUrl,
            accountSid: row.smsAccountSid,
            authToken: mask(row.smsAuthToken),
            from: row.smsFrom,
          }
        : null,
    quietHours:
      row.quietStartMinute !== null && row.quietEndMinute !== null
        ? { start: formatClockTime(row.quietStartMinute), end: formatClockTime(row.quietEndMinute) }
        : null,
    statusUpdateDays: row.statusUpdateDays,
    delayNoticeDays: row.delayNoticeDays,
    merchantEmail: row.merchantEmail,
    publicUrl: row.publicUrl,
    stockAlertFactor: Number(row.stockAlertFactor),
    delayIncentives: row.delayIncentives,
  };
}

export async function getMessagingSettings(
  db: Executor,
  deps: Pick<Deps, 'clock'>,
  storeId: string,
): Promise<MessagingSettingsView> {
  return settingsView(await loadMessagingSettings(db, deps, storeId));
}

function checkSmtpUrl(url: string): void {
  let parsed: URL | null = null;
  try {
    parsed = new URL(url);
  } catch {}
  if (!parsed || !['smtp:', 'smtps:'].includes(parsed.protocol) || !parsed.hostname) {
    throw invalid(
      'validation_failed',
      'email.smtpUrl must look like smtp://user:pass@host:587 or smtps://…',
      [{ path: '/email/smtpUrl', message: 'must be an smtp:// or smtps:// URL' }],
    );
  }
}

function checkIncentives(rules: readonly DelayIncentiveRule[]): void {
  const seen = new Set<number>();
  rules.forEach((rule, i) => {
    if (seen.has(rule.afterDays))
      throw invalid('validation_failed', 'Two delay incentive rules have the same afterDays', [
        { path: `/delayIncentives/${i}/afterDays`, message: 'must be unique' },
      ]);
    seen.add(rule.afterDays);
    if (rule.kind === 'percent_off' && rule.percent === undefined)
      throw invalid('validation_failed', 'A percent_off incentive needs its percent', [
        { path: `/delayIncentives/${i}/percent`, message: 'required for percent_off' },
      ]);
  });
}

export async function updateMessagingSettings(
  tx: Executor,
  deps: Pick<Deps, 'clock'>,
  storeId: string,
  input: MessagingSettingsInput,
): Promise<MessagingSettingsView> {
  await loadMessagingSettings(tx, deps, storeId);
  const set: Partial<typeof messagingSettings.$inferInsert> = { updatedAt: deps.clock.now() };
  if (input.email !== undefined) {
    if (input.email) checkSmtpUrl(input.email.smtpUrl);
    set.smtpUrl = input.email?.smtpUrl ?? null;
    set.emailFrom = input.email?.from ?? null;
    set.replyTo = input.email?.replyTo ?? null;
  }
  if (input.sms !== undefined) {
    set.smsBaseUrl = input.sms?.baseUrl ?? null;
    set.smsAccountSid = input.sms?.accountSid ?? null;
    set.smsAuthToken = input.sms?.authToken ?? null;
    set.smsFrom = input.sms?.from ?? null;
  }
  if (input.quietHours !== undefined) {
    const start = input.quietHours ? parseClockTime(input.quietHours.start) : null;
    const end = input.quietHours ? parseClockTime(input.quietHours.end) : null;
    if (input.quietHours && (start === null || end === null))
      throw invalid('validation_failed', 'Quiet hours are "HH:MM" times', [
        { path: '/quietHours', message: 'use HH:MM' },
      ]);
    set.quietStartMinute = start;
    set.quietEndMinute = end;
  }
  if (input.statusUpdateDays !== undefined) set.statusUpdateDays = input.statusUpdateDays;
  if (input.delayNoticeDays !== undefined) set.delayNoticeDays = input.delayNoticeDays;
  if (input.merchantEmail !== undefined) set.merchantEmail = input.merchantEmail;
  if (input.publicUrl !== undefined) set.publicUrl = input.publicUrl;
  if (input.stockAlertFactor !== undefined) set.stockAlertFactor = input.stockAlertFactor;
  if (input.delayIncentives !== undefined) {
    checkIncentives(input.delayIncentives);
    set.delayIncentives = [...input.delayIncentives].sort((a, b) => a.afterDays - b.afterDays);
  }
  const [row] = await tx
    .update(messagingSettings)
    .set(set)
    .where(eq(messagingSettings.storeId, storeId))
    .returning();
  return settingsView(row!);
}
