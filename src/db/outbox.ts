/**
 * The outbox: every state change appends its events to the \`events\` table inside its own
 * transaction, so an event exists exactly when its change does; the relay (messages) reads them
 * after commit. Infrastructure every module may write to, like the database client.
 */
import type { SQL } from 'drizzle-orm';
import { sql } from 'drizzle-orm';
import type { Clock } from '../shared/clock.ts';
import type { IdGenerator } from '../shared/ids.ts';
import type { Executor } from './client.ts';

export interface NewEvent {
  storeId: string;
  type: string;
  data: Record<string, unknown>;
}

/** Appends events inside the caller's transaction, so they exist exactly when the change does. */
export async function appendEvents(
  tx: Executor,
  deps: { clock: Clock; ids: IdGenerator },
  list: NewEvent[],
): Promise<void> {
  const statement = insertEvents(deps, list);
  if (statement) await tx.execute(statement);
}

/** The INSERT for `appendEvents`, to combine with other writes (see `executeTogether`). */
export function insertEvents(
  deps: { clock: Clock; ids: IdGenerator },
  list: readonly NewEvent[],
): SQL | null {
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

/**
 * Ids for events a statement writes itself (an INSERT … SELECT): `generated` (a fresh
 * `ids.next('evt')`) keeps its first 20 characters after `evt_` (time and this process's
 * randomness) and the row's 1-based `place` in the statement adds 6 hex digits (up to 16,777,215
 * rows per statement), so the ids keep the shape of application ids.
 */
export function statementEventId(generated: string, place: SQL): SQL {
  const base = generated.slice(0, 'evt_'.length + 20);
  return sql`(${base}::text || lpad(to_hex(${place}), 6, '0'))`;
}

/**
 * After a logical restore (pg_restore) onto another PostgreSQL server, the events carry the old
 * server's transaction ids, which may be ahead of the new server's: new events would then sort
 * before the relay's cursor and never be read. This moves the restored ids below every future one,
 * keeping which events each cursor had read: read ones get an id A, unread ones a later id B (this
 * transaction's), and each cursor (A, the highest seq it had read). Runs only when needed.
 */
export async function rebaseOutboxAfterRestore(tx: Executor): Promise<boolean> {
  const result = (await tx.execute(
    sql`SELECT (SELECT max(xid) FROM events) > pg_current_xact_id() AS ahead`,
  )) as unknown as { rows: { ahead: boolean | null }[] };
  if (result.rows[0]?.ahead !== true) return false;
  // Read = at or below the main cursor in (xid, seq) order, as the relay compares them.
  await tx.execute(sql`
    UPDATE events e
       SET xid = CASE WHEN c.name IS NOT NULL AND (e.xid, e.seq) <= (c.xid, c.seq)
                      THEN '3'::xid8 ELSE pg_current_xact_id() END
      FROM (SELECT 1) one LEFT JOIN relay_cursors c ON c.name = 'messages'`);
  await tx.execute(sql`
    UPDATE relay_cursors
       SET xid = '3'::xid8, seq = (SELECT coalesce(max(seq), 0) FROM events WHERE xid = '3'::xid8)`);
  return true;
}
