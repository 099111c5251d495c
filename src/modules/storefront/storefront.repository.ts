import { sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../../db/client.ts';
import type { PromiseInputs } from '../promises/promises.models.ts';
import { LEVEL_COLUMNS, type LevelRow, levelFromRow } from '../stock/stock.levels.repository.ts';
import type { ShelfRow } from './storefront.models.ts';

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
  const rows = await queryRows<LevelRow & { backorder_message: string | null; release_date: string | null }>(
    db,
    sql`SELECT ${LEVEL_COLUMNS}, v.backorder_message, v.release_date::text AS release_date
          FROM inventory_levels l
          JOIN variants v ON v.store_id = l.store_id AND v.sku = l.sku
         WHERE l.store_id = ${storeId} AND l.sku = ANY(${sql.param(skus)}::text[])`,
  );
  return new Map(
    rows.map((row) => {
      const level = levelFromRow(row);
      return [
        row.sku,
        {
          sku: row.sku,
          level,
          message: row.backorder_message,
          releaseDate: row.release_date,
          promiseInputs: level.promiseInputs,
        },
      ];
    }),
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
