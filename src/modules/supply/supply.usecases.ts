import type { Executor } from '../../db/client.ts';
import { appendEvents } from '../../db/outbox.ts';
import { groupBy } from '../../shared/collections.ts';
import type { Deps, StoreScope } from '../../shared/context.ts';
import { decodeCursor, type Page, toPage } from '../../shared/cursor.ts';
import { requireCalendarDate } from '../../shared/dates.ts';
import { invalid, notFound } from '../../shared/errors.ts';
import { refreshSupply } from '../promises/promises.usecases.ts';
import { unknownSku } from '../stock/stock.errors.ts';
import { levelKey, lockLevels, type SkuLevel } from '../stock/stock.levels.repository.ts';
import {
  belowReceived,
  duplicateReference,
  invalidTransition,
  purchaseOrderClosed,
  receivedLineRemoved,
  repeatedSku,
  unknownSupplier,
} from './supply.errors.ts';
import { canApply, planLineEdit, type RequestedLine, statusAfterReceipt } from './supply.models.ts';
import {
  findPurchaseOrder,
  findSupplier,
  insertPurchaseOrder,
  isReferenceTaken,
  listPurchaseOrderRows,
  loadDateHistory,
  loadPurchaseOrderLines,
  type PurchaseOrderRow,
  purchaseOrderSkus,
  replacePurchaseOrderLines,
  updatePurchaseOrder,
} from './supply.repository.ts';
import { type PurchaseOrderStatus, purchaseOrderDateChanges, purchaseOrderLines } from './supply.tables.ts';
import { type PurchaseOrderView, toPurchaseOrderView } from './supply.views.ts';

export async function getPurchaseOrder(
  db: Executor,
  storeId: string,
  purchaseOrderId: string,
): Promise<PurchaseOrderView> {
  const row = await findPurchaseOrder(db, storeId, purchaseOrderId);
  if (!row) throw notFound('Purchase order', purchaseOrderId);
  return viewOf(db, row);
}

async function viewOf(db: Executor, row: PurchaseOrderRow): Promise<PurchaseOrderView> {
  const lines = await loadPurchaseOrderLines(db, [row.id]);
  return toPurchaseOrderView(row, lines, await loadDateHistory(db, [row.id]));
}

export async function listPurchaseOrders(
  db: Executor,
  storeId: string,
  query: { status?: PurchaseOrderStatus; sku?: string; supplierId?: string; limit: number; cursor?: string },
): Promise<Page<PurchaseOrderView>> {
  const rows = await listPurchaseOrderRows(db, storeId, { ...query, before: decodeCursor(query.cursor) });
  const ids = rows.slice(0, query.limit).map((r) => r.id);
  const lines = groupBy(await loadPurchaseOrderLines(db, ids), (l) => l.purchaseOrderId);
  const history = groupBy(await loadDateHistory(db, ids), (c) => c.purchaseOrderId);
  return toPage(
    rows,
    query.limit,
    (r) => r.seq,
    (r) => toPurchaseOrderView(r, lines.get(r.id) ?? [], history.get(r.id) ?? []),
  );
}

export interface PurchaseOrderInput {
  supplierId: string;
  reference?: string;
  expectedDate: string;
  status?: 'draft' | 'ordered';
  lines: { sku: string; quantity: number; unitCost: number }[];
}

/**
 * Records a purchase order. Its SKUs' stock rows are locked first (as by every command that
 * changes supply) and their promises refreshed: an ordered PO's units date the waiting lines, and
 * even a draft makes its supplier the SKUs' lead-time supplier.
 */
export async function createPurchaseOrder(
  tx: Executor,
  deps: Pick<Deps, 'clock' | 'ids'>,
  store: StoreScope,
  input: PurchaseOrderInput,
): Promise<PurchaseOrderView> {
  requireCalendarDate(input.expectedDate, '/expectedDate');
  const seen = new Set<string>();
  for (const [i, line] of input.lines.entries()) {
    if (seen.has(line.sku)) throw repeatedSku(line.sku, `/lines/${i}/sku`);
    seen.add(line.sku);
  }
  if (!(await findSupplier(tx, store.id, input.supplierId))) {
    throw unknownSupplier(input.supplierId, '/supplierId');
  }
  const levels = await lockLevels(
    tx,
    input.lines.map((line) => ({ storeId: store.id, sku: line.sku })),
  );
  for (const [i, line] of input.lines.entries()) {
    if (!levels.has(levelKey(store.id, line.sku))) throw unknownSku(line.sku, `/lines/${i}/sku`);
  }
  const now = deps.clock.now();
  const id = deps.ids.next('po');
  const inserted = await insertPurchaseOrder(tx, {
    id,
    storeId: store.id,
    supplierId: input.supplierId,
    reference: input.reference ?? null,
    status: input.status ?? 'ordered',
    expectedDate: input.expectedDate,
    createdAt: now,
    updatedAt: now,
  });
  if (!inserted) throw duplicateReference(input.reference!);
  await tx.insert(purchaseOrderLines).values(
    input.lines.map((line, i) => ({
      id: deps.ids.next('pol'),
      storeId: store.id,
      purchaseOrderId: id,
      lineNo: i + 1,
      sku: line.sku,
      quantity: line.quantity,
      received: 0,
      unitCost: line.unitCost,
    })),
  );
  await recordDateChange(tx, deps, store.id, id, {
    previousDate: null,
    expectedDate: input.expectedDate,
    now,
  });
  await refreshSupply(tx, deps, store, [...levels.values()]);
  const purchaseOrder = await getPurchaseOrder(tx, store.id, id);
  await appendEvents(tx, deps, [
    { storeId: store.id, type: 'purchase_order.created', data: { purchaseOrder } },
  ]);
  return purchaseOrder;
}

