/**
 * The fulfilment push: Backfill's shipments of orders that came through a connection with
 * `pushFulfilments` are queued by the stock hook in the shipment's own transaction
 * (`connector_fulfilments`, pending); this pusher leases due rows, reads the shipment, asks the
 * platform's connector to create it there (idempotent per shipment id: a repeat after a crash
 * finds the first one) and records the platform's id. Failures are retried with backoff; after
 * `MAX_EVENT_ATTEMPTS` the row is failed (the connection's counters show it).
 */
import { sql } from 'drizzle-orm';
import { executeTogether, queryRows } from '../../db/client.ts';
import type { ConnectorDeps } from './connectors.context.ts';
import { MAX_EVENT_ATTEMPTS, retryDelayMs } from './connectors.models.ts';
import { RetryLater } from './connectors.platform.ts';
import { findConnection, platformConnection } from './connectors.repository.ts';

const LEASE_MS = 60_000;

interface DueFulfilment {
  store_id: string;
  connection_id: string;
  shipment_id: string;
  platform_order_id: string;
  attempts: number;
  carrier: string | null;
  tracking_number: string | null;
  /** Nothing of the order is left to ship (every unit shipped or cancelled). */
  order_fulfilled: boolean;
}

async function leaseDue(
  deps: Pick<ConnectorDeps, 'db' | 'clock'>,
  options: { limit: number; storeIds?: readonly string[]; connectionId?: string },
): Promise<DueFulfilment[]> {
  const now = deps.clock.now();
  return queryRows<DueFulfilment>(
    deps.db,
    sql`UPDATE connector_fulfilments AS f SET lease_until = ${new Date(now.getTime() + LEASE_MS)}
          FROM (SELECT store_id, connection_id, shipment_id FROM connector_fulfilments
                 WHERE state = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= ${now})
                   AND (lease_until IS NULL OR lease_until < ${now})
                   ${options.storeIds ? sql`AND store_id = ANY(${sql.param([...options.storeIds])}::text[])` : sql``}
                   ${options.connectionId ? sql`AND connection_id = ${options.connectionId}` : sql``}
                 ORDER BY created_at, shipment_id
                 LIMIT ${options.limit}
                 FOR UPDATE SKIP LOCKED) AS due, shipments s
         WHERE f.store_id = due.store_id AND f.connection_id = due.connection_id AND f.shipment_id = due.shipment_id
           AND s.store_id = f.store_id AND s.id = f.shipment_id
        RETURNING f.store_id, f.connection_id, f.shipment_id, f.platform_order_id, f.attempts,
                  s.carrier, s.tracking_number,
                  NOT EXISTS (SELECT 1 FROM order_lines l
                               WHERE l.store_id = f.store_id AND l.order_id = f.order_id
                                 AND l.allocated + l.backordered > 0) AS order_fulfilled`,
  );
}

/** The shipment's units per SKU. */
async function shipmentUnits(deps: Pick<ConnectorDeps, 'db'>, storeId: string, shipmentId: string) {
  return queryRows<{ sku: string; quantity: number }>(
    deps.db,
    sql`SELECT sku, sum(quantity)::int AS quantity FROM shipment_lines
         WHERE store_id = ${storeId} AND shipment_id = ${shipmentId}
         GROUP BY sku ORDER BY min(line_id)`,
  );
}

/** One pass: every due fulfilment (in leased batches) is created on its platform. */
export async function pushFulfilmentsDue(
  deps: ConnectorDeps,
  options: { storeIds?: readonly string[]; connectionId?: string; maxRounds?: number } = {},
): Promise<{ pushed: number; failed: number }> {
  const total = { pushed: 0, failed: 0 };
  for (let round = 0; round < (options.maxRounds ?? 10); round++) {
    const rows = await leaseDue(deps, { limit: 50, ...options });
    if (rows.length === 0) break;
    const statements = [];
    for (const row of rows) {
      const key = sql`store_id = ${row.store_id} AND connection_id = ${row.connection_id} AND shipment_id = ${row.shipment_id}`;
      const now = deps.clock.now();
      try {
        const connectionRow = await findConnection(deps.db, row.store_id, row.connection_id);
        if (!connectionRow) continue;
        // Inside the try: credentials that do not open fail this row only.
        const { platformId } = await deps.connectors[connectionRow.platform].pushFulfilment(
          platformConnection(deps, connectionRow),
          {
            shipmentId: row.shipment_id,
            platformOrderId: row.platform_order_id,
            lines: await shipmentUnits(deps, row.store_id, row.shipment_id),
            carrier: row.carrier,
            trackingNumber: row.tracking_number,
            orderFulfilled: row.order_fulfilled === true,
          },
        );
        statements.push(
          sql`UPDATE connector_fulfilments SET state = 'done', platform_id = ${platformId}, lease_until = NULL,
                     next_attempt_at = NULL, last_error = NULL, updated_at = ${now} WHERE ${key}`,
        );
        total.pushed++;
      } catch (error) {
        const message = String((error as Error).message ?? error).slice(0, 1000);
        if (error instanceof RetryLater) {
          statements.push(
            sql`UPDATE connector_fulfilments SET lease_until = NULL, last_error = ${message}, updated_at = ${now},
                       next_attempt_at = ${new Date(now.getTime() + error.retryAfterMs)} WHERE ${key}`,
          );
        } else {
          const attempts = row.attempts + 1;
          const failed = attempts >= MAX_EVENT_ATTEMPTS;
          statements.push(
            sql`UPDATE connector_fulfilments SET attempts = ${attempts}, last_error = ${message}, lease_until = NULL,
                       state = ${failed ? 'failed' : 'pending'}, updated_at = ${now},
                       next_attempt_at = ${failed ? null : new Date(now.getTime() + retryDelayMs(attempts))}
                 WHERE ${key}`,
          );
        }
        total.failed++;
      }
    }
    await executeTogether(deps.db, statements);
  }
  return total;
}
