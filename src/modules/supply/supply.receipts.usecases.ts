import type { Executor } from '../../db/client.ts';
import { appendEvents } from '../../db/outbox.ts';
import type { Deps, StoreScope } from '../../shared/context.ts';
import { decodeCursor, type Page, toPage } from '../../shared/cursor.ts';
import { daysBetween, storeToday } from '../../shared/dates.ts';
import { type DomainError, notFound } from '../../shared/errors.ts';
import { orderNumber } from '../../shared/ids.ts';
import { refreshSupply } from '../promises/promises.usecases.ts';
import { changeOnHand } from '../stock/stock.adjust.ts';
import { levelKey } from '../stock/stock.levels.repository.ts';
import { toLevelView } from '../stock/stock.views.ts';
import { invalidTransition, notOnPurchaseOrder, overReceipt, repeatedSku } from './supply.errors.ts';
import {
  canApply,
  type PickListOrder,
  pickListByOrder,
  pickListCsv,
  planReceipt,
  putawayOf,
  type ReceiptPlan,
  shelfBySku,
  statusAfterReceipt,
} from './supply.models.ts';
import {
  findPurchaseOrder,
  findReceipt,
  findSupplier,
  listReceiptRows,
  loadPurchaseOrderLines,
  outboundOrders,
  saveReceived,
  supplierSkus,
  updatePurchaseOrder,
} from './supply.repository.ts';
import { type CrossDockLine, type ReceiptLine, receipts } from './supply.tables.ts';
import { getPurchaseOrder, lockForChange } from './supply.usecases.ts';
import { type ReceiptView, toReceiptView } from './supply.views.ts';

export interface ReceiptInput {
  lines: ReceiptLine[];
  allowOverReceipt?: boolean;
}

/**
 * Receives a delivery against a purchase order. The units are added to stock exactly as a restock
 * adds them (`changeOnHand`, ledger type `receipt`), so they go to the head of each SKU's queue
 * first: those fills are the cross-dock plan (straight from the dock to the waiting orders' parcels),
 * the rest is put away. The PO's received quantities and status move, and the SKUs' supply and
 * promises are refreshed, all in this one transaction.
 */
export async function receivePurchaseOrder(
  tx: Executor,
  deps: Pick<Deps, 'clock' | 'ids' | 'stock'>,
  store: StoreScope,
  purchaseOrderId: string,
  input: ReceiptInput,
): Promise<ReceiptView> {
  const delivered = input.lines.map(({ sku, quantity }) => ({ sku, quantity }));
  // This delivery may change the supplier's measured lateness, which widens the range of every
  // SKU it supplies: those are locked (and refreshed below) with the delivered ones.
  const { levels, purchaseOrder: po } = await lockForChange(tx, store, purchaseOrderId, async (found) => [
    ...new Set([...delivered.map((l) => l.sku), ...(await supplierSkus(tx, store.id, found.supplierId))]),
  ]);
  if (!canApply(po.status, 'receive')) throw invalidTransition(purchaseOrderId, po.status, 'received');
  const poLines = await loadPurchaseOrderLines(tx, [purchaseOrderId]);
  const plan = planReceipt(poLines, delivered, input.allowOverReceipt ?? false);
  if (!plan.ok) throw refusal(plan);
  for (const { line, quantity } of plan.receiving) line.received += quantity;
  await saveReceived(
    tx,
    plan.receiving.map(({ line }) => line),
  );
  const now = deps.clock.now();
  const status = statusAfterReceipt(poLines);
  await updatePurchaseOrder(tx, purchaseOrderId, { status, updatedAt: now });
  const { touched, filled } = await changeOnHand(
    tx,
    deps,
    store,
    levels,
    delivered.map((line, i) => ({ ...line, path: `/lines/${i}/sku` })),
    { type: 'receipt', now },
  );
  const crossDock: CrossDockLine[] = delivered.flatMap(({ sku }) =>
    (filled.get(levelKey(store.id, sku)) ?? []).map((f) => ({
      orderId: f.orderId,
      lineId: f.lineId,
      sku,
      quantity: f.quantity,
    })),
  );
  const receivedOn = storeToday(store, now);
  const [row] = await tx
    .insert(receipts)
    .values({
      id: deps.ids.next('rcp'),
      storeId: store.id,
      purchaseOrderId,
      supplierId: po.supplierId,
      lines: delivered,
      crossDock,
      putaway: putawayOf(delivered, crossDock),
      expectedDate: po.expectedDate,
      receivedOn,
      lateDays: daysBetween(po.expectedDate, receivedOn),
      createdAt: now,
    })
    .returning();
  // After the receipt row: the supplier's measured lateness includes this delivery.
  await refreshSupply(tx, deps, store, [...levels.values()]);
  const receipt = toReceiptView(row!);
  await appendEvents(tx, deps, [
    {
      storeId: store.id,
      type: 'purchase_order.received',
      data: {
        receiptId: receipt.id,
        purchaseOrderId,
        supplierId: po.supplierId,
        status,
        lines: receipt.lines,
        crossDock: receipt.crossDock,
        putaway: receipt.putaway,
        lateDays: receipt.lateDays,
        levels: touched.map((level) => toLevelView(level.sku, level)),
      },
    },
  ]);
  return { ...receipt, purchaseOrder: await getPurchaseOrder(tx, store.id, purchaseOrderId) };
}

