import { and, asc, desc, eq, gt, inArray, lt, type SQL, sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../../db/client.ts';
import type { Deps } from '../../shared/context.ts';
import type { LineEdit } from './supply.models.ts';
import {
  type PurchaseOrderStatus,
  purchaseOrderDateChanges,
  purchaseOrderLines,
  purchaseOrders,
  receipts,
  suppliers,
} from './supply.tables.ts';

export type SupplierRow = typeof suppliers.$inferSelect;
export type PurchaseOrderRow = typeof purchaseOrders.$inferSelect;
export type PurchaseOrderLineRow = typeof purchaseOrderLines.$inferSelect;
export type DateChangeRow = typeof purchaseOrderDateChanges.$inferSelect;
export type ReceiptRow = typeof receipts.$inferSelect;

// ---- suppliers ----

export async function findSupplier(
  db: Executor,
  storeId: string,
  supplierId: string,
  options: { lock?: boolean } = {},
): Promise<SupplierRow | undefined> {
  const query = db
    .select()
    .from(suppliers)
    .where(and(eq(suppliers.storeId, storeId), eq(suppliers.id, supplierId)));
  const [row] = options.lock ? await query.for('update') : await query;
  return row;
}

export async function listSupplierRows(
  db: Executor,
  storeId: string,
  query: { limit: number; after: number | null },
): Promise<SupplierRow[]> {
  const conditions = [eq(suppliers.storeId, storeId)];
  if (query.after !== null) conditions.push(gt(suppliers.seq, query.after));
  return db
    .select()
    .from(suppliers)
    .where(and(...conditions))
    .orderBy(asc(suppliers.seq))
    .limit(query.limit + 1);
}

/**
 * SKUs whose lead time may come from this supplier: the variants that name it, and the SKUs on
 * its purchase orders that are not cancelled (the promise engine falls back to the latest one).
 */
export async function supplierSkus(db: Executor, storeId: string, supplierId: string): Promise<string[]> {
  const rows = await queryRows<{ sku: string }>(
    db,
    sql`SELECT sku FROM variants WHERE store_id = ${storeId} AND supplier_id = ${supplierId}
        UNION
        SELECT pl.sku FROM purchase_order_lines pl JOIN purchase_orders po ON po.id = pl.purchase_order_id
         WHERE po.store_id = ${storeId} AND po.supplier_id = ${supplierId} AND po.status <> 'cancelled'`,
  );
  return rows.map((r) => r.sku);
}

// ---- purchase orders ----

export async function findPurchaseOrder(
  db: Executor,
  storeId: string,
  purchaseOrderId: string,
  options: { lock?: boolean } = {},
): Promise<PurchaseOrderRow | undefined> {
  const query = db
    .select()
    .from(purchaseOrders)
    .where(and(eq(purchaseOrders.storeId, storeId), eq(purchaseOrders.id, purchaseOrderId)));
  const [row] = options.lock ? await query.for('update') : await query;
  return row;
}

/** Inserts a purchase order unless its reference is taken; false when it is. */
export async function insertPurchaseOrder(
  tx: Executor,
  row: typeof purchaseOrders.$inferInsert,
): Promise<boolean> {
  const inserted = await tx
    .insert(purchaseOrders)
    .values(row)
    .onConflictDoNothing({ target: [purchaseOrders.storeId, purchaseOrders.reference] })
    .returning({ id: purchaseOrders.id });
  return inserted.length === 1;
}

export const isReferenceTaken = (error: unknown): boolean => {
  const e = error as { code?: string; constraint?: string; cause?: { code?: string; constraint?: string } };
  const inner = e.cause ?? e;
  return inner.code === '23505' && inner.constraint === 'purchase_orders_reference_idx';
};

export async function updatePurchaseOrder(
  tx: Executor,
  purchaseOrderId: string,
  values: Partial<Pick<PurchaseOrderRow, 'status' | 'expectedDate' | 'reference'>> & { updatedAt: Date },
): Promise<void> {
  await tx.update(purchaseOrders).set(values).where(eq(purchaseOrders.id, purchaseOrderId));
}

/** Lines of the given purchase orders, in line order. */
export async function loadPurchaseOrderLines(
  db: Executor,
  purchaseOrderIds: readonly string[],
): Promise<PurchaseOrderLineRow[]> {
  if (purchaseOrderIds.length === 0) return [];
  return db
    .select()
    .from(purchaseOrderLines)
    .where(inArray(purchaseOrderLines.purchaseOrderId, [...purchaseOrderIds]))
    .orderBy(asc(purchaseOrderLines.purchaseOrderId), asc(purchaseOrderLines.lineNo));
}

/** Every move of the given purchase orders' expected dates, oldest first. */
export async function loadDateHistory(
  db: Executor,
  purchaseOrderIds: readonly string[],
): Promise<DateChangeRow[]> {
  if (purchaseOrderIds.length === 0) return [];
  return db
    .select()
    .from(purchaseOrderDateChanges)
    .where(inArray(purchaseOrderDateChanges.purchaseOrderId, [...purchaseOrderIds]))
    .orderBy(asc(purchaseOrderDateChanges.purchaseOrderId), asc(purchaseOrderDateChanges.seq));
}

export async function purchaseOrderSkus(db: Executor, purchaseOrderId: string): Promise<string[]> {
  const rows = await db
    .selectDistinct({ sku: purchaseOrderLines.sku })
    .from(purchaseOrderLines)
    .where(eq(purchaseOrderLines.purchaseOrderId, purchaseOrderId));
  return rows.map((r) => r.sku);
}

/** Writes the received quantities of many lines in one statement. */
export async function saveReceived(
  tx: Executor,
  lines: readonly { id: string; received: number }[],
): Promise<void> {
  if (lines.length === 0) return;
  const ids = lines.map((l) => l.id);
  await tx.execute(sql`
    UPDATE purchase_order_lines AS l SET received = v.received
      FROM unnest(${sql.param(ids)}::text[], ${sql.param(lines.map((l) => l.received))}::int[]) AS v(id, received)
     WHERE l.id = v.id AND l.id = ANY(${sql.param(ids)}::text[])`);
}

export interface PurchaseOrderListQuery {
  status?: PurchaseOrderStatus;
  sku?: string;
  supplierId?: string;
  limit: number;
  before: number | null;
}

export async function listPurchaseOrderRows(
  db: Executor,
  storeId: string,
  query: PurchaseOrderListQuery,
): Promise<PurchaseOrderRow[]> {
  const conditions: SQL[] = [eq(purchaseOrders.storeId, storeId)];
  if (query.status) conditions.push(eq(purchaseOrders.status, query.status));
  if (query.supplierId) conditions.push(eq(purchaseOrders.supplierId, query.supplierId));
  if (query.sku) {
    conditions.push(sql`EXISTS (SELECT 1 FROM purchase_order_lines pl
                                 WHERE pl.store_id = ${storeId} AND pl.sku = ${query.sku}
                                   AND pl.purchase_order_id = ${purchaseOrders.id})`);
  }
  if (query.before !== null) conditions.push(lt(purchaseOrders.seq, query.before));
  return db
    .select()
    .from(purchaseOrders)
    .where(and(...conditions))
    .orderBy(desc(purchaseOrders.seq))
    .limit(query.limit + 1);
}

// ---- receipts ----

export async function findReceipt(
  db: Executor,
  storeId: string,
  receiptId: string,
): Promise<ReceiptRow | undefined> {
  const [row] = await db
    .select()
    .from(receipts)
    .where(and(eq(receipts.storeId, storeId), eq(receipts.id, receiptId)));
  return row;
}

export async function listReceiptRows(
  db: Executor,
  storeId: string,
  purchaseOrderId: string,
  query: { limit: number; after: number | null },
): Promise<ReceiptRow[]> {
  const conditions = [eq(receipts.storeId, storeId), eq(receipts.purchaseOrderId, purchaseOrderId)];
  if (query.after !== null) conditions.push(gt(receipts.seq, query.after));
  return db
    .select()
    .from(receipts)
    .where(and(...conditions))
    .orderBy(asc(receipts.seq))
    .limit(query.limit + 1);
}

/** Who each given outbound order is for (the dock's pick list names them): its number and customer. */
export interface OutboundOrder {
  id: string;
  externalId: string | null;
  name: string | null;
  email: string | null;
}

export async function outboundOrders(
  db: Executor,
  storeId: string,
  orderIds: readonly string[],
): Promise<Map<string, OutboundOrder>> {
  if (orderIds.length === 0) return new Map();
  const rows = await queryRows<{
    id: string;
    external_id: string | null;
    name: string | null;
    email: string | null;
  }>(
    db,
    sql`SELECT id, external_id, customer->>'name' AS name, customer->>'email' AS email FROM orders
         WHERE store_id = ${storeId} AND id = ANY(${sql.param([...new Set(orderIds)])}::text[])`,
  );
  return new Map(
    rows.map((r) => [r.id, { id: r.id, externalId: r.external_id, name: r.name, email: r.email }]),
  );
}

/** Writes a planned line edit; returns the lines as they now are. */
export async function replacePurchaseOrderLines(
  tx: Executor,
  deps: Pick<Deps, 'ids'>,
  storeId: string,
  purchaseOrderId: string,
  before: readonly PurchaseOrderLineRow[],
  edit: Extract<LineEdit<PurchaseOrderLineRow>, { ok: true }>,
): Promise<{ sku: string; quantity: number; received: number }[]> {
  if (edit.remove.length > 0) {
    await tx.delete(purchaseOrderLines).where(
      inArray(
        purchaseOrderLines.id,
        edit.remove.map((line) => line.id),
      ),
    );
  }
  for (const { line, quantity, unitCost } of edit.update) {
    if (quantity === line.quantity && unitCost === line.unitCost) continue;
    await tx
      .update(purchaseOrderLines)
      .set({ quantity, unitCost })
      .where(and(eq(purchaseOrderLines.id, line.id), eq(purchaseOrderLines.storeId, storeId)));
  }
  const nextNo = before.reduce((max, line) => Math.max(max, line.lineNo), 0) + 1;
  if (edit.insert.length > 0) {
    await tx.insert(purchaseOrderLines).values(
      edit.insert.map((line, i) => ({
        id: deps.ids.next('pol'),
        storeId,
        purchaseOrderId,
        lineNo: nextNo + i,
        sku: line.sku,
        quantity: line.quantity,
        received: 0,
        unitCost: line.unitCost,
      })),
    );
  }
  return [
    ...edit.update.map(({ line, quantity }) => ({ sku: line.sku, quantity, received: line.received })),
    ...edit.insert.map(({ sku, quantity }) => ({ sku, quantity, received: 0 })),
  ];
}
