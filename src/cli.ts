/**
 * The `backfill` command: serve, migrate, store create, seed --demo.
 * Run through bin/backfill.js (`npx backfill …`) or `npm start` / `npm run backfill -- …`.
 */
import cluster from 'node:cluster';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { type App, createApp, providersFor } from './app.ts';
import { assembleDeps } from './assembly.ts';
import { CONNECTORS_HELP, connectCommand, importCommand } from './cli.connectors.ts';
import { CommandError, openForCommand } from './cli.database.ts';
import { ConfigError, loadConfig } from './config.ts';
import { BackupError, backup, restore } from './db/backup.ts';
import { DatabaseInUseError, inTransaction, openDatabase, pendingMigrations } from './db/client.ts';
import { seedDemo } from './db/seed.ts';
import { startDraining } from './http/system.ts';
import { collectPayments } from './modules/payments/payments.collector.ts';
import { refreshDuePromises } from './modules/promises/promises.jobs.ts';
import { createFirstOwner } from './modules/staff/staff.usecases.ts';
import { countStores, createStore } from './modules/stores/stores.usecases.ts';
import { systemClock } from './shared/clock.ts';
import { createIdGenerator } from './shared/ids.ts';
import { stopOnSignals } from './shutdown.ts';
import { startBackgroundWorkWhenMigrated } from './worker.ts';

const HELP = `backfill — backorder management for online stores

Usage:
  backfill serve [--workers N]        start the API (migrates first, unless
                                      BACKFILL_MIGRATE_ON_START=false)         [default]
                                      N processes share the port (PostgreSQL only)
  backfill worker                     run only the background work (message delivery, payment
                                      collection, daily re-dating); serve runs it too unless
                                      BACKFILL_IN_PROCESS_WORKER=false
  backfill migrate                    apply database migrations and exit
  backfill backup <file>              PGlite: stop the server, then copy the whole database to <file>;
                                      PostgreSQL: pg_dump --format=custom (see docs/deploy.md)
  backfill restore <file>             into a new PGlite directory, or an empty PostgreSQL database
                                      (pg_restore), then migrate
  backfill store create --name NAME [--currency USD] [--timezone UTC] [--owner-email EMAIL]
                                      create a store and print its API keys once; with
                                      --owner-email, its console owner and a one-time sign-in link
  backfill seed --demo [--owner-email EMAIL]
                                      create a demo store with variants, stock and a live queue,
                                      and its console owner (default owner@example.com)
  backfill promises refresh [--verbose]
                                      re-date waiting lines for today (the daily job; serve runs
                                      it hourly by itself); --verbose prints each SKU once done
  backfill payments collect           move money that is due, refund what is owed, settle calls
                                      left in doubt (serve runs it every 5 s by itself)
${CONNECTORS_HELP}

Configuration comes from the environment: DATABASE_URL (default pglite://./data), PORT, HOST,
BACKFILL_OPERATOR_TOKEN, LOG_LEVEL, STRIPE_SECRET_KEY, STRIPE_API_URL, BACKFILL_PAYMENTS_INTERVAL_MS,
BACKFILL_MESSAGES_INTERVAL_MS, BACKFILL_IN_PROCESS_WORKER, BACKFILL_PUBLIC_URL,
BACKFILL_SHUTDOWN_TIMEOUT_MS, BACKFILL_SECRETS_KEY, BACKFILL_CONNECTORS_INTERVAL_MS,
BACKFILL_MIGRATE_ON_START (false: no command but migrate and restore applies migrations).
See README.md, docs/deploy.md and docs/connectors.md.`;

/**
 * How long a stopping server keeps taking requests while its readiness answers 503, so that load
 * balancers polling it take it out of rotation first. Short: exit must not wait on an idle process.
 */
const READINESS_DRAIN_MS = 1_000;

