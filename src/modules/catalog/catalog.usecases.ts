import { isDeepStrictEqual } from 'node:util';
import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm';
import { type Executor, queryRows, type Tx } from '../../db/client.ts';
import { appendEvents } from '../../db/outbox.ts';
import type { Deps, StoreScope } from '../../shared/context.ts';
import { decodeKeyCursor, type Page, toPage } from '../../shared/cursor.ts';
import { requireCalendarDate } from '../../shared/dates.ts';
import { DomainError, type FieldError, invalid, notFound } from '../../shared/errors.ts';
import { applyMergePatch, type Json } from '../../shared/merge-patch.ts';
import { refreshSupply } from '../promises/promises.usecases.ts';
import { requireDepositPercent } from '../settings/settings.schemas.ts';
import { stockChanged } from '../stock/stock.hooks.ts';
import { lockLevels } from '../stock/stock.levels.repository.ts';
import { unknownSupplier } from '../supply/supply.errors.ts';
import { findSupplier } from '../supply/supply.repository.ts';
import {
  completeVariantInput,
  type VariantInput,
  type VariantView,
  variantInputOf,
} from './catalog.models.ts';
import { checkVariantBody } from './catalog.schemas.ts';
import { variants } from './catalog.tables.ts';

type VariantRow = typeof variants.$inferSelect;

function toView(row: VariantRow): VariantView {
  return {
    sku: row.sku,
    title: row.title,
    productId: row.productId,
    attributes: row.attributes,
    tags: row.tags,
    url: row.url,
    imageUrl: row.imageUrl,
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
  deps: Pick<Deps, 'clock' | 'ids' | 'stock'>,
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
    url: input.url ?? null,
    imageUrl: input.imageUrl ?? null,
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
  // The policy, the cap or the dates may have changed what the store's platforms should show.
  await stockChanged(tx, deps, store, [sku]);
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
  query: { limit: number; cursor?: string; productId?: string; skus?: string },
): Promise<Page<VariantView>> {
  const after = decodeKeyCursor(query.cursor);
  const conditions = [eq(variants.storeId, storeId)];
  if (after !== null) conditions.push(gt(variants.sku, after));
  if (query.productId) conditions.push(eq(variants.productId, query.productId));
  if (query.skus) conditions.push(inArray(variants.sku, query.skus.split(',')));
  const rows = await db
    .select()
    .from(variants)
    .where(and(...conditions))
    .orderBy(asc(variants.sku))
    .limit(query.limit + 1);
  return toPage(rows, query.limit, (row) => row.sku, toView);
}

/**
 * Changes only what a JSON Merge Patch (RFC 7396) names, then saves the result exactly as PUT
 * does (`putVariant`: the same checks, the same refresh of supply and promise dates, the same
 * event). A patch that changes nothing writes nothing. The stock row is locked first, as every
 * command on a SKU does, so two patches of one variant apply one after the other.
 */
export async function patchVariant(
  tx: Executor,
  deps: Pick<Deps, 'clock' | 'ids' | 'stock'>,
  store: StoreScope,
  sku: string,
  patch: Json,
): Promise<VariantView> {
  if ((await lockLevels(tx, [{ storeId: store.id, sku }])).size === 0) throw notFound('Variant', sku);
  const current = await getVariant(tx, store.id, sku);
  const before = variantInputOf(current);
  const patched = applyMergePatch(before as unknown as Json, patch);
  const errors = checkVariantBody(patched);
  if (errors.length > 0) {
    throw invalid(
      'validation_failed',
      `The patched variant is not valid: ${errors[0]!.path} ${errors[0]!.message}`,
      errors,
    );
  }
  const input = completeVariantInput(patched as unknown as VariantInput);
  if (isDeepStrictEqual(input, before)) return current;
  return (await putVariant(tx, deps, store, sku, input)).variant;
}

/** One row of a batch: a PUT body with its SKU. */
export interface VariantBatchRow extends VariantInput {
  sku: string;
}

/**
 * Creates or replaces many variants, each exactly as PUT does, all or nothing. Every row is tried
 * (in a savepoint, so a refused row leaves no trace) and every refusal is reported at its row
 * (`pathOf`), then nothing is saved if any row was refused. Rows are saved in SKU order, the
 * order every command locks stock rows in.
 */
export async function putVariants(
  tx: Tx,
  deps: Pick<Deps, 'clock' | 'ids' | 'stock'>,
  store: StoreScope,
  rows: readonly VariantBatchRow[],
  pathOf: (index: number) => string = (i) => `/variants/${i}`,
): Promise<{ variant: VariantView; created: boolean }[]> {
  const problems: { index: number; error: FieldError }[] = [];
  const firstRow = new Map<string, number>();
  for (const [index, row] of rows.entries()) {
    const first = firstRow.get(row.sku);
    if (first === undefined) firstRow.set(row.sku, index);
    else
      problems.push({ index, error: { path: `${pathOf(index)}/sku`, message: 'each SKU may appear once' } });
  }
  const results: { variant: VariantView; created: boolean }[] = [];
  const bySku = [...firstRow.values()].sort((a, b) => (rows[a]!.sku < rows[b]!.sku ? -1 : 1));
  for (const index of bySku) {
    const { sku, ...input } = rows[index]!;
    try {
      results[index] = await tx.transaction((savepoint) => putVariant(savepoint, deps, store, sku, input));
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      const fields = error.errors?.length ? error.errors : [{ path: '', message: error.message }];
      for (const field of fields) {
        problems.push({ index, error: { path: `${pathOf(index)}${field.path}`, message: field.message } });
      }
    }
  }
  if (problems.length > 0) {
    const errors = problems.sort((a, b) => a.index - b.index).map((p) => p.error);
    const refused = new Set(problems.map((p) => p.index)).size;
    throw invalid(
      'validation_failed',
      `${refused} of ${rows.length} variants cannot be saved, so none was: ${errors[0]!.path} ${errors[0]!.message}`,
      errors,
    );
  }
  return results;
}
