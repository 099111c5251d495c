import { type Executor, inTransaction, type Tx } from '../../db/client.ts';
import { appendEvents } from '../../db/outbox.ts';
import type { Deps, StoreScope } from '../../shared/context.ts';
import { decodeKeyCursor, type Page, toPage } from '../../shared/cursor.ts';
import { notFound } from '../../shared/errors.ts';
import { recordAlertSignup } from '../demand/demand.usecases.ts';
import { insertMessages } from '../messages/messages.relay.ts';
import { loadMessagingSettings } from '../messages/messages.settings.ts';
import { levelKey, lockLevels, readLevel } from '../stock/stock.levels.repository.ts';
import {
  alertAlreadyNotified,
  alertNotNeeded,
  channelUnavailable,
  contactRequired,
} from './alerts.errors.ts';
import { alertMessages } from './alerts.messages.ts';
import {
  type AlertChannel,
  type AlertState,
  alertContact,
  configuredChannels,
  planAlertBatch,
  signupRefusal,
} from './alerts.models.ts';
import {
  type AlertRow,
  cancelAlert,
  findAlert,
  findAlerts,
  lastBatchAt,
  markNotified,
  skusWithFreeStock,
  summariseBySku,
  takeOldestWaiting,
  upsertWaitingAlert,
} from './alerts.repository.ts';

/** What the shopper who signed up sees: nothing about anyone else. */
export interface SignupView {
  id: string;
  sku: string;
  channel: AlertChannel;
  state: 'waiting';
  createdAt: string;
}

/** What the merchant sees. */
export interface StockAlertView {
  id: string;
  sku: string;
  channel: AlertChannel;
  contact: string;
  state: AlertState;
  signups: number;
  messageId: string | null;
  createdAt: string;
  notifiedAt: string | null;
}

export interface SkuDemandView {
  sku: string;
  waitingAlerts: number;
  /** Sign-ups merged into the waiting alerts: every time a shopper asked. */
  waitingSignups: number;
  notifiedAlerts: number;
  lastNotifiedAt: string | null;
}

const toAlertView = (row: AlertRow): StockAlertView => ({
  id: row.id,
  sku: row.sku,
  channel: row.channel,
  contact: row.contact,
  state: row.state,
  signups: row.signups,
  messageId: row.messageId,
  createdAt: row.createdAt.toISOString(),
  notifiedAt: row.notifiedAt ? row.notifiedAt.toISOString() : null,
});

export interface SignupInput {
  sku: string;
  email?: string;
  phone?: string;
}

/**
 * Signs a shopper up to hear when a sold-out variant is back. Refused when they can order now (in
 * stock, or backorders/pre-orders open) or the store cannot reach them on that channel. The same
 * contact asking again for the same SKU merges into their waiting alert (`created: false`).
 */
export async function signUpForStockAlert(
  tx: Executor,
  deps: Pick<Deps, 'clock' | 'ids'>,
  store: StoreScope,
  input: SignupInput,
): Promise<{ alert: SignupView; created: boolean }> {
  const contact = alertContact(input);
  if (!contact) throw contactRequired();
  const level = await readLevel(tx, store.id, input.sku);
  if (!level) throw notFound('SKU', input.sku);
  const refusal = signupRefusal(level);
  if (refusal) throw alertNotNeeded(input.sku, refusal);
  const settings = await loadMessagingSettings(tx, deps, store.id);
  if (!configuredChannels(settings).includes(contact.channel)) throw channelUnavailable(contact.channel);
  const { alert, created } = await upsertWaitingAlert(tx, {
    id: deps.ids.next('sta'),
    storeId: store.id,
    sku: input.sku,
    ...contact,
    createdAt: deps.clock.now(),
  });
  await recordAlertSignup(tx, store, input.sku, deps.clock.now());
  return {
    alert: {
      id: alert.id,
      sku: alert.sku,
      channel: alert.channel,
      state: 'waiting',
      createdAt: alert.createdAt.toISOString(),
    },
    created,
  };
}

