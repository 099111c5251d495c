/** What the purchasing pages read and write: suppliers, purchase orders, receipts and pick lists. */
import { api, data } from '../api/client';
import type { paths } from '../api/schema';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;

export type Supplier = Json<paths['/v1/suppliers/{id}']['get']['responses'][200]>;
export type PurchaseOrder = Json<paths['/v1/purchase-orders/{id}']['get']['responses'][200]>;
export type PurchaseOrderStatus = PurchaseOrder['status'];
export type Receipt = Json<paths['/v1/receipts/{id}']['get']['responses'][200]>;
export type PickList = Json<paths['/v1/receipts/{id}/pick-list']['get']['responses'][200]>;
export type NewPurchaseOrder = NonNullable<
  paths['/v1/purchase-orders']['post']['requestBody']
>['content']['application/json'];

export const STATUS_WORDS: Record<PurchaseOrderStatus, { label: string; color: string }> = {
  draft: { label: 'Draft', color: 'gray' },
  ordered: { label: 'Ordered', color: 'blue' },
  partially_received: { label: 'Partly received', color: 'orange' },
  received: { label: 'Received', color: 'green' },
  cancelled: { label: 'Cancelled', color: 'red' },
};

/** Every supplier (a store has tens, not thousands): pages read until the end. */
export async function listAllSuppliers(): Promise<Supplier[]> {
  const all: Supplier[] = [];
  let cursor: string | null = null;
  do {
    const page: { data: Supplier[]; nextCursor: string | null } = await data(
      api.GET('/v1/suppliers', { params: { query: { limit: 500, ...(cursor ? { cursor } : {}) } } }),
    );
    all.push(...page.data);
    cursor = page.nextCursor;
  } while (cursor);
  return all.sort((a, b) => a.name.localeCompare(b.name));
}

export const suppliersQuery = { queryKey: ['supply', 'suppliers'], queryFn: listAllSuppliers };

export const createSupplier = (body: { name: string; email?: string | null; leadTimeDays: number }) =>
  data(api.POST('/v1/suppliers', { body }));

export const patchSupplier = (
  id: string,
  body: { name?: string; email?: string | null; leadTimeDays?: number },
) => data(api.PATCH('/v1/suppliers/{id}', { params: { path: { id } }, body }));

export const listPurchaseOrders = (query: { limit: number; cursor?: string; status?: PurchaseOrderStatus }) =>
  data(api.GET('/v1/purchase-orders', { params: { query } }));

export const getPurchaseOrder = (id: string) =>
  data(api.GET('/v1/purchase-orders/{id}', { params: { path: { id } } }));

export const createPurchaseOrder = (body: NewPurchaseOrder) =>
  data(api.POST('/v1/purchase-orders', { body }));

export const patchPurchaseOrder = (
  id: string,
  body: {
    expectedDate?: string;
    reason?: string;
    reference?: string | null;
    lines?: { sku: string; quantity: number; unitCost: number }[];
  },
) => data(api.PATCH('/v1/purchase-orders/{id}', { params: { path: { id } }, body }));

export const placePurchaseOrder = (id: string) =>
  data(api.POST('/v1/purchase-orders/{id}/order', { params: { path: { id } }, body: {} }));

export const cancelPurchaseOrder = (id: string) =>
  data(api.POST('/v1/purchase-orders/{id}/cancel', { params: { path: { id } }, body: {} }));

export const receive = (id: string, lines: { sku: string; quantity: number }[]) =>
  data(api.POST('/v1/purchase-orders/{id}/receipts', { params: { path: { id } }, body: { lines } }));

export const listReceipts = (id: string) =>
  data(api.GET('/v1/purchase-orders/{id}/receipts', { params: { path: { id }, query: { limit: 500 } } }));

export const getPickList = (id: string) =>
  data(api.GET('/v1/receipts/{id}/pick-list', { params: { path: { id } } }));
