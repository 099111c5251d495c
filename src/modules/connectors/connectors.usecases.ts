import { and, desc, eq, gt, lt, sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../../db/client.ts';
import type { StoreScope } from '../../shared/context.ts';
import { decodeKeyCursor, type Page, toPage } from '../../shared/cursor.ts';
import { DomainError, invalid, notFound } from '../../shared/errors.ts';
import { assertPublicUrl, refuseUrlCredentials } from '../../shared/outbound.ts';
import type { ConnectorDeps } from './connectors.context.ts';
import { freshImport, normaliseShop } from './connectors.models.ts';
import { forgetPresence, noteConnected } from './connectors.presence.ts';
import { type ConnectionRow, findConnection } from './connectors.repository.ts';
import { sealSecret, secretsKeyMissing } from './connectors.secrets.ts';
import {
  connections,
  connectorEvents,
  type DriftReport,
  type ImportProgress,
  type InboxState,
  type Platform,
} from './connectors.tables.ts';

export interface ConnectInput {
  platform: Platform;
  shop: string;
  /** The API's origin when it is not `https://<shop>` (a proxy). */
  apiUrl?: string;
  credentials: Record<string, string>;
  /** Backfill's shipments of the connection's orders are created on the platform too. */
  pushFulfilments?: boolean;
}

export interface ConnectionView {
  id: string;
  platform: Platform;
  shop: string;
  apiUrl: string;
  state: string;
  lastError: string | null;
  lastSyncAt: string | null;
  webhookPath: string;
  pushFulfilments: boolean;
  import: Omit<ImportProgress, never>;
  createdAt: string;
  updatedAt: string;
}

export interface EventView {
  id: string;
  topic: string;
  resourceId: string;
  state: InboxState;
  attempts: number;
  lastError: string | null;
  orderId: string | null;
  receivedAt: string;
  processedAt: string | null;
}

export interface ConnectionDetail extends ConnectionView {
  counters: {
    eventsReceived: number;
    eventsPending: number;
    eventsParked: number;
    eventsDone: number;
    eventsFailed: number;
    skusMapped: number;
    skusToPush: number;
    pushFailures: number;
    fulfilmentsPushed: number;
    fulfilmentsPending: number;
    fulfilmentsFailed: number;
  };
  failedEvents: EventView[];
  drift: DriftReport | null;
}

export const webhookPathOf = (row: Pick<ConnectionRow, 'platform' | 'id'>) =>
  `/v1/webhooks/${row.platform}/${row.id}`;

export function toConnectionView(row: ConnectionRow): ConnectionView {
  const { leaseUntil: _lease, ...progress } = row.importProgress as ImportProgress & { leaseUntil?: string };
  return {
    id: row.id,
    platform: row.platform,
    shop: row.shop,
    apiUrl: row.baseUrl,
    state: row.state,
    lastError: row.lastError,
    lastSyncAt: row.lastSyncAt?.toISOString() ?? null,
    webhookPath: webhookPathOf(row),
    pushFulfilments: row.pushFulfilments,
    import: progress,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function toEventView(row: typeof connectorEvents.$inferSelect): EventView {
  return {
    id: row.id,
    topic: row.topic,
    resourceId: row.resourceId,
    state: row.state,
    attempts: row.attempts,
    lastError: row.lastError,
    orderId: row.orderId,
    receivedAt: row.receivedAt.toISOString(),
    processedAt: row.processedAt?.toISOString() ?? null,
  };
}

/** Connects a store to a shop: the credentials are sealed before they are written, and never shown again. */
export async function connectStore(
  tx: Executor,
  deps: ConnectorDeps,
  store: StoreScope,
  input: ConnectInput,
): Promise<ConnectionView> {
  if (deps.secretsKey === null) throw secretsKeyMissing();
  const connector = deps.connectors[input.platform];
  const shop = normaliseShop(input.shop);
  if (shop === null) {
    throw invalid('validation_failed', `"${input.shop}" is not a shop domain such as example.myshopify.com`, [
      { path: '/shop', message: 'must be a domain name' },
    ]);
  }
  const missing = connector.credentialFields.filter((f) => !input.credentials[f]?.trim());
  if (missing.length > 0) {
    throw invalid(
      'validation_failed',
      `${input.platform} needs ${connector.credentialFields.join(' and ')} in credentials`,
      missing.map((f) => ({ path: `/credentials/${f}`, message: 'required' })),
    );
  }
  const baseUrl = (input.apiUrl ?? connector.defaultBaseUrl(shop)).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/\s]+$/.test(baseUrl)) {
    throw invalid('validation_failed', 'apiUrl must be an http(s) origin', [
      { path: '/apiUrl', message: 'must be an origin such as https://example.myshopify.com' },
    ]);
  }
  // Credentials go in `credentials`, where they are encrypted, never in the URL.
  refuseUrlCredentials(baseUrl, '/apiUrl');
  await assertPublicUrl(baseUrl, { allowPrivate: deps.allowPrivateUrls }, '/apiUrl');
  const [existing] = await tx
    .select({ id: connections.id })
    .from(connections)
    .where(
      and(
        eq(connections.storeId, store.id),
        eq(connections.platform, input.platform),
        eq(connections.shop, shop),
      ),
    );
  if (existing) {
    throw new DomainError('conflict', 'duplicate_connection', `The store is already connected to ${shop}`, {
      connectionId: existing.id,
    });
  }
  const id = deps.ids.next('con');
  const now = deps.clock.now();
  const credentials = Object.fromEntries(
    connector.credentialFields.map((f) => [f, input.credentials[f]!.trim()]),
  );
  const [row] = await tx
    .insert(connections)
    .values({
      id,
      storeId: store.id,
      platform: input.platform,
      shop,
      baseUrl,
      credentials: sealSecret(deps.secretsKey, JSON.stringify(credentials), `${store.id}/${id}`),
      state: 'active',
      pushFulfilments: input.pushFulfilments ?? false,
      importProgress: freshImport(),
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  noteConnected(store.id);
  return toConnectionView(row!);
}

/** Changes a connection's settings (whether Backfill's shipments are pushed as fulfilments). */
export async function updateConnection(
  tx: Executor,
  deps: Pick<ConnectorDeps, 'clock'>,
  storeId: string,
  id: string,
  patch: { pushFulfilments?: boolean },
): Promise<ConnectionView> {
  await requireConnection(tx, storeId, id, true);
  const [row] = await tx
    .update(connections)
    .set({
      ...(patch.pushFulfilments === undefined ? {} : { pushFulfilments: patch.pushFulfilments }),
      updatedAt: deps.clock.now(),
    })
    .where(and(eq(connections.storeId, storeId), eq(connections.id, id)))
    .returning();
  return toConnectionView(row!);
}

export async function listConnections(
  db: Executor,
  storeId: string,
  query: { limit: number; cursor?: string },
): Promise<Page<ConnectionView>> {
  const after = decodeKeyCursor(query.cursor);
  const rows = await db
    .select()
    .from(connections)
    .where(and(eq(connections.storeId, storeId), after === null ? undefined : gt(connections.id, after)))
    .orderBy(connections.id)
    .limit(query.limit + 1);
  return toPage(rows, query.limit, (row) => row.id, toConnectionView);
}

export async function requireConnection(db: Executor, storeId: string, id: string, lock = false) {
  const row = await findConnection(db, storeId, id, { lock });
  if (!row) throw notFound('Connection', id);
  return row;
}

/** The connection with its inbox's and sync's counts, its failed events and the drift last found. */
export async function getConnection(db: Executor, storeId: string, id: string): Promise<ConnectionDetail> {
  const row = await requireConnection(db, storeId, id);
  const [events] = await queryRows<Record<string, number>>(
    db,
    sql`SELECT count(*)::int AS received,
               count(*) FILTER (WHERE state = 'pending')::int AS pending,
               count(*) FILTER (WHERE state = 'parked')::int AS parked,
               count(*) FILTER (WHERE state IN ('done', 'skipped'))::int AS done,
               count(*) FILTER (WHERE state = 'failed')::int AS failed
          FROM connector_events WHERE store_id = ${storeId} AND connection_id = ${id}`,
  );
  const [skus] = await queryRows<Record<string, number>>(
    db,
    sql`SELECT count(*)::int AS mapped,
               count(*) FILTER (WHERE wanted_version > pushed_version)::int AS to_push,
               count(*) FILTER (WHERE last_error IS NOT NULL)::int AS failures
          FROM connector_skus WHERE store_id = ${storeId} AND connection_id = ${id}`,
  );
  const [fulfilments] = await queryRows<Record<string, number>>(
    db,
    sql`SELECT count(*) FILTER (WHERE state = 'done')::int AS done,
               count(*) FILTER (WHERE state = 'pending')::int AS pending,
               count(*) FILTER (WHERE state = 'failed')::int AS failed
          FROM connector_fulfilments WHERE store_id = ${storeId} AND connection_id = ${id}`,
  );
  const failed = await db
    .select()
    .from(connectorEvents)
    .where(
      and(
        eq(connectorEvents.storeId, storeId),
        eq(connectorEvents.connectionId, id),
        eq(connectorEvents.state, 'failed'),
      ),
    )
    .orderBy(desc(connectorEvents.receivedAt))
    .limit(50);
  return {
    ...toConnectionView(row),
    counters: {
      eventsReceived: events?.received ?? 0,
      eventsPending: events?.pending ?? 0,
      eventsParked: events?.parked ?? 0,
      eventsDone: events?.done ?? 0,
      eventsFailed: events?.failed ?? 0,
      skusMapped: skus?.mapped ?? 0,
      skusToPush: skus?.to_push ?? 0,
      pushFailures: skus?.failures ?? 0,
      fulfilmentsPushed: fulfilments?.done ?? 0,
      fulfilmentsPending: fulfilments?.pending ?? 0,
      fulfilmentsFailed: fulfilments?.failed ?? 0,
    },
    failedEvents: failed.map(toEventView),
    drift: row.drift,
  };
}

/** Disconnects: the connection, its inbox and its sync state are deleted (orders placed stay). */
export async function deleteConnection(tx: Executor, storeId: string, id: string): Promise<void> {
  await requireConnection(tx, storeId, id, true);
  await tx.delete(connections).where(and(eq(connections.storeId, storeId), eq(connections.id, id)));
  forgetPresence();
}

export async function getEvent(
  db: Executor,
  storeId: string,
  connectionId: string,
  eventId: string,
): Promise<EventView & { result: Record<string, unknown> | null }> {
  const [row] = await db
    .select()
    .from(connectorEvents)
    .where(
      and(
        eq(connectorEvents.storeId, storeId),
        eq(connectorEvents.connectionId, connectionId),
        eq(connectorEvents.id, eventId),
      ),
    );
  if (!row) throw notFound('Event', eventId);
  return { ...toEventView(row), result: row.result };
}

/** A failed (or parked) event is tried again at once, with a fresh count of attempts. */
export async function retryEvent(
  tx: Executor,
  deps: Pick<ConnectorDeps, 'clock'>,
  storeId: string,
  connectionId: string,
  eventId: string,
): Promise<EventView> {
  await requireConnection(tx, storeId, connectionId);
  const current = await getEvent(tx, storeId, connectionId, eventId);
  if (current.state !== 'failed' && current.state !== 'parked') {
    throw new DomainError(
      'conflict',
      'event_not_failed',
      `Event "${eventId}" is ${current.state}: only failed or parked events are retried`,
      { state: current.state },
    );
  }
  const [row] = await tx
    .update(connectorEvents)
    .set({ state: 'pending', attempts: 0, nextAttemptAt: deps.clock.now(), lastError: null, waitsFor: null })
    .where(and(eq(connectorEvents.storeId, storeId), eq(connectorEvents.id, eventId)))
    .returning();
  return toEventView(row!);
}

/** Old processed events are dropped after `days` (the inbox is not an archive). */
export async function pruneEvents(db: Executor, before: Date): Promise<void> {
  await db
    .delete(connectorEvents)
    .where(
      and(sql`${connectorEvents.state} IN ('done', 'skipped')`, lt(connectorEvents.processedAt, before)),
    );
}
