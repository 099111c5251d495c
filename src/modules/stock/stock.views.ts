import type { EtaSource } from '../promises/promises.models.ts';
import {
  available,
  backorderRemaining,
  effectiveBackorderLimit,
  type StockLevel,
  type StockStatus,
  stockStatus,
} from './stock.levels.models.ts';
import { type LineQuantities, type LineStatus, lineStatus, type OrderStatus } from './stock.lines.models.ts';
import type { Customer } from './stock.orders.tables.ts';

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
  /** When the line's remaining units should ship (store time zone); null once nothing is left to ship. */
  eta: string | null;
  etaLatest: string | null;
  etaSource: EtaSource | null;
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
  eta: string | null;
  etaLatest: string | null;
  etaSource: EtaSource | null;
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
    lines: lines.map((line) => {
      const open = line.backordered > 0 || line.allocated > 0;
      return {
        id: line.id,
        sku: line.sku,
        quantity: line.quantity,
        unitPrice: line.unitPrice,
        allocatedQuantity: line.allocated,
        backorderedQuantity: line.backordered,
        shippedQuantity: line.shipped,
        cancelledQuantity: line.cancelled,
        queuePosition: line.backordered > 0 ? line.queuePosition : null,
        eta: open ? line.eta : null,
        etaLatest: open ? line.etaLatest : null,
        etaSource: open ? line.etaSource : null,
        status: lineStatus(line),
      };
    }),
  };
}

export interface LevelView {
  sku: string;
  onHand: number;
  allocated: number;
  available: number;
  backordered: number;
  backorderLimit: number | null;
  backorderRemaining: number | null;
  status: StockStatus;
}

export function toLevelView(sku: string, level: StockLevel): LevelView {
  return {
    sku,
    onHand: level.onHand,
    allocated: level.allocated,
    available: available(level),
    backordered: level.backordered,
    backorderLimit: effectiveBackorderLimit(level),
    backorderRemaining: backorderRemaining(level),
    status: stockStatus(level),
  };
}
