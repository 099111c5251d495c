import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { type ExtractTablesWithRelations, type SQL, sql } from 'drizzle-orm';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import type pg from 'pg';
import { rebaseOutboxAfterRestore } from './outbox.ts';
import * as schema from './schema.ts';

export type Schema = typeof schema;
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Anything a query can run on: the database or an open transaction. */
export type Executor = Database | Tx;
export type Engine = 'postgres' | 'pglite';

export interface DatabaseHandle {
  db: Database;
  engine: Engine;
  /**
   * Plain SQL with positional parameters, for libraries that bring their own queries (pg-boss).
   * Without parameters the text may hold several statements.
   */
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
  /** Applies the committed SQL migrations; safe to call from several processes at once. */
  migrate(): Promise<void>;
  /** PGlite only: the data directory as a gzipped tar (what `backfill backup` writes). */
  dumpDataDir(): Promise<Blob>;
  close(): Promise<void>;
}

const migrationsFolder = join(dirname(fileURLToPath(import.meta.url)), '../../drizzle');

// Arbitrary constant for pg_advisory_lock: serialises migrations across processes.
const MIGRATION_LOCK_ID = 727_001;

export interface DatabaseOptions {
  poolSize?: number;
}

export async function openDatabase(url: string, options: DatabaseOptions = {}): Promise<DatabaseHandle> {
  if (url.startsWith('pglite://')) return openPglite(url.slice('pglite://'.length));
  return openPostgres(url, options.poolSize ?? 10);
}

async function openPglite(location: string): Promise<DatabaseHandle> {
  let client: PGlite;
  let release = () => {};
  if (location === 'memory' || location === '') {
    client = new PGlite();
  } else {
    mkdirSync(dirname(location), { recursive: true });
    release = lockDirectory(location);
    client = new PGlite(location);
  }
  await client.waitReady;
  const db = drizzlePglite(client, { schema }) as unknown as Database;
  return {
    db,
    engine: 'pglite',
    executeSql: async (text, values) => {
      if (values && values.length > 0) return client.query(text, values);
      // query() takes one statement; exec() takes several and answers one result per statement.
      const results = await client.exec(text);
      return { rows: results.at(-1)?.rows ?? [] };
    },
    migrate: async () => {
      await migratePglite(db as never, { migrationsFolder });
    },
    dumpDataDir: () => client.dumpDataDir('gzip'),
    close: async () => {
      await client.close();
      release();
    },
  };
}

export class DatabaseInUseError extends Error {}

/**
 * PGlite is single-process: two processes on one data directory would corrupt it. A lock file
 * beside the directory names the owning process; a lock left by a dead process is taken over.
 */
function lockDirectory(location: string): () => void {
  const lockPath = `${location.replace(/\/+$/, '')}.lock`;
  try {
    const owner = Number(readFileSync(lockPath, 'utf8'));
    if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner)) {
      throw new DatabaseInUseError(
        `The embedded database ${location} is in use by process ${owner}. Stop that process first, ` +
          'or use PostgreSQL (DATABASE_URL=postgres://…) to run several processes.',
      );
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  writeFileSync(lockPath, String(process.pid));
  return () => rmSync(lockPath, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function openPostgres(url: string, poolSize: number): Promise<DatabaseHandle> {
  // Loaded here, not with the module: a process on PGlite never pays for the PostgreSQL client.
  const [{ default: pgModule }, { drizzle: drizzlePg }, { migrate: migratePg }] = await Promise.all([
    import('pg'),
    import('drizzle-orm/node-postgres'),
    import('drizzle-orm/node-postgres/migrator'),
  ]);
  const pool = new pgModule.Pool({ connectionString: url, max: poolSize });
  // An idle client that loses its connection must not crash the process.
  pool.on('error', () => {});
  const db = drizzlePg(pool, { schema }) as unknown as Database;
  return {
    db,
    engine: 'postgres',
    executeSql: async (text, values) => {
      const result = await pool.query(text, values as unknown[] | undefined);
      // Several statements answer an array of results: the last one's rows are the answer.
      const last = Array.isArray(result) ? (result.at(-1) as pg.QueryResult) : result;
      return { rows: last?.rows ?? [] };
    },
    migrate: async () => {
      const client = await pool.connect();
      try {
        await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
        try {
          const locked = drizzlePg(client, { schema });
          await migratePg(locked, { migrationsFolder });
          // A no-op except right after a pg_restore from another server (see the function).
          await locked.transaction((tx) => rebaseOutboxAfterRestore(tx as unknown as Tx));
        } finally {
          await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]);
        }
      } finally {
        client.release();
      }
    },
    dumpDataDir: () => Promise.reject(new Error('PostgreSQL is backed up with pg_dump')),
    close: () => pool.end(),
  };
}

