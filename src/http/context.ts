import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';
import type { OrderPlacement } from '../modules/stock/stock.placement.ts';
import type { Deps } from '../shared/context.ts';

/** What route modules receive: the use cases' dependencies and the shared placement service. */
export interface RouteContext {
  deps: Deps;
  placement: OrderPlacement;
  config: Config;
}

export type RouteRegistrar = (app: FastifyInstance, ctx: RouteContext) => void;

export const typed = (app: FastifyInstance) => app.withTypeProvider<TypeBoxTypeProvider>();
