/** What the stock pages read and write: levels with their variants, policies, adjustments, counts. */
import { api, data } from '../api/client';
import type { paths } from '../api/schema';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;

export type LevelPage = Extract<Json<paths['/v1/inventory']['get']['responses'][200]>, { data: unknown }>;
export type Level = LevelPage['data'][number];
export type Variant = Json<paths['/v1/variants/{sku}']['get']['responses'][200]>;
export type VariantPatch = NonNullable<
  paths['/v1/variants/{sku}']['patch']['requestBody']
>['content']['application/json'];
export type VariantBatchItem = NonNullable<
  paths['/v1/variants/batch']['post']['requestBody']
>['content']['application/json']['variants'][number];
export type Mode = Variant['backorder']['mode'];
export type AdjustmentReason = NonNullable<
  paths['/v1/inventory/adjustments']['post']['requestBody']
>['content']['application/json']['reason'];

export interface LevelFilters {
  q?: string;
  mode?: Mode;
  waiting?: boolean;
  low?: number;
}

/** A stock level with its variant (title and policy), as the stock table shows it. */
export interface StockRow extends Level {
  variant: Variant | null;
}

function levelQuery(filters: LevelFilters) {
  return {
    ...(filters.q ? { search: filters.q } : {}),
    ...(filters.mode ? { mode: filters.mode } : {}),
    ...(filters.waiting !== undefined ? { waiting: filters.waiting } : {}),
    ...(filters.low !== undefined ? { availableAtMost: filters.low } : {}),
  };
}

/** One page of levels, then the variants of those SKUs in one call (`?skus=`). */
export async function listStock(
  filters: LevelFilters,
  limit: number,
  cursor: string | null,
): Promise<{ rows: StockRow[]; nextCursor: string | null }> {
  const page = (await data(
    api.GET('/v1/inventory', {
      params: { query: { limit, ...levelQuery(filters), ...(cursor ? { cursor } : {}) } },
    }),
  )) as LevelPage;
  const skus = page.data.map((l) => l.sku);
  const variants =
    skus.length === 0
      ? []
      : (await data(api.GET('/v1/variants', { params: { query: { limit: 500, skus: skus.join(',') } } })))
          .data;
  const bySku = new Map(variants.map((v) => [v.sku, v]));
  return {
    rows: page.data.map((level) => ({ ...level, variant: bySku.get(level.sku) ?? null })),
    nextCursor: page.nextCursor,
  };
}

/** The address of the stock list as CSV with the same filters (a download, every matching row). */
export function exportUrl(filters: LevelFilters): string {
  const query = new URLSearchParams({ format: 'csv' });
  for (const [name, value] of Object.entries(levelQuery(filters))) query.set(name, String(value));
  return `/v1/inventory?${query}`;
}

/** A variant as PUT and the batch take it: the stored variant without its read-only fields. */
export function asBatchItem(variant: Variant): VariantBatchItem {
  const { createdAt: _created, updatedAt: _updated, ...item } = variant;
  return item as VariantBatchItem;
}

export const patchVariant = (sku: string, body: VariantPatch) =>
  data(api.PATCH('/v1/variants/{sku}', { params: { path: { sku } }, body }));

export const putVariants = (variants: VariantBatchItem[]) =>
  data(api.POST('/v1/variants/batch', { body: { variants } }));

export const adjustStock = (body: {
  sku: string;
  quantity: number;
  reason: AdjustmentReason;
  note?: string;
}) => data(api.POST('/v1/inventory/adjustments', { body }));

export const countStock = (body: { counts: { sku: string; onHand: number }[]; reason?: string }) =>
  data(api.POST('/v1/inventory/counts', { body }));

export const getVariant = (sku: string) => data(api.GET('/v1/variants/{sku}', { params: { path: { sku } } }));

export const getLevel = (sku: string) => data(api.GET('/v1/inventory/{sku}', { params: { path: { sku } } }));

export const MODE_WORDS: Record<Mode, string> = {
  deny: 'Stop selling',
  backorder: 'Backorder',
  preorder: 'Pre-order',
};

export const REASON_WORDS: Record<AdjustmentReason, string> = {
  restock: 'Restock',
  count: 'Count',
  damage: 'Damaged or lost (write-off)',
  return: 'Customer return',
  other: 'Other',
};
