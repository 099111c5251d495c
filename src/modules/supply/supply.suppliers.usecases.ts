import { eq } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { appendEvents } from '../../db/outbox.ts';
import type { Deps, StoreScope } from '../../shared/context.ts';
import { decodeCursor, type Page, toPage } from '../../shared/cursor.ts';
import { notFound } from '../../shared/errors.ts';
import { refreshSupply } from '../promises/promises.usecases.ts';
import { lockLevels, type SkuLevel } from '../stock/stock.levels.repository.ts';
import { findSupplier, listSupplierRows, supplierSkus } from './supply.repository.ts';
import { suppliers } from './supply.tables.ts';
import { type SupplierView, toSupplierView } from './supply.views.ts';

export interface SupplierInput {
  name: string;
  email?: string | null;
  leadTimeDays: number;
}

export async function createSupplier(
  tx: Executor,
  deps: Pick<Deps, 'clock' | 'ids'>,
  store: StoreScope,
  input: SupplierInput,
): Promise<SupplierView> {
  const now = deps.clock.now();
  const [row] = await tx
    .insert(suppliers)
    .values({
      id: deps.ids.next('sup'),
      storeId: store.id,
      name: input.name,
      email: input.email ?? null,
      leadTimeDays: input.leadTimeDays,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  const supplier = toSupplierView(row!);
  await appendEvents(tx, deps, [{ storeId: store.id, type: 'supplier.created', data: { supplier } }]);
  return supplier;
}

export async function getSupplier(db: Executor, storeId: string, supplierId: string): Promise<SupplierView> {
  const row = await findSupplier(db, storeId, supplierId);
  if (!row) throw notFound('Supplier', supplierId);
  return toSupplierView(row);
}

/** Suppliers, oldest first. */
export async function listSuppliers(
  db: Executor,
  storeId: string,
  query: { limit: number; cursor?: string },
): Promise<Page<SupplierView>> {
  const rows = await listSupplierRows(db, storeId, { limit: query.limit, after: decodeCursor(query.cursor) });
  return toPage(rows, query.limit, (row) => row.seq, toSupplierView);
}

/**
 * Changes a supplier. A new lead time re-dates the waiting lines of every SKU it may be the
 * lead-time supplier of (see `supplierSkus`), whose stock rows are locked before the supplier's.
 */
export async function updateSupplier(
  tx: Executor,
  deps: Pick<Deps, 'clock' | 'ids'>,
  store: StoreScope,
  supplierId: string,
  patch: Partial<SupplierInput>,
): Promise<SupplierView> {
  if (!(await findSupplier(tx, store.id, supplierId))) throw notFound('Supplier', supplierId);
  const levels =
    patch.leadTimeDays === undefined
      ? new Map<string, SkuLevel>()
      : await lockLevels(
          tx,
          (await supplierSkus(tx, store.id, supplierId)).map((sku) => ({ storeId: store.id, sku })),
        );
  const current = (await findSupplier(tx, store.id, supplierId, { lock: true }))!;
  const next = {
    name: patch.name ?? current.name,
    email: patch.email === undefined ? current.email : patch.email,
    leadTimeDays: patch.leadTimeDays ?? current.leadTimeDays,
  };
  const changed = (Object.keys(next) as (keyof typeof next)[]).filter(
    (field) => next[field] !== current[field],
  );
  if (changed.length === 0) return toSupplierView(current);
  const [row] = await tx
    .update(suppliers)
    .set({ ...next, updatedAt: deps.clock.now() })
    .where(eq(suppliers.id, supplierId))
    .returning();
  if (changed.includes('leadTimeDays')) await refreshSupply(tx, deps, store, [...levels.values()]);
  const supplier = toSupplierView(row!);
  await appendEvents(tx, deps, [
    { storeId: store.id, type: 'supplier.updated', data: { supplier, changed } },
  ]);
  return supplier;
}
