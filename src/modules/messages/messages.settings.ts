import { eq, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import type { Deps } from '../../shared/context.ts';
import { invalid } from '../../shared/errors.ts';
import { requireOfferedMethod } from '../shipping/shipping.settings.ts';
import { LINK_LIFETIME_DAYS, newLinkSecret } from './messages.links.ts';
import { formatClockTime, parseClockTime } from './messages.models.ts';
import { type DelayIncentiveRule, messagingSettings } from './messages.tables.ts';

export type MessagingSettingsRow = typeof messagingSettings.$inferSelect;

/** The store's messaging settings, created with defaults (and a fresh link secret) on first use. */
export async function loadMessagingSettings(
  executor: Executor,
  deps: Pick<Deps, 'clock'>,
  storeId: string,
): Promise<MessagingSettingsRow> {
  const [existing] = await executor
    .select()
    .from(messagingSettings)
    .where(eq(messagingSettings.storeId, storeId));
  if (existing) return existing;
  await executor
    .insert(messagingSettings)
    .values({ storeId, linkSecret: newLinkSecret(), updatedAt: deps.clock.now() })
    .onConflictDoNothing();
  const [created] = await executor
    .select()
    .from(messagingSettings)
    .where(sql`${messagingSettings.storeId} = ${storeId}`);
  return created!;
}

/** The built-in outbox: messages are kept in the log as delivered, not sent anywhere. */
export interface OutboxChannel {
  channel: 'outbox';
}

export interface MessagingSettingsView {
  email: { channel: 'smtp'; smtpUrl: string; from: string; replyTo: string | null } | OutboxChannel | null;
  sms:
    | { channel: 'api'; baseUrl: string; accountSid: string; authToken: string; from: string }
    | OutboxChannel
    | null;
  quietHours: { start: string; end: string } | null;
  statusUpdateDays: number;
  delayNoticeDays: number;
  merchantEmail: string | null;
  publicUrl: string | null;
  stockAlertFactor: number;
  alertBatchIntervalMinutes: number;
  delayIncentives: DelayIncentiveRule[];
  /** Days a self-service link stays valid once sent. */
  linkLifetimeDays: number;
  /** Days links signed with the previous secret keep working after `rotateLinkSecret`. */
  linkSecretGraceDays: number;
  linkSecretRotatedAt: string | null;
  /** Until when links signed before the last rotation still open (null: none do). */
  previousLinkSecretValidUntil: string | null;
  refundsAutomatic: boolean;
}

export type MessagingSettingsInput = Partial<
  Omit<MessagingSettingsView, 'email' | 'sms' | 'linkSecretRotatedAt' | 'previousLinkSecretValidUntil'> & {
    email:
      | { channel?: 'smtp'; smtpUrl: string; from: string; replyTo?: string | null }
      | OutboxChannel
      | null;
    sms:
      | { channel?: 'api'; baseUrl: string; accountSid: string; authToken: string; from: string }
      | OutboxChannel
      | null;
    /** A new link secret now; links signed with the old one work for `linkSecretGraceDays` more. */
    rotateLinkSecret: boolean;
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

const OUTBOX: OutboxChannel = { channel: 'outbox' };

function settingsView(row: MessagingSettingsRow): MessagingSettingsView {
  return {
    email: row.emailOutbox
      ? OUTBOX
      : row.smtpUrl && row.emailFrom
        ? { channel: 'smtp', smtpUrl: maskSmtpUrl(row.smtpUrl), from: row.emailFrom, replyTo: row.replyTo }
        : null,
    sms: row.smsOutbox
      ? OUTBOX
      : row.smsBaseUrl && row.smsAccountSid && row.smsAuthToken && row.smsFrom
        ? {
            channel: 'api',
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
    alertBatchIntervalMinutes: row.alertBatchIntervalMinutes,
    delayIncentives: row.delayIncentives,
    linkLifetimeDays: row.linkLifetimeDays,
    linkSecretGraceDays: row.linkSecretGraceDays,
    linkSecretRotatedAt: row.linkSecretRotatedAt?.toISOString() ?? null,
    previousLinkSecretValidUntil:
      row.previousLinkSecret !== null && row.previousLinkSecretUntil !== null
        ? row.previousLinkSecretUntil.toISOString()
        : null,
    refundsAutomatic: row.refundsAutomatic,
  };
}

/** A read writes nothing: a store that never set messaging up sees the defaults. */
export async function getMessagingSettings(
  db: Executor,
  deps: Pick<Deps, 'clock'>,
  storeId: string,
): Promise<MessagingSettingsView> {
  const [row] = await db.select().from(messagingSettings).where(eq(messagingSettings.storeId, storeId));
  return settingsView(row ?? defaultSettings(storeId, deps.clock.now()));
}

const defaultSettings = (storeId: string, now: Date): MessagingSettingsRow => ({
  storeId,
  smtpUrl: null,
  emailFrom: null,
  replyTo: null,
  smsBaseUrl: null,
  smsAccountSid: null,
  smsAuthToken: null,
  smsFrom: null,
  emailOutbox: false,
  smsOutbox: false,
  quietStartMinute: null,
  quietEndMinute: null,
  statusUpdateDays: 7,
  delayNoticeDays: 1,
  merchantEmail: null,
  publicUrl: null,
  linkSecret: '',
  previousLinkSecret: null,
  previousLinkSecretUntil: null,
  linkSecretRotatedAt: null,
  linkLifetimeDays: LINK_LIFETIME_DAYS,
  linkSecretGraceDays: 7,
  stockAlertFactor: 1,
  delayIncentives: [],
  alertBatchIntervalMinutes: 15,
  refundsAutomatic: false,
  updatedAt: now,
});

function checkSmtpUrl(url: string): void {
  let parsed: URL | null = null;
  try {
    parsed = new URL(url);
  } catch {}
  if (
    !parsed ||
    !['smtp:', 'smtps:'].includes(parsed.protocol) ||
    !parsed.hostname ||
    parsed.search ||
    parsed.hash
  ) {
    throw invalid(
      'validation_failed',
      'email.smtpUrl must look like smtp://user:pass@host:587 or smtps://…, with no query string',
      [{ path: '/email/smtpUrl', message: 'must be an smtp:// or smtps:// URL' }],
    );
  }
}

async function checkIncentives(
  tx: Executor,
  storeId: string,
  rules: readonly DelayIncentiveRule[],
): Promise<void> {
  const seen = new Set<number>();
  for (const [i, rule] of rules.entries()) {
    if (seen.has(rule.afterDays))
      throw invalid('validation_failed', 'Two delay incentive rules have the same afterDays', [
        { path: `/delayIncentives/${i}/afterDays`, message: 'must be unique' },
      ]);
    seen.add(rule.afterDays);
    if (rule.kind === 'percent_off' && rule.percent === undefined)
      throw invalid('validation_failed', 'A percent_off incentive needs its percent', [
        { path: `/delayIncentives/${i}/percent`, message: 'required for percent_off' },
      ]);
    if (rule.kind !== 'percent_off' && rule.percent !== undefined)
      throw invalid('validation_failed', 'Only a percent_off incentive has a percent', [
        { path: `/delayIncentives/${i}/percent`, message: 'only for percent_off' },
      ]);
    if (rule.kind !== 'free_express' && rule.shippingMethod !== undefined)
      throw invalid('validation_failed', 'Only a free_express incentive names a shipping method', [
        { path: `/delayIncentives/${i}/shippingMethod`, message: 'only for free_express' },
      ]);
    if (rule.shippingMethod !== undefined)
      await requireOfferedMethod(tx, storeId, rule.shippingMethod, `/delayIncentives/${i}/shippingMethod`);
  }
}

export async function updateMessagingSettings(
  tx: Executor,
  deps: Pick<Deps, 'clock'>,
  storeId: string,
  input: MessagingSettingsInput,
): Promise<MessagingSettingsView> {
  const current = await loadMessagingSettings(tx, deps, storeId);
  const now = deps.clock.now();
  const set: Partial<typeof messagingSettings.$inferInsert> = { updatedAt: now };
  if (input.linkLifetimeDays !== undefined) set.linkLifetimeDays = input.linkLifetimeDays;
  if (input.linkSecretGraceDays !== undefined) set.linkSecretGraceDays = input.linkSecretGraceDays;
  if (input.rotateLinkSecret) {
    // Links already sent were signed with the current secret: it keeps verifying for the grace period.
    const graceDays = input.linkSecretGraceDays ?? current.linkSecretGraceDays;
    set.previousLinkSecret = graceDays > 0 ? current.linkSecret : null;
    set.previousLinkSecretUntil = graceDays > 0 ? new Date(now.getTime() + graceDays * 86_400_000) : null;
    set.linkSecret = newLinkSecret();
    set.linkSecretRotatedAt = now;
  }
  if (input.email !== undefined) {
    // One email channel at a time: choosing the outbox forgets the SMTP server, and the reverse.
    const smtp = input.email && input.email.channel !== 'outbox' ? input.email : null;
    if (smtp) checkSmtpUrl(smtp.smtpUrl);
    set.emailOutbox = input.email?.channel === 'outbox';
    set.smtpUrl = smtp?.smtpUrl ?? null;
    set.emailFrom = smtp?.from ?? null;
    set.replyTo = smtp?.replyTo ?? null;
  }
  if (input.sms !== undefined) {
    const api = input.sms && input.sms.channel !== 'outbox' ? input.sms : null;
    set.smsOutbox = input.sms?.channel === 'outbox';
    set.smsBaseUrl = api?.baseUrl ?? null;
    set.smsAccountSid = api?.accountSid ?? null;
    set.smsAuthToken = api?.authToken ?? null;
    set.smsFrom = api?.from ?? null;
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
  if (input.alertBatchIntervalMinutes !== undefined)
    set.alertBatchIntervalMinutes = input.alertBatchIntervalMinutes;
  if (input.refundsAutomatic !== undefined) set.refundsAutomatic = input.refundsAutomatic;
  if (input.delayIncentives !== undefined) {
    await checkIncentives(tx, storeId, input.delayIncentives);
    set.delayIncentives = [...input.delayIncentives].sort((a, b) => a.afterDays - b.afterDays);
  }
  const [row] = await tx
    .update(messagingSettings)
    .set(set)
    .where(eq(messagingSettings.storeId, storeId))
    .returning();
  return settingsView(row!);
}
