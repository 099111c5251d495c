/** The one Drizzle schema: every module's tables, gathered for drizzle-kit and the client. */
export * from '../modules/alerts/alerts.tables.ts';
export * from '../modules/catalog/catalog.tables.ts';
export * from '../modules/connectors/connectors.tables.ts';
export * from '../modules/messages/messages.tables.ts';
export * from '../modules/payments/payments.tables.ts';
export * from '../modules/shipping/shipping.tables.ts';
export * from '../modules/staff/staff.tables.ts';
export * from '../modules/stock/stock.orders.tables.ts';
export * from '../modules/stock/stock.shipments.tables.ts';
export * from '../modules/stock/stock.tables.ts';
export * from '../modules/stores/stores.tables.ts';
export * from '../modules/supply/supply.tables.ts';
export * from '../modules/templates/templates.tables.ts';
export * from '../modules/webhooks/webhooks.tables.ts';
export * from './idempotency.tables.ts';
export * from './outbox.tables.ts';
export * from './rate-limits.tables.ts';
