import { performance } from 'node:perf_hooks';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { inTransaction, queryRows, type Tx } from '../../db/client.ts';
import { type ChunkSizing, nextChunkSize } from '../../shared/chunking.ts';
import type { Deps } from '../../shared/context.ts';
import { webhookEndpoints } from '../webhooks/webhooks.tables.ts';
import { endpointWants, GIVE_UP_AFTER_MS } from './messages.models.ts';
import { type OutboxEvent, planShopperMessages } from './messages.planner.ts';
import { messages, messagingSettings } from './messages.tables.ts';

type RelayDeps = Pick<Deps, 'db' | 'engine' | 'clock' | 'ids'>;
export type NewMessage = typeof messages.$inferInsert;

/**
 * Events per batch. On PostgreSQL 500: a batch's transaction holds only the relay's cursor, and
 * fewer, larger batches relay faster. On PGlite a transaction holds the one connection, so a
 * backlog (a restart after downtime, an import of many orders) is relayed in batches sized to take
 * about 50 ms each: a store that emails renders every message inside the batch, and 500 of those
 * held every request up for seconds.
 */
const POSTGRES_BATCH = 500;
const FIRST_PGLITE_BATCH = 100;
const PGLITE_BATCH_SIZING: ChunkSizing = { targetMs: 50, min: 10, max: 1_000 };

/** The relay's own cursor; tests (which share one database) relay their own stores under their own. */
const CURSOR = 'messages';

export interface RelayOptions {
  /** Events per transaction, fixed; by default 500 on PostgreSQL, sized to ~50 ms on PGlite. */
  batchSize?: number;
  maxBatches?: number;
  /** A separate cursor, started where the outbox ends now, reading only `storeIds`' events. */
  scope?: { cursor: string; storeIds: readonly string[] };
}

export interface RelayResult {
  /** Events read from the outbox. */
  events: number;
  /** Messages created and due now. */
  created: string[];
}

/**
 * Turns committed outbox events into messages (webhook deliveries, shopper emails and SMS), in
 * event order, and moves the cursor past them in the same transaction: a crash repeats a batch
 * whole, and the unique (event, channel, recipient) key makes the repeat create nothing twice.
 *
 * The outbox is read in (transaction id, seq) order, and only transactions older than every one
 * still running: a `seq` is taken when a row is written, not when it commits, so reading by seq
 * alone would skip an event whose transaction commits after a later-numbered one. The ORDER BY names
 * `events.xid`: a bare `xid` would be the output column `xid::text`, ordering '1000' before '999'
 * (a full batch across such a boundary moved the cursor past events it had not read), and it could
 * not use the (xid, seq) index (a sort of the whole backlog per batch).
 */
export async function relayEvents(deps: RelayDeps, options: RelayOptions = {}): Promise<RelayResult> {
  const adaptive = options.batchSize === undefined && deps.engine === 'pglite';
  let batchSize = options.batchSize ?? (adaptive ? FIRST_PGLITE_BATCH : POSTGRES_BATCH);
  const result: RelayResult = { events: 0, created: [] };
  for (let batch = 0; batch < (options.maxBatches ?? 20); batch++) {
    const started = performance.now();
    const { events, created } = await inTransaction(deps.db, (tx) =>
      relayBatch(tx, deps, batchSize, options.scope),
    );
    result.events += events;
    result.created.push(...created);
    if (events < batchSize) break;
    if (adaptive) batchSize = nextChunkSize(batchSize, performance.now() - started, PGLITE_BATCH_SIZING);
  }
  return result;
}

/** Starts a scoped cursor at the end of the outbox (events already written are not relayed). */
export async function startRelayCursor(deps: Pick<Deps, 'db' | 'clock'>, name: string): Promise<void> {
  await deps.db.execute(
    sql`INSERT INTO relay_cursors (name, xid, seq, updated_at)
        VALUES (${name}, pg_current_xact_id(), (SELECT coalesce(max(seq), 0) FROM events), ${deps.clock.now()})
        ON CONFLICT (name) DO NOTHING`,
  );
}

async function relayBatch(
  tx: Tx,
  deps: RelayDeps,
  batchSize: number,
  scope: RelayOptions['scope'],
): Promise<RelayResult> {
  const name = scope?.cursor ?? CURSOR;
  const [cursor] = await queryRows<{ xid: string; seq: number }>(
    tx,
    sql`SELECT xid::text AS xid, seq FROM relay_cursors WHERE name = ${name} FOR UPDATE`,
  );
  if (!cursor)
    throw new Error(`The relay cursor "${name}" is missing (migration 0004 creates the default one)`);
  const stores = scope ? sql`AND store_id = ANY(${sql.param([...scope.storeIds])}::text[])` : sql``;
  const rows = await queryRows<{
    id: string;
    store_id: string;
    type: string;
    data: Record<string, unknown>;
    created_at: Date | string;
    xid: string;
    seq: number | string;
  }>(
    tx,
    sql`SELECT id, store_id, type, data, created_at, xid::text AS xid, seq FROM events
         WHERE (xid, seq) > (${cursor.xid}::xid8, ${cursor.seq}::bigint)
           AND xid < pg_snapshot_xmin(pg_current_snapshot()) ${stores}
         ORDER BY events.xid, events.seq
         LIMIT ${batchSize}`,
  );
  if (rows.length === 0) return { events: 0, created: [] };
  const events: OutboxEvent[] = rows.map((r) => ({
    id: r.id,
    storeId: r.store_id,
    type: r.type,
    data: r.data,
    createdAt: new Date(r.created_at),
  }));
  const drafts = [
    ...(await webhookDrafts(tx, deps, events)),
    ...(await planShopperMessages(tx, deps, events, await activeStores(tx, events))),
  ];
  const created = await insertMessages(tx, drafts);
  const last = rows.at(-1)!;
  await tx.execute(
    sql`UPDATE relay_cursors SET xid = ${last.xid}::xid8, seq = ${Number(last.seq)}, updated_at = ${deps.clock.now()}
         WHERE name = ${name}`,
  );
  return { events: rows.length, created };
}

