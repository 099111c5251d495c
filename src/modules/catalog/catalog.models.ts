import type { BackorderMode } from '../stock/stock.levels.models.ts';
import type { PaymentMode } from '../stores/stores.tables.ts';

export interface BackorderPolicy {
  mode: BackorderMode;
  /** `"auto"`: open purchase-order units not yet promised, plus the store's buffer. */
  limit: number | 'auto' | null;
  message: string | null;
  expectedDate: string | null;
  releaseDate: string | null;
  /** How backorders are paid; null = the store's default. */
  payment: PaymentMode | null;
  depositPercent: number | null;
}

export interface VariantInput {
  title: string;
  productId?: string | null;
  attributes?: Record<string, string>;
  /** Free labels; variants sharing one (or a productId) are offered as alternatives. */
  tags?: string[];
  /** The product page (http or https). */
  url?: string | null;
  /** A picture of the variant (http or https). */
  imageUrl?: string | null;
  price: number;
  supplierId?: string | null;
  backorder: {
    mode: BackorderMode;
    limit?: number | 'auto' | null;
    message?: string | null;
    expectedDate?: string | null;
    releaseDate?: string | null;
    payment?: PaymentMode | null;
    depositPercent?: number | null;
  };
}

export interface VariantView {
  sku: string;
  title: string;
  productId: string | null;
  attributes: Record<string, string>;
  tags: string[];
  url: string | null;
  imageUrl: string | null;
  price: number;
  supplierId: string | null;
  backorder: BackorderPolicy;
  createdAt: string;
  updatedAt: string;
}

/** The PUT body that would store `view` as it is: every field written out, null where unset. */
export function variantInputOf(view: VariantView): VariantInput {
  return completeVariantInput({
    title: view.title,
    productId: view.productId,
    attributes: view.attributes,
    tags: view.tags,
    url: view.url,
    imageUrl: view.imageUrl,
    price: view.price,
    supplierId: view.supplierId,
    backorder: view.backorder,
  });
}

/** `input` with every optional field written out as PUT stores it when left out (null, {} or []). */
export function completeVariantInput(input: VariantInput): VariantInput {
  const b = input.backorder;
  return {
    title: input.title,
    productId: input.productId ?? null,
    attributes: input.attributes ?? {},
    tags: input.tags ?? [],
    url: input.url ?? null,
    imageUrl: input.imageUrl ?? null,
    price: input.price,
    supplierId: input.supplierId ?? null,
    backorder: {
      mode: b.mode,
      limit: b.limit ?? null,
      message: b.message ?? null,
      expectedDate: b.expectedDate ?? null,
      releaseDate: b.releaseDate ?? null,
      payment: b.payment ?? null,
      depositPercent: b.depositPercent ?? null,
    },
  };
}
