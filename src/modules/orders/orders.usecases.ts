import { sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../../db/client.ts';
import { groupBy } from '../../shared/collections.ts';
import { decodeCursor, decodeKeyCursor, type Page, toPage } from '../../shared/cursor.ts';
import { invalid } from '../../shared/errors.ts';
import type { EtaSource } from '../promises/promises.models.ts';
import { loadLines } from '../stock/stock.lines.repository.ts';
import type { Customer } from '../stock/stock.orders.tables.ts';
import { readAhead } from '../stock/stock.queue.counts.ts';
import { type OrderView, toOrderView } from '../stock/stock.views.ts';
import { listOrderRows, type OrderListQuery } from './orders.repository.ts';

export async function listOrders(
  db: Executor,
  storeId: string,
  query: Omit<OrderListQuery, 'before'> & { cursor?: string },
): Promise<Page<OrderView>> {
  const rows = await listOrderRows(db, storeId, { ...query, before: decodeCursor(query.cursor) });
  const lines = await loadLines(
    db,
    storeId,
    rows.slice(0, query.limit).map((r) => r.id),
  );
  const byOrder = groupBy(lines, (line) => line.orderId);
  return toPage(
    rows,
    query.limit,
    (r) => r.seq,
    (r) => toOrderView(r, byOrder.get(r.id) ?? []),
  );
}

export interface BackorderView {
  orderId: string;
  lineId: string;
  sku: string;
  /** The line's ordered quantity, as on the order. */
  quantity: number;
  /** Units of the line still waiting in the queue. */
  backorderedQuantity: number;
  position: number;
  placedAt: string;
  customer: Customer;
  eta: string | null;
  etaLatest: string | null;
  etaSource: EtaSource | null;
}

interface WaitingRow {
  order_id: string;
  line_id: string;
  sku: string;
  quantity: number;
  backordered: number;
  queue_ticket: string | number;
  created_at: Date | string;
  customer: Customer;
  eta: string | null;
  eta_latest: string | null;
  eta_source: EtaSource | null;
}

/** The waiting lines in queue order (one SKU, or every SKU ordered by SKU then queue). */
export async function listBackorders(
  db: Executor,
  storeId: string,
  query: { sku?: string; limit: number; cursor?: string },
): Promise<Page<BackorderView>> {
  const after = decodeKeyCursor(query.cursor);
  const [afterSku, afterTicket] = after === null ? [null, null] : splitCursor(after);
  const rows = await queryRows<WaitingRow>(
    db,
    sql`SELECT l.order_id, l.id AS line_id, l.sku, l.quantity, l.backordered, l.queue_ticket, l.created_at, o.customer,
               l.eta::text AS eta, l.eta_latest::text AS eta_latest, l.eta_source
          FROM order_lines l JOIN orders o ON o.id = l.order_id
         WHERE l.store_id = ${storeId} AND l.backordered > 0
           ${query.sku !== undefined ? sql`AND l.sku = ${query.sku}` : sql``}
           ${
             afterSku === null
               ? sql``
               : // Within one SKU a plain ticket bound starts the index scan at the cursor; with sku = …
                 // also given, the row comparison alone would scan that SKU's queue from its head.
                 afterSku === query.sku
                 ? sql`AND l.queue_ticket > ${afterTicket}::bigint`
                 : sql`AND (l.sku, l.queue_ticket) > (${afterSku}, ${afterTicket}::bigint)`
           }
         ORDER BY l.sku, l.queue_ticket
         LIMIT ${query.limit + 1}`,
  );
  const kept = rows.slice(0, query.limit);
  const firstTicket = new Map<string, number>();
  for (const row of kept) if (!firstTicket.has(row.sku)) firstTicket.set(row.sku, Number(row.queue_ticket));
  const counted = await readAhead(
    db,
    storeId,
    [...firstTicket].map(([sku, ticket]) => ({ sku, ticket })),
  );
  const ahead = new Map(
    [...firstTicket].map(([sku, ticket]) => [sku, counted.get(`${ticket}:${sku}`)?.lines ?? 0]),
  );
  const page = toPage(
    rows,
    query.limit,
    (row) => `${Number(row.queue_ticket)}:${row.sku}`,
    (row): BackorderView => {
      const position = (ahead.get(row.sku) ?? 0) + 1;
      ahead.set(row.sku, position);
      return {
        orderId: row.order_id,
        lineId: row.line_id,
        sku: row.sku,
        quantity: row.quantity,
        backorderedQuantity: row.backordered,
        position,
        placedAt: new Date(row.created_at).toISOString(),
        customer: row.customer,
        eta: row.eta,
        etaLatest: row.eta_latest,
        etaSource: row.eta_source,
      };
    },
  );
  return page;
}

function splitCursor(cursor: string): [string, number] {
  const at = cursor.indexOf(':');
  const ticket = Number(cursor.slice(0, at));
  if (at < 1 || !Number.isSafeInteger(ticket)) {
    throw invalid('invalid_cursor', 'The cursor is not one this API returned', [
      { path: '/cursor', message: 'invalid cursor' },
    ]);
  }
  return [cursor.slice(at + 1), ticket];
}
