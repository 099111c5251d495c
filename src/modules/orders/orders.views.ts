import { type LineQuantities, type LineStatus, lineStatus, type OrderStatus } from './orders.models.ts';
import type { Customer } from './orders.tables.ts';

/** The order as the API shows it: one shape for placement responses, reads and events. */
export interface OrderLineView {
  id: string;
  sku: string;
  quantity: number;
  unitPrice: number;
  allocatedQuantity: number;
  backorderedQuantity: number;
  shippedQuantity: number;
  cancelledQuantity: number;
  queuePosition: number | null;
  status: LineStatus;
}

export interface OrderView {
  id: string;
  externalId: string | null;
  status: OrderStatus;
  customer: Customer;
  currency: string;
  createdAt: string;
  updatedAt: string;
  lines: OrderLineView[];
}

export interface LineRecord extends LineQuantities {
  id: string;
  orderId: string;
  sku: string;
  unitPrice: number;
  queuePosition: number | null;
}

export interface OrderRecord {
  id: string;
  externalId: string | null;
  status: string;
  customer: Customer;
  currency: string;
  createdAt: Date;
  updatedAt: Date;
}

export function toOrderView(order: OrderRecord, lines: readonly LineRecord[]): OrderView {
  return {
    id: order.id,
    externalId: order.externalId,
    status: order.status as OrderStatus,
    customer: order.customer,
    currency: order.currency,
    createdAt: order.createdAt.toISOString(),
    updatedAt: order.updatedAt.toISOString(),
    lines: lines.map((line) => ({
      id: line.id,
      sku: line.sku,
      quantity: line.quantity,
      unitPrice: line.unitPrice,
      allocatedQuantity: line.allocated,
      backorderedQuantity: line.backordered,
      shippedQuantity: line.shipped,
      cancelledQuantity: line.cancelled,
      queuePosition: line.backordered > 0 ? line.queuePosition : null,
      status: lineStatus(line),
    })),
  };
}
