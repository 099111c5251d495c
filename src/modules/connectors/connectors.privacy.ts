/**
 * Shopify's mandatory privacy webhooks, applied to what Backfill holds about a shopper: the
 * customer fields of orders, the messages sent about them (recipient, subject, bodies), the
 * events that carry the order (order.placed …), stock alerts by contact, and the inbox's own
 * copies of the platform's payloads. An export gathers the same (it is the event's `result`, read
 * with GET /v1/connections/{id}/events/{eventId}). Not reachable from here: database backups, logs
 * kept outside the database, and copies already delivered to the store's own webhook endpoints.
 */
import { sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../../db/client.ts';

interface Shopper {
  email: string | null;
  phone: string | null;
  orderIds: string[];
}

/** The store's orders of this shopper: by email or phone, or named by the platform (external ids). */
async function shopperOrders(tx: Executor, storeId: string, shopper: Shopper): Promise<string[]> {
  const rows = await queryRows<{ id: string }>(
    tx,
    sql`SELECT id FROM orders
         WHERE store_id = ${storeId}
           AND ((${shopper.email}::text IS NOT NULL AND lower(customer->>'email') = lower(${shopper.email}))
             OR (${shopper.phone}::text IS NOT NULL AND customer->>'phone' = ${shopper.phone})
             OR external_id = ANY(${sql.param(shopper.orderIds)}::text[]))`,
  );
  return rows.map((r) => r.id);
}

const contacts = (shopper: Shopper) => [shopper.email, shopper.phone].filter((c): c is string => c !== null);

export async function exportShopper(
  tx: Executor,
  storeId: string,
  shopper: Shopper,
): Promise<Record<string, unknown>> {
  const orderIds = await shopperOrders(tx, storeId, shopper);
  const orders = await queryRows<Record<string, unknown>>(
    tx,
    sql`SELECT o.id, o.external_id AS "externalId", o.customer, o.status, o.created_at AS "createdAt",
               (SELECT json_agg(json_build_object('sku', l.sku, 'quantity', l.quantity) ORDER BY l.line_no)
                  FROM order_lines l WHERE l.store_id = o.store_id AND l.order_id = o.id) AS lines
          FROM orders o WHERE o.store_id = ${storeId} AND o.id = ANY(${sql.param(orderIds)}::text[])
         ORDER BY o.created_at`,
  );
  const messages = await queryRows<Record<string, unknown>>(
    tx,
    sql`SELECT id, order_id AS "orderId", channel, recipient, subject, body, state, created_at AS "createdAt"
          FROM messages
         WHERE store_id = ${storeId}
           AND (order_id = ANY(${sql.param(orderIds)}::text[]) OR recipient = ANY(${sql.param(contacts(shopper))}::text[]))
           AND channel IN ('email', 'sms')
         ORDER BY created_at`,
  );
  const alerts = await queryRows<Record<string, unknown>>(
    tx,
    sql`SELECT sku, channel, contact, state FROM stock_alerts
         WHERE store_id = ${storeId} AND contact = ANY(${sql.param(contacts(shopper))}::text[])`,
  );
  return { export: { orders, messages, stockAlerts: alerts } };
}

/** Erases the shopper's data from these orders and everything that copied it. */
async function eraseOrders(
  tx: Executor,
  storeId: string,
  orderIds: readonly string[],
  contactList: string[],
) {
  if (orderIds.length === 0 && contactList.length === 0) return { orders: 0, messages: 0 };
  const orders = await queryRows<{ id: string }>(
    tx,
    sql`UPDATE orders SET customer = '{}'::jsonb
         WHERE store_id = ${storeId} AND id = ANY(${sql.param([...orderIds])}::text[]) RETURNING id`,
  );
  const messages = await queryRows<{ id: string }>(
    tx,
    sql`UPDATE messages SET recipient = 'redacted', subject = NULL, body = NULL, html = NULL, payload = NULL
         WHERE store_id = ${storeId} AND channel IN ('email', 'sms')
           AND (order_id = ANY(${sql.param([...orderIds])}::text[]) OR recipient = ANY(${sql.param(contactList)}::text[]))
        RETURNING id`,
  );
  // Events carry the order as it was placed; only its customer is erased.
  await tx.execute(
    sql`UPDATE events SET data = jsonb_set(data, '{order,customer}', '{}'::jsonb)
         WHERE store_id = ${storeId} AND data->'order'->>'id' = ANY(${sql.param([...orderIds])}::text[])
           AND data->'order' ? 'customer'`,
  );
  await tx.execute(
    sql`DELETE FROM stock_alerts WHERE store_id = ${storeId} AND contact = ANY(${sql.param(contactList)}::text[])`,
  );
  return { orders: orders.length, messages: messages.length };
}

export async function redactShopper(
  tx: Executor,
  storeId: string,
  connectionId: string,
  shopper: Shopper,
): Promise<Record<string, unknown>> {
  const orderIds = await shopperOrders(tx, storeId, shopper);
  const erased = await eraseOrders(tx, storeId, orderIds, contacts(shopper));
  // The inbox's copies of the platform's order payloads hold the shopper too.
  await tx.execute(
    sql`UPDATE connector_events SET payload = '{"redacted":true}'::jsonb
         WHERE store_id = ${storeId} AND connection_id = ${connectionId}
           AND (order_id = ANY(${sql.param(orderIds)}::text[])
             OR (${shopper.email}::text IS NOT NULL AND lower(payload->>'email') = lower(${shopper.email})))`,
  );
  return { redacted: erased };
}

/** The shop left (48 hours after uninstalling): every shopper's data that came through it is erased. */
export async function redactShop(
  tx: Executor,
  storeId: string,
  connectionId: string,
): Promise<Record<string, unknown>> {
  const rows = await queryRows<{ order_id: string }>(
    tx,
    sql`SELECT DISTINCT order_id FROM connector_events
         WHERE store_id = ${storeId} AND connection_id = ${connectionId} AND order_id IS NOT NULL`,
  );
  const erased = await eraseOrders(
    tx,
    storeId,
    rows.map((r) => r.order_id),
    [],
  );
  await tx.execute(
    sql`UPDATE connector_events SET payload = '{"redacted":true}'::jsonb
         WHERE store_id = ${storeId} AND connection_id = ${connectionId} AND topic <> 'shop/redact'`,
  );
  return { redacted: erased };
}
