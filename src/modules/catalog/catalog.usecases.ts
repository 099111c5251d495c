import { and, asc, eq, gt, sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../../db/client.ts';
import type { Deps, StoreScope } from '../../shared/context.ts';
import { decodeKeyCursor, type Page, toPage } from '../../shared/cursor.ts';
import { invalid, notFound } from '../../shared/errors.ts';
import { appendEvents } from '../events/events.usecases.ts';
import { isCalendarDate, type VariantInput, type VariantView } from './catalog.models.ts';
import { variants } from './catalog.tables.ts';

type VariantRow = typeof variants.$inferSelect;

function toView(row: VariantRow): VariantView {
  return {
    sku: row.sku,
    title: row.title,
    productId: row.productId,
    attributes: row.attributes,
    price: row.price,
    backorder: {
      mode: row.backorderMode,
      limit: row.backorderLimit,
      message: row.backorderMessage,
      expectedDate: row.expectedDate,
    },
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/**
 * Creates or replaces a variant. Its stock row is created (or locked) first, so a policy change
 * and an order placement on the same SKU never interleave: the policy copied onto the stock row
 * is the one allocation reads under the same lock.
 */
export async function putVariant(
  tx: Executor,
  deps: Pick<Deps, 'clock' | 'ids'>,
  store: StoreScope,
  sku: string,
  input: VariantInput,
): Promise<{ variant: VariantView; created: boolean }> {
  const expectedDate = input.backorder.expectedDate ?? null;
  if (expectedDate !== null && !isCalendarDate(expectedDate)) {
    throw invalid('validation_failed', `backorder.expectedDate "${expectedDate}" is not a calendar date`, [
      { path: '/backorder/expectedDate', message: 'must be a real date written YYYY-MM-DD' },
    ]);
  }
  const now = deps.clock.now();
  const mode = input.backorder.mode;
  const limit = input.backorder.limit ?? null;
  const inserted = await queryRows<{ sku: string }>(
    tx,
    sql`INSERT INTO inventory_levels (store_id, sku, backorder_mode, backorder_limit, updated_at)
        VALUES (${store.id}, ${sku}, ${mode}, ${limit}, ${now})
        ON CONFLICT DO NOTHING RETURNING sku`,
  );
  const created = inserted.length === 1;
  if (!created) {
    await tx.execute(sql`UPDATE inventory_levels SET backorder_mode = ${mode}, backorder_limit = ${limit}, updated_at = ${now}
                          WHERE store_id = ${store.id} AND sku = ${sku}`);
  }
  const values = {
    title: input.title,
    productId: input.productId ?? null,
    attributes: input.attributes ?? {},
    price: input.price,
    backorderMode: mode,
    backorderLimit: limit,
    backorderMessage: input.backorder.message ?? null,
    expectedDate,
    updatedAt: now,
  };
  const [row] = await tx
    .insert(variants)
    .values({ ...values, storeId: store.id, sku, createdAt: now })
    .onConflictDoUpdate({ target: [variants.storeId, variants.sku], set: values })
    .returning();
  const variant = toView(row!);
  await appendEvents(tx, deps, [
    { storeId: store.id, type: created ? 'variant.created' : 'variant.updated', data: { variant } },
  ]);
  return { variant, created };
}

export async function getVariant(db: Executor, storeId: string, sku: string): Promise<VariantView> {
  const [row] = await db
    .select()
    .from(variants)
    .where(and(eq(variants.storeId, storeId), eq(variants.sku, sku)));
  if (!row) throw notFound('Variant', sku);
  return toView(row);
}

export async function listVariants(
  db: Executor,
  storeId: string,
  query: { limit: number; cursor?: string; productId?: string },
): Promise<Page<VariantView>> {
  const after = decodeKeyCursor(query.cursor);
  const conditions = [eq(variants.storeId, storeId)];
  if (after !== null) conditions.push(gt(variants.sku, after));
  if (query.productId) conditions.push(eq(variants.productId, query.productId));
  const rows = await db
    .select()
    .from(variants)
    .where(and(...conditions))
    .orderBy(asc(variants.sku))
    .limit(query.limit + 1);
  return toPage(rows, query.limit, (row) => row.sku, toView);
}
