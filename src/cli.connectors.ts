/** `backfill connect shopify|bigcommerce|woocommerce …` and `backfill connections import <id>`: the connectors from the command line. */
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { assembleDeps } from './assembly.ts';
import { openForCommand } from './cli.database.ts';
import type { Config } from './config.ts';
import { type DatabaseHandle, inTransaction, queryRows } from './db/client.ts';
import { connectorDeps } from './modules/connectors/connectors.context.ts';
import { findConnectionById } from './modules/connectors/connectors.repository.ts';
import { requestImport, runImport } from './modules/connectors/connectors.sync.ts';
import { connectStore } from './modules/connectors/connectors.usecases.ts';
import { DomainError } from './shared/errors.ts';

export const CONNECTORS_HELP = `  backfill connect shopify --store ID --shop DOMAIN --token ADMIN_TOKEN --secret CLIENT_SECRET [--api-url ORIGIN] [--push-fulfilments]
                                      connect a store to its Shopify shop (needs BACKFILL_SECRETS_KEY)
  backfill connect bigcommerce --store ID --shop DOMAIN --store-hash HASH --token ACCESS_TOKEN --webhook-secret SECRET [--api-url ORIGIN] [--push-fulfilments]
                                      connect a store to its BigCommerce store (needs BACKFILL_SECRETS_KEY)
  backfill connect woocommerce --store ID --shop DOMAIN --key CONSUMER_KEY --secret CONSUMER_SECRET
                               --webhook-secret SECRET [--api-url ORIGIN] [--push-fulfilments]
                                      connect a store to its WooCommerce site (a REST key with read/write)
  backfill connections import ID      import the connection's catalogue and open orders, printing
                                      progress (resumes an interrupted import)`;

async function withDatabase<T>(config: Config, work: (db: DatabaseHandle) => Promise<T>) {
  // Migrated as any one-off command is, unless BACKFILL_MIGRATE_ON_START=false (cli.database.ts).
  const db = await openForCommand(config);
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}

/** What each platform's `connect` needs: its options and how they become credentials. */
const PLATFORMS = {
  shopify: {
    required: ['store', 'shop', 'token', 'secret'],
    credentials: (v: Record<string, string | undefined>) => ({
      accessToken: v.token!,
      clientSecret: v.secret!,
    }),
    webhooks: 'Subscribe Shopify’s webhooks',
  },
  bigcommerce: {
    required: ['store', 'shop', 'store-hash', 'token', 'webhook-secret'],
    credentials: (v: Record<string, string | undefined>) => ({
      storeHash: v['store-hash']!,
      accessToken: v.token!,
      webhookSecret: v['webhook-secret']!,
    }),
    webhooks: 'Create BigCommerce’s webhooks (header X-Backfill-Webhook-Secret: your secret)',
  },
  woocommerce: {
    required: ['store', 'shop', 'key', 'secret', 'webhook-secret'],
    credentials: (v: Record<string, string | undefined>) => ({
      consumerKey: v.key!,
      consumerSecret: v.secret!,
      webhookSecret: v['webhook-secret']!,
    }),
    webhooks:
      'Create WooCommerce’s webhooks (order.created, order.updated, product.created, product.updated; secret: your webhook secret)',
  },
} as const;

export async function connectCommand(config: Config, argv: readonly string[]): Promise<number> {
  const [platform, ...rest] = argv;
  if (platform !== 'shopify' && platform !== 'bigcommerce' && platform !== 'woocommerce') {
    console.error('connect needs a platform: backfill connect shopify|bigcommerce|woocommerce --store …');
    return 2;
  }
  const spec = PLATFORMS[platform];
  const { values } = parseArgs({
    args: [...rest],
    options: {
      store: { type: 'string' },
      shop: { type: 'string' },
      token: { type: 'string' },
      key: { type: 'string' },
      secret: { type: 'string' },
      'store-hash': { type: 'string' },
      'webhook-secret': { type: 'string' },
      'api-url': { type: 'string' },
      'push-fulfilments': { type: 'boolean' },
    },
  });
  const given = values as Record<string, string | undefined>;
  const missing = spec.required.filter((k) => !given[k]);
  if (missing.length > 0) {
    console.error(`connect ${platform} needs ${missing.map((m) => `--${m}`).join(', ')}`);
    return 2;
  }
  return withDatabase(config, async (db) => {
    const deps = connectorDeps(assembleDeps(db), config);
    const [store] = await queryRows<{ id: string; currency: string; timezone: string }>(
      db.db,
      sql`SELECT id, currency, timezone FROM stores WHERE id = ${values.store!}`,
    );
    if (!store) {
      console.error(`No store ${values.store}`);
      return 2;
    }
    try {
      const view = await inTransaction(db.db, (tx) =>
        connectStore(tx, deps, store, {
          platform,
          shop: values.shop!,
          ...(values['api-url'] ? { apiUrl: values['api-url'] } : {}),
          credentials: spec.credentials(given),
          pushFulfilments: values['push-fulfilments'] === true,
        }),
      );
      console.log(`Connected ${view.shop}: connection ${view.id}`);
      console.log(`${spec.webhooks} to ${config.publicUrl}${view.webhookPath}`);
      console.log(`Then import the catalogue and open orders: backfill connections import ${view.id}`);
      return 0;
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      console.error(error.message);
      return 2;
    }
  });
}

export async function importCommand(config: Config, id: string | undefined): Promise<number> {
  if (!id) {
    console.error('connections import needs a connection id: backfill connections import con_…');
    return 2;
  }
  return withDatabase(config, async (db) => {
    const deps = connectorDeps(assembleDeps(db), config);
    const connection = await findConnectionById(db.db, id);
    if (!connection) {
      console.error(`No connection ${id}`);
      return 2;
    }
    await requestImport(deps, connection.storeId, id);
    const result = await runImport(deps, connection.storeId, id, (p) =>
      console.log(
        `${p.state.padEnd(7)} ${p.phase.padEnd(9)} ${p.variants} variant(s), ${p.orders} open order(s)`,
      ),
    );
    if (result.state !== 'done') {
      console.error(
        `Import ${result.state}${result.error ? `: ${result.error}` : ''}; run the command again to resume.`,
      );
      return 1;
    }
    console.log(`Imported ${result.variants} variant(s) and ${result.orders} open order(s).`);
    return 0;
  });
}
