import { and, asc, eq, gt, sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../../db/client.ts';
import { appendEvents } from '../../db/outbox.ts';
import type { Deps, StoreScope } from '../../shared/context.ts';
import { decodeKeyCursor, type Page, toPage } from '../../shared/cursor.ts';
import { requireCalendarDate } from '../../shared/dates.ts';
import { invalid, notFound } from '../../shared/errors.ts';
import { refreshSupply } from '../promises/promises.usecases.ts';
import { requireDepositPercent } from '../settings/settings.schemas.ts';
import { lockLevels } from '../stock/stock.levels.repository.ts';
import { unknownSupplier } from '../supply/supply.errors.ts';
import { findSupplier } from '../supply/supply.repository.ts';
import type { VariantInput, VariantView } from './catalog.models.ts';
import { variants } from './catalog.tables.ts';

type VariantRow = typeof variants.$inferSelect;

function toView(row: VariantRow): VariantView {
  return {
    sku: row.sku,
    title: row.title,
    productId: row.productId,
    attributes: row.attributes,
    tags: row.tags,
    price: row.price,
    supplierId: row.supplierId,
    backorder: {
      mode: row.backorderMode,
      limit: row.backorderLimitAuto ? 'auto' : row.backorderLimit,
      message: row.backorderMessage,
      expectedDate: row.expectedDate,
      releaseDate: row.releaseDate,
      payment: row.paymentMode,
      depositPercent: row.depositPercent === null ? null : Number(row.depositPercent),
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
  const expectedDate = optionalDate(input.backorder.expectedDate, '/backorder/expectedDate');
  const releaseDate = optionalDate(input.backorder.releaseDate, '/backorder/releaseDate');
  if (releaseDate !== null && input.backorder.mode !== 'preorder') {
    throw invalid('validation_failed', 'backorder.releaseDate applies to pre-orders only', [
      { path: '/backorder/releaseDate', message: 'set mode "preorder" to give a release date' },
    ]);
  }
  requireDepositPercent(input.backorder.depositPercent, '/backorder/depositPercent');
  const supplierId = input.supplierId ?? null;
  if (supplierId !== null && !(await findSupplier(tx, store.id, supplierId))) {
    throw unknownSupplier(supplierId, '/supplierId');
  }
  const now = deps.clock.now();
  const mode = input.backorder.mode;
  const auto = input.backorder.limit === 'auto';
  const limit = auto ? null : ((input.backorder.limit as number | null | undefined) ?? null);
  // The stock row is created or locked first (see above); an automatic cap is computed below.
  const inserted = await queryRows<{ sku: string }>(
    tx,
    sql`INSERT INTO inventory_levels (store_id, sku, backorder_mode, backorder_limit, backorder_limit_auto, updated_at)
        VALUES (${store.id}, ${sku}, ${mode}, ${limit}, ${auto}, ${now})
        ON CONFLICT DO NOTHING RETURNING sku`,
  );
  const created = inserted.length === 1;
  if (!created) {
    await tx.execute(sql`UPDATE inventory_levels SET backorder_mode = ${mode}, backorder_limit = ${limit},
                               backorder_limit_auto = ${auto}, updated_at = ${now}
                          WHERE store_id = ${store.id} AND sku = ${sku}`);
  }
  const values = {
    title: input.title,
    productId: input.productId ?? null,
    attributes: input.attributes ?? {},
    tags: input.tags ?? [],
    price: input.price,
    backorderMode: mode,
    backorderLimit: limit,
    backorderLimitAuto: auto,
    backorderMessage: input.backorder.message ?? null,
    expectedDate,
    releaseDate,
    supplierId,
    paymentMode: input.backorder.payment ?? null,
    depositPercent: input.backorder.depositPercent == null ? null : String(input.backorder.depositPercent),
    updatedAt: now,
  };
  const [row] = await tx
    .insert(variants)
    .values({ ...values, storeId: store.id, sku, createdAt: now })
    .onConflictDoUpdate({ target: [variants.storeId, variants.sku], set: values })
    .returning();
  const variant = toView(row!);
  // The merchant's date, the release date, the supplier and an automatic cap all feed the promises.
  await refreshSupply(tx, deps, store, [...(await lockLevels(tx, [{ storeId: store.id, sku }])).values()]);
  await appendEvents(tx, deps, [
    { storeId: store.id, type: created ? 'variant.created' : 'variant.updated', data: { variant } },
  ]);
  return { variant, created };
}

const optionalDate = (value: string | null | undefined, path: string): string | null =>
  value === undefined || value === null ? null : requireCalendarDate(value, path);

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
