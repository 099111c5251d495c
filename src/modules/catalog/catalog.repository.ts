import { and, eq, inArray } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { variants } from './catalog.tables.ts';

/** What a shopper sees of a variant in messages and on their order page. */
export interface ShopperVariant {
  sku: string;
  title: string;
  /** The product page, or '' when the merchant gave none. */
  url: string;
  /** A picture of the variant, or ''. */
  imageUrl: string;
}

/**
 * The given SKUs as shoppers see them: title, product page and picture. A SKU whose variant is
 * gone is its own title, with no links.
 */
export async function shopperVariants(
  db: Executor,
  storeId: string,
  skus: readonly string[],
): Promise<Map<string, ShopperVariant>> {
  const unique = [...new Set(skus)];
  const rows =
    unique.length === 0
      ? []
      : await db
          .select({
            sku: variants.sku,
            title: variants.title,
            url: variants.url,
            imageUrl: variants.imageUrl,
          })
          .from(variants)
          .where(and(eq(variants.storeId, storeId), inArray(variants.sku, unique)));
  const found = new Map(
    rows.map((v) => [v.sku, { sku: v.sku, title: v.title, url: v.url ?? '', imageUrl: v.imageUrl ?? '' }]),
  );
  for (const sku of unique) if (!found.has(sku)) found.set(sku, { sku, title: sku, url: '', imageUrl: '' });
  return found;
}

/** Titles of the given SKUs, as messages and shopper pages show them (see `shopperVariants`). */
export async function variantTitles(
  db: Executor,
  storeId: string,
  skus: readonly string[],
): Promise<Map<string, string>> {
  const found = await shopperVariants(db, storeId, skus);
  return new Map([...found].map(([sku, v]) => [sku, v.title]));
}
