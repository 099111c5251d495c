/**
 * Pure rules of back-in-stock alerts: who may sign up, and how many shoppers one restock tells at
 * once. No I/O here.
 */

import { channelsSetUp, shopperChannels } from '../messages/messages.models.ts';
import { available, type StockLevel, stockStatus } from '../stock/stock.levels.models.ts';

export type AlertChannel = 'email' | 'sms';
export type AlertState = 'waiting' | 'notified' | 'cancelled';

/**
 * Time between two batches of one SKU unless the store sets its own (`alertBatchIntervalMinutes`):
 * the shoppers told first get the chance to buy before the next batch is sized on what they left.
 */
export const DEFAULT_ALERT_BATCH_INTERVAL_MINUTES = 15;

/** Why a shopper need not wait for an alert (they can order now), or null when they may sign up. */
export function signupRefusal(level: StockLevel): 'in_stock' | 'backorder_available' | null {
  const status = stockStatus(level);
  if (status === 'in_stock') return 'in_stock';
  if (status === 'backorder' || status === 'preorder') return 'backorder_available';
  return null;
}

/**
 * The one contact of a sign-up, spelled as messages spell recipients (emails lower-cased, phones
 * normalised) so unsubscribes and preferences match; null unless exactly one of them is given.
 */
export function alertContact(input: {
  email?: string | undefined;
  phone?: string | undefined;
}): { channel: AlertChannel; contact: string } | null {
  const contacts = shopperChannels({ email: true, sms: true }, input);
  const only = contacts.length === 1 ? contacts[0]! : null;
  return only && { channel: only.channel, contact: only.recipient };
}

/** The channels a store can send alerts on (what delivery needs to pick a route). */
export function configuredChannels(settings: {
  smtpUrl: string | null;
  emailFrom: string | null;
  smsBaseUrl: string | null;
  smsFrom: string | null;
  emailOutbox?: boolean;
  smsOutbox?: boolean;
}): AlertChannel[] {
  const setUp = channelsSetUp(settings);
  return (['email', 'sms'] as const).filter((channel) => setUp[channel]);
}

/**
 * Units alerts may be sized on: the available ones, but none while any unit waits in the
 * backorder queue — waiting orders are always served before a shopper is invited to buy.
 */
export const freeUnits = (level: StockLevel): number =>
  level.backordered > 0 ? 0 : Math.max(0, available(level));

/**
 * Alerts one batch sends: ceil(free units × factor). The factor has two decimals (the setting's
 * precision), so it is applied in hundredths: 10 × 1.1 is 11 alerts, not 12 from a float's error.
 */
export function batchSize(free: number, factor: number): number {
  if (free <= 0 || factor <= 0) return 0;
  return Math.ceil((free * Math.round(factor * 100)) / 100);
}

/**
 * Whether a SKU whose last batch went at `lastBatchAt` (null: never) may get another at `now`,
 * batches being `intervalMinutes` apart.
 */
export const batchDue = (
  lastBatchAt: Date | null,
  now: Date,
  intervalMinutes = DEFAULT_ALERT_BATCH_INTERVAL_MINUTES,
): boolean => lastBatchAt === null || now.getTime() - lastBatchAt.getTime() >= intervalMinutes * 60_000;

export interface AlertBatch {
  freeUnits: number;
  /** Alerts to send now; 0 = none. */
  size: number;
}

/** The batch a SKU gets now, from its stock row (read under lock) and its previous batch. */
export function planAlertBatch(input: {
  level: StockLevel;
  factor: number;
  lastBatchAt: Date | null;
  now: Date;
  /** The store's spacing between batches (default 15). */
  intervalMinutes?: number;
}): AlertBatch {
  const free = freeUnits(input.level);
  if (!batchDue(input.lastBatchAt, input.now, input.intervalMinutes)) return { freeUnits: free, size: 0 };
  return { freeUnits: free, size: batchSize(free, input.factor) };
}
