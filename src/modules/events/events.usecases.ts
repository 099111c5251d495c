import { and, desc, eq, gt, lt, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { events } from '../../db/outbox.tables.ts';
import { decodeCursor, type Page, toPage } from '../../shared/cursor.ts';

export interface EventView {
  id: string;
  type: string;
  data: Record<string, unknown>;
  createdAt: string;
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