/**
 * Committed events the relay has not read yet (for monitoring; tests wait on it). Events of
 * transactions still running are not counted until they commit.
 */
export async function relayBacklog(deps: Pick<Deps, 'db'>, scope?: RelayOptions['scope']): Promise<number> {
  const stores = scope ? sql`AND e.store_id = ANY(${sql.param([...scope.storeIds])}::text[])` : sql``;
  const [row] = await queryRows<{ n: number }>(
    deps.db,
    sql`SELECT count(*)::int AS n FROM events e, relay_cursors c
         WHERE c.name = ${scope?.cursor ?? CURSOR} AND (e.xid, e.seq) > (c.xid, c.seq) ${stores}`,
  );
  return row?.n ?? 0;
}

/** Stores among the events' that send shopper messages or grant delay incentives. */
async function activeStores(tx: Tx, events: readonly OutboxEvent[]): Promise<Set<string>> {
  const storeIds = [...new Set(events.map((e) => e.storeId))];
  const rows = await tx
    .select({ storeId: messagingSettings.storeId })
    .from(messagingSettings)
    .where(
      and(
        inArray(messagingSettings.storeId, storeIds),
        sql`(${messagingSettings.smtpUrl} IS NOT NULL OR ${messagingSettings.smsBaseUrl} IS NOT NULL
             OR ${messagingSettings.emailOutbox} OR ${messagingSettings.smsOutbox}
             OR jsonb_array_length(${messagingSettings.delayIncentives}) > 0)`,
      ),
    );
  return new Set(rows.map((r) => r.storeId));
}

/** One delivery per (event, subscribed endpoint), with the Standard Webhooks payload. */
async function webhookDrafts(tx: Tx, deps: RelayDeps, events: readonly OutboxEvent[]): Promise<NewMessage[]> {
  const storeIds = [...new Set(events.map((e) => e.storeId))];
  const endpoints = await tx
    .select({
      id: webhookEndpoints.id,
      storeId: webhookEndpoints.storeId,
      eventTypes: webhookEndpoints.eventTypes,
    })
    .from(webhookEndpoints)
    .where(and(inArray(webhookEndpoints.storeId, storeIds), eq(webhookEndpoints.enabled, true)));
  if (endpoints.length === 0) return [];
  const now = deps.clock.now();
  const drafts: NewMessage[] = [];
  for (const event of events) {
    for (const endpoint of endpoints) {
      if (endpoint.storeId !== event.storeId || !endpointWants(endpoint.eventTypes, event.type)) continue;
      drafts.push({
        ...messageDefaults(deps, now),
        storeId: event.storeId,
        dedupeKey: `${event.id}:webhook:${endpoint.id}`,
        eventId: event.id,
        eventType: event.type,
        kind: 'webhook',
        channel: 'webhook',
        recipient: endpoint.id,
        orderId: orderIdOf(event.data),
        transactional: true,
        payload: {
          id: event.id,
          type: event.type,
          timestamp: event.createdAt.toISOString(),
          data: event.data,
        },
      });
    }
  }
  return drafts;
}

/** Fields every new message starts with: queued, due now, given up a day later. */
export function messageDefaults(deps: Pick<Deps, 'ids'>, now: Date) {
  return {
    id: deps.ids.next('msg'),
    state: 'queued' as const,
    nextAttemptAt: now,
    giveUpAt: new Date(now.getTime() + GIVE_UP_AFTER_MS),
    createdAt: now,
    updatedAt: now,
  };
}

export function orderIdOf(data: Record<string, unknown>): string | null {
  if (typeof data.orderId === 'string') return data.orderId;
  const nested = (data.order ?? data.shipment) as { id?: unknown; orderId?: unknown } | undefined;
  if (data.order && typeof nested?.id === 'string') return nested.id;
  if (data.shipment && typeof nested?.orderId === 'string') return nested.orderId;
  return null;
}

/** Inserts messages, skipping any whose (store, dedupe key) exists: returns the ids created and due. */
export async function insertMessages(tx: Tx, drafts: readonly NewMessage[]): Promise<string[]> {
  const created: string[] = [];
  for (let i = 0; i < drafts.length; i += 500) {
    const rows = await tx
      .insert(messages)
      .values(drafts.slice(i, i + 500))
      .onConflictDoNothing({ target: [messages.storeId, messages.dedupeKey] })
      .returning({ id: messages.id, state: messages.state });
    for (const row of rows) if (row.state === 'queued') created.push(row.id);
  }
  return created;
}
