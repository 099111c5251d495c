import { and, desc, eq, gt, lt, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import type { Deps } from '../../shared/context.ts';
import { decodeCursor, type Page, toPage } from '../../shared/cursor.ts';
import { events } from './events.tables.ts';

export interface NewEvent {
  storeId: string;
  type: string;
  data: Record<string, unknown>;
}

export interface EventView {
  id: string;
  type: string;
  data: Record<string, unknown>;
  createdAt: string;
}

/** Appends events inside the caller's transaction, so they exist exactly when the change does. */
export async function appendEvents(
  tx: Executor,
  deps: Pick<Deps, 'clock' | 'ids'>,
  list: NewEvent[],
): Promise<void> {
  const statement = insertEvents(deps, list);
  if (statement) await tx.execute(statement);
}

/** The INSERT for `appendEvents`, to combine with other writes (see `executeTogether`). */
export function insertEvents(deps: Pick<Deps, 'clock' | 'ids'>, list: readonly NewEvent[]): SQL | null {
  if (list.length === 0) return null;
  // One JSON document for all rows: any number of events fits in one statement, and V8's
  // JSON.stringify is far cheaper than escaping every payload into a PostgreSQL array literal.
  const rows = list.map((e) => ({
    id: deps.ids.next('evt'),
    store_id: e.storeId,
    type: e.type,
    data: e.data,
  }));
  return sql`
    INSERT INTO events (id, store_id, type, data, created_at)
    SELECT r.id, r.store_id, r.type, r.data, ${deps.clock.now()}::timestamptz
      FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(id text, store_id text, type text, data jsonb)`;
}

export interface EventQuery {
  type?: string;
  limit: number;
  cursor?: string;
  order: 'asc' | 'desc';
}

export async function listEvents(db: Executor, storeId: string, query: EventQuery): Promise<Page<EventView>> {
  const after = decodeCursor(query.cursor);
  const conditions: SQL[] = [eq(events.storeId, storeId)];
  if (query.type) conditions.push(eq(events.type, query.type));
  if (after !== null) conditions.push(query.order === 'asc' ? gt(events.seq, after) : lt(events.seq, after));
  const rows = await db
    .select()
    .from(events)
    .where(and(...conditions))
    .orderBy(query.order === 'asc' ? events.seq : desc(events.seq))
    .limit(query.limit + 1);
  return toPage(
    rows,
    query.limit,
    (row) => row.seq,
    (row) => ({ id: row.id, type: row.type, data: row.data, createdAt: row.createdAt.toISOString() }),
  );
}
