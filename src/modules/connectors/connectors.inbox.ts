/**
 * The inbox: a webhook is verified and stored before anything else (once per platform event), and
 * answered at once; the worker then applies it in its own transaction, with retries. Processing
 * an event locks its row and applies it only while it is pending, so two workers never apply one
 * event, and a crash before commit leaves it pending for the next pass.
 */
import { and, asc, eq, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import { inTransaction } from '../../db/client.ts';
import { chunksOf, groupBy } from '../../shared/collections.ts';
import type { StoreScope } from '../../shared/context.ts';
import { DomainError } from '../../shared/errors.ts';
import { stores } from '../stores/stores.tables.ts';
import { applyCommands } from './connectors.apply.ts';
import type { ConnectorDeps } from './connectors.context.ts';
import { placeNewOrders } from './connectors.inbox.batch.ts';
import { storeInboxRow } from './connectors.inbox.writer.ts';
import { currencyDigits, dedupeKeyOf, MAX_EVENT_ATTEMPTS, retryDelayMs } from './connectors.models.ts';
import { type InboundRequest, mustHydrate } from './connectors.platform.ts';
import { findConnectionById, platformConnection } from './connectors.repository.ts';
import { connectorEvents, type Platform } from './connectors.tables.ts';

const invalidSignature = () =>
  new DomainError(
    'unauthorized',
    'invalid_signature',
    'The webhook signature does not match: nothing was stored',
  );

/**
 * Connections as webhooks find them, kept a few seconds: a busy shop's webhooks then cost one
 * INSERT each, not a lookup and an AES open too. A connection deleted meanwhile is caught by the
 * INSERT's foreign key (answered like an unknown one).
 */
const CONNECTION_TTL_MS = 5000;
const recentConnections = new Map<
  string,
  {
    row: NonNullable<Awaited<ReturnType<typeof findConnectionById>>>;
    credentials: Record<string, string>;
    at: number;
  }
>();

async function webhookConnection(deps: ConnectorDeps, connectionId: string) {
  const now = Date.now();
  const cached = recentConnections.get(connectionId);
  if (cached && now - cached.at < CONNECTION_TTL_MS) return cached;
  const row = await findConnectionById(deps.db, connectionId);
  if (!row) return null;
  const entry = { row, credentials: platformConnection(deps, row).credentials, at: now };
  if (recentConnections.size > 1000) recentConnections.clear();
  recentConnections.set(connectionId, entry);
  return entry;
}

const isForeignKeyViolation = (error: unknown): boolean => {
  const e = error as { code?: string; cause?: { code?: string } };
  return (e.cause ?? e).code === '23503';
};

export interface Received {
  stored: boolean;
  eventId: string | null;
  topic: string | null;
}

/**
 * Verifies and stores one webhook. An unknown connection and a bad signature are refused alike
 * (401: a sender learns nothing of which connections exist); a topic Backfill does not handle is
 * answered 200 and not stored; a second delivery of a stored event is answered 200 and changes nothing.
 */
export async function receiveWebhook(
  deps: ConnectorDeps,
  platform: Platform,
  connectionId: string,
  request: InboundRequest,
): Promise<Received> {
  const found = await webhookConnection(deps, connectionId);
  if (!found || found.row.platform !== platform) throw invalidSignature();
  const { row, credentials } = found;
  const connector = deps.connectors[platform];
  if (connector.isPing?.(request)) return { stored: false, eventId: null, topic: null };
  if (!connector.verifyWebhook(request, credentials)) throw invalidSignature();
  const body = request.rawBody.toString('utf8');
  let payload: Record<string, unknown>;
  try {
    payload = JSON.parse(body);
  } catch {
    throw new DomainError('validation', 'malformed_json', 'The webhook body is not JSON');
  }
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new DomainError('validation', 'malformed_json', 'The webhook body is not a JSON object');
  }
  const envelope = connector.describeWebhook(request.headers, payload);
  if (envelope === null) return { stored: false, eventId: null, topic: null };
  const now = deps.clock.now();
  const id = deps.ids.next('cev');
  // Stored with the webhooks arriving meanwhile, in one statement (connectors.inbox.writer.ts); the
  // answer waits for its commit. The body is stored as sent (it parsed as a JSON object above).
  const stored = await storeInboxRow(deps.db, {
    id,
    storeId: row.storeId,
    connectionId: row.id,
    topic: envelope.topic,
    resourceId: envelope.resourceId,
    version: envelope.version,
    dedupeKey: dedupeKeyOf(envelope.topic, envelope.resourceId, envelope.version),
    webhookId: envelope.webhookId,
    payloadJson: body,
    receivedAt: now,
  }).catch((error: unknown) => {
    if (!isForeignKeyViolation(error)) throw error;
    recentConnections.delete(connectionId);
    throw invalidSignature();
  });
  return { stored, eventId: stored ? id : null, topic: envelope.topic };
}

