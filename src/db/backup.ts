/**
 * `backfill backup <file>` and `backfill restore <file>`.
 *
 * PGlite: the whole data directory as one gzipped tar (PGlite's own dump of it), taken with the
 * database closed (PGlite is single-process: stop the server first), and restored into a new
 * directory. PostgreSQL: `pg_dump --format=custom` and `pg_restore` into an empty database, the
 * procedure docs/deploy.md describes (these commands run it when the client tools are installed).
 */
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { openDatabase } from './client.ts';

/** A backup or restore that cannot be done as asked; the message says why, in one line. */
export class BackupError extends Error {}

const messageOf = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0]!;

/** A backup into a directory that is not there is refused before anything is read. */
function refuseMissingDirectory(file: string): void {
  const folder = dirname(resolve(file));
  if (!existsSync(folder)) {
    throw new BackupError(`The directory ${folder} does not exist: create it first, or back up elsewhere.`);
  }
}

const pgliteDir = (url: string): string | null => {
  if (!url.startsWith('pglite://')) return null;
  const dir = url.slice('pglite://'.length);
  if (dir === '' || dir === 'memory') throw new BackupError('An in-memory database has nothing to back up.');
  return dir;
};

/** The file is written beside its final name, then renamed: a failed backup leaves no half file. */
async function writeThenRename(file: string, write: (partial: string) => Promise<void>): Promise<void> {
  const partial = `${file}.partial`;
  try {
    await write(partial);
    renameSync(partial, file);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
}

export async function backup(databaseUrl: string, file: string): Promise<string> {
  const dir = pgliteDir(databaseUrl);
  refuseMissingDirectory(file);
  if (dir === null) {
    await writeThenRename(file, (partial) =>
      run('pg_dump', ['--format=custom', '--no-owner', `--file=${partial}`, `--dbname=${databaseUrl}`]),
    );
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
  const bytes = Buffer.from(await archive.arrayBuffer());
  await writeThenRename(file, async (partial) => writeFileSync(partial, bytes)).catch((error) => {
    throw new BackupError(`Could not write ${file}: ${messageOf(error)}`);
  });
  return `Backed up ${dir} to ${file} (${megabytes(file)}).`;
}

export async function restore(databaseUrl: string, file: string): Promise<string> {
  if (!existsSync(file) || !statSync(file).isFile()) throw new BackupError(`There is no backup at ${file}.`);
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
  await restorePglite(file, dir);
  return `Restored ${file} into ${dir}.`;
}

/**
 * Extracts into a directory beside the target and renames it into place only once the copy opens
 * and migrates: a file that is not a backup, or a truncated one, leaves nothing behind that would
 * block the next attempt.
 */
async function restorePglite(file: string, dir: string): Promise<void> {
  const target = resolve(dir);
  mkdirSync(dirname(target), { recursive: true });
  const staging = join(dirname(target), `.${basename(target)}.restoring-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  try {
    try {
      const client = new PGlite(staging, { loadDataDir: new Blob([readFileSync(file)]) });
      await client.waitReady;
      await client.close();
    } catch (error) {
      throw new BackupError(
        `${file} is not a readable backup of an embedded (PGlite) database (${messageOf(error)}); nothing was restored.`,
      );
    }
    // Opening it as the server does applies migrations newer than the backup.
    const database = await openDatabase(`pglite://${staging}`);
    try {
      await database.migrate();
    } catch (error) {
      throw new BackupError(
        `${file} was read, but its database could not be migrated (${messageOf(error)}).`,
      );
    } finally {
      await database.close();
    }
    // Replaces the target when it is an empty directory (checked above), else creates it.
    renameSync(staging, target);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}

/** pg_restore into a database that already has Backfill's tables would mix two histories. */
async function refuseUnlessEmpty(databaseUrl: string): Promise<void> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: databaseUrl });
  try {
    await client.connect();
  } catch (error) {
    const target = new URL(databaseUrl).pathname.slice(1);
    if ((error as { code?: string }).code === '3D000') {
      throw new BackupError(`The database "${target}" does not exist: create it first (createdb ${target}).`);
    }
    throw new BackupError(`Could not connect to the target database: ${messageOf(error)}`);
  }
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
