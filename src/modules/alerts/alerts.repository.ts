import { and, asc, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../../db/client.ts';
import type { AlertChannel, AlertState } from './alerts.models.ts';
import { stockAlerts } from './alerts.tables.ts';

export type AlertRow = typeof stockAlerts.$inferSelect;

/**
 * Adds a waiting alert, or merges the sign-up into the contact's waiting alert for the SKU: the
 * unique index on waiting alerts makes two concurrent sign-ups of one contact one alert.
 */
export async function upsertWaitingAlert(
  tx: Executor,
  row: { id: string; storeId: string; sku: string; channel: AlertChannel; contact: string; createdAt: Date },
): Promise<{ alert: AlertRow; created: boolean }> {
  const [alert] = await tx
    .insert(stockAlerts)
    .values({ ...row, state: 'waiting', signups: 1 })
    .onConflictDoUpdate({
      target: [stockAlerts.storeId, stockAlerts.sku, stockAlerts.contact],
      targetWhere: sql`${stockAlerts.state} = 'waiting'`,
      set: { signups: sql`${stockAlerts.signups} + 1` },
    })
    .returning();
  return { alert: alert!, created: alert!.id === row.id };
}

export async function findAlert(
  tx: Executor,
  storeId: string,
  id: string,
  options: { lock: boolean },
): Promise<AlertRow | undefined> {
  const query = tx
    .select()
    .from(stockAlerts)
    .where(and(eq(stockAlerts.storeId, storeId), eq(stockAlerts.id, id)));
  const [row] = options.lock ? await query.for('update') : await query;
  return row;
}

export async function cancelAlert(tx: Executor, id: string): Promise<AlertRow> {
  const [row] = await tx
    .update(stockAlerts)
    .set({ state: 'cancelled' })
    .where(eq(stockAlerts.id, id))
    .returning();
  return row!;
}

/** A store's alerts, newest first (ids begin with their creation time), after the cursor's id. */
export async function findAlerts(
  db: Executor,
  storeId: string,
  query: { limit: number; beforeId: string | null; sku?: string; state?: AlertState },
): Promise<AlertRow[]> {
  return db
    .select()
    .from(stockAlerts)
    .where(
      and(
        eq(stockAlerts.storeId, storeId),
        query.sku ? eq(stockAlerts.sku, query.sku) : undefined,
        query.state ? eq(stockAlerts.state, query.state) : undefined,
        query.beforeId !== null ? lt(stockAlerts.id, query.beforeId) : undefined,
      ),
    )
    .orderBy(desc(stockAlerts.id))
    .limit(query.limit);
}

export interface SkuDemandRow {
  sku: string;
  waiting_alerts: number;
  waiting_signups: number;
  notified_alerts: number;
  last_notified_at: Date | string | null;
}

/** Per SKU with live or sent alerts, in SKU order after `afterSku`: the demand the sign-ups show. */
export async function summariseBySku(
  db: Executor,
  storeId: string,
  query: { limit: number; afterSku: string | null },
): Promise<SkuDemandRow[]> {
  return queryRows<SkuDemandRow>(
    db,
    sql`SELECT sku,
               count(*) FILTER (WHERE state = 'waiting')::int AS waiting_alerts,
               coalesce(sum(signups) FILTER (WHERE state = 'waiting'), 0)::int AS waiting_signups,
               count(*) FILTER (WHERE state = 'notified')::int AS notified_alerts,
               max(notified_at) AS last_notified_at
          FROM stock_alerts
         WHERE store_id = ${storeId} AND state <> 'cancelled'
           ${query.afterSku !== null ? sql`AND sku > ${query.afterSku}` : sql``}
         GROUP BY sku
         ORDER BY sku
         LIMIT ${query.limit}`,
  );
}

/**
 * The (store, sku) pairs with waiting alerts whose stock row shows free units now, in (store,
 * sku) order. Only a pre-filter, read without locks: each batch re-checks under the SKU's lock.
 */
export async function skusWithFreeStock(
  db: Executor,
  storeIds: readonly string[] | undefined,
  /** SKUs told within their store's batch interval before this are left out: their next batch is
   * not due, so their stock row is not locked. */
  now: Date,
): Promise<{ storeId: string; sku: string }[]> {
  const rows = await queryRows<{ store_id: string; sku: string }>(
    db,
    sql`SELECT DISTINCT a.store_id, a.sku
          FROM stock_alerts a
          JOIN inventory_levels l ON l.store_id = a.store_id AND l.sku = a.sku
          LEFT JOIN messaging_settings ms ON ms.store_id = a.store_id
         WHERE a.state = 'waiting' AND l.on_hand > l.allocated AND l.backordered = 0
           AND NOT EXISTS (
             SELECT 1 FROM stock_alerts n
              WHERE n.store_id = a.store_id AND n.sku = a.sku AND n.state = 'notified'
                AND n.notified_at > ${now}::timestamptz
                                    - make_interval(mins => coalesce(ms.alert_batch_interval_minutes, 15)))
           ${storeIds ? sql`AND a.store_id = ANY(${sql.param([...storeIds])}::text[])` : sql``}
         ORDER BY a.store_id, a.sku`,
  );
  return rows.map((r) => ({ storeId: r.store_id, sku: r.sku }));
}

/** When the SKU's last batch went, or null if none has. */
export async function lastBatchAt(tx: Executor, storeId: string, sku: string): Promise<Date | null> {
  const [row] = await queryRows<{ at: Date | string | null }>(
    tx,
    sql`SELECT max(notified_at) AS at FROM stock_alerts
         WHERE store_id = ${storeId} AND sku = ${sku} AND state = 'notified'`,
  );
  return row?.at ? new Date(row.at) : null;
}

/**
 * The oldest waiting alerts of a SKU on the given channels, locked; alerts another transaction
 * holds (a sign-up merging into one, a cancellation) are skipped rather than waited for.
 */
export async function takeOldestWaiting(
  tx: Executor,
  storeId: string,
  sku: string,
  channels: readonly AlertChannel[],
  limit: number,
): Promise<AlertRow[]> {
  return tx
    .select()
    .from(stockAlerts)
    .where(
      and(
        eq(stockAlerts.storeId, storeId),
        eq(stockAlerts.sku, sku),
        eq(stockAlerts.state, 'waiting'),
        inArray(stockAlerts.channel, [...channels]),
      ),
    )
    .orderBy(asc(stockAlerts.createdAt), asc(stockAlerts.id))
    .limit(limit)
    .for('update', { skipLocked: true });
}

export async function markNotified(
  tx: Executor,
  notified: readonly { alertId: string; messageId: string }[],
  now: Date,
): Promise<void> {
  if (notified.length === 0) return;
  await tx.execute(
    sql`UPDATE stock_alerts AS a
           SET state = 'notified', notified_at = ${now}::timestamptz, message_id = n.message_id
          FROM unnest(${sql.param(notified.map((n) => n.alertId))}::text[],
                      ${sql.param(notified.map((n) => n.messageId))}::text[]) AS n(alert_id, message_id)
         WHERE a.id = n.alert_id`,
  );
}
