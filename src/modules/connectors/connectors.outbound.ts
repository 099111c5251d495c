/**
 * Outbound availability. Stock commands mark a SKU due (the stock hook below: one indexed UPDATE in
 * their own transaction; SKUs no platform sells match no row). The pusher leases due SKUs, works
 * out each one's latest state from the stock row (so any number of changes coalesce into one
 * call), sends only what differs from what the platform was last told, and records it.
 */
import { sql } from 'drizzle-orm';
import { type Executor, executeTogether, inTransaction, queryRows } from '../../db/client.ts';
import type { StoreScope } from '../../shared/context.ts';
import { ScheduleCache } from '../promises/promises.usecases.ts';
import type { StockHook } from '../stock/stock.hooks.ts';
import { available } from '../stock/stock.levels.models.ts';
import { availabilityOf } from '../storefront/storefront.models.ts';
import { readShelf } from '../storefront/storefront.repository.ts';
import type { ConnectorDeps } from './connectors.context.ts';
import { retryDelayMs, sameState, wantedState } from './connectors.models.ts';
import { type OutboundItem, type PlatformConnection, RetryLater } from './connectors.platform.ts';
import { storeConnected } from './connectors.presence.ts';
import {
  findConnection,
  markKeysDirtySql,
  markSkusDirtySql,
  platformConnection,
  queueFulfilmentsSql,
} from './connectors.repository.ts';
import type { PushedState } from './connectors.tables.ts';

/** Read with each stock row at placement: true when the row's store has a connection (else null). */
const connectedTerm = sql`SELECT true FROM connections c WHERE c.store_id = l.store_id LIMIT 1`;

/**
 * Registered in src/assembly.ts: learns of every availability change in the changing transaction.
 * Stores without a connection pay nothing: placement reads `connected` with the stock row (in the
 * batch's one statement), and the other points ask the in-process set of connected stores
 * (connectors.presence.ts) before writing. Shipments of orders that came through a connection that
 * pushes fulfilments are queued for the platform in the same statement as the SKUs' mark.
 */
export const connectorsStockHook: StockHook = {
  name: 'connectors',
  placementTerms: { name: 'connected', sql: connectedTerm },
  placed(orders) {
    const keys = orders.flatMap((order) =>
      order.lines
        .filter((line) => line.terms.connected === true)
        .map((line) => ({ storeId: order.storeId, sku: line.sku })),
    );
    return keys.length === 0 ? null : markKeysDirtySql(keys);
  },
  async linesChanged(tx, ctx, store, changes) {
    if (!(await storeConnected(tx, store.id))) return;
    const skus = changes.map((c) => c.sku);
    const shipped = changes.filter((c) => c.cause === 'shipped' && c.shipmentId !== undefined);
    if (shipped.length === 0) {
      await tx.execute(markSkusDirtySql(store.id, skus));
      return;
    }
    const shipments = [...new Map(shipped.map((c) => [c.shipmentId!, c.orderId])).entries()];
    await tx.execute(
      sql`WITH marked AS (${markSkusDirtySql(store.id, skus)} RETURNING 1)
          ${queueFulfilmentsSql(store.id, shipments, ctx.clock.now())}`,
    );
  },
  async queuesChanged(tx, _ctx, store, levels) {
    if (!(await storeConnected(tx, store.id))) return;
    await tx.execute(
      markSkusDirtySql(
        store.id,
        levels.map((l) => l.sku),
      ),
    );
  },
  async stockChanged(tx, _ctx, store, skus) {
    if (!(await storeConnected(tx, store.id))) return;
    await tx.execute(markSkusDirtySql(store.id, skus));
  },
};

interface DueSku {
  store_id: string;
  connection_id: string;
  sku: string;
  product_id: string;
  variant_id: string;
  inventory_item_id: string | null;
  wanted_version: number | string;
  pushed_state: PushedState | null;
  attempts: number;
}

const LEASE_MS = 60_000;

/** Leases up to `limit` due SKUs (two pushers never hold one SKU). */
async function leaseDue(
  deps: Pick<ConnectorDeps, 'db' | 'clock'>,
  options: { limit: number; storeIds?: readonly string[]; connectionId?: string },
): Promise<DueSku[]> {
  const now = deps.clock.now();
  return queryRows<DueSku>(
    deps.db,
    sql`UPDATE connector_skus AS s SET lease_until = ${new Date(now.getTime() + LEASE_MS)}
          FROM (SELECT store_id, connection_id, sku FROM connector_skus
                 WHERE wanted_version > pushed_version
                   AND (next_attempt_at IS NULL OR next_attempt_at <= ${now})
                   AND (lease_until IS NULL OR lease_until < ${now})
                   ${options.storeIds ? sql`AND store_id = ANY(${sql.param([...options.storeIds])}::text[])` : sql``}
                   ${options.connectionId ? sql`AND connection_id = ${options.connectionId}` : sql``}
                 -- Least recently pushed first: SKUs that change all the time (a busy sale) do not
                 -- keep the others waiting.
                 ORDER BY pushed_at NULLS FIRST, store_id, connection_id, sku
                 LIMIT ${options.limit}
                 FOR UPDATE SKIP LOCKED) AS due
         WHERE s.store_id = due.store_id AND s.connection_id = due.connection_id AND s.sku = due.sku
        RETURNING s.store_id, s.connection_id, s.sku, s.product_id, s.variant_id, s.inventory_item_id,
                  s.wanted_version, s.pushed_state, s.attempts`,
  );
}

