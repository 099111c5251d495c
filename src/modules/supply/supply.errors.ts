import { DomainError } from '../../shared/errors.ts';
import type { PurchaseOrderStatus } from './supply.tables.ts';

export const unknownSupplier = (supplierId: string, path: string): DomainError =>
  new DomainError('validation', 'unknown_supplier', `Supplier "${supplierId}" does not exist`, {}, [
    { path, message: 'no such supplier in this store' },
  ]);

export const duplicateReference = (reference: string): DomainError =>
  new DomainError(
    'conflict',
    'duplicate_reference',
    `A purchase order with reference "${reference}" already exists`,
    { reference },
  );

export const purchaseOrderClosed = (purchaseOrderId: string, status: PurchaseOrderStatus): DomainError =>
  new DomainError(
    'conflict',
    'purchase_order_closed',
    `Purchase order "${purchaseOrderId}" is ${status} and can no longer be changed`,
    // Not `status`: that member of a problem is the HTTP status.
    { purchaseOrderId, currentStatus: status },
  );

export const invalidTransition = (
  purchaseOrderId: string,
  status: PurchaseOrderStatus,
  action: string,
): DomainError =>
  new DomainError(
    'conflict',
    'invalid_transition',
    `Purchase order "${purchaseOrderId}" is ${status}: it cannot be ${action}`,
    { purchaseOrderId, currentStatus: status, action },
  );

export const overReceipt = (
  sku: string,
  openQuantity: number,
  requested: number,
  path: string,
): DomainError =>
  new DomainError(
    'conflict',
    'over_receipt',
    `SKU "${sku}" has ${openQuantity} units still to come on this purchase order, not ${requested}; ` +
      'send allowOverReceipt: true to receive more',
    { sku, openQuantity, requested },
    [{ path, message: `at most ${openQuantity} without allowOverReceipt` }],
  );

export const notOnPurchaseOrder = (sku: string, path: string): DomainError =>
  new DomainError(
    'validation',
    'sku_not_on_purchase_order',
    `SKU "${sku}" is not on this purchase order`,
    { sku },
    [{ path, message: `SKU "${sku}" is not on this purchase order` }],
  );

export const repeatedSku = (sku: string, path: string): DomainError =>
  new DomainError('validation', 'validation_failed', `SKU "${sku}" is listed more than once`, {}, [
    { path, message: 'each SKU may appear once' },
  ]);

export const belowReceived = (sku: string, received: number, requested: number, path: string): DomainError =>
  new DomainError(
    'conflict',
    'below_received',
    `${received} units of SKU "${sku}" have already arrived on this purchase order: it cannot be cut to ${requested}`,
    { sku, received, requested },
    [{ path, message: `at least ${received} (already received)` }],
  );

export const receivedLineRemoved = (sku: string, received: number): DomainError =>
  new DomainError(
    'conflict',
    'below_received',
    `${received} units of SKU "${sku}" have already arrived on this purchase order: its line cannot be removed`,
    { sku, received, requested: 0 },
    [{ path: '/lines', message: `SKU "${sku}" must stay (already received)` }],
  );
