/** Names for the shapes the console reads, taken from the generated API types. */
import type { paths } from './schema';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;

export type Order = Json<paths['/v1/orders/{id}']['get']['responses'][200]>;
export type OrderLine = Order['lines'][number];
export type OrderPage = Json<paths['/v1/orders']['get']['responses'][200]>;
export type Backorder = BackorderPage['data'][number];
export type PurchaseOrder = Json<paths['/v1/purchase-orders']['get']['responses'][200]>['data'][number];
export type BackorderPage = Extract<
  Json<paths['/v1/backorders']['get']['responses'][200]>,
  { data: unknown }
>;
export type Overview = Json<paths['/v1/overview']['get']['responses'][200]>;
