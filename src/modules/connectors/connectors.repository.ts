import { and, eq, sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../../db/client.ts';
import type { ConnectorDeps } from './connectors.context.ts';
import type { PlatformConnection, PlatformVariant } from './connectors.platform.ts';
import { openSecret } from './connectors.secrets.ts';
import { connections, connectorSkus } from './connectors.tables.ts';

export type ConnectionRow = typeof connections.$inferSelect;

export async function findConnection(
  db: Executor,
  storeId: string,
  id: string,
  options: { lock?: boolean } = {},
): Promise<ConnectionRow | undefined> {
  const query = db
    .select()
    .from(connections)
    .where(and(eq(connections.storeId, storeId), eq(connections.id, id)));
  const [row] = options.lock ? await query.for('update') : await query;
  return row;
}

/** A webhook names its connection only (the platform knows no store). */
export async function findConnectionById(db: Executor, id: string): Promise<ConnectionRow | undefined> {
  const [row] = await db.select().from(connections).where(eq(connections.id, id)).limit(1);
  return row;
}

/** The connection as a connector sees it, credentials opened. */
export function platformConnection(
  deps: Pick<ConnectorDeps, 'secretsKey'>,
  row: ConnectionRow,
): PlatformConnection {
  return {
    id: row.id,
    storeId: row.storeId,
    shop: row.shop,
    baseUrl: row.baseUrl,
    locationId: row.locationId,
    credentials: JSON.parse(openSecret(deps.secretsKey, row.credentials, `${row.storeId}/${row.id}`)),
  };
}

/** Records the platform ids of variants; new or re-mapped SKUs are due a push. */
export async function mapVariants(
  tx: Executor,
  storeId: string,
  connectionId: string,
  variants: readonly PlatformVariant[],
  now: Date,
): Promise<void> {
  if (variants.length === 0) return;
  await tx
    .insert(connectorSkus)
    .values(
      variants.map((v) => ({
        storeId,
        connectionId,
        sku: v.sku,
        productId: v.productId,
        variantId: v.variantId,
        inventoryItemId: v.inventoryItemId,
        updatedAt: now,
      })),
    )
    .onConflictDoUpdate({
      target: [connectorSkus.storeId, connectorSkus.connectionId, connectorSkus.sku],
      set: {
        productId: sql`excluded.product_id`,
        variantId: sql`excluded.variant_id`,
        inventoryItemId: sql`excluded.inventory_item_id`,
        updatedAt: now,
        wantedVersion: sql`CASE WHEN ${connectorSkus.variantId} IS DISTINCT FROM excluded.variant_id
                                  OR ${connectorSkus.inventoryItemId} IS DISTINCT FROM excluded.inventory_item_id
                                THEN ${connectorSkus.wantedVersion} + 1 ELSE ${connectorSkus.wantedVersion} END`,
      },
    });
}

/** Marks SKUs due a push on every connection of the store that sells them (the stock hook's write). */
export function markSkusDirtySql(storeId: string, skus: readonly string[]) {
  // Rows are locked in key order (as the pusher's `settle` locks them): no deadlock between them.
  return sql`UPDATE connector_skus AS s SET wanted_version = s.wanted_version + 1
               FROM (SELECT store_id, connection_id, sku FROM connector_skus
                      WHERE store_id = ${storeId} AND sku = ANY(${sql.param([...new Set(skus)])}::text[])
                      ORDER BY store_id, connection_id, sku FOR UPDATE) AS k
              WHERE s.store_id = k.store_id AND s.connection_id = k.connection_id AND s.sku = k.sku`;
}

/** The same for (store, SKU) pairs of several stores, as one statement (a placement batch's CTE). */
export function markKeysDirtySql(keys: readonly { storeId: string; sku: string }[]) {
  const unique = [...new Map(keys.map((k) => [`${k.storeId} ${k.sku}`, k])).values()];
  return sql`UPDATE connector_skus AS s SET wanted_version = s.wanted_version + 1
               FROM (SELECT c.store_id, c.connection_id, c.sku
                       FROM connector_skus c
                       JOIN unnest(${sql.param(unique.map((k) => k.storeId))}::text[], ${sql.param(unique.map((k) => k.sku))}::text[])
                            AS k(store_id, sku) ON c.store_id = k.store_id AND c.sku = k.sku
                      ORDER BY c.store_id, c.connection_id, c.sku FOR UPDATE OF c) AS k
              WHERE s.store_id = k.store_id AND s.connection_id = k.connection_id AND s.sku = k.sku`;
}

/**
 * Queues shipments (id, order) for the platforms their orders came from, where the connection
 * pushes fulfilments (an INSERT … SELECT: orders of no such connection add nothing).
 */
export function queueFulfilmentsSql(storeId: string, shipments: readonly [string, string][], now: Date) {
  return sql`INSERT INTO connector_fulfilments
               (store_id, connection_id, shipment_id, order_id, platform_order_id, state, next_attempt_at, created_at, updated_at)
             SELECT o.store_id, o.connection_id, s.shipment_id, o.order_id, o.platform_order_id, 'pending', ${now}, ${now}, ${now}
               FROM unnest(${sql.param(shipments.map((s) => s[0]))}::text[], ${sql.param(shipments.map((s) => s[1]))}::text[])
                    AS s(shipment_id, order_id)
               JOIN connector_orders o ON o.store_id = ${storeId} AND o.order_id = s.order_id
               JOIN connections c ON c.store_id = o.store_id AND c.id = o.connection_id AND c.push_fulfilments
             ON CONFLICT DO NOTHING`;
}

/** Records which Backfill order a platform order became (idempotent). */
export async function linkOrder(
  tx: Executor,
  storeId: string,
  connectionId: string,
  platformOrderId: string,
  orderId: string,
  now: Date,
): Promise<void> {
  await tx.execute(
    sql`INSERT INTO connector_orders (store_id, connection_id, platform_order_id, order_id, created_at)
        VALUES (${storeId}, ${connectionId}, ${platformOrderId}, ${orderId}, ${now})
        ON CONFLICT DO NOTHING`,
  );
}

/** `linkOrder` for many platform orders of one store at once (the inbox's batch of new orders). */
export function linkOrdersSql(
  storeId: string,
  links: readonly { connectionId: string; platformOrderId: string; orderId: string }[],
  now: Date,
) {
  return sql`INSERT INTO connector_orders (store_id, connection_id, platform_order_id, order_id, created_at)
             SELECT ${storeId}, l.connection_id, l.platform_order_id, l.order_id, ${now}
               FROM unnest(${sql.param(links.map((l) => l.connectionId))}::text[],
                           ${sql.param(links.map((l) => l.platformOrderId))}::text[],
                           ${sql.param(links.map((l) => l.orderId))}::text[])
                    AS l(connection_id, platform_order_id, order_id)
             ON CONFLICT DO NOTHING`;
}

/** The store's order with this external id, if any. */
export async function orderIdByExternalId(
  db: Executor,
  storeId: string,
  externalId: string,
): Promise<string | null> {
  const rows = await queryRows<{ id: string }>(
    db,
    sql`SELECT id FROM orders WHERE store_id = ${storeId} AND external_id = ${externalId}`,
  );
  return rows[0]?.id ?? null;
}

/** Which of these SKUs the store has. */
export async function knownSkus(
  db: Executor,
  storeId: string,
  skus: readonly string[],
): Promise<Set<string>> {
  if (skus.length === 0) return new Set();
  const rows = await queryRows<{ sku: string }>(
    db,
    sql`SELECT sku FROM variants WHERE store_id = ${storeId} AND sku = ANY(${sql.param([...skus])}::text[])`,
  );
  return new Set(rows.map((r) => r.sku));
}