/** What the platform should show for these SKUs now (SKUs Backfill does not have are absent). */
export async function wantedStates(
  db: Executor,
  store: StoreScope,
  skus: readonly string[],
  now: Date,
): Promise<Map<string, PushedState>> {
  const shelf = await readShelf(db, store.id, skus);
  const schedules = new ScheduleCache(now);
  const result = new Map<string, PushedState>();
  for (const [sku, row] of shelf) {
    const next = availabilityOf(row, Math.max(0, available(row.level)) + 1, (through) =>
      schedules.promiseFor(store, sku, row, through),
    );
    result.set(sku, wantedState(row.level, next));
  }
  return result;
}

async function storeScope(db: Executor, storeId: string): Promise<StoreScope> {
  const [row] = await queryRows<StoreScope>(
    db,
    sql`SELECT id, currency, timezone FROM stores WHERE id = ${storeId}`,
  );
  return row!;
}

/** Records each SKU's outcome: pushed (at the version leased), or failed with a later retry. */
async function settle(
  deps: Pick<ConnectorDeps, 'db' | 'clock'>,
  rows: readonly DueSku[],
  outcomes: Map<string, { state: PushedState } | { error: string; retryAfterMs?: number }>,
): Promise<void> {
  const now = deps.clock.now();
  const pushed: { sku: string; version: number; state: string }[] = [];
  const failed: { sku: string; error: string; retryAt: string }[] = [];
  const released: string[] = [];
  for (const row of rows) {
    const outcome = outcomes.get(row.sku);
    if (outcome === undefined) released.push(row.sku);
    else if ('state' in outcome)
      pushed.push({
        sku: row.sku,
        version: Number(row.wanted_version),
        state: JSON.stringify(outcome.state),
      });
    else {
      const delay = outcome.retryAfterMs ?? retryDelayMs(row.attempts + 1);
      failed.push({
        sku: row.sku,
        error: outcome.error.slice(0, 1000),
        retryAt: new Date(now.getTime() + delay).toISOString(),
      });
    }
  }
  const first = rows[0];
  if (!first) return;
  const of = sql`s.store_id = ${first.store_id} AND s.connection_id = ${first.connection_id}`;
  // One statement per kind of outcome, whatever the number of SKUs (rows of one connection).
  const statements = [
    pushed.length === 0
      ? null
      : sql`UPDATE connector_skus AS s
               SET pushed_version = GREATEST(s.pushed_version, p.version), pushed_state = p.state::jsonb,
                   pushed_at = ${now}, attempts = 0, next_attempt_at = NULL, lease_until = NULL, last_error = NULL
              FROM unnest(${sql.param(pushed.map((p) => p.sku))}::text[],
                          ${sql.param(pushed.map((p) => p.version))}::bigint[],
                          ${sql.param(pushed.map((p) => p.state))}::text[]) AS p(sku, version, state)
             WHERE ${of} AND s.sku = p.sku`,
    failed.length === 0
      ? null
      : sql`UPDATE connector_skus AS s
               SET attempts = s.attempts + 1, last_error = f.error, next_attempt_at = f.retry_at::timestamptz,
                   lease_until = NULL
              FROM unnest(${sql.param(failed.map((f) => f.sku))}::text[],
                          ${sql.param(failed.map((f) => f.error))}::text[],
                          ${sql.param(failed.map((f) => f.retryAt))}::text[]) AS f(sku, error, retry_at)
             WHERE ${of} AND s.sku = f.sku`,
    released.length === 0
      ? null
      : sql`UPDATE connector_skus AS s SET lease_until = NULL
             WHERE ${of} AND s.sku = ANY(${sql.param(released)}::text[])`,
  ];
  // The stock hook marks these rows in placements' transactions; both lock them in key order, and a
  // deadlock that still picks this statement (other rows of those transactions) is tried again.
  for (let attempt = 1; ; attempt++) {
    try {
      // Locked in key order first, as the stock hook locks them (connectors.repository.ts).
      await inTransaction(deps.db, async (tx) => {
        await tx.execute(
          sql`SELECT 1 FROM connector_skus
               WHERE store_id = ${first.store_id} AND connection_id = ${first.connection_id}
                 AND sku = ANY(${sql.param(rows.map((r) => r.sku))}::text[])
               ORDER BY store_id, connection_id, sku FOR UPDATE`,
        );
        await executeTogether(tx, statements);
      });
      return;
    } catch (error) {
      if (attempt >= 5 || !isDeadlock(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10 * attempt));
    }
  }
}

