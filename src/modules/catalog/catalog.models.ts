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