/** Pending events whose time has come, oldest first (optionally of some stores or one connection). */
export async function dueEvents(
  deps: Pick<ConnectorDeps, 'db' | 'clock'>,
  options: { limit: number; storeIds?: readonly string[]; connectionId?: string },
): Promise<{ id: string; storeId: string }[]> {
  return deps.db
    .select({ id: connectorEvents.id, storeId: connectorEvents.storeId })
    .from(connectorEvents)
    .where(
      and(
        eq(connectorEvents.state, 'pending'),
        or(isNull(connectorEvents.nextAttemptAt), lte(connectorEvents.nextAttemptAt, deps.clock.now())),
        options.storeIds ? inArray(connectorEvents.storeId, [...options.storeIds]) : undefined,
        options.connectionId ? eq(connectorEvents.connectionId, options.connectionId) : undefined,
      ),
    )
    .orderBy(asc(connectorEvents.receivedAt), asc(connectorEvents.id))
    .limit(options.limit);
}

/**
 * For platforms whose webhooks only name a resource: the resource as the platform's API shows it
 * now, read before the event's transaction (null: the payload is whole, or the event is not pending).
 */
async function hydrateEvent(
  deps: ConnectorDeps,
  storeId: string,
  eventId: string,
): Promise<Record<string, unknown> | null> {
  const [event] = await deps.db
    .select()
    .from(connectorEvents)
    .where(
      and(
        eq(connectorEvents.storeId, storeId),
        eq(connectorEvents.id, eventId),
        eq(connectorEvents.state, 'pending'),
      ),
    );
  if (!event) return null;
  const row = await findConnectionById(deps.db, event.connectionId);
  const connector = row ? deps.connectors[row.platform] : undefined;
  if (!row || !connector?.hydrate || !mustHydrate(connector, event.topic, event.payload)) return null;
  return connector.hydrate(platformConnection(deps, row), event.topic, event.payload);
}

