import { sql } from 'drizzle-orm';
import { inTransaction, queryRows, type Tx } from '../../db/client.ts';
import type { Deps } from '../../shared/context.ts';
import { storeToday } from '../../shared/dates.ts';
import type { MessageContext } from '../templates/templates.context.ts';
import { baseContext, linksFor } from './messages.contexts.ts';
import { localMinuteOfDay } from './messages.models.ts';
import { storeContext, withContent } from './messages.planner.ts';
import { insertMessages, messageDefaults } from './messages.relay.ts';
import { loadMessagingSettings } from './messages.settings.ts';

/** Local time from which the day's digest goes out. */
const DIGEST_MINUTE = 8 * 60;
const DAY_MS = 86_400_000;

type DigestDeps = Pick<Deps, 'db' | 'clock' | 'ids' | 'publicUrl'>;

/** One digest per store, local day and merchant address. */
const digestKey = (date: string, merchantEmail: string) =>
  `digest:${date}:email:${merchantEmail.toLowerCase()}`;

/**
 * The merchant's morning digest (08:00 store time): backorders taken in the last 24 hours,
 * SKUs whose backorder limit is reached, purchase orders past their expected date, and messages
 * that failed. One per store and local day, whichever worker gets there first.
 */
export async function planMerchantDigests(
  deps: DigestDeps,
  options: { storeIds?: readonly string[] } = {},
): Promise<string[]> {
  const now = deps.clock.now();
  // Stores past 08:00 whose digest of the day is not written yet (the job runs every hour).
  const stores = await queryRows<{ store_id: string; timezone: string; merchant_email: string }>(
    deps.db,
    sql`SELECT s.store_id, st.timezone, s.merchant_email FROM messaging_settings s JOIN stores st ON st.id = s.store_id
         WHERE s.merchant_email IS NOT NULL AND (s.email_outbox OR (s.smtp_url IS NOT NULL AND s.email_from IS NOT NULL))
         ${options.storeIds ? sql`AND s.store_id = ANY(${sql.param([...options.storeIds])}::text[])` : sql``}`,
  );
  const due = stores
    .filter((store) => localMinuteOfDay(now, store.timezone) >= DIGEST_MINUTE)
    .map((store) => ({ ...store, key: digestKey(storeToday(store, now), store.merchant_email) }));
  if (due.length === 0) return [];
  // Read by the unique (store, dedupe key) index, not by scanning the messages.
  const written = await queryRows<{ store_id: string }>(
    deps.db,
    sql`SELECT m.store_id FROM messages m
          JOIN unnest(${sql.param(due.map((d) => d.store_id))}::text[], ${sql.param(due.map((d) => d.key))}::text[])
               AS d(store_id, dedupe_key) ON m.store_id = d.store_id AND m.dedupe_key = d.dedupe_key`,
  );
  const done = new Set(written.map((w) => w.store_id));
  const created: string[] = [];
  for (const store of due) {
    if (done.has(store.store_id)) continue;
    created.push(...(await inTransaction(deps.db, (tx) => planDigest(tx, deps, store.store_id, now))));
  }
  return created;
}

async function planDigest(tx: Tx, deps: DigestDeps, storeId: string, now: Date): Promise<string[]> {
  const settings = await loadMessagingSettings(tx, deps, storeId);
  const store = await storeContext(tx, deps, settings);
  const date = storeToday(store, now);
  const digest = await digestFacts(tx, storeId, date, now);
  const recipient = settings.merchantEmail!.toLowerCase();
  const context: MessageContext = {
    ...baseContext(store, undefined),
    customer: { name: '', email: recipient, phone: '' },
    digest,
    links: linksFor(store, now, { contact: recipient, transactional: true }),
  };
  const row = {
    ...messageDefaults(deps, now),
    storeId,
    dedupeKey: digestKey(date, recipient),
    kind: 'merchant_digest' as const,
    channel: 'email' as const,
    recipient,
    transactional: true,
  };
  return insertMessages(tx, [await withContent(tx, row, context, store)]);
}

async function digestFacts(
  tx: Tx,
  storeId: string,
  date: string,
  now: Date,
): Promise<NonNullable<MessageContext['digest']>> {
  const since = new Date(now.getTime() - DAY_MS);
  const [taken] = await queryRows<{ lines: number; units: number }>(
    tx,
    sql`SELECT count(*)::int AS lines, coalesce(sum((data->>'quantity')::int), 0)::int AS units
          FROM events WHERE store_id = ${storeId} AND type = 'order.line.backordered' AND created_at > ${since}`,
  );
  const limits = await queryRows<{ sku: string; backorder_limit: number }>(
    tx,
    sql`SELECT sku, backorder_limit FROM inventory_levels
         WHERE store_id = ${storeId} AND backorder_mode <> 'deny' AND backorder_limit IS NOT NULL
           AND backordered >= backorder_limit
         ORDER BY sku LIMIT 50`,
  );
  const late = await queryRows<{ id: string; supplier: string; expected_date: string }>(
    tx,
    sql`SELECT p.id, s.name AS supplier, p.expected_date::text AS expected_date
          FROM purchase_orders p JOIN suppliers s ON s.id = p.supplier_id
         WHERE p.store_id = ${storeId} AND p.status IN ('ordered', 'partially_received') AND p.expected_date < ${date}::date
         ORDER BY p.expected_date LIMIT 50`,
  );
  const failed = await queryRows<{
    id: string;
    kind: string;
    channel: string;
    recipient: string;
    last_error: string | null;
  }>(
    tx,
    sql`SELECT id, kind, channel, recipient, last_error FROM messages
         WHERE store_id = ${storeId} AND state = 'failed' AND updated_at > ${since}
         ORDER BY updated_at DESC LIMIT 50`,
  );
  return {
    date,
    newBackorders: taken?.lines ?? 0,
    newBackorderUnits: taken?.units ?? 0,
    limitsReached: limits.map((l) => ({ sku: l.sku, limit: l.backorder_limit })),
    latePurchaseOrders: late.map((p) => ({ id: p.id, supplier: p.supplier, expectedDate: p.expected_date })),
    failedMessages: failed.map((m) => ({
      id: m.id,
      kind: m.kind,
      channel: m.channel,
      recipient: m.recipient,
      error: m.last_error ?? '',
    })),
  };
}
