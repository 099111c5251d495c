/**
 * The initial import (catalogue, then open orders, a page per transaction, resumable from the
 * cursor it saves with each page) and the reconciliation that compares the platform with Backfill
 * and repairs what drifted.
 */
import { and, eq, sql } from 'drizzle-orm';
import { inTransaction, queryRows } from '../../db/client.ts';
import { chunksOf } from '../../shared/collections.ts';
import type { StoreScope } from '../../shared/context.ts';
import { applyCatalogue, applyCommands, applyOrder } from './connectors.apply.ts';
import type { ConnectorDeps } from './connectors.context.ts';
import { currencyDigits, driftOf, freshImport } from './connectors.models.ts';
import { pushDue, wantedStates } from './connectors.outbound.ts';
import { platformConnection } from './connectors.repository.ts';
import { connections, type DriftReport, type ImportProgress } from './connectors.tables.ts';
import { type ConnectionView, requireConnection, toConnectionView } from './connectors.usecases.ts';

const IMPORT_LEASE_MS = 120_000;

async function storeOf(deps: ConnectorDeps, storeId: string): Promise<StoreScope> {
  const [row] = await queryRows<StoreScope>(
    deps.db,
    sql`SELECT id, currency, timezone FROM stores WHERE id = ${storeId}`,
  );
  return row!;
}

async function saveProgress(deps: ConnectorDeps, storeId: string, id: string, progress: ImportProgress) {
  await deps.db
    .update(connections)
    .set({ importProgress: progress, updatedAt: deps.clock.now() })
    .where(and(eq(connections.storeId, storeId), eq(connections.id, id)));
}

/** Asks for an import: a finished one starts again; an interrupted or failed one resumes where it stopped. */
export async function requestImport(
  deps: ConnectorDeps,
  storeId: string,
  id: string,
): Promise<ConnectionView> {
  return inTransaction(deps.db, async (tx) => {
    const row = await requireConnection(tx, storeId, id, true);
    const current = row.importProgress;
    const progress: ImportProgress =
      current.state === 'done' || current.state === 'idle'
        ? { ...freshImport(), state: 'running', startedAt: deps.clock.now().toISOString() }
        : { ...current, state: 'running', error: null };
    const [updated] = await tx
      .update(connections)
      .set({ importProgress: progress, updatedAt: deps.clock.now() })
      .where(and(eq(connections.storeId, storeId), eq(connections.id, id)))
      .returning();
    return toConnectionView(updated!);
  });
}

/** Takes the import of a connection for this process (a lease: another worker leaves it alone). */
async function leaseImport(deps: ConnectorDeps, storeId: string, id: string): Promise<boolean> {
  const now = deps.clock.now();
  const rows = await queryRows<{ id: string }>(
    deps.db,
    sql`UPDATE connections
           SET import_progress = import_progress || jsonb_build_object('leaseUntil', ${new Date(now.getTime() + IMPORT_LEASE_MS).toISOString()}::text)
         WHERE store_id = ${storeId} AND id = ${id} AND import_progress->>'state' = 'running'
           AND (import_progress->>'leaseUntil' IS NULL OR (import_progress->>'leaseUntil')::timestamptz < ${now})
        RETURNING id`,
  );
  return rows.length === 1;
}

/** Connections whose import is asked for (the worker runs them). */
export async function runningImports(deps: ConnectorDeps, storeIds?: readonly string[]) {
  return queryRows<{ store_id: string; id: string }>(
    deps.db,
    sql`SELECT store_id, id FROM connections WHERE import_progress->>'state' = 'running'
        ${storeIds ? sql`AND store_id = ANY(${sql.param([...storeIds])}::text[])` : sql``}`,
  );
}

/**
 * Runs a requested import to its end, page by page; each page and its cursor are saved together,
 * so an interruption resumes at the page it was on (pages are applied idempotently: variants by
 * SKU, orders by external id). `onProgress` hears after every page (the CLI prints it).
 */