export async function listStockAlerts(
  db: Executor,
  storeId: string,
  query: { limit: number; cursor?: string; sku?: string; state?: AlertState },
): Promise<Page<StockAlertView>> {
  const rows = await findAlerts(db, storeId, {
    limit: query.limit + 1,
    beforeId: decodeKeyCursor(query.cursor),
    ...(query.sku ? { sku: query.sku } : {}),
    ...(query.state ? { state: query.state } : {}),
  });
  return toPage(rows, query.limit, (row) => row.id, toAlertView);
}

/** Demand per SKU from the sign-ups: who waits, how often they asked, how many were told. */
export async function summariseStockAlerts(
  db: Executor,
  storeId: string,
  query: { limit: number; cursor?: string },
): Promise<Page<SkuDemandView>> {
  const rows = await summariseBySku(db, storeId, {
    limit: query.limit + 1,
    afterSku: decodeKeyCursor(query.cursor),
  });
  return toPage(
    rows,
    query.limit,
    (row) => row.sku,
    (row) => ({
      sku: row.sku,
      waitingAlerts: row.waiting_alerts,
      waitingSignups: row.waiting_signups,
      notifiedAlerts: row.notified_alerts,
      lastNotifiedAt: row.last_notified_at === null ? null : new Date(row.last_notified_at).toISOString(),
    }),
  );
}

/** Cancels a waiting alert (again: no change); one already sent cannot be taken back. */
export async function cancelStockAlert(tx: Executor, storeId: string, id: string): Promise<StockAlertView> {
  const alert = await findAlert(tx, storeId, id, { lock: true });
  if (!alert) throw notFound('Stock alert', id);
  if (alert.state === 'notified') throw alertAlreadyNotified(id, alert.state);
  if (alert.state === 'cancelled') return toAlertView(alert);
  return toAlertView(await cancelAlert(tx, id));
}

type ReleaseDeps = Pick<Deps, 'db' | 'clock' | 'ids' | 'publicUrl'>;

/**
 * Tells waiting shoppers that their SKU is back, in batches sized to the units free right now
 * (see `planAlertBatch`), spaced by the store's `alertBatchIntervalMinutes`: one transaction per
 * SKU batch, under the SKU's stock lock. Run it from
 * the worker's tick; `storeIds` limits it to some stores. Returns the ids of the messages created.
 */
export async function releaseStockAlerts(
  deps: ReleaseDeps,
  options: { storeIds?: readonly string[] } = {},
): Promise<string[]> {
  const created: string[] = [];
  for (const { storeId, sku } of await skusWithFreeStock(deps.db, options.storeIds, deps.clock.now())) {
    created.push(...(await inTransaction(deps.db, (tx) => releaseBatch(tx, deps, storeId, sku))));
  }
  return created;
}

/**
 * One SKU's next batch. The stock row is locked FOR UPDATE (not FOR SHARE) so that two workers
 * releasing the same SKU take turns, and the second sees the first's batch and waits its interval.
 */
async function releaseBatch(tx: Tx, deps: ReleaseDeps, storeId: string, sku: string): Promise<string[]> {
  const level = (await lockLevels(tx, [{ storeId, sku }])).get(levelKey(storeId, sku));
  if (!level) return [];
  const settings = await loadMessagingSettings(tx, deps, storeId);
  // Alerts on a channel the store has not set up wait until it is (again).
  const channels = configuredChannels(settings);
  if (channels.length === 0) return [];
  const now = deps.clock.now();
  const batch = planAlertBatch({
    level,
    factor: settings.stockAlertFactor,
    lastBatchAt: await lastBatchAt(tx, storeId, sku),
    now,
    intervalMinutes: settings.alertBatchIntervalMinutes,
  });
  if (batch.size === 0) return [];
  const alerts = await takeOldestWaiting(tx, storeId, sku, channels, batch.size);
  if (alerts.length === 0) return [];
  const drafts = await alertMessages(tx, deps, settings, sku, alerts, now);
  const created = await insertMessages(tx, drafts);
  await markNotified(
    tx,
    alerts.map((alert, i) => ({ alertId: alert.id, messageId: drafts[i]!.id })),
    now,
  );
  await appendEvents(tx, deps, [
    {
      storeId,
      type: 'stock_alert.released',
      data: { sku, alerts: alerts.length, freeUnits: batch.freeUnits },
    },
  ]);
  return created;
}
