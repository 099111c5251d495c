/**
 * Pure rules of purchasing: the purchase-order state machine, what a delivery may receive, where
 * its units go, and the dock's printable pick list. No I/O.
 */
import { csvRow } from '../../shared/csv.ts';
import type { CrossDockLine, PurchaseOrderStatus, ReceiptLine } from './supply.tables.ts';

export const PURCHASE_ORDER_STATUSES: readonly PurchaseOrderStatus[] = [
  'draft',
  'ordered',
  'partially_received',
  'received',
  'cancelled',
];

/** What a merchant (or a delivery) can do to a purchase order. */
export type PurchaseOrderAction = 'order' | 'cancel' | 'receive' | 'edit';

/**
 * The statuses each action starts from. Receiving moves ordered → partially_received → received;
 * received and cancelled orders are closed.
 */
const ALLOWED_FROM: Record<PurchaseOrderAction, readonly PurchaseOrderStatus[]> = {
  order: ['draft'],
  cancel: ['draft', 'ordered', 'partially_received'],
  receive: ['ordered', 'partially_received'],
  edit: ['draft', 'ordered', 'partially_received'],
};

export const canApply = (status: PurchaseOrderStatus, action: PurchaseOrderAction): boolean =>
  ALLOWED_FROM[action].includes(status);

/** Statuses whose open units the promise engine counts as supply on the way. */
export const countsAsSupply = (status: PurchaseOrderStatus): boolean =>
  status === 'ordered' || status === 'partially_received';

export interface PurchaseOrderLineQuantities {
  sku: string;
  quantity: number;
  received: number;
}

/** Units of a line still to come (an over-receipt leaves none, never fewer). */
export const openQuantity = (line: PurchaseOrderLineQuantities): number =>
  Math.max(0, line.quantity - line.received);

/** The status once a receipt is recorded: received when every line is complete. */
export const statusAfterReceipt = (
  lines: readonly PurchaseOrderLineQuantities[],
): 'partially_received' | 'received' =>
  lines.every((line) => openQuantity(line) === 0) ? 'received' : 'partially_received';

export type ReceiptPlan<L> =
  | { ok: true; receiving: { line: L; quantity: number }[] }
  | { ok: false; reason: 'repeated_sku' | 'not_on_purchase_order'; index: number; sku: string }
  | {
      ok: false;
      reason: 'over_receipt';
      index: number;
      sku: string;
      openQuantity: number;
      requested: number;
    };

/**
 * Matches a delivery to the purchase order's lines by SKU: each SKU once, only SKUs on the order,
 * and no more than a line's open quantity unless the merchant accepts an over-receipt.
 */
export function planReceipt<L extends PurchaseOrderLineQuantities>(
  poLines: readonly L[],
  delivered: readonly ReceiptLine[],
  allowOverReceipt: boolean,
): ReceiptPlan<L> {
  const bySku = new Map(poLines.map((line) => [line.sku, line]));
  const seen = new Set<string>();
  const receiving: { line: L; quantity: number }[] = [];
  for (const [index, { sku, quantity }] of delivered.entries()) {
    if (seen.has(sku)) return { ok: false, reason: 'repeated_sku', index, sku };
    seen.add(sku);
    const line = bySku.get(sku);
    if (!line) return { ok: false, reason: 'not_on_purchase_order', index, sku };
    const open = openQuantity(line);
    if (quantity > open && !allowOverReceipt) {
      return { ok: false, reason: 'over_receipt', index, sku, openQuantity: open, requested: quantity };
    }
    receiving.push({ line, quantity });
  }
  return { ok: true, receiving };
}

export interface RequestedLine {
  sku: string;
  quantity: number;
  unitCost: number;
}

export type LineEdit<L> =
  | {
      ok: true;
      /** Lines kept, with their new quantity and cost (possibly unchanged). */
      update: { line: L; quantity: number; unitCost: number }[];
      /** SKUs new to the purchase order, in the order sent. */
      insert: RequestedLine[];
      /** Lines dropped (none of their units has arrived). */
      remove: L[];
    }
  | { ok: false; reason: 'repeated_sku'; index: number; sku: string }
  | { ok: false; reason: 'below_received'; index: number; sku: string; received: number; requested: number }
  | { ok: false; reason: 'received_line_removed'; sku: string; received: number };

/**
 * Replaces a purchase order's lines with the ones sent, matched by SKU: a SKU already on the order
 * keeps its line (its received units stay), a new SKU gets a new line, a SKU left out is dropped.
 * Units that have arrived cannot be un-ordered: a line may not go below what it received, nor be
 * dropped once anything arrived.
 */
