/**
 * The inbox applied a batch at a time. The common event — a platform order Backfill does not have
 * yet — is applied for many events in one transaction: the events are locked together, their
 * orders placed with one `placeOrdersIn` (the placement batch: one read of the SKUs' stock rows,
 * one write of orders, lines and levels), and the events marked done with one statement. Anything
 * else (cancellations, shipments, catalogue, an order refused, two events of one order in the
 * batch, and every event that must be hydrated from the platform's API first: BigCommerce's, and
 * WooCommerce's orders with refunds) is left to `processEvent` (connectors.inbox.ts), one event at
 * a time, as before.
 * New orders are recorded in `connector_orders` as `applyOrder` records them.
 */
import { sql } from 'drizzle-orm';
import { inTransaction, queryRows, type Tx } from '../../db/client.ts';
import type { StoreScope } from '../../shared/context.ts';
import { placeOrdersIn } from '../stock/stock.placement.batch.ts';
import type { PlacementRequest } from '../stock/stock.placement.ts';
import { waitKey } from './connectors.apply.ts';
import type { ConnectorDeps } from './connectors.context.ts';
import { currencyDigits } from './connectors.models.ts';
import { mustHydrate, type PlatformOrder } from './connectors.platform.ts';
import { knownSkus, linkOrdersSql } from './connectors.repository.ts';
import type { Platform } from './connectors.tables.ts';

interface LockedEvent {
  id: string;
  connection_id: string;
  topic: string;
  payload: Record<string, unknown>;
  platform: Platform;
}

interface Finished {
  id: string;
  state: 'done' | 'skipped';
  orderId: string | null;
  result: Record<string, unknown>;
}

