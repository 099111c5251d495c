import { and, eq, type SQL, sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../../db/client.ts';
import type { EtaSource, LinePromise } from '../promises/promises.models.ts';
import type { LineQuantities } from './stock.lines.models.ts';
import { type Customer, orderLines, orders } from './stock.orders.tables.ts';
import { aheadOf, queueCountChanges } from './stock.queue.counts.ts';
import type { LineRecord, OrderRecord } from './stock.views.ts';

interface LineRow {
  id: string;
  order_id: string;
  sku: string;
  quantity: number;
  unit_price: number;
  allocated: number;
  backordered: number;
  shipped: number;
  cancelled: number;
  queue_position: number | null;
  eta: string | null;
  eta_latest: string | null;
  eta_source: EtaSource | null;
}

/**
 * Lines of the given orders, in line order, each waiting line with its live queue position
 * (waiting lines of the same SKU holding an earlier ticket, plus one).
 */
export async function loadLines(
  db: Executor,
  storeId: string,
  orderIds: readonly string[],
  options: { positions?: boolean } = {},
): Promise<LineRecord[]> {
  if (orderIds.length === 0) return [];
  // Each position counts the queue ahead of its line: callers reading many orders can skip it.
  const positions = options.positions ?? true;
  const rows = await queryRows<LineRow>(
    db,
    sql`SELECT l.id, l.order_id, l.sku, l.quantity, l.unit_price, l.allocated, l.backordered, l.shipped, l.cancelled,
               l.eta::text AS eta, l.eta_latest::text AS eta_latest, l.eta_source,
               ${positions ? sql`a.lines_ahead + 1` : sql`NULL::int`} AS queue_position
          FROM order_lines l
          ${
            positions
              ? sql`LEFT JOIN LATERAL (${aheadOf(sql`l.store_id`, sql`l.sku`, sql`l.queue_ticket`)}
                                       WHERE l.backordered > 0) a ON true`
              : sql``
          }
         WHERE l.store_id = ${storeId} AND l.order_id = ANY(${sql.param(orderIds)}::text[])
         ORDER BY l.order_id, l.line_no`,
  );
  return rows.map((r) => ({
    id: r.id,
    orderId: r.order_id,
    sku: r.sku,
    quantity: r.quantity,
    unitPrice: r.unit_price,
    allocated: r.allocated,
    backordered: r.backordered,
    shipped: r.shipped,
    cancelled: r.cancelled,
    queuePosition: r.queue_position,
    eta: r.eta,
    etaLatest: r.eta_latest,
    etaSource: r.eta_source,
  }));
}

/** Waiting units ahead of each given waiting line in its SKU's queue (what must arrive first). */
export async function loadUnitsAhead(
  db: Executor,
  storeId: string,
  lineIds: readonly string[],
): Promise<Map<string, number>> {
  if (lineIds.length === 0) return new Map();
  const rows = await queryRows<{ id: string; ahead: string | number }>(
    db,
    sql`SELECT l.id, a.units_ahead AS ahead
          FROM order_lines l
          CROSS JOIN LATERAL (${aheadOf(sql`l.store_id`, sql`l.sku`, sql`l.queue_ticket`)}) a
         WHERE l.store_id = ${storeId} AND l.backordered > 0 AND l.id = ANY(${sql.param(lineIds)}::text[])`,
  );
  return new Map(rows.map((r) => [r.id, Number(r.ahead)]));
}

export async function findOrder(
  db: Executor,
  storeId: string,
  orderId: string,
): Promise<OrderRecord | undefined> {
  const [row] = await db
    .select()
    .from(orders)
    .where(and(eq(orders.storeId, storeId), eq(orders.id, orderId)));
  return row;
}

/** Locks the order row: commands on one order (cancel, ship) run one after the other. */
export async function lockOrder(
  tx: Executor,
  storeId: string,
  orderId: string,
): Promise<OrderRecord | undefined> {
  const [row] = await tx
    .select()
    .from(orders)
    .where(and(eq(orders.storeId, storeId), eq(orders.id, orderId)))
    .for('update');
  return row;
}

export async function findOrderSkus(db: Executor, storeId: string, orderId: string): Promise<string[]> {
  const rows = await db
    .selectDistinct({ sku: orderLines.sku })
    .from(orderLines)
    .where(and(eq(orderLines.storeId, storeId), eq(orderLines.orderId, orderId)));
  return rows.map((r) => r.sku).sort();
}

export interface LineChange extends LineQuantities {
  id: string;
}

/**
 * Writes new quantities for many lines in one statement (line statuses are derived when read).
 * The redundant `= ANY(ids)` lets PostgreSQL find the rows by primary key instead of hashing the
 * whole table to join it with the array (the same in every bulk UPDATE here).
 */
export async function saveLineQuantities(tx: Executor, lines: readonly LineChange[]): Promise<void> {
  if (lines.length === 0) return;
  const ids = sql.param(lines.map((l) => l.id));
  // The queue counts move by the difference between the lines as they were (this statement's
  // snapshot, taken under the SKUs' locks) and as they will be.
  await tx.execute(sql`
    WITH v AS (
      SELECT * FROM unnest(${ids}::text[],
                           ${sql.param(lines.map((l) => l.allocated))}::int[],
                           ${sql.param(lines.map((l) => l.backordered))}::int[],
                           ${sql.param(lines.map((l) => l.shipped))}::int[],
                           ${sql.param(lines.map((l) => l.cancelled))}::int[])
               AS v(id, allocated, backordered, shipped, cancelled)),
    counted AS (${queueCountChanges(sql`
      SELECT l.store_id, l.sku, l.queue_ticket, (v.backordered > 0)::int - (l.backordered > 0)::int, v.backordered - l.backordered
        FROM order_lines l JOIN v ON v.id = l.id
       WHERE l.id = ANY(${ids}::text[]) AND l.backordered <> v.backordered`)})
    UPDATE order_lines AS l
       SET allocated = v.allocated, backordered = v.backordered, shipped = v.shipped, cancelled = v.cancelled
      FROM v
     WHERE l.id = v.id AND l.id = ANY(${ids}::text[])`);
}

/**
 * `orderStatusOf` in SQL, over an order's summed line quantities (`a`llocated, `b`ackordered,
 * `s`hipped, `c`ancelled): the one place the rule is written for set-wise updates.
 */
export const orderStatusSql = (t: { a: SQL; b: SQL; s: SQL; c: SQL }): SQL => sql`
  CASE WHEN ${t.b} > 0 THEN 'backordered' WHEN ${t.a} > 0 THEN 'allocated' WHEN ${t.s} = 0 THEN 'cancelled'
       WHEN ${t.c} = 0 THEN 'fulfilled' ELSE 'partially_shipped' END`;

/**
 * The UPDATE that re-derives the stored status of the orders `changed` names, from their lines.
 * `changed` is a relation of (id, order_id, allocated, backordered, shipped, cancelled): lines as
 * they are now, or rows with a NULL id naming an order only. Used as a CTE of the statement that
 * changes those lines (whose other parts still see the lines as they were), its rows stand in for
 * theirs.
 */
export function orderStatusUpdate(changed: SQL, now: Date, storeId?: string): SQL {
  const sums = (from: string): Parameters<typeof orderStatusSql>[0] => ({
    a: sql.raw(`sum(${from}allocated)`),
    b: sql.raw(`sum(${from}backordered)`),
    s: sql.raw(`sum(${from}shipped)`),
    c: sql.raw(`sum(${from}cancelled)`),
  });
  // A one-line order's status follows from its changed line (most orders, and every order a
  // restock serves in a flash sale's wake); only longer orders read their other lines.
  return sql`
    UPDATE orders AS o
       SET status = CASE WHEN o.line_count = 1 AND c.id IS NOT NULL THEN c.status ELSE (
                      SELECT ${orderStatusSql({
                        a: sql`sum(coalesce(m.allocated, l.allocated))`,
                        b: sql`sum(coalesce(m.backordered, l.backordered))`,
                        s: sql`sum(coalesce(m.shipped, l.shipped))`,
                        c: sql`sum(coalesce(m.cancelled, l.cancelled))`,
                      })}
                        FROM order_lines l LEFT JOIN (${changed}) AS m ON m.id = l.id
                       WHERE l.order_id = o.id AND l.store_id = o.store_id) END,
           updated_at = ${now}::timestamptz
      FROM (SELECT w.order_id, min(w.id) AS id, ${orderStatusSql(sums('w.'))} AS status
              FROM (${changed}) AS w GROUP BY w.order_id) AS c
     WHERE o.id = c.order_id ${storeId === undefined ? sql`` : sql`AND o.store_id = ${storeId}`}`;
}

/** Re-derives the stored status of the given orders from their lines, in one statement. */
export async function refreshOrderStatuses(
  tx: Executor,
  storeId: string,
  orderIds: readonly string[],
  now: Date,
): Promise<void> {
  if (orderIds.length === 0) return;
  await tx.execute(
    orderStatusUpdate(
      sql`SELECT NULL::text AS id, o.id AS order_id, NULL::int AS allocated, NULL::int AS backordered,
                 NULL::int AS shipped, NULL::int AS cancelled
            FROM unnest(${sql.param([...orderIds].sort())}::text[]) AS o(id)`,
      now,
      storeId,
    ),
  );
}

export interface NewOrder {
  id: string;
  storeId: string;
  externalId: string | null;
  status: string;
  customer: Customer;
  currency: string;
  lineCount: number;
}

export interface NewLine {
  id: string;
  storeId: string;
  orderId: string;
  lineNo: number;
  sku: string;
  quantity: number;
  unitPrice: number;
  allocated: number;
  backordered: number;
  queueTicket: number | null;
  eta: string | null;
  etaLatest: string | null;
  etaSource: string | null;
}

/** INSERT of new orders from one JSON document (see `insertEvents`), to combine with other writes. */
export function insertOrders(rows: readonly NewOrder[], now: Date): SQL | null {
  if (rows.length === 0) return null;
  const records = rows.map((r) => ({
    id: r.id,
    store_id: r.storeId,
    external_id: r.externalId,
    status: r.status,
    customer: r.customer,
    currency: r.currency,
    line_count: r.lineCount,
  }));
  return sql`
    INSERT INTO orders (id, store_id, external_id, status, customer, currency, line_count, created_at, updated_at)
    SELECT o.id, o.store_id, o.external_id, o.status, o.customer, o.currency, o.line_count, ${now}::timestamptz,
           ${now}::timestamptz
      FROM jsonb_to_recordset(${JSON.stringify(records)}::jsonb)
           AS o(id text, store_id text, external_id text, status text, customer jsonb, currency text, line_count int)`;
}

/** INSERT of new order lines from one JSON document, to combine with other writes. */
export function insertLines(rows: readonly NewLine[], now: Date): SQL | null {
  if (rows.length === 0) return null;
  // Every line of an order is placed in the same INSERT: its order has several lines when it has
  // several here.
  const perOrder = new Map<string, number>();
  for (const r of rows) perOrder.set(r.orderId, (perOrder.get(r.orderId) ?? 0) + 1);
  const records = rows.map((r) => ({
    id: r.id,
    store_id: r.storeId,
    order_id: r.orderId,
    line_no: r.lineNo,
    sku: r.sku,
    quantity: r.quantity,
    unit_price: r.unitPrice,
    allocated: r.allocated,
    backordered: r.backordered,
    queue_ticket: r.queueTicket,
    eta: r.eta,
    eta_latest: r.etaLatest,
    eta_source: r.etaSource,
    multi_line: perOrder.get(r.orderId)! > 1,
  }));
  return sql`
    INSERT INTO order_lines (id, store_id, order_id, line_no, sku, quantity, unit_price, allocated, backordered,
                             shipped, cancelled, queue_ticket, eta, eta_latest, eta_source, multi_line, created_at)
    SELECT l.id, l.store_id, l.order_id, l.line_no, l.sku, l.quantity, l.unit_price, l.allocated, l.backordered,
           0, 0, l.queue_ticket, l.eta, l.eta_latest, l.eta_source, l.multi_line, ${now}::timestamptz
      FROM jsonb_to_recordset(${JSON.stringify(records)}::jsonb)
           AS l(id text, store_id text, order_id text, line_no int, sku text, quantity int, unit_price int,
                allocated int, backordered int, queue_ticket bigint, eta date, eta_latest date, eta_source text,
                multi_line boolean)`;
}

/** Sets the promise of lines that just stopped waiting (all their units allocated). */
export async function setLinePromises(
  tx: Executor,
  lineIds: readonly string[],
  promise: LinePromise,
): Promise<void> {
  if (lineIds.length === 0) return;
  await tx.execute(sql`
    UPDATE order_lines SET eta = ${promise.eta}::date, eta_latest = ${promise.etaLatest}::date, eta_source = ${promise.source}
     WHERE id = ANY(${sql.param([...lineIds])}::text[])`);
}