export function planLineEdit<L extends PurchaseOrderLineQuantities>(
  poLines: readonly L[],
  requested: readonly RequestedLine[],
): LineEdit<L> {
  const bySku = new Map(poLines.map((line) => [line.sku, line]));
  const seen = new Set<string>();
  const update: { line: L; quantity: number; unitCost: number }[] = [];
  const insert: RequestedLine[] = [];
  for (const [index, wanted] of requested.entries()) {
    if (seen.has(wanted.sku)) return { ok: false, reason: 'repeated_sku', index, sku: wanted.sku };
    seen.add(wanted.sku);
    const line = bySku.get(wanted.sku);
    if (!line) {
      insert.push(wanted);
      continue;
    }
    if (wanted.quantity < line.received) {
      return {
        ok: false,
        reason: 'below_received',
        index,
        sku: wanted.sku,
        received: line.received,
        requested: wanted.quantity,
      };
    }
    update.push({ line, quantity: wanted.quantity, unitCost: wanted.unitCost });
  }
  const remove = poLines.filter((line) => !seen.has(line.sku));
  const arrived = remove.find((line) => line.received > 0);
  if (arrived)
    return { ok: false, reason: 'received_line_removed', sku: arrived.sku, received: arrived.received };
  return { ok: true, update, insert, remove };
}

/** What goes to the shelf: received minus cross-docked, per SKU in delivery order, only when > 0. */
export function putawayOf(
  received: readonly ReceiptLine[],
  crossDock: readonly CrossDockLine[],
): ReceiptLine[] {
  const docked = new Map<string, number>();
  for (const fill of crossDock) docked.set(fill.sku, (docked.get(fill.sku) ?? 0) + fill.quantity);
  return received
    .map(({ sku, quantity }) => ({ sku, quantity: quantity - (docked.get(sku) ?? 0) }))
    .filter((line) => line.quantity > 0);
}

/** Pick-list rows of units that go to the shelf carry this instead of an order id. */
export const SHELF = 'SHELF';

export const PICK_LIST_COLUMNS = ['order_id', 'line_id', 'sku', 'quantity', 'customer_name'] as const;

/** The cross-docked units of one outbound order: what goes into its parcel from this delivery. */
export interface PickListOrder {
  orderId: string;
  lines: { lineId: string; sku: string; quantity: number }[];
  units: number;
}

/**
 * The cross-docked units grouped by outbound order: orders by id, each order's lines by SKU. The
 * one order the dock's pick list follows, printed (JSON) or as CSV.
 */
export function pickListByOrder(crossDock: readonly CrossDockLine[]): PickListOrder[] {
  const sorted = [...crossDock].sort(
    (a, b) => compare(a.orderId, b.orderId) || compare(a.sku, b.sku) || compare(a.lineId, b.lineId),
  );
  const groups: PickListOrder[] = [];
  for (const fill of sorted) {
    let group = groups.at(-1);
    if (group?.orderId !== fill.orderId) {
      group = { orderId: fill.orderId, lines: [], units: 0 };
      groups.push(group);
    }
    group.lines.push({ lineId: fill.lineId, sku: fill.sku, quantity: fill.quantity });
    group.units += fill.quantity;
  }
  return groups;
}

/** The units for the shelf, by SKU. */
export const shelfBySku = (putaway: readonly ReceiptLine[]): ReceiptLine[] =>
  [...putaway].sort((a, b) => compare(a.sku, b.sku));

/**
 * The dock's printable pick list of a receipt: a header, then the cross-docked units grouped by
 * outbound order (sorted by order id, then SKU), then the units for the shelf (order id `SHELF`,
 * by SKU). CRLF line ends, as RFC 4180 and spreadsheets expect.
 */
export function pickListCsv(
  receipt: { crossDock: readonly CrossDockLine[]; putaway: readonly ReceiptLine[] },
  customerNames: ReadonlyMap<string, string | null>,
): string {
  const rows: (string | number | null)[][] = [
    [...PICK_LIST_COLUMNS],
    ...pickListByOrder(receipt.crossDock).flatMap((order) =>
      order.lines.map((l) => [
        order.orderId,
        l.lineId,
        l.sku,
        l.quantity,
        customerNames.get(order.orderId) ?? null,
      ]),
    ),
    ...shelfBySku(receipt.putaway).map((p) => [SHELF, null, p.sku, p.quantity, null]),
  ];
  return rows.map(csvRow).join('');
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
