/** Suppliers, purchase orders and receipts as the API shows them (responses, reads and events). */
import { openQuantity } from './supply.models.ts';
import type {
  DateChangeRow,
  PurchaseOrderLineRow,
  PurchaseOrderRow,
  ReceiptRow,
  SupplierRow,
} from './supply.repository.ts';
import type { CrossDockLine, PurchaseOrderStatus, ReceiptLine } from './supply.tables.ts';

export interface SupplierView {
  id: string;
  name: string;
  email: string | null;
  leadTimeDays: number;
  createdAt: string;
  updatedAt: string;
}

export const toSupplierView = (row: SupplierRow): SupplierView => ({
  id: row.id,
  name: row.name,
  email: row.email,
  leadTimeDays: row.leadTimeDays,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

export interface PurchaseOrderView {
  id: string;
  supplierId: string;
  reference: string | null;
  status: PurchaseOrderStatus;
  expectedDate: string;
  lines: {
    id: string;
    sku: string;
    quantity: number;
    receivedQuantity: number;
    openQuantity: number;
    unitCost: number;
  }[];
  dateHistory: {
    previousDate: string | null;
    expectedDate: string;
    reason: string | null;
    changedAt: string;
  }[];
  createdAt: string;
  updatedAt: string;
}

export function toPurchaseOrderView(
  row: PurchaseOrderRow,
  lines: readonly PurchaseOrderLineRow[],
  history: readonly DateChangeRow[],
): PurchaseOrderView {
  return {
    id: row.id,
    supplierId: row.supplierId,
    reference: row.reference,
    status: row.status,
    expectedDate: row.expectedDate,
    lines: lines.map((line) => ({
      id: line.id,
      sku: line.sku,
      quantity: line.quantity,
      receivedQuantity: line.received,
      openQuantity: openQuantity(line),
      unitCost: line.unitCost,
    })),
    dateHistory: history.map((change) => ({
      previousDate: change.previousDate,
      expectedDate: change.expectedDate,
      reason: change.reason,
      changedAt: change.changedAt.toISOString(),
    })),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export interface ReceiptView {
  id: string;
  purchaseOrderId: string;
  supplierId: string;
  lines: ReceiptLine[];
  crossDock: CrossDockLine[];
  putaway: ReceiptLine[];
  expectedDate: string;
  receivedOn: string;
  lateDays: number;
  createdAt: string;
  /** The purchase order right after this receipt: only in the response of the receipt's POST. */
  purchaseOrder?: PurchaseOrderView;
}

export const toReceiptView = (row: ReceiptRow): ReceiptView => ({
  id: row.id,
  purchaseOrderId: row.purchaseOrderId,
  supplierId: row.supplierId,
  lines: row.lines,
  crossDock: row.crossDock,
  putaway: row.putaway,
  expectedDate: row.expectedDate,
  receivedOn: row.receivedOn,
  lateDays: row.lateDays,
  createdAt: row.createdAt.toISOString(),
});
