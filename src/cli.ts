/**
 * The `backfill` command: serve, migrate, store create, seed --demo.
 * Run through bin/backfill.js (`npx backfill …`) or `npm start` / `npm run backfill -- …`.
 */
import { parseArgs } from 'node:util';
import { createApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { DatabaseInUseError, inTransaction, openDatabase } from './db/client.ts';
import { seedDemo } from './db/seed.ts';
import { countStores, createStore } from './modules/stores/stores.usecases.ts';
import { systemClock } from './shared/clock.ts';
import { createIdGenerator } from './shared/ids.ts';

const HELP = `backfill — backorder management for online stores

Usage:
  backfill serve                      start the API (migrates first)           [default]
  backfill migrate                    apply database migrations and exit
  backfill store create --name NAME [--currency USD] [--timezone UTC]
                                      create a store and print its API keys once
  backfill seed --demo                create a demo store with variants, stock and a live queue

Configuration comes from the environment: DATABASE_URL (default pglite://./data), PORT, HOST,
BACKFILL_OPERATOR_TOKEN, LOG_LEVEL. See README.md.`;

async function main(argv: string[]): Promise<number> {
  const config = loadConfig();
  const [command = 'serve', sub] = argv;
  if (command === 'help' || command === '--help' || command === '-h') {
    console.log(HELP);
    return 0;
  }
  if (command === 'serve') return serve(config);
  if (command === 'migrate') {
    const db = await openDatabase(config.databaseUrl);
    await db.migrate();
    await db.close();
    console.log('Database is up to date.');
    return 0;
  }
  if (command === 'store' && sub === 'create') {
    const { values } = parseArgs({
      args: argv.slice(2),
      options: { name: { type: 'string' }, currency: { type: 'string' }, timezone: { type: 'string' } },
    });
    if (!values.name) {
      console.error('store create needs --name "Store name"');
      return 2;
    }
    const db = await openDatabase(config.databaseUrl);
    try {
      await db.migrate();
      const deps = { clock: systemClock, ids: createIdGenerator() };
      const created = await inTransaction(db.db, (tx) =>
        createStore(tx, deps, { name: values.name!, currency: values.currency, timezone: values.timezone }),
      );
      console.log(
        `Created store ${created.store.id} (${created.store.name}, ${created.store.currency}, ${created.store.timezone})`,
      );
      console.log('Keep these keys now: they are shown only once.');
      console.log(`  secret key       ${created.secretKey}`);
      console.log(`  publishable key  ${created.publishableKey}`);
    } finally {
      await db.close();
    }
    return 0;
  }
  if (command === 'seed') {
    const { values } = parseArgs({ args: argv.slice(1), options: { demo: { type: 'boolean' } } });
    if (!values.demo) {
      console.error('seed needs --demo');
      return 2;
    }
    const db = await openDatabase(config.databaseUrl);
    try {
      await db.migrate();
      const demo = await seedDemo({
        db: db.db,
        engine: db.engine,
        clock: systemClock,
        ids: createIdGenerator(),
      });
      console.log(demo.summary);
    } finally {
      await db.close();
    }
    return 0;
  }
  console.error(`Unknown command "${argv.join(' ')}".\n\n${HELP}`);
  return 2;
}

async function serve(config: ReturnType<typeof loadConfig>): Promise<number> {
  const app = await createApp(config);
  const { server } = app;
  const stop = async (signal: string) => {
    server.log.info(`${signal} received, shutting down`);
    await app.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  const address = await server.listen({ port: config.port, host: config.host });
  const stores = await countStores(app.deps.db);
  server.log.info(`Backfill API on ${address} — docs at ${address}/docs, OpenAPI at ${address}/openapi.json`);
  if (stores === 0) {
    const hint = [
      'The database has no store yet. To get started, stop the server (Ctrl-C) and run either',
      '  npx backfill seed --demo                  (a demo store with a live queue), or',
      '  npx backfill store create --name "My Shop"',
      'then start it again. Or set BACKFILL_OPERATOR_TOKEN and POST /v1/stores.',
    ].join('\n');
    console.log(hint);
  }
  return -1;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error) => {
    if (error instanceof ConfigError || error instanceof DatabaseInUseError) {
      console.error(error instanceof ConfigError ? `Configuration error: ${error.message}` : error.message);
      process.exit(2);
    }
    console.error(error);
    process.exit(1);
  },
);