async function main(argv: string[]): Promise<number> {
  const config = loadConfig();
  const [command = 'serve', sub] = argv;
  if (command === 'help' || command === '--help' || command === '-h') {
    console.log(HELP);
    return 0;
  }
  if (command === 'serve') {
    const { values } = parseArgs({ args: argv.slice(1), options: { workers: { type: 'string' } } });
    const workers = Number(values.workers ?? process.env.BACKFILL_WORKERS ?? 1);
    if (!Number.isInteger(workers) || workers < 1 || workers > 64) {
      console.error('--workers must be an integer from 1 to 64');
      return 2;
    }
    if (workers > 1 && cluster.isPrimary) return serveCluster(config, workers);
    return serve(config);
  }
  if (command === 'worker') return runWorker(config);
  if (command === 'migrate') {
    const db = await openDatabase(config.databaseUrl);
    await db.migrate();
    await db.close();
    console.log('Database is up to date.');
    return 0;
  }
  if (command === 'backup' || command === 'restore') {
    if (!sub || argv.length > 2) {
      console.error(`${command} needs one file: backfill ${command} <file>`);
      return 2;
    }
    try {
      console.log(await (command === 'backup' ? backup : restore)(config.databaseUrl, sub));
    } catch (error) {
      if (!(error instanceof BackupError)) throw error;
      console.error(error.message);
      return 2;
    }
    return 0;
  }
  if (command === 'store' && sub === 'create') {
    const { values } = parseArgs({
      args: argv.slice(2),
      options: {
        name: { type: 'string' },
        currency: { type: 'string' },
        timezone: { type: 'string' },
        'owner-email': { type: 'string' },
      },
    });
    if (!values.name) {
      console.error('store create needs --name "Store name"');
      return 2;
    }
    const db = await openForCommand(config);
    try {
      const deps = { clock: systemClock, ids: createIdGenerator(), publicUrl: config.publicUrl };
      const ownerEmail = values['owner-email'];
      const { created, owner } = await inTransaction(db.db, async (tx) => {
        const created = await createStore(tx, deps, {
          name: values.name!,
          currency: values.currency,
          timezone: values.timezone,
        });
        const owner = ownerEmail ? await createFirstOwner(tx, deps, created.store.id, ownerEmail) : null;
        return { created, owner };
      });
      console.log(
        `Created store ${created.store.id} (${created.store.name}, ${created.store.currency}, ${created.store.timezone})`,
      );
      console.log('Keep these keys now: they are shown only once.');
      console.log(`  secret key       ${created.secretKey}`);
      console.log(`  publishable key  ${created.publishableKey}`);
      if (owner) {
        console.log(
          `The console's owner is ${owner.staff.email}: open this one-time link (7 days) to choose`,
        );
        console.log(`a password and sign in:\n  ${owner.link}`);
      } else {
        console.log('No console owner yet: invite one with the secret key (POST /v1/staff, role "owner"),');
        console.log('or pass --owner-email next time.');
      }
    } finally {
      await db.close();
    }
    return 0;
  }
  if (command === 'seed') {
    const { values } = parseArgs({
      args: argv.slice(1),
      options: { demo: { type: 'boolean' }, 'owner-email': { type: 'string' } },
    });
    if (!values.demo) {
      console.error('seed needs --demo');
      return 2;
    }
    const db = await openForCommand(config);
    try {
      const demo = await seedDemo(assembleDeps(db, { publicUrl: config.publicUrl }), {
        ...(values['owner-email'] ? { ownerEmail: values['owner-email'] } : {}),
      });
      console.log(demo.summary);
    } finally {
      await db.close();
    }
    return 0;
  }
  if (command === 'promises' && sub === 'refresh') {
    const { values } = parseArgs({ args: argv.slice(2), options: { verbose: { type: 'boolean' } } });
    const db = await openForCommand(config);
    try {
      const { skus } = await refreshDuePromises(assembleDeps(db), {
        ...(values.verbose ? { onSkuDone: (store, sku) => console.log(`re-dated ${store} ${sku}`) } : {}),
      });
      console.log(`Re-dated the waiting lines of ${skus} SKU(s).`);
    } finally {
      await db.close();
    }
    return 0;
  }
  if (command === 'connect') return connectCommand(config, argv.slice(1));
  if (command === 'connections' && sub === 'import') return importCommand(config, argv[2]);
  if (command === 'payments' && sub === 'collect') {
    const db = await openForCommand(config);
    try {
      const deps = assembleDeps(db);
      const result = await collectPayments(deps, providersFor(config));
      console.log(
        `Looked at ${result.lines} line(s): ${result.attempts} provider call(s), ${result.reconciled} attempt(s) reconciled.`,
      );
    } finally {
      await db.close();
    }
    return 0;
  }
  console.error(`Unknown command "${argv.join(' ')}".\n\n${HELP}`);
  return 2;
}

/**
 * Several server processes sharing one port (node:cluster) and one PostgreSQL database: every
 * rule holds across processes (row locks, idempotency keys), so this only adds CPU for HTTP work.
 */