/** Applies one event if it is still pending; returns its new state (null: someone else has it). */
export async function processEvent(
  deps: ConnectorDeps,
  storeId: string,
  eventId: string,
): Promise<string | null> {
  try {
    const hydrated = await hydrateEvent(deps, storeId, eventId);
    return await inTransaction(deps.db, async (tx) => {
      const [event] = await tx
        .select()
        .from(connectorEvents)
        .where(
          and(
            eq(connectorEvents.storeId, storeId),
            eq(connectorEvents.id, eventId),
            eq(connectorEvents.state, 'pending'),
          ),
        )
        .for('update', { skipLocked: true });
      if (!event) return null;
      const [storeRow] = await tx.select().from(stores).where(eq(stores.id, storeId));
      const store: StoreScope = {
        id: storeRow!.id,
        currency: storeRow!.currency,
        timezone: storeRow!.timezone,
      };
      const connection = await findConnectionById(tx, event.connectionId);
      const connector = deps.connectors[connection!.platform];
      const commands = connector.mapEvent(
        event.topic,
        hydrated ?? event.payload,
        currencyDigits(store.currency),
      );
      const applied = await applyCommands(tx, deps, store, event, commands);
      const now = deps.clock.now();
      await tx
        .update(connectorEvents)
        .set(
          applied.outcome === 'parked'
            ? { state: 'parked', waitsFor: applied.waitsFor, nextAttemptAt: null }
            : {
                state: applied.outcome,
                result: applied.result,
                orderId: applied.outcome === 'done' ? (applied.orderId ?? null) : null,
                processedAt: now,
                nextAttemptAt: null,
                lastError: null,
              },
        )
        .where(and(eq(connectorEvents.storeId, storeId), eq(connectorEvents.id, eventId)));
      await tx.execute(
        sql`UPDATE connections SET last_sync_at = ${now} WHERE store_id = ${storeId} AND id = ${event.connectionId}`,
      );
      return applied.outcome;
    });
  } catch (error) {
    // Refused or failed: the attempt is counted in its own transaction; after the last one the
    // event is failed and waits for the merchant's retry (GET /v1/connections/{id} lists it).
    const message = error instanceof DomainError ? `${error.code}: ${error.message}` : String(error);
    return inTransaction(deps.db, async (tx) => {
      const [event] = await tx
        .select({ attempts: connectorEvents.attempts, state: connectorEvents.state })
        .from(connectorEvents)
        .where(and(eq(connectorEvents.storeId, storeId), eq(connectorEvents.id, eventId)))
        .for('update');
      if (!event) return null;
      if (event.state !== 'pending') return event.state;
      const attempts = event.attempts + 1;
      const failed = attempts >= MAX_EVENT_ATTEMPTS;
      await tx
        .update(connectorEvents)
        .set({
          attempts,
          lastError: message.slice(0, 1000),
          state: failed ? 'failed' : 'pending',
          nextAttemptAt: failed ? null : new Date(deps.clock.now().getTime() + retryDelayMs(attempts)),
        })
        .where(and(eq(connectorEvents.storeId, storeId), eq(connectorEvents.id, eventId)));
      return failed ? 'failed' : 'pending';
    });
  }
}

/**
 * Applies these events of one store: new platform orders together in one transaction
 * (connectors.inbox.batch.ts), every other event alone. Returns how many left `pending`.
 */
export async function processEventBatch(
  deps: ConnectorDeps,
  storeId: string,
  eventIds: readonly string[],
): Promise<number> {
  const { settled, leftovers } = await placeNewOrders(deps, storeId, eventIds);
  let applied = settled;
  for (const id of leftovers) {
    const state = await processEvent(deps, storeId, id);
    if (state !== null && state !== 'pending') applied++;
  }
  return applied;
}

/**
 * Events applied together in one transaction (at most). A batch holds its SKUs' stock rows until it
 * commits, and much of its work is per SKU, not per order (the stock rows, the SKUs marked due a
 * push, the demand counters): on PostgreSQL 250 events took 1,100–1,400 orders/s in the connector
 * bench where 100 took 905–1,100, and an API placement on those SKUs meanwhile took up to ~0.55 s
 * (bench/README). On PGlite a transaction holds the one connection, so every request waits for
 * it: 100.
 */
export const inboxBatchSize = (deps: Pick<ConnectorDeps, 'engine'>): number =>
  deps.engine === 'postgres' ? 250 : 100;

/** Due events as the batches they are applied in: per store, in order, at most `inboxBatchSize` each. */
export function inboxBatches(
  deps: Pick<ConnectorDeps, 'engine'>,
  events: readonly { id: string; storeId: string }[],
): { storeId: string; eventIds: string[] }[] {
  return [...groupBy(events, (e) => e.storeId)].flatMap(([storeId, ofStore]) =>
    chunksOf(
      ofStore.map((e) => e.id),
      inboxBatchSize(deps),
    ).map((eventIds) => ({ storeId, eventIds })),
  );
}

/** Processes due events until none is left (or `maxRounds` passes); returns how many were applied. */
export async function processInbox(
  deps: ConnectorDeps,
  options: { storeIds?: readonly string[]; connectionId?: string; maxRounds?: number } = {},
): Promise<number> {
  let applied = 0;
  for (let round = 0; round < (options.maxRounds ?? 20); round++) {
    const due = await dueEvents(deps, { limit: 1000, ...options });
    if (due.length === 0) break;
    let progressed = 0;
    for (const batch of inboxBatches(deps, due))
      progressed += await processEventBatch(deps, batch.storeId, batch.eventIds);
    applied += progressed;
    if (progressed === 0) break;
  }
  return applied;
}
