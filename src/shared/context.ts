import type { Database, Engine } from '../db/client.ts';
import type { PaymentProviders } from '../modules/payments/payments.collector.ts';
import type { StockExtensions } from '../modules/stock/stock.hooks.ts';
import type { Clock } from './clock.ts';
import type { IdGenerator } from './ids.ts';

/** What use cases need from the outside world, passed as one object (no container). */
export interface Deps {
  db: Database;
  engine: Engine;
  clock: Clock;
  ids: IdGenerator;
  /** How other modules take part in stock commands: the dating strategy and the hooks, built once at start-up. */
  stock: StockExtensions;
  /** Who moves money for stores whose payments Backfill manages (absent in tools that move none). */
  providers?: PaymentProviders;
  /** Origin of this server as shoppers reach it, for self-service links (a store may set its own). */
  publicUrl?: string;
}

/** The store a command acts for; every query is scoped to it. */
export interface StoreScope {
  id: string;
  currency: string;
  timezone: string;
}