export interface PurchaseOrderPatch {
  expectedDate?: string;
  reason?: string;
  reference?: string | null;
  lines?: RequestedLine[];
}

/**
 * Moves the expected date (every move is kept in the date history, with its reason), changes the
 * reference, or replaces the lines (matched by SKU; units already received cannot be un-ordered).
 * A date move or a change of lines re-dates the waiting lines of the SKUs concerned.
 */
export async function updatePurchaseOrderDetails(
  tx: Executor,
  deps: Pick<Deps, 'clock' | 'ids'>,
  store: StoreScope,
  purchaseOrderId: string,
  patch: PurchaseOrderPatch,
): Promise<PurchaseOrderView> {
  const moving = patch.expectedDate !== undefined;
  if (moving) requireCalendarDate(patch.expectedDate!, '/expectedDate');
  if (patch.reason !== undefined && !moving) {
    throw invalid('validation_failed', 'A reason explains a date move: send it with expectedDate', [
      { path: '/reason', message: 'only allowed together with expectedDate' },
    ]);
  }
  const relining = patch.lines !== undefined;
  const { levels, purchaseOrder: po } = await lockForChange(
    tx,
    store,
    purchaseOrderId,
    moving || relining
      ? async (found) => [
          ...new Set([...(await purchaseOrderSkus(tx, found.id)), ...(patch.lines ?? []).map((l) => l.sku)]),
        ]
      : () => [],
  );
  if (!canApply(po.status, 'edit')) throw purchaseOrderClosed(purchaseOrderId, po.status);
  const before = relining ? await loadPurchaseOrderLines(tx, [purchaseOrderId]) : [];
  const edit = relining ? planLineEdit(before, patch.lines!) : undefined;
  if (edit && !edit.ok) {
    if (edit.reason === 'repeated_sku') throw repeatedSku(edit.sku, `/lines/${edit.index}/sku`);
    if (edit.reason === 'below_received') {
      throw belowReceived(edit.sku, edit.received, edit.requested, `/lines/${edit.index}/quantity`);
    }
    throw receivedLineRemoved(edit.sku, edit.received);
  }
  for (const [i, line] of (patch.lines ?? []).entries()) {
    if (!levels.has(levelKey(store.id, line.sku))) throw unknownSku(line.sku, `/lines/${i}/sku`);
  }
  const linesChange =
    edit?.ok === true &&
    (edit.insert.length > 0 ||
      edit.remove.length > 0 ||
      edit.update.some((u) => u.quantity !== u.line.quantity || u.unitCost !== u.line.unitCost));
  const dateMoves = moving && patch.expectedDate !== po.expectedDate;
  const referenceChanges = patch.reference !== undefined && patch.reference !== po.reference;
  if (!dateMoves && !referenceChanges && !linesChange) return viewOf(tx, po);
  const now = deps.clock.now();
  if (referenceChanges) await setReference(tx, purchaseOrderId, patch.reference!, now);
  if (dateMoves) {
    await updatePurchaseOrder(tx, purchaseOrderId, { expectedDate: patch.expectedDate!, updatedAt: now });
    await recordDateChange(tx, deps, store.id, purchaseOrderId, {
      previousDate: po.expectedDate,
      expectedDate: patch.expectedDate!,
      reason: patch.reason ?? null,
      now,
    });
  }
  if (linesChange && edit?.ok) {
    const after = await replacePurchaseOrderLines(tx, deps, store.id, purchaseOrderId, before, edit);
    // Cutting the units still to come to nothing completes a partly received order.
    const status = po.status === 'partially_received' ? statusAfterReceipt(after) : po.status;
    await updatePurchaseOrder(tx, purchaseOrderId, { status, updatedAt: now });
  }
  if (dateMoves || linesChange) await refreshSupply(tx, deps, store, [...levels.values()]);
  await appendEvents(tx, deps, [
    {
      storeId: store.id,
      type: 'purchase_order.updated',
      data: {
        purchaseOrderId,
        ...(dateMoves
          ? { previousDate: po.expectedDate, expectedDate: patch.expectedDate, reason: patch.reason ?? null }
          : {}),
        ...(referenceChanges ? { previousReference: po.reference, reference: patch.reference } : {}),
        ...(linesChange
          ? {
              previousLines: before.map(({ sku, quantity, unitCost }) => ({ sku, quantity, unitCost })),
              lines: patch.lines,
            }
          : {}),
      },
    },
  ]);
  return getPurchaseOrder(tx, store.id, purchaseOrderId);
}

