import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';
import type { Tx } from '../db/client.ts';
import type { OrderPlacement } from '../modules/stock/stock.placement.ts';
import type { Deps, StoreScope } from '../shared/context.ts';

/** A check of a new order made before it is placed, outside its transaction (it may call a provider). */
export type BeforePlacement = (store: StoreScope, input: Readonly<Record<string, unknown>>) => Promise<void>;

/** What route modules receive: the use cases' dependencies and the shared placement service. */
export interface RouteContext {
  deps: Deps;
  placement: OrderPlacement;
  config: Config;
  /** Other modules' checks of a new order (the payment method), assembled in server.ts. */
  beforePlacement: readonly BeforePlacement[];
  /** Creates a new store's first owner and answers their one-time sign-in link (the staff module). */
  firstOwner: (tx: Tx, storeId: string, email: string) => Promise<string>;
}

export type RouteRegistrar = (app: FastifyInstance, ctx: RouteContext) => void;

export const typed = (app: FastifyInstance) => app.withTypeProvider<TypeBoxTypeProvider>();
