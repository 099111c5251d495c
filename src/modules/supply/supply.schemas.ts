/** Response schemas of the supply module (the shapes of supply.views.ts). */
import { Type } from 'typebox';
import { PURCHASE_ORDER_STATUSES } from './supply.models.ts';

export const SupplierSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  email: Type.Union([Type.String(), Type.Null()]),
  leadTimeDays: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

export const PurchaseOrderStatusSchema = Type.Enum([...PURCHASE_ORDER_STATUSES]);

export const PurchaseOrderSchema = Type.Object({
  id: Type.String(),
  supplierId: Type.String(),
  reference: Type.Union([Type.String(), Type.Null()]),
  status: PurchaseOrderStatusSchema,
  expectedDate: Type.String({ format: 'date', description: 'The delivery date in force' }),
  lines: Type.Array(
    Type.Object({
      id: Type.String(),
      sku: Type.String(),
      quantity: Type.Integer(),
      receivedQuantity: Type.Integer(),
      openQuantity: Type.Integer({ description: 'Units still to come (0 once received or over-received)' }),
      unitCost: Type.Integer({ description: 'Minor units of the store currency' }),
    }),
  ),
  dateHistory: Type.Array(
    Type.Object({
      previousDate: Type.Union([Type.String({ format: 'date' }), Type.Null()]),
      expectedDate: Type.String({ format: 'date' }),
      reason: Type.Union([Type.String(), Type.Null()]),
      changedAt: Type.String({ format: 'date-time' }),
    }),
    { description: 'Every expected date the PO has had, oldest first (the first is its creation)' },
  ),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

const ReceiptLineSchema = Type.Object({ sku: Type.String(), quantity: Type.Integer() });

export const ReceiptSchema = Type.Object({
  id: Type.String(),
  purchaseOrderId: Type.String(),
  supplierId: Type.String(),
  lines: Type.Array(ReceiptLineSchema, { description: 'Units received, per SKU' }),
  crossDock: Type.Array(
    Type.Object({
      orderId: Type.String(),
      lineId: Type.String(),
      sku: Type.String(),
      quantity: Type.Integer(),
    }),
    { description: 'Units that go straight from the dock to waiting orders, in queue order' },
  ),
  putaway: Type.Array(ReceiptLineSchema, { description: 'Units for the shelf: received minus cross-docked' }),
  expectedDate: Type.String({ format: 'date', description: 'The PO date in force when it arrived' }),
  receivedOn: Type.String({ format: 'date', description: "The day it arrived, in the store's time zone" }),
  lateDays: Type.Integer({ description: 'receivedOn − expectedDate in days (negative when early)' }),
  createdAt: Type.String({ format: 'date-time' }),
  purchaseOrder: Type.Optional(
    Type.Object(PurchaseOrderSchema.properties, {
      description: 'The purchase order right after the receipt (only in the POST response)',
    }),
  ),
});

export const PickListSchema = Type.Object({
  receiptId: Type.String(),
  purchaseOrderId: Type.String(),
  reference: Type.Union([Type.String(), Type.Null()], { description: "The PO's reference" }),
  supplier: Type.Object({ id: Type.String(), name: Type.Union([Type.String(), Type.Null()]) }),
  receivedOn: Type.String({ format: 'date' }),
  createdAt: Type.String({ format: 'date-time' }),
  orders: Type.Array(
    Type.Object({
      orderId: Type.String(),
      number: Type.String({ description: 'The order number the shopper knows' }),
      customer: Type.Object({
        name: Type.Union([Type.String(), Type.Null()]),
        email: Type.Union([Type.String(), Type.Null()]),
      }),
      units: Type.Integer({ description: 'Units of this delivery for the order' }),
      lines: Type.Array(Type.Object({ lineId: Type.String(), sku: Type.String(), quantity: Type.Integer() })),
    }),
    { description: 'Outbound orders the delivery filled, by order id; lines by SKU' },
  ),
  shelf: Type.Array(ReceiptLineSchema, { description: 'Units for the shelf, by SKU' }),
  crossDockUnits: Type.Integer(),
  shelfUnits: Type.Integer(),
});
