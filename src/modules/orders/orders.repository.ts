/** The orders' read side: listing and looking up orders (the stock core owns writing them). */
import { and, desc, eq, lt, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { orders } from '../stock/stock.orders.tables.ts';

export interface OrderListQuery {
  status?: string;
  /** The customer's email, compared case-insensitively. */
  email?: string;
  limit: number;
  before: number | null;
}

export async function listOrderRows(db: Executor, storeId: string, query: OrderListQuery) {
  const conditions = [eq(orders.storeId, storeId)];
  if (query.status) conditions.push(eq(orders.status, query.status));
  if (query.email !== undefined) {
    conditions.push(sql`lower(${orders.customer}->>'email') = lower(${query.email})`);
  }
  if (query.before !== null) conditions.push(lt(orders.seq, query.before));
  return db
    .select()
    .from(orders)
    .where(and(...conditions))
    .orderBy(desc(orders.seq))
    .limit(query.limit + 1);
}