/** The batch's new orders placed at once; returns the events left for `processEvent`. */
async function applyNewOrders(
  tx: Tx,
  deps: ConnectorDeps,
  storeId: string,
  ids: readonly string[],
): Promise<{ settled: number; leftovers: string[] }> {
  const now = deps.clock.now();
  const events = await queryRows<LockedEvent>(
    tx,
    sql`SELECT e.id, e.connection_id, e.topic, e.payload, c.platform
          FROM connector_events e
          JOIN connections c ON c.store_id = e.store_id AND c.id = e.connection_id
         WHERE e.store_id = ${storeId} AND e.id = ANY(${sql.param([...ids])}::text[]) AND e.state = 'pending'
           AND (e.next_attempt_at IS NULL OR e.next_attempt_at <= ${now})
         ORDER BY e.received_at, e.id
           FOR UPDATE OF e SKIP LOCKED`,
  );
  if (events.length === 0) return { settled: 0, leftovers: [] };
  const [store] = await queryRows<StoreScope>(
    tx,
    sql`SELECT id, currency, timezone FROM stores WHERE id = ${storeId}`,
  );
  const digits = currencyDigits(store!.currency);
  const leftovers: string[] = [];
  const candidates: { event: LockedEvent; order: PlatformOrder }[] = [];
  const seen = new Set<string>();
  for (const event of events) {
    const connector = deps.connectors[event.platform];
    // Thin webhooks (BigCommerce's; WooCommerce's orders with refunds) are read from the API
    // first: applied alone.
    if (mustHydrate(connector, event.topic, event.payload)) {
      leftovers.push(event.id);
      continue;
    }
    const commands = connector.mapEvent(event.topic, event.payload, digits);
    const only = commands.length === 1 ? commands[0]! : null;
    const key = only?.kind === 'order' ? `${event.connection_id} ${only.order.id}` : null;
    if (only?.kind !== 'order' || only.order.cancelled || key === null || seen.has(key)) {
      leftovers.push(event.id);
      continue;
    }
    seen.add(key);
    candidates.push({ event, order: only.order });
  }
  if (candidates.length === 0) return { settled: 0, leftovers };

  const existing = new Map(
    (
      await queryRows<{ id: string; external_id: string }>(
        tx,
        sql`SELECT id, external_id FROM orders
             WHERE store_id = ${storeId} AND external_id = ANY(${sql.param(candidates.map((c) => c.order.id))}::text[])`,
      )
    ).map((r) => [r.external_id, r.id]),
  );
  const known = await knownSkus(
    tx,
    storeId,
    candidates.flatMap((c) => c.order.lines.map((l) => l.sku)),
  );
  const finished: Finished[] = [];
  const placing: { event: LockedEvent; order: PlatformOrder; request: PlacementRequest }[] = [];
  for (const { event, order } of candidates) {
    const orderId = existing.get(order.id);
    if (orderId !== undefined) {
      finished.push({
        id: event.id,
        state: 'done',
        orderId,
        result: { orderId, placed: false, cancelled: false },
      });
      continue;
    }
    const lines = order.lines.filter((l) => known.has(l.sku));
    if (lines.length === 0) {
      finished.push({
        id: event.id,
        state: 'skipped',
        orderId: null,
        result: { reason: 'no line of the order is a SKU Backfill manages' },
      });
      continue;
    }
    placing.push({
      event,
      order,
      request: {
        store: store!,
        input: {
          externalId: order.id,
          customer: order.customer,
          ...(order.currency ? { currency: order.currency } : {}),
          lines,
        },
        idempotency: null,
      },
    });
  }
  if (placing.length > 0) {
    const results = await placeOrdersIn(
      tx,
      deps,
      placing.map((p) => p.request),
    );
    placing.forEach((p, i) => {
      const outcome = results[i]!.outcome;
      if (!outcome.ok) {
        // Refused (e.g. a `deny` SKU without stock): applied alone, which counts the attempt.
        leftovers.push(p.event.id);
        return;
      }
      const orderId = (outcome.body as { id: string }).id;
      finished.push({
        id: p.event.id,
        state: 'done',
        orderId,
        result: { orderId, placed: true, cancelled: false },
      });
    });
  }
  if (finished.length > 0) {
    await tx.execute(
      sql`UPDATE connector_events AS e
             SET state = f.state, order_id = f.order_id, result = f.result::jsonb, processed_at = ${now},
                 next_attempt_at = NULL, last_error = NULL
            FROM unnest(${sql.param(finished.map((f) => f.id))}::text[],
                        ${sql.param(finished.map((f) => f.state))}::text[],
                        ${sql.param(finished.map((f) => f.orderId))}::text[],
                        ${sql.param(finished.map((f) => JSON.stringify(f.result)))}::text[])
                 AS f(id, state, order_id, result)
           WHERE e.store_id = ${storeId} AND e.id = f.id`,
    );
    // Events parked until these orders arrived are due now.
    const done = new Set(finished.map((f) => f.id));
    const arrived = candidates.filter((c) => done.has(c.event.id));
    // Which Backfill order each platform order became (fulfilment pushes address it through this).
    const orderOf = new Map(finished.map((f) => [f.id, f.orderId]));
    const links = arrived.flatMap((c) => {
      const orderId = orderOf.get(c.event.id);
      return orderId ? [{ connectionId: c.event.connection_id, platformOrderId: c.order.id, orderId }] : [];
    });
    if (links.length > 0) await tx.execute(linkOrdersSql(storeId, links, now));
    await tx.execute(
      sql`UPDATE connector_events AS e SET state = 'pending', waits_for = NULL, next_attempt_at = ${now}
            FROM unnest(${sql.param(arrived.map((c) => c.event.connection_id))}::text[],
                        ${sql.param(arrived.map((c) => waitKey(c.order.id)))}::text[]) AS w(connection_id, waits_for)
           WHERE e.store_id = ${storeId} AND e.state = 'parked'
             AND e.connection_id = w.connection_id AND e.waits_for = w.waits_for`,
    );
    await tx.execute(
      sql`UPDATE connections SET last_sync_at = ${now}
           WHERE store_id = ${storeId} AND id = ANY(${sql.param([...new Set(arrived.map((c) => c.event.connection_id))])}::text[])`,
    );
  }
  return { settled: finished.length, leftovers };
}

/**
 * Applies the new orders among these events of one store in one transaction. Returns how many
 * events it settled and the ones left for `processEvent` (all of them when the batch failed as a
 * whole: a race on an external id, a refused write — each then fails or succeeds alone).
 */
export async function placeNewOrders(
  deps: ConnectorDeps,
  storeId: string,
  eventIds: readonly string[],
): Promise<{ settled: number; leftovers: readonly string[] }> {
  try {
    return await inTransaction(deps.db, (tx) => applyNewOrders(tx, deps, storeId, eventIds));
  } catch {
    return { settled: 0, leftovers: eventIds };
  }
}