async function serveCluster(config: ReturnType<typeof loadConfig>, workers: number): Promise<number> {
  if (config.databaseUrl.startsWith('pglite://')) {
    console.error('Several workers need PostgreSQL (DATABASE_URL=postgres://…): PGlite is single-process.');
    return 2;
  }
  // Once here rather than racing in every child (they would take turns on the lock anyway).
  if (config.migrateOnStart) {
    const db = await openDatabase(config.databaseUrl, { poolSize: 1 });
    try {
      await db.migrate();
    } finally {
      await db.close();
    }
  }
  let stopping = false;
  for (let i = 0; i < workers; i++) cluster.fork();
  cluster.on('exit', (worker, code) => {
    if (stopping) return;
    console.error(`worker ${worker.process.pid} exited (${code}); starting another`);
    cluster.fork();
  });
  const stop = () => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill('SIGTERM');
    setTimeout(() => process.exit(1), config.shutdownTimeoutMs + 5000).unref();
    cluster.on('exit', () => {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return -1;
}

async function serve(config: ReturnType<typeof loadConfig>): Promise<number> {
  const app = await createApp(config);
  const { server } = app;
  let background: { stop(): Promise<void> } | null = null;
  // Drain (readiness 503, every response closing its connection), then stop taking requests: those
  // in flight finish, and Fastify answers 503 on kept-alive connections meanwhile. The background
  // work stops alongside (runs in flight finish); the database closes last.
  stopOnSignals(
    server.log,
    'the server',
    async () => {
      startDraining(server);
      const closing = sleep(READINESS_DRAIN_MS).then(() => server.close());
      await Promise.all([closing, background?.stop()]);
      await app.database.close();
    },
    config.shutdownTimeoutMs,
  );
  const address = await server.listen({ port: config.port, host: config.host });
  logStartup(server.log, app, 'Listening');
  if (config.inProcessWorker) {
    const work = startBackgroundWorkWhenMigrated(app, config, server.log);
    background = work;
    work.started.catch(exitOnStartFailure(server.log));
  }
  server.log.info(`Backfill API on ${address} — docs at ${address}/docs, OpenAPI at ${address}/openapi.json`);
  // Unknown (null) when the database does not answer: readiness says so, and the process stays up.
  const pending = await pendingMigrations(app.deps.db).catch(() => null);
  if (pending !== null && pending > 0) {
    server.log.warn(
      `The database lacks ${pending} migration(s) of this code (BACKFILL_MIGRATE_ON_START=false): ` +
        '/health/ready answers 503 until `backfill migrate` applies them.',
    );
  }
  if (pending === 0 && (await countStores(app.deps.db)) === 0) {
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

/** Where the start-up time went: opening the database (PGlite: loading it), migrations, the rest. */
function logStartup(log: { info(object: object, message: string): void }, app: App, what: string): void {
  const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const totalMs = performance.now();
  const { openMs, migrateMs } = app.startup;
  const restMs = totalMs - openMs - migrateMs;
  log.info(
    {
      startup: { totalMs: Math.round(totalMs), openMs: Math.round(openMs), migrateMs: Math.round(migrateMs) },
    },
    `${what} ${seconds(totalMs)} after start: database opened in ${seconds(openMs)}, migrations checked in ` +
      `${seconds(migrateMs)}, the rest (loading the code, building the server) ${seconds(restMs)}`,
  );
}

/** The background work alone, for deployments that keep API and worker processes apart. */
async function runWorker(config: ReturnType<typeof loadConfig>): Promise<number> {
  const app = await createApp(config);
  const log = app.server.log;
  logStartup(log, app, 'Worker started');
  const background = startBackgroundWorkWhenMigrated(app, config, log);
  stopOnSignals(
    log,
    'the worker',
    async () => {
      await background.stop();
      await app.close();
    },
    config.shutdownTimeoutMs,
  );
  background.started.then(
    () => log.info('Backfill worker running: messages, payments, daily re-dating'),
    exitOnStartFailure(log),
  );
  return -1;
}

/** The background work could not start (e.g. pg-boss could not set up its schema): a crash, as before. */
function exitOnStartFailure(log: { error(object: unknown, message: string): void }) {
  return (error: unknown) => {
    log.error({ err: error }, 'the background work could not start');
    process.exit(1);
  };
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error) => {
    if (
      error instanceof ConfigError ||
      error instanceof DatabaseInUseError ||
      error instanceof CommandError
    ) {
      console.error(error instanceof ConfigError ? `Configuration error: ${error.message}` : error.message);
      process.exit(2);
    }
    console.error(error);
    process.exit(1);
  },
);
