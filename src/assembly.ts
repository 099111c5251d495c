/**
 * The app's assembly of the stock core's extensions, built once at start-up: the core calls the
 * hooks in this order (promises re-date first, then payments see the lines' new state;
 * shipping records the method an order names; connectors mark the SKUs whose availability the
 * store's platforms must learn and queue shipments to push as fulfilments; demand counts what
 * shoppers asked for, got, gave up and received).
 */
import type { DatabaseHandle } from './db/client.ts';
import { connectorsStockHook } from './modules/connectors/connectors.outbound.ts';
import { demandStockHook } from './modules/demand/demand.hooks.ts';
import type { PaymentProviders } from './modules/payments/payments.collector.ts';
import { paymentsStockHook } from './modules/payments/payments.hooks.ts';
import { promiseDating, promisesStockHook } from './modules/promises/promises.hooks.ts';
import { shippingStockHook } from './modules/shipping/shipping.hooks.ts';
import type { StockExtensions, StockHook } from './modules/stock/stock.hooks.ts';
import { type Clock, systemClock } from './shared/clock.ts';
import type { Deps } from './shared/context.ts';
import { createIdGenerator } from './shared/ids.ts';

/** `observers` (metrics) come last: they see what the others did, and change nothing. */
export function stockExtensions(observers: readonly StockHook[] = []): StockExtensions {
  return {
    dating: promiseDating,
    hooks: [
      promisesStockHook,
      paymentsStockHook,
      shippingStockHook,
      connectorsStockHook,
      demandStockHook,
      ...observers,
    ],
  };
}

/** The dependencies every use case receives, for one open database (no container: one object). */
export function assembleDeps(
  database: Pick<DatabaseHandle, 'db' | 'engine'>,
  options: {
    clock?: Clock;
    providers?: PaymentProviders;
    publicUrl?: string;
    observers?: readonly StockHook[];
  } = {},
): Deps {
  const clock = options.clock ?? systemClock;
  return {
    db: database.db,
    engine: database.engine,
    clock,
    ids: createIdGenerator(() => clock.now().getTime()),
    stock: stockExtensions(options.observers),
    ...(options.providers ? { providers: options.providers } : {}),
    ...(options.publicUrl !== undefined ? { publicUrl: options.publicUrl } : {}),
  };
}
