import { and, eq, inArray } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { variants } from './catalog.tables.ts';

/**
 * Titles of the given SKUs, as messages and shopper pages show them; a SKU whose variant is gone
 * is its own title.
 */
export async function variantTitles(
  db: Executor,
  storeId: string,
  skus: readonly string[],
): Promise<Map<string, string>> {
  const unique = [...new Set(skus)];
  const rows =
    unique.length === 0
      ? []
      : await db
          .select({ sku: variants.sku, title: variants.title })
          .from(variants)
          .where(and(eq(variants.storeId, storeId), inArray(variants.sku, unique)));
  const titles = new Map(rows.map((v) => [v.sku, v.title]));
  for (const sku of unique) if (!titles.has(sku)) titles.set(sku, sku);
  return titles;
}