let migrationFiles: { hash: string }[] | null = null;

/**
 * How many of the committed migrations (drizzle/) the database has not applied, by content hash
 * (renumbering a file does not change it). For readiness checks: a process whose code expects a
 * newer schema than the database has is not ready.
 */
export async function pendingMigrations(executor: Executor): Promise<number> {
  migrationFiles ??= readMigrationFiles({ migrationsFolder });
  let applied: Set<string>;
  try {
    const rows = await queryRows<{ hash: string }>(
      executor,
      sql`SELECT hash FROM drizzle.__drizzle_migrations`,
    );
    applied = new Set(rows.map((r) => r.hash));
  } catch (error) {
    if (errorCode(error) !== '42P01' && errorCode(error) !== '3F000') throw error;
    applied = new Set();
  }
  return migrationFiles.filter((file) => !applied.has(file.hash)).length;
}

/** Runs a raw query and returns its rows on either engine. */
export async function queryRows<T>(executor: Executor, query: SQL): Promise<T[]> {
  const result = (await executor.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

/**
 * Runs independent write statements in one round trip, as data-modifying CTEs of one statement.
 * They share one snapshot, so none may rely on seeing another's rows (constraint checks, which
 * run at the end of the statement, do see them).
 */
export async function executeTogether(
  executor: Executor,
  statements: readonly (SQL | null)[],
): Promise<void> {
  const parts = statements.filter((s): s is SQL => s !== null);
  if (parts.length === 0) return;
  if (parts.length === 1) {
    await executor.execute(parts[0]!);
    return;
  }
  await executor.execute(sql`WITH ${sql.join(asCtes(parts), sql`, `)} SELECT 1`);
}

const asCtes = (parts: readonly SQL[]): SQL[] =>
  parts.map((part, i) => sql`${sql.raw(`w${i}`)} AS (${part})`);

/**
 * Like `executeTogether`, but only if `gate` (an UPDATE … RETURNING of the rows the writes depend
 * on) changes exactly `expectedRows` rows; otherwise the whole statement is undone and this returns
 * false. A single statement is its own transaction: no BEGIN/COMMIT round trips.
 */
export async function executeIfGateHolds(
  executor: Executor,
  gate: SQL,
  expectedRows: number,
  statements: readonly (SQL | null)[],
): Promise<boolean> {
  const parts = statements.filter((s): s is SQL => s !== null);
  const ctes = [sql`gate AS (${gate})`, ...asCtes(parts)];
  try {
    // count / expected is 0 when the gate missed a row: the division by zero aborts the statement.
    await executor.execute(
      sql`WITH ${sql.join(ctes, sql`, `)} SELECT 1 / ((SELECT count(*) FROM gate)::int / ${expectedRows}::int) AS ok`,
    );
    return true;
  } catch (error) {
    if (errorCode(error) === '22012') return false;
    throw error;
  }
}

function errorCode(error: unknown): string | undefined {
  const e = error as { code?: string; cause?: { code?: string } };
  return e.code ?? e.cause?.code;
}

const RETRYABLE = new Set(['40001', '40P01']); // serialization failure, deadlock detected

/** Effects to run once a transaction of `inTransaction` commits, by its transaction object. */
const committing = new WeakMap<object, (() => void)[]>();

/**
 * Runs `effect` once the transaction `tx` belongs to has committed, never if it rolls back (a
 * retried transaction runs its effects once, for the attempt that committed). For in-process
 * bookkeeping such as metrics; outside a transaction of `inTransaction`, it runs at once.
 */
export function afterCommit(tx: Executor, effect: () => void): void {
  const effects = committing.get(tx);
  if (effects) effects.push(effect);
  else effect();
}

/**
 * One transaction per command. A deadlock or serialization failure (PostgreSQL aborts one side
 * when two commands lock rows in conflicting order) is retried with a fresh transaction.
 */
export async function inTransaction<T>(db: Database, work: (tx: Tx) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      const effects: (() => void)[] = [];
      const result = await db.transaction((tx) => {
        committing.set(tx, effects);
        return work(tx);
      });
      for (const effect of effects) effect();
      return result;
    } catch (error) {
      const code = errorCode(error);
      if (attempt >= 5 || code === undefined || !RETRYABLE.has(code)) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
    }
  }
}
