/**
 * `backfill backup <file>` and `backfill restore <file>`.
 *
 * PGlite: the whole data directory as one gzipped tar (PGlite's own dump of it), taken with the
 * database closed (PGlite is single-process: stop the server first), and restored into a new
 * directory. PostgreSQL: `pg_dump --format=custom` and `pg_restore` into an empty database, the
 * procedure docs/deploy.md describes (these commands run it when the client tools are installed).
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { openDatabase } from './client.ts';

export class BackupError extends Error {}

const pgliteDir = (url: string): string | null => {
  if (!url.startsWith('pglite://')) return null;
  const dir = url.slice('pglite://'.length);
  if (dir === '' || dir === 'memory') throw new BackupError('An in-memory database has nothing to back up.');
  return dir;
};

export async function backup(databaseUrl: string, file: string): Promise<string> {
  const dir = pgliteDir(databaseUrl);
  if (dir === null) {
    await run('pg_dump', ['--format=custom', '--no-owner', `--file=${file}`, `--dbname=${databaseUrl}`]);
    return `Backed up the PostgreSQL database to ${file} (${megabytes(file)}) with pg_dump.`;
  }
  if (!existsSync(dir)) throw new BackupError(`There is no database at ${dir}.`);
  // Opening takes the directory's lock: a running server has it, and a backup then stops here.
  const database = await openDatabase(databaseUrl);
  let archive: Blob;
  try {
    archive = await database.dumpDataDir();
  } finally {
    await database.close();
  }
  const partial = `${file}.partial`;
  writeFileSync(partial, Buffer.from(await archive.arrayBuffer()));
  renameSync(partial, file);
  return `Backed up ${dir} to ${file} (${megabytes(file)}).`;
}

export async function restore(databaseUrl: string, file: string): Promise<string> {
  if (!existsSync(file)) throw new BackupError(`There is no backup at ${file}.`);
  const dir = pgliteDir(databaseUrl);
  if (dir === null) {
    await refuseUnlessEmpty(databaseUrl);
    await run('pg_restore', [
      '--no-owner',
      '--exit-on-error',
      '--single-transaction',
      `--dbname=${databaseUrl}`,
      file,
    ]);
    // Migrating also moves the outbox onto this server's transaction ids if it came from another.
    const database = await openDatabase(databaseUrl, { poolSize: 1 });
    try {
      await database.migrate();
    } finally {
      await database.close();
    }
    return `Restored ${file} into the PostgreSQL database with pg_restore.`;
  }
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new BackupError(
      `${dir} already holds a database. Restore into a new directory (DATABASE_URL=pglite://<new dir>), ` +
        'or move this one aside first.',
    );
  }
  const archive = new Blob([readFileSync(file)]);
  const client = new PGlite(dir, { loadDataDir: archive });
  await client.waitReady;
  await client.close();
  // Opening it as the server does applies migrations newer than the backup.
  const database = await openDatabase(databaseUrl);
  try {
    await database.migrate();
  } finally {
    await database.close();
  }
  return `Restored ${file} into ${dir}.`;
}

/** pg_restore into a database that already has Backfill's tables would mix two histories. */
async function refuseUnlessEmpty(databaseUrl: string): Promise<void> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_tables WHERE schemaname IN ('public', 'drizzle', 'pgboss')`,
    );
    if (rows[0]!.n > 0) {
      throw new BackupError(
        'The target database is not empty. Restore into a new database (createdb …, then DATABASE_URL=…).',
      );
    }
  } finally {
    await client.end();
  }
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', (error) =>
      reject(
        new BackupError(
          `${command} could not be started (${error.message}): install PostgreSQL's client tools ` +
            '(e.g. apt-get install postgresql-client) or follow docs/deploy.md.',
        ),
      ),
    );
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new BackupError(`${command} failed (exit code ${code}).`)),
    );
  });
}

const megabytes = (file: string) => `${(statSync(file).size / 1_048_576).toFixed(1)} MB`;
