/** How one-off CLI commands open the database (shared by cli.ts and cli.connectors.ts). */
import type { Config } from './config.ts';
import { type DatabaseHandle, openDatabase, pendingMigrations } from './db/client.ts';

/** A mistake the operator can fix (exit code 2, the message alone, no stack trace). */
export class CommandError extends Error {}

/**
 * Opens the database for a one-off command, migrated as `serve` would migrate it. With
 * BACKFILL_MIGRATE_ON_START=false (behind PgBouncer, migrations are a release step on a direct
 * connection) the command does not migrate either, and refuses to run on a database left behind.
 */
export async function openForCommand(
  config: Pick<Config, 'databaseUrl' | 'migrateOnStart'>,
): Promise<DatabaseHandle> {
  const db = await openDatabase(config.databaseUrl);
  try {
    if (config.migrateOnStart) await db.migrate();
    else {
      const pending = await pendingMigrations(db.db);
      if (pending > 0) {
        throw new CommandError(
          `The database lacks ${pending} migration(s) of this code and BACKFILL_MIGRATE_ON_START=false: ` +
            'run `backfill migrate` first.',
        );
      }
    }
    return db;
  } catch (error) {
    await db.close();
    throw error;
  }
}
