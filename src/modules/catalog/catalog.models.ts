import { invalid } from '../../shared/errors.ts';
import type { BackorderMode } from '../inventory/inventory.models.ts';
import type { PaymentMode } from '../payments/payments.tables.ts';

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
  price: number;
  supplierId: string | null;
  backorder: BackorderPolicy;
  createdAt: string;
  updatedAt: string;
}

/** True for a real calendar date written YYYY-MM-DD (2026-02-30 is not one). */
export function isCalendarDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  // setUTCFullYear, unlike Date.UTC, does not map years 0–99 to 1900–1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** `value` when it is a real calendar date; otherwise a 422 naming the field at `path`. */
export function requireCalendarDate(value: string, path: string): string {
  if (!isCalendarDate(value)) {
    throw invalid('validation_failed', `"${value}" (${path}) is not a calendar date`, [
      { path, message: 'must be a real date written YYYY-MM-DD' },
    ]);
  }
  return value;
}

/** The PUT body that would store `view` as it is: every field written out, null where unset. */
export function variantInputOf(view: VariantView): VariantInput {
  return completeVariantInput({
    title: view.title,
    productId: view.productId,
    attributes: view.attributes,
    tags: view.tags,
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
