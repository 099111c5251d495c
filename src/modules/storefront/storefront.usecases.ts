import type { Executor } from '../../db/client.ts';
import { getVariant } from '../catalog/catalog.usecases.ts';
import { getLevel } from '../inventory/inventory.usecases.ts';

/** Only what a shopper may see: no quantities, no queue contents, no other customers. */
export async function availability(db: Executor, storeId: string, sku: string) {
  const variant = await getVariant(db, storeId, sku);
  const level = await getLevel(db, storeId, sku);
  // The merchant's text describes waiting ("Ships in about 3 weeks"), so it shows only while the
  // shopper can still order to wait; the expected date helps whenever the shelf is empty.
  const waitingAllowed = level.status === 'backorder' || level.status === 'preorder';
  return {
    sku,
    status: level.status,
    message: waitingAllowed ? variant.backorder.message : null,
    expectedDate: level.status === 'in_stock' ? null : variant.backorder.expectedDate,
  };
}
