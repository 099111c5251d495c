/** The orders' read side: listing and looking up orders (the stock core owns writing them). */
import { and, desc, eq, lt, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { orders } from '../stock/stock.orders.tables.ts';

export interface OrderListQuery {
  status?: string;
  /** The customer's email, compared case-insensitively. */
  email?: string;
  /** The start of the customer's name, compared case-insensitively. */
  name?: string;
  /** The platform's order id, exactly. */
  externalId?: string;
  limit: number;
  before: number | null;
}

/** `LIKE` treats `%`, `_` and `\` as special: a name prefix matches them as written. */
export const likePrefix = (text: string): string => `${text.toLowerCase().replace(/[\\%_]/g, '\\$&')}%`;

/**
 * The filters of an order list. Each search has its index, store_id first: email
 * (orders_customer_email_idx), a name prefix (orders_customer_name_idx, text_pattern_ops),
 * external id (orders_external_id_idx, unique).
 */
export function orderListConditions(storeId: string, query: Omit<OrderListQuery, 'limit'>): SQL[] {
  const conditions = [eq(orders.storeId, storeId)];
  if (query.status) conditions.push(eq(orders.status, query.status));
  if (query.email !== undefined) {
    conditions.push(sql`lower(${orders.customer}->>'email') = lower(${query.email})`);
  }
  if (query.name !== undefined) {
    conditions.push(sql`lower(${orders.customer}->>'name') LIKE ${likePrefix(query.name)}`);
  }
  if (query.externalId !== undefined) conditions.push(eq(orders.externalId, query.externalId));
  if (query.before !== null) conditions.push(lt(orders.seq, query.before));
  return conditions;
}

export async function listOrderRows(db: Executor, storeId: string, query: OrderListQuery) {
  return db
    .select()
    .from(orders)
    .where(and(...orderListConditions(storeId, query)))
    .orderBy(desc(orders.seq))
    .limit(query.limit + 1);
}
