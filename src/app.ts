import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { assembleDeps } from './assembly.ts';
import type { Config } from './config.ts';
import { type DatabaseHandle, openDatabase } from './db/client.ts';
import { createMetrics } from './http/metrics.ts';
import { buildServer } from './http/server.ts';
import type { PaymentProviders } from './modules/payments/payments.collector.ts';
import { createManualProvider } from './modules/payments/payments.provider.manual.ts';
import { createStripeProvider } from './modules/payments/payments.provider.stripe.ts';
import type { Clock } from './shared/clock.ts';
import type { Deps } from './shared/context.ts';

/** The providers configured for this process (tests may pass their own). */
export function providersFor(config: Config): PaymentProviders {
  let stripe = null;
  if (config.stripeSecretKey) {
    const url = config.stripeApiUrl ? new URL(config.stripeApiUrl) : null;
    stripe = createStripeProvider({
      secretKey: config.stripeSecretKey,
      ...(url
        ? {
            host: url.hostname,
            port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
            protocol: url.protocol === 'https:' ? ('https' as const) : ('http' as const),
          }
        : {}),
    });
  }
  return { manual: createManualProvider(), stripe };
}

export interface App {
  server: FastifyInstance;
  deps: Deps;
  database: DatabaseHandle;
  /** How long start-up took: opening the database, applying migrations (milliseconds). */
  startup: { openMs: number; migrateMs: number };
  close(): Promise<void>;
}

/** Opens the database, applies migrations and assembles the HTTP server (not yet listening). */
export async function createApp(
  config: Config,
  options: { clock?: Clock; logger?: FastifyServerOptions['logger']; providers?: PaymentProviders } = {},
): Promise<App> {
  const opening = performance.now();
  const database = await openDatabase(config.databaseUrl);
  const migrating = performance.now();
  // Behind PgBouncer in transaction mode the migration lock (a session lock) must not go through
  // it: migrations are then a release step, and /health/ready reports a database left behind.
  if (config.migrateOnStart) await database.migrate();
  const startup = { openMs: migrating - opening, migrateMs: performance.now() - migrating };
  const metrics = createMetrics();
  const deps = assembleDeps(database, {
    observers: [metrics.stockHook],
    ...(options.clock ? { clock: options.clock } : {}),
    providers: options.providers ?? providersFor(config),
    publicUrl: config.publicUrl,
  });
  const server = await buildServer(deps, config, { logger: options.logger, metrics });
  return {
    server,
    deps,
    database,
    startup,
    close: async () => {
      await server.close();
      await database.close();
    },
  };
}