function refusal(plan: Exclude<ReceiptPlan<unknown>, { ok: true }>): DomainError {
  const path = `/lines/${plan.index}/sku`;
  switch (plan.reason) {
    case 'repeated_sku':
      return repeatedSku(plan.sku, path);
    case 'not_on_purchase_order':
      return notOnPurchaseOrder(plan.sku, path);
    case 'over_receipt':
      return overReceipt(plan.sku, plan.openQuantity, plan.requested, `/lines/${plan.index}/quantity`);
  }
}

export async function getReceipt(db: Executor, storeId: string, receiptId: string): Promise<ReceiptView> {
  const row = await findReceipt(db, storeId, receiptId);
  if (!row) throw notFound('Receipt', receiptId);
  return toReceiptView(row);
}

/** The receipt's printable pick list as CSV (see `pickListCsv`), with the outbound orders' customer names. */
export async function receiptPickListCsv(db: Executor, storeId: string, receiptId: string): Promise<string> {
  const receipt = await getReceipt(db, storeId, receiptId);
  const orders = await outboundOrders(
    db,
    storeId,
    receipt.crossDock.map((f) => f.orderId),
  );
  return pickListCsv(receipt, new Map([...orders].map(([id, o]) => [id, o.name])));
}

export interface PickListView {
  receiptId: string;
  purchaseOrderId: string;
  reference: string | null;
  supplier: { id: string; name: string | null };
  receivedOn: string;
  createdAt: string;
  /** Cross-docked units grouped by outbound order (see `pickListByOrder`), with who it is for. */
  orders: (PickListOrder & { number: string; customer: { name: string | null; email: string | null } })[];
  /** What goes to the shelf, by SKU. */
  shelf: ReceiptLine[];
  crossDockUnits: number;
  shelfUnits: number;
}

/**
 * The dock's pick list of a receipt, grouped by outbound order, with each order's number and
 * customer and the purchase order's reference and supplier: what the console prints.
 */
export async function receiptPickList(
  db: Executor,
  storeId: string,
  receiptId: string,
): Promise<PickListView> {
  const receipt = await getReceipt(db, storeId, receiptId);
  const [orders, po, supplier] = await Promise.all([
    outboundOrders(
      db,
      storeId,
      receipt.crossDock.map((f) => f.orderId),
    ),
    findPurchaseOrder(db, storeId, receipt.purchaseOrderId),
    findSupplier(db, storeId, receipt.supplierId),
  ]);
  const groups = pickListByOrder(receipt.crossDock).map((group) => {
    const order = orders.get(group.orderId);
    return {
      ...group,
      number: orderNumber({ id: group.orderId, externalId: order?.externalId ?? null }),
      customer: { name: order?.name ?? null, email: order?.email ?? null },
    };
  });
  const shelf = shelfBySku(receipt.putaway);
  return {
    receiptId: receipt.id,
    purchaseOrderId: receipt.purchaseOrderId,
    reference: po?.reference ?? null,
    supplier: { id: receipt.supplierId, name: supplier?.name ?? null },
    receivedOn: receipt.receivedOn,
    createdAt: receipt.createdAt,
    orders: groups,
    shelf,
    crossDockUnits: groups.reduce((sum, g) => sum + g.units, 0),
    shelfUnits: shelf.reduce((sum, l) => sum + l.quantity, 0),
  };
}

/** Receipts of a purchase order, oldest first. */
export async function listReceipts(
  db: Executor,
  storeId: string,
  purchaseOrderId: string,
  query: { limit: number; cursor?: string },
): Promise<Page<ReceiptView>> {
  if (!(await findPurchaseOrder(db, storeId, purchaseOrderId))) {
    throw notFound('Purchase order', purchaseOrderId);
  }
  const rows = await listReceiptRows(db, storeId, purchaseOrderId, {
    limit: query.limit,
    after: decodeCursor(query.cursor),
  });
  return toPage(rows, query.limit, (row) => row.seq, toReceiptView);
}
