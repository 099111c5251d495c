/** The orders' read side: listing and looking up orders (the stock core owns writing them). */
import { and, desc, eq, inArray, lt, type SQL, sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../../db/client.ts';
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

/**
 * Newest first. A name prefix may match few orders, and old ones, where the planner's favourite
 * plan — walk the store's orders newest first and filter — reads the whole store before it has a
 * page (2.5 s on PGlite for 100,000 orders). So a name search walks only the newest `NAME_WALK`
 * orders first (a broad prefix fills its page there); failing that, it reads its matches from the
 * name index (orders_customer_name_idx, seq in the index) and, when there are at most
 * `NAME_MATCHES`, takes the page from them; only a prefix with more matches than that, none of
 * them recent, walks the whole store.
 */
export async function listOrderRows(db: Executor, storeId: string, query: OrderListQuery) {
  const conditions = orderListConditions(storeId, query);
  const walk = () =>
    db
      .select()
      .from(orders)
      .where(and(...conditions))
      .orderBy(desc(orders.seq))
      .limit(query.limit + 1);
  if (query.name === undefined) return walk();
  const bySeq = (seqs: readonly number[]) =>
    seqs.length === 0
      ? Promise.resolve([])
      : db
          .select()
          .from(orders)
          .where(and(eq(orders.storeId, storeId), inArray(orders.seq, [...seqs])))
          .orderBy(desc(orders.seq));
  // MATERIALIZED: the newest orders first, then the filter (not the name index joined to them).
  const recent = await queryRows<{ seq: string | number }>(
    db,
    sql`WITH newest AS MATERIALIZED (
          SELECT seq, customer FROM orders
           WHERE ${and(...orderListConditions(storeId, { ...query, name: undefined }))}
           ORDER BY seq DESC LIMIT ${NAME_WALK})
        SELECT seq FROM newest WHERE lower(customer->>'name') LIKE ${likePrefix(query.name)}
         ORDER BY seq DESC LIMIT ${query.limit + 1}`,
  );
  if (recent.length > query.limit) return bySeq(recent.map((r) => Number(r.seq)));
  const matches = await db
    .select({ seq: orders.seq })
    .from(orders)
    .where(and(...conditions))
    .limit(NAME_MATCHES + 1);
  if (matches.length > NAME_MATCHES) return walk();
  return bySeq(
    matches
      .map((m) => m.seq)
      .sort((x, y) => y - x)
      .slice(0, query.limit + 1),
  );
}

/** How many of the newest orders a name search reads before it asks the name index. */
export const NAME_WALK = 1_000;
/** How many matches of a name prefix are read from its index before the newest-first walk is used. */
export const NAME_MATCHES = 2_000;
