import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import type { Config } from './config.ts';
import { type DatabaseHandle, openDatabase } from './db/client.ts';
import { buildServer } from './http/server.ts';
import { type Clock, systemClock } from './shared/clock.ts';
import type { Deps } from './shared/context.ts';
import { createIdGenerator } from './shared/ids.ts';

export interface App {
  server: FastifyInstance;
  deps: Deps;
  database: DatabaseHandle;
  close(): Promise<void>;
}

/** Opens the database, applies migrations and assembles the HTTP server (not yet listening). */
export async function createApp(
  config: Config,
  options: { clock?: Clock; logger?: FastifyServerOptions['logger'] } = {},
): Promise<App> {
  const database = await openDatabase(config.databaseUrl);
  await database.migrate();
  const clock = options.clock ?? systemClock;
  const deps: Deps = {
    db: database.db,
    engine: database.engine,
    clock,
    ids: createIdGenerator(() => clock.now().getTime()),
  };
  const server = await buildServer(deps, config, { logger: options.logger });
  return {
    server,
    deps,
    database,
    close: async () => {
      await server.close();
      await database.close();
    },
  };
}
