import { sql } from 'drizzle-orm';
import { inTransaction, queryRows } from '../../db/client.ts';
import { groupBy } from '../../shared/collections.ts';
import type { Deps } from '../../shared/context.ts';
import { loadOrderFacts } from './messages.contexts.ts';
import { channelsSetUp, shopperChannels } from './messages.models.ts';
import { draftOf, storeContext } from './messages.planner.ts';
import { insertMessages, type NewMessage } from './messages.relay.ts';
import { loadMessagingSettings } from './messages.settings.ts';

/**
 * Status updates for shoppers still waiting: every `statusUpdateDays` days since the order's last
 * confirmation or update, one message with their place in line and their date. Keyed by order and
 * day, so running this hourly (or from several workers) makes one update per order per day.
 */
export async function planStatusUpdates(
  deps: Pick<Deps, 'db' | 'clock' | 'ids' | 'publicUrl'>,
  options: { storeIds?: readonly string[] } = {},
): Promise<string[]> {
  const now = deps.clock.now();
  const due = await queryRows<{ store_id: string; order_id: string }>(
    deps.db,
    // Only orders a message can reach: one without a contact on a channel the store has set up
    // would never get its update, and be picked again every hour.
    sql`SELECT DISTINCT l.store_id, l.order_id
          FROM messaging_settings s
          JOIN order_lines l ON l.store_id = s.store_id AND l.backordered > 0
          JOIN orders o ON o.store_id = l.store_id AND o.id = l.order_id
         WHERE s.status_update_days > 0
           AND ((s.smtp_url IS NOT NULL AND s.email_from IS NOT NULL AND coalesce(o.customer->>'email', '') <> '')
             OR (s.sms_base_url IS NOT NULL AND coalesce(o.customer->>'phone', '') <> ''))
           ${options.storeIds ? sql`AND s.store_id = ANY(${sql.param([...options.storeIds])}::text[])` : sql``}
           AND NOT EXISTS (
             SELECT 1 FROM messages m
              WHERE m.store_id = l.store_id AND m.order_id = l.order_id
                AND m.kind IN ('order_confirmation', 'status_update')
                AND m.created_at > ${now}::timestamptz - make_interval(days => s.status_update_days))
         ORDER BY l.store_id, l.order_id
         LIMIT 5000`,
  );
  const byStore = groupBy(due, (row) => row.store_id);
  const created: string[] = [];
  const day = now.toISOString().slice(0, 10);
  for (const [storeId, rows] of byStore) {
    const orderIds = rows.map((row) => row.order_id);
    created.push(
      ...(await inTransaction(deps.db, async (tx) => {
        const settings = await loadMessagingSettings(tx, deps, storeId);
        const store = await storeContext(tx, deps, settings);
        const configured = channelsSetUp(settings);
        const drafts: NewMessage[] = [];
        for (const order of (await loadOrderFacts(tx, store, orderIds, now)).values()) {
          const intent = {
            event: null,
            dedupeKey: `status:${order.id}:${day}`,
            kind: 'status_update' as const,
            orderId: order.id,
            extra: {},
          };
          for (const { channel, recipient } of shopperChannels(configured, order.customer)) {
            drafts.push(await draftOf(tx, deps, store, order, intent, channel, recipient));
          }
        }
        return insertMessages(tx, drafts);
      })),
    );
  }
  return created;
}
