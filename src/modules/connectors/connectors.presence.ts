/**
 * Which stores have a platform connection, known in-process so that the stock hook costs stores
 * without one nothing: the set of connected stores is read in one statement at most every
 * `TTL_MS` (by whichever stock command needs it first), and this process's own connects and
 * disconnects update it at once. Another process's new connection is seen within `TTL_MS`; the
 * import marks every mapped SKU due when it ends, so a change made in that window still reaches
 * the platform (and reconciliation repairs anything else).
 */
import { sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../../db/client.ts';

export const PRESENCE_TTL_MS = 2_000;

let connected: Set<string> | null = null;
let readAt = 0;

const monotonicNow = () => performance.now();

/** Whether the store has a connection (from the set read at most `PRESENCE_TTL_MS` ago). */
export async function storeConnected(db: Executor, storeId: string): Promise<boolean> {
  if (connected === null || monotonicNow() - readAt > PRESENCE_TTL_MS) {
    const rows = await queryRows<{ store_id: string }>(db, sql`SELECT DISTINCT store_id FROM connections`);
    connected = new Set(rows.map((r) => r.store_id));
    readAt = monotonicNow();
  }
  return connected.has(storeId);
}

/** This process connected the store: the hook writes for it from now on. */
export function noteConnected(storeId: string): void {
  connected?.add(storeId);
}

/** The set is read again at the next check (a disconnect, a test). */
export function forgetPresence(): void {
  connected = null;
}
