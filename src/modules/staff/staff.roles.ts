/**
 * Which staff roles may call which operation (by OpenAPI operationId). The owner may call
 * everything; an operation not listed here is the owner's alone, so a new endpoint is closed to
 * the other roles until someone decides otherwise (a route may also set `config.roles` itself).
 * API keys are not subject to roles. Pure data: no I/O.
 */
import type { StaffRole } from './staff.tables.ts';

export const STAFF_ROLES: readonly StaffRole[] = ['owner', 'ops', 'support'];

const OPS: readonly StaffRole[] = ['owner', 'ops'];
const SUPPORT: readonly StaffRole[] = ['owner', 'support'];
const EVERYONE: readonly StaffRole[] = ['owner', 'ops', 'support'];

/**
 * `ops`: stock, variants, inventory, suppliers, purchase orders and receiving, orders, shipments,
 * backorders, what-if. `support`: orders and customers, backorders (read), messages, templates
 * (read); no settings, no stock changes. Both read what an order page shows (events, payments,
 * messages of the order).
 */
export const ROLE_GRANTS: Readonly<Record<string, readonly StaffRole[]>> = {
  // The console's overview and its live changes: everyone's first page.
  getOverview: EVERYONE,
  streamChanges: EVERYONE,
  // Variants and stock: ops change them; support reads them (what a shopper asks about).
  listVariants: EVERYONE,
  getVariant: EVERYONE,
  putVariant: OPS,
  patchVariant: OPS,
  putVariantBatch: OPS,
  listInventoryLevels: EVERYONE,
  getInventoryLevel: EVERYONE,
  listStockMovements: OPS,
  createAdjustment: OPS,
  createAdjustmentBatch: OPS,
  createStockCount: OPS,
  // Orders and backorders.
  listOrders: EVERYONE,
  getOrder: EVERYONE,
  getOrderTimeline: EVERYONE,
  createOrder: EVERYONE,
  cancelOrder: EVERYONE,
  listBackorders: EVERYONE,
  createShipment: OPS,
  getShipment: EVERYONE,
  listEvents: EVERYONE,
  getOrderPayments: EVERYONE,
  reportPayment: EVERYONE,
  collectOrderPayments: EVERYONE,
  getPaymentsSummary: EVERYONE,
  listOrderIncentives: EVERYONE,
  createSelfServiceLinks: SUPPORT,
  // Suppliers, purchase orders, receiving.
  createSupplier: OPS,
  listSuppliers: OPS,
  getSupplier: OPS,
  patchSupplier: OPS,
  createPurchaseOrder: OPS,
  listPurchaseOrders: OPS,
  getPurchaseOrder: OPS,
  patchPurchaseOrder: OPS,
  placePurchaseOrder: OPS,
  cancelPurchaseOrder: OPS,
  createReceipt: OPS,
  listReceipts: OPS,
  getReceipt: OPS,
  getReceiptPickList: OPS,
  simulateRestock: OPS,
  // Shipping methods are read when shipping; changed by the owner.
  getShippingSettings: OPS,
  getShippingMethod: OPS,
  // Messages: support works with them; ops read them (an order's timeline shows them).
  listMessages: EVERYONE,
  getMessage: EVERYONE,
  replayMessage: SUPPORT,
  listMessageTemplates: SUPPORT,
  getMessageTemplate: SUPPORT,
  previewMessageTemplate: SUPPORT,
  // Demand insight: read-only reports (support answers "when does it come back?" from them too).
  getDemandAnalytics: EVERYONE,
  getServiceAnalytics: EVERYONE,
  getPromiseErrorAnalytics: EVERYONE,
  getWaitToleranceAnalytics: EVERYONE,
  getAlertAnalytics: EVERYONE,
  getPrepaidAnalytics: OPS,
  getSupplierLatenessAnalytics: OPS,
  // Replenishment: ops plan and order stock.
  getReplenishmentSettings: OPS,
  patchReplenishmentSettings: OPS,
  putReplenishmentRule: OPS,
  putReplenishmentSupplier: OPS,
  runReplenishment: OPS,
  // Back-in-stock alerts shoppers signed up for.
  listStockAlerts: EVERYONE,
  getStockAlertSummary: EVERYONE,
  cancelStockAlert: EVERYONE,
};

/** The roles that may call an operation: the route's own list, else the grants above, else the owner. */
export function rolesAllowed(
  operationId: string | undefined,
  routeRoles?: readonly StaffRole[],
): readonly StaffRole[] {
  const roles = routeRoles ?? (operationId !== undefined ? ROLE_GRANTS[operationId] : undefined) ?? ['owner'];
  return roles.includes('owner') ? roles : ['owner', ...roles];
}