const isDeadlock = (error: unknown): boolean => {
  const e = error as { code?: string; cause?: { code?: string } };
  return (e.cause ?? e).code === '40P01';
};

/** Gives leased SKUs back at once when their push failed before it was recorded (no 60 s wait). */
async function releaseLeases(deps: Pick<ConnectorDeps, 'db'>, rows: readonly DueSku[]): Promise<void> {
  const first = rows[0];
  if (!first) return;
  await deps.db.execute(
    sql`UPDATE connector_skus SET lease_until = NULL
         WHERE store_id = ${first.store_id} AND connection_id = ${first.connection_id}
           AND sku = ANY(${sql.param(rows.map((r) => r.sku))}::text[])`,
  );
}

/** Pushes the given SKUs of one connection; the platform is called only for states it was not told. */
async function pushConnection(
  deps: ConnectorDeps,
  connection: PlatformConnection,
  platform: keyof ConnectorDeps['connectors'],
  rows: readonly DueSku[],
): Promise<{ pushed: number; failed: number }> {
  const store = await storeScope(deps.db, connection.storeId);
  const wanted = await wantedStates(
    deps.db,
    store,
    rows.map((r) => r.sku),
    deps.clock.now(),
  );
  const outcomes = new Map<string, { state: PushedState } | { error: string; retryAfterMs?: number }>();
  const items: OutboundItem[] = [];
  for (const row of rows) {
    const state = wanted.get(row.sku);
    if (state === undefined || sameState(row.pushed_state, state, deps.connectors[platform].stateFields)) {
      outcomes.set(row.sku, {
        state: state ??
          (row.pushed_state as PushedState) ?? { policy: 'DENY', quantity: 0, expectedDate: null },
      });
      continue;
    }
    items.push({
      sku: row.sku,
      productId: row.product_id,
      variantId: row.variant_id,
      inventoryItemId: row.inventory_item_id,
      state,
    });
  }
  let failed = 0;
  if (items.length > 0) {
    try {
      const results = await deps.connectors[platform].pushAvailability(connection, items);
      for (const result of results) {
        const item = items.find((i) => i.sku === result.sku)!;
        if (result.ok) outcomes.set(result.sku, { state: item.state });
        else {
          outcomes.set(result.sku, { error: result.error });
          failed++;
        }
      }
    } catch (error) {
      const retryAfterMs = error instanceof RetryLater ? error.retryAfterMs : undefined;
      for (const item of items) {
        outcomes.set(item.sku, {
          error: String((error as Error).message ?? error),
          ...(retryAfterMs ? { retryAfterMs } : {}),
        });
      }
      failed += items.length;
    }
  }
  await settle(deps, rows, outcomes);
  if (items.length > failed) {
    await deps.db.execute(
      sql`UPDATE connections SET last_sync_at = ${deps.clock.now()} WHERE store_id = ${connection.storeId} AND id = ${connection.id}`,
    );
  }
  return { pushed: items.length - failed, failed };
}

/** One pass of the pusher: every due SKU (in leased batches), grouped by connection. */
export async function pushDue(
  deps: ConnectorDeps,
  options: { storeIds?: readonly string[]; connectionId?: string; maxRounds?: number } = {},
): Promise<{ pushed: number; failed: number }> {
  const total = { pushed: 0, failed: 0 };
  for (let round = 0; round < (options.maxRounds ?? 10); round++) {
    const rows = await leaseDue(deps, { limit: 100, ...options });
    if (rows.length === 0) break;
    const byConnection = new Map<string, DueSku[]>();
    for (const row of rows) {
      const key = `${row.store_id} ${row.connection_id}`;
      byConnection.set(key, [...(byConnection.get(key) ?? []), row]);
    }
    for (const group of byConnection.values()) {
      const connectionRow = await findConnection(deps.db, group[0]!.store_id, group[0]!.connection_id);
      if (!connectionRow) continue;
      let connection: PlatformConnection;
      try {
        connection = platformConnection(deps, connectionRow);
      } catch (error) {
        // Credentials that do not open (another key): this connection's SKUs wait, the others go on.
        const message = `credentials cannot be opened: ${String((error as Error).message ?? error)}`;
        await settle(deps, group, new Map(group.map((row) => [row.sku, { error: message }])));
        total.failed += group.length;
        continue;
      }
      const result = await pushConnection(deps, connection, connectionRow.platform, group).catch(
        async (error: unknown) => {
          await releaseLeases(deps, group).catch(() => {});
          throw error;
        },
      );
      total.pushed += result.pushed;
      total.failed += result.failed;
    }
  }
  return total;
}