export async function runImport(
  deps: ConnectorDeps,
  storeId: string,
  id: string,
  onProgress: (progress: ImportProgress) => void = () => {},
): Promise<ImportProgress> {
  if (!(await leaseImport(deps, storeId, id)))
    return (await requireConnection(deps.db, storeId, id)).importProgress;
  const store = await storeOf(deps, storeId);
  const digits = currencyDigits(store.currency);
  let row = await requireConnection(deps.db, storeId, id);
  const connector = deps.connectors[row.platform];
  let progress = { ...row.importProgress };
  try {
    if (row.locationId === null) {
      const locationId = await connector.findLocation(platformConnection(deps, row));
      await deps.db
        .update(connections)
        .set({ locationId })
        .where(and(eq(connections.storeId, storeId), eq(connections.id, id)));
      row = await requireConnection(deps.db, storeId, id);
    }
    const connection = platformConnection(deps, row);
    while (progress.phase !== 'done') {
      await leaseImport(deps, storeId, id).catch(() => false);
      if (progress.phase === 'catalogue') {
        const page = await connector.listCatalogue(connection, progress.cursor);
        progress = await inTransaction(deps.db, async (tx) => {
          await applyCatalogue(tx, deps, store, id, page.items);
          const next: ImportProgress = {
            ...progress,
            variants: progress.variants + page.items.length,
            cursor: page.next,
            phase: page.next === null ? 'orders' : 'catalogue',
          };
          await tx
            .update(connections)
            .set({ importProgress: next, updatedAt: deps.clock.now() })
            .where(and(eq(connections.storeId, storeId), eq(connections.id, id)));
          return next;
        });
      } else {
        const page = await connector.listOpenOrders(connection, progress.cursor, digits);
        progress = await inTransaction(deps.db, async (tx) => {
          for (const order of page.items) {
            if (order.cancelled) continue;
            const event = { id: '', storeId, connectionId: id, topic: 'import', resourceId: order.id };
            await applyOrder(tx, deps, store, event, order);
            // Partly refunded open orders: their refunded units are cancelled as a refund webhook would.
            if (order.refunded && order.refunded.length > 0) {
              await applyCommands(tx, deps, store, event, [
                { kind: 'refunded_units', orderId: order.id, lines: order.refunded },
              ]);
            }
          }
          const next: ImportProgress = {
            ...progress,
            orders: progress.orders + page.items.length,
            cursor: page.next,
            phase: page.next === null ? 'done' : 'orders',
          };
          await tx
            .update(connections)
            .set({ importProgress: next, updatedAt: deps.clock.now() })
            .where(and(eq(connections.storeId, storeId), eq(connections.id, id)));
          return next;
        });
      }
      onProgress(progress);
    }
    // Every mapped SKU is due once more: a change made while another process did not yet know the
    // store was connected (connectors.presence.ts) reaches the platform too.
    await deps.db.execute(
      sql`UPDATE connector_skus SET wanted_version = wanted_version + 1
           WHERE store_id = ${storeId} AND connection_id = ${id}`,
    );
    progress = { ...progress, state: 'done', finishedAt: deps.clock.now().toISOString(), error: null };
  } catch (error) {
    progress = {
      ...progress,
      state: 'failed',
      error: String((error as Error).message ?? error).slice(0, 500),
    };
  }
  await saveProgress(deps, storeId, id, progress);
  onProgress(progress);
  return progress;
}

/**
 * Compares what the platform shows for every mapped SKU with what Backfill wants it to show, and
 * repairs the SKUs that differ (they are pushed again at once). The report is kept on the connection.
 */
export async function reconcile(deps: ConnectorDeps, storeId: string, id: string): Promise<DriftReport> {
  const row = await requireConnection(deps.db, storeId, id);
  const connection = platformConnection(deps, row);
  const connector = deps.connectors[row.platform];
  const store = await storeOf(deps, storeId);
  const mapped = await queryRows<{
    sku: string;
    product_id: string;
    variant_id: string;
    inventory_item_id: string | null;
  }>(
    deps.db,
    sql`SELECT sku, product_id, variant_id, inventory_item_id FROM connector_skus
         WHERE store_id = ${storeId} AND connection_id = ${id} ORDER BY sku`,
  );
  const items: DriftReport['items'] = [];
  const drifted = new Set<string>();
  for (const chunk of chunksOf(mapped, 50)) {
    const wanted = await wantedStates(
      deps.db,
      store,
      chunk.map((m) => m.sku),
      deps.clock.now(),
    );
    const platform = await connector.readState(
      connection,
      chunk.map((m) => ({
        sku: m.sku,
        productId: m.product_id,
        variantId: m.variant_id,
        inventoryItemId: m.inventory_item_id,
      })),
    );
    for (const state of platform) {
      const want = wanted.get(state.sku);
      if (!want) continue;
      // Without a location Backfill sets no quantity, so it cannot drift.
      const found = driftOf(state.sku, row.locationId ? state : { ...state, quantity: want.quantity }, want);
      if (found.length > 0) {
        items.push(...found);
        drifted.add(state.sku);
      }
    }
  }
  if (drifted.size > 0) {
    await deps.db.execute(
      sql`UPDATE connector_skus SET wanted_version = wanted_version + 1, pushed_state = NULL, next_attempt_at = NULL
           WHERE store_id = ${storeId} AND connection_id = ${id} AND sku = ANY(${sql.param([...drifted])}::text[])`,
    );
  }
  const pushed =
    drifted.size > 0 ? await pushDue(deps, { storeIds: [storeId], connectionId: id }) : { pushed: 0 };
  const report: DriftReport = {
    checkedAt: deps.clock.now().toISOString(),
    checked: mapped.length,
    found: drifted.size,
    repaired: Math.min(drifted.size, pushed.pushed),
    items: items.slice(0, 200),
  };
  await deps.db
    .update(connections)
    .set({ drift: report })
    .where(and(eq(connections.storeId, storeId), eq(connections.id, id)));
  return report;
}
