import { sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../../db/client.ts';
import type { PromiseInputs } from '../promises/promises.models.ts';
import type { BackorderMode } from '../stock/stock.levels.models.ts';
import type { ShelfRow } from './storefront.models.ts';

interface Row {
  sku: string;
  on_hand: number;
  allocated: number;
  backordered: number;
  waiting_lines: number;
  queue_tail: string | number;
  backorder_mode: BackorderMode;
  backorder_limit: number | null;
  promise_inputs: PromiseInputs | null;
  backorder_message: string | null;
  release_date: string | null;
}

/** A SKU's row as the storefront reads it: what a shopper may see, and the inputs of its dates. */
export type ShelfRead = ShelfRow & { promiseInputs: PromiseInputs | null };

/**
 * The stock rows of `skus` with their variants' shopper-facing words, in one round trip (no
 * lock: a product page reads what is committed). SKUs the store does not have are absent.
 */
export async function readShelf(
  db: Executor,
  storeId: string,
  skus: readonly string[],
): Promise<Map<string, ShelfRead>> {
  const rows = await queryRows<Row>(
    db,
    sql`SELECT l.sku, l.on_hand, l.allocated, l.backordered, l.waiting_lines, l.queue_tail, l.backorder_mode,
               l.backorder_limit, l.promise_inputs, v.backorder_message, v.release_date::text AS release_date
          FROM inventory_levels l
          JOIN variants v ON v.store_id = l.store_id AND v.sku = l.sku
         WHERE l.store_id = ${storeId} AND l.sku = ANY(${sql.param(skus)}::text[])`,
  );
  return new Map(
    rows.map((row) => [
      row.sku,
      {
        sku: row.sku,
        level: {
          onHand: row.on_hand,
          allocated: row.allocated,
          backordered: row.backordered,
          waitingLines: row.waiting_lines,
          queueTail: Number(row.queue_tail),
          backorderMode: row.backorder_mode,
          backorderLimit: row.backorder_limit,
        },
        message: row.backorder_message,
        releaseDate: row.release_date,
        promiseInputs: row.promise_inputs,
      },
    ]),
  );
}

/** Whether any store lets pages of `origin` call its storefront endpoints (a CORS preflight's question). */
export async function anyStoreAllows(db: Executor, origin: string): Promise<boolean> {
  const rows = await queryRows<{ one: number }>(
    db,
    sql`SELECT 1 AS one FROM stores WHERE allowed_origins @> ARRAY[${origin}]::text[] LIMIT 1`,
  );
  return rows.length > 0;
}

/** The origins a store lets call its storefront endpoints from the browser. */
export async function allowedOriginsOf(db: Executor, storeId: string): Promise<string[]> {
  const rows = await queryRows<{ allowed_origins: string[] }>(
    db,
    sql`SELECT allowed_origins FROM stores WHERE id = ${storeId}`,
  );
  return rows[0]?.allowed_origins ?? [];
}