/** The manual transitions: place a draft with the supplier, or cancel what has not arrived yet. */
export async function transitionPurchaseOrder(
  tx: Executor,
  deps: Pick<Deps, 'clock' | 'ids'>,
  store: StoreScope,
  purchaseOrderId: string,
  action: 'order' | 'cancel',
): Promise<PurchaseOrderView> {
  const { levels, purchaseOrder: po } = await lockForChange(tx, store, purchaseOrderId);
  if (!canApply(po.status, action)) {
    throw invalidTransition(purchaseOrderId, po.status, action === 'order' ? 'ordered' : 'cancelled');
  }
  const status = action === 'order' ? 'ordered' : 'cancelled';
  await updatePurchaseOrder(tx, purchaseOrderId, { status, updatedAt: deps.clock.now() });
  // Ordered units start counting as supply; a cancelled PO's units not yet received stop counting.
  await refreshSupply(tx, deps, store, [...levels.values()]);
  const purchaseOrder = await getPurchaseOrder(tx, store.id, purchaseOrderId);
  await appendEvents(tx, deps, [
    {
      storeId: store.id,
      type: `purchase_order.${status}`,
      data: {
        purchaseOrderId,
        supplierId: po.supplierId,
        previousStatus: po.status,
        ...(action === 'cancel'
          ? {
              cancelledLines: purchaseOrder.lines
                .filter((l) => l.openQuantity > 0)
                .map((l) => ({ sku: l.sku, quantity: l.openQuantity })),
            }
          : {}),
      },
    },
  ]);
  return purchaseOrder;
}

/**
 * Finds a purchase order and locks, in this order, the stock rows of the SKUs `skusOf` names for
 * it (by default every SKU on the PO) and then the PO row — stock first, the order every command
 * takes, so none deadlock. A PO's lines and supplier never change, so they can be read unlocked.
 */
export async function lockForChange(
  tx: Executor,
  store: StoreScope,
  purchaseOrderId: string,
  skusOf: (po: PurchaseOrderRow) => Promise<readonly string[]> | readonly string[] = (po) =>
    purchaseOrderSkus(tx, po.id),
): Promise<{ levels: Map<string, SkuLevel>; purchaseOrder: PurchaseOrderRow }> {
  const found = await findPurchaseOrder(tx, store.id, purchaseOrderId);
  if (!found) throw notFound('Purchase order', purchaseOrderId);
  const levels = await lockLevels(
    tx,
    (await skusOf(found)).map((sku) => ({ storeId: store.id, sku })),
  );
  const purchaseOrder = (await findPurchaseOrder(tx, store.id, purchaseOrderId, { lock: true }))!;
  return { levels, purchaseOrder };
}

async function recordDateChange(
  tx: Executor,
  deps: Pick<Deps, 'ids'>,
  storeId: string,
  purchaseOrderId: string,
  change: { previousDate: string | null; expectedDate: string; reason?: string | null; now: Date },
): Promise<void> {
  await tx.insert(purchaseOrderDateChanges).values({
    id: deps.ids.next('pdc'),
    storeId,
    purchaseOrderId,
    previousDate: change.previousDate,
    expectedDate: change.expectedDate,
    reason: change.reason ?? null,
    changedAt: change.now,
  });
}

/** Sets a new reference; one already used in the store (even by a concurrent request) → 409. */
async function setReference(
  tx: Executor,
  purchaseOrderId: string,
  reference: string | null,
  now: Date,
): Promise<void> {
  try {
    // A savepoint, so that a unique violation leaves the transaction usable for the 409.
    await tx.transaction((savepoint) =>
      updatePurchaseOrder(savepoint as Executor, purchaseOrderId, { reference, updatedAt: now }),
    );
  } catch (error) {
    if (reference !== null && isReferenceTaken(error)) throw duplicateReference(reference);
    throw error;
  }
}
