/**
 * Outbound fulfilments: when Backfill ships units of an order that came from a platform (the
 * merchant ships after a restock), the platform is told — WooCommerce gets an order note naming
 * the shipment and, once every unit has shipped, the order is marked `completed`. The stock hook
 * records the shipment in its own transaction (one row per connection and shipment: a second
 * hook call changes nothing); the worker pushes due rows with retries. Shipments that came from
 * the platform itself (an inbound completion) are not sent back.
 */
import { sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../../db/client.ts';
import type { StockHook } from '../stock/stock.hooks.ts';
import type { ConnectorDeps } from './connectors.context.ts';
import { MAX_EVENT_ATTEMPTS, retryDelayMs } from './connectors.models.ts';
import { type OutboundFulfilment, RetryLater } from './connectors.platform.ts';
import { findConnection, platformConnection } from './connectors.repository.ts';

const LEASE_MS = 60_000;

/** Registered in src/assembly.ts: records shipments of platform orders, in the shipment's transaction. */
export const connectorFulfilmentsHook: StockHook = {
  name: 'connector-fulfilments',
  async linesChanged(tx, ctx, store, changes) {
    const orderIds = [...new Set(changes.filter((c) => c.cause === 'shipped').map((c) => c.orderId))];
    if (orderIds.length === 0) return;
    const now = ctx.clock.now();
    await tx.execute(
      sql`INSERT INTO connector_fulfilments (store_id, connection_id, shipment_id, order_id, state, next_attempt_at, created_at)
          SELECT s.store_id, c.id, s.id, s.order_id, 'pending', ${now}, ${now}
            FROM shipments s
            JOIN orders o ON o.store_id = s.store_id AND o.id = s.order_id AND o.external_id IS NOT NULL
            JOIN connections c ON c.store_id = s.store_id AND c.state = 'active'
           WHERE s.store_id = ${store.id} AND s.order_id = ANY(${sql.param(orderIds)}::text[])
          ON CONFLICT DO NOTHING`,
    );
  },
};

interface DueFulfilment {
  store_id: string;
  connection_id: string;
  shipment_id: string;
  order_id: string;
  attempts: number;
}

async function leaseDue(
  deps: Pick<ConnectorDeps, 'db' | 'clock'>,
  options: { limit: number; storeIds?: readonly string[] },
): Promise<DueFulfilment[]> {
  const now = deps.clock.now();
  return queryRows<DueFulfilment>(
    deps.db,
    sql`UPDATE connector_fulfilments AS f SET lease_until = ${new Date(now.getTime() + LEASE_MS)}
          FROM (SELECT store_id, connection_id, shipment_id FROM connector_fulfilments
                 WHERE state = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= ${now})
                   AND (lease_until IS NULL OR lease_until < ${now})
                   ${options.storeIds ? sql`AND store_id = ANY(${sql.param([...options.storeIds])}::text[])` : sql``}
                 ORDER BY created_at LIMIT ${options.limit}
                 FOR UPDATE SKIP LOCKED) AS due
         WHERE f.store_id = due.store_id AND f.connection_id = due.connection_id AND f.shipment_id = due.shipment_id
        RETURNING f.store_id, f.connection_id, f.shipment_id, f.order_id, f.attempts`,
  );
}

/** The shipment as the platform needs it, or why it is not sent. */
async function describeShipment(
  db: Executor,
  row: DueFulfilment,
): Promise<{ fulfilment: OutboundFulfilment } | { skip: string }> {
  const fromPlatform = await queryRows<{ id: string }>(
    db,
    sql`SELECT id FROM connector_events
         WHERE store_id = ${row.store_id} AND connection_id = ${row.connection_id}
           AND result->>'shipmentId' = ${row.shipment_id} LIMIT 1`,
  );
  if (fromPlatform.length > 0) return { skip: 'the shipment came from the platform' };
  const [shipment] = await queryRows<{
    carrier: string | null;
    tracking_number: string | null;
    external_id: string | null;
    status: string;
  }>(
    db,
    sql`SELECT s.carrier, s.tracking_number, o.external_id, o.status
          FROM shipments s JOIN orders o ON o.store_id = s.store_id AND o.id = s.order_id
         WHERE s.store_id = ${row.store_id} AND s.id = ${row.shipment_id}`,
  );
  if (!shipment?.external_id) return { skip: 'the order has no platform id' };
  const lines = await queryRows<{ sku: string; quantity: number }>(
    db,
    sql`SELECT sku, sum(quantity)::int AS quantity FROM shipment_lines
         WHERE store_id = ${row.store_id} AND shipment_id = ${row.shipment_id}
         GROUP BY sku ORDER BY sku`,
  );
  return {
    fulfilment: {
      platformOrderId: shipment.external_id,
      shipmentId: row.shipment_id,
      lines,
      carrier: shipment.carrier,
      trackingNumber: shipment.tracking_number,
      orderFulfilled: shipment.status === 'fulfilled',
    },
  };
}

async function settle(
  deps: Pick<ConnectorDeps, 'db' | 'clock'>,
  row: DueFulfilment,
  outcome: { state: 'done' | 'skipped'; result: string } | { error: string; retryAfterMs?: number },
): Promise<void> {
  const now = deps.clock.now();
  const key = sql`store_id = ${row.store_id} AND connection_id = ${row.connection_id} AND shipment_id = ${row.shipment_id}`;
  if ('state' in outcome) {
    await deps.db.execute(
      sql`UPDATE connector_fulfilments SET state = ${outcome.state}, result = ${outcome.result},
                 pushed_at = ${now}, lease_until = NULL, next_attempt_at = NULL, last_error = NULL
           WHERE ${key}`,
    );
    return;
  }
  const attempts = row.attempts + 1;
  const failed = attempts >= MAX_EVENT_ATTEMPTS && outcome.retryAfterMs === undefined;
  await deps.db.execute(
    sql`UPDATE connector_fulfilments
           SET attempts = ${attempts}, last_error = ${outcome.error.slice(0, 1000)}, lease_until = NULL,
               state = ${failed ? 'failed' : 'pending'},
               next_attempt_at = ${failed ? null : new Date(now.getTime() + (outcome.retryAfterMs ?? retryDelayMs(attempts)))}
         WHERE ${key}`,
  );
}

/** One pass: every due fulfilment (in leased batches) is pushed to its connection's platform. */
export async function pushFulfilments(
  deps: ConnectorDeps,
  options: { storeIds?: readonly string[]; maxRounds?: number } = {},
): Promise<{ pushed: number; skipped: number; failed: number }> {
  const total = { pushed: 0, skipped: 0, failed: 0 };
  for (let round = 0; round < (options.maxRounds ?? 10); round++) {
    const rows = await leaseDue(deps, { limit: 50, ...options });
    if (rows.length === 0) break;
    for (const row of rows) {
      const connectionRow = await findConnection(deps.db, row.store_id, row.connection_id);
      const connector = connectionRow ? deps.connectors[connectionRow.platform] : undefined;
      if (!connectionRow || !connector?.pushFulfilment) {
        await settle(deps, row, { state: 'skipped', result: 'the platform takes no fulfilments' });
        total.skipped++;
        continue;
      }
      const described = await describeShipment(deps.db, row);
      if ('skip' in described) {
        await settle(deps, row, { state: 'skipped', result: described.skip });
        total.skipped++;
        continue;
      }
      try {
        const outcome = await connector.pushFulfilment(
          platformConnection(deps, connectionRow),
          described.fulfilment,
        );
        await settle(deps, row, { state: 'done', result: outcome.action });
        total.pushed++;
      } catch (error) {
        await settle(deps, row, {
          error: String((error as Error).message ?? error),
          ...(error instanceof RetryLater ? { retryAfterMs: error.retryAfterMs } : {}),
        });
        total.failed++;
      }
    }
  }
  return total;
}
