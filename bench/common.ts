/** Helpers shared by the benchmark scenarios. */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';

export type Engine = 'postgres' | 'pglite';

/** The PostgreSQL the benchmarks (and the pgbench baseline) use. */
export const postgresUrl = (): string =>
  process.env.DATABASE_URL?.startsWith('postgres')
    ? process.env.DATABASE_URL
    : 'postgres://postgres@127.0.0.1:5432/test';

/** A fresh on-disk PGlite location in a new temporary directory. */
export const freshPgliteUrl = (): string =>
  `pglite://${join(mkdtempSync(join(tmpdir(), 'backfill-bench-')), 'db')}`;

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export const round = (n: number, digits = 1): number => {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
};

export const log = (message: string): void => {
  console.log(`[${new Date().toISOString().slice(11, 23)}] ${message}`);
};

export async function postgresReachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * The reference point: the same number of clients hammering one row with
 * `UPDATE … SET n = n + 1` through pgbench, i.e. the best a single hot row can do on this
 * PostgreSQL when every change is its own committed transaction. Returns tps excluding
 * connection time.
 */
export async function pgbenchBaseline(url: string, clients: number, seconds: number): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('CREATE TABLE IF NOT EXISTS bench_counter (id int PRIMARY KEY, n bigint NOT NULL)');
    await client.query(
      'INSERT INTO bench_counter (id, n) VALUES (1, 0) ON CONFLICT (id) DO UPDATE SET n = 0',
    );
  } finally {
    await client.end();
  }
  const dir = mkdtempSync(join(tmpdir(), 'backfill-pgbench-'));
  const script = join(dir, 'hot-row.sql');
  writeFileSync(script, 'UPDATE bench_counter SET n = n + 1 WHERE id = 1;\n');
  const u = new URL(url);
  const args = [
    '-n',
    '-c',
    String(clients),
    '-j',
    '2',
    '-T',
    String(seconds),
    '-f',
    script,
    '-h',
    u.hostname,
    '-p',
    u.port || '5432',
    '-U',
    decodeURIComponent(u.username || 'postgres'),
    decodeURIComponent(u.pathname.slice(1) || 'postgres'),
  ];
  const env = { ...process.env, ...(u.password ? { PGPASSWORD: decodeURIComponent(u.password) } : {}) };
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.env.PGBENCH ?? '/usr/bin/pgbench', args, { env });
    let text = '';
    child.stdout.on('data', (d) => {
      text += d;
    });
    child.stderr.on('data', (d) => {
      text += d;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(text) : reject(new Error(`pgbench exited with ${code}:\n${text}`)),
    );
  });
  // PostgreSQL 15: "tps = 1234.5 (without initial connection time)"; older: "(excluding connections establishing)".
  const match =
    /tps = ([\d.]+) \(without initial connection time\)/.exec(output) ??
    /tps = ([\d.]+) \(excluding connections establishing\)/.exec(output);
  if (!match) throw new Error(`could not read tps from pgbench output:\n${output}`);
  return Number(match[1]);
}

/** CPU seconds (user + system) used so far by processes matching `filter`, from /proc (Linux only). */
export function cpuSeconds(filter: (pid: number, comm: string) => boolean): number {
  let ticks = 0;
  try {
    for (const entry of readdirSync('/proc')) {
      const pid = Number(entry);
      if (!Number.isInteger(pid)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      } catch {
        continue;
      }
      const open = stat.indexOf('(');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(open + 1, close);
      if (!filter(pid, comm)) continue;
      const fields = stat.slice(close + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
    }
  } catch {
    return Number.NaN;
  }
  return ticks / 100; // USER_HZ is 100 on Linux
}

/** CPU seconds used during a phase: the bench process, and this run's PostgreSQL backends (null on PGlite). */
export interface CpuUse {
  bench: number;
  postgres: number | null;
}

/** The pids of the backends connected to the run's own database (PostgreSQL). */
export type BackendPids = () => Promise<number[]>;

export const backendsOf =
  (query: (text: string) => Promise<{ rows: unknown[] }>): BackendPids =>
  async () =>
    (
      (await query('SELECT pid FROM pg_stat_activity WHERE datname = current_database()')).rows as {
        pid: number;
      }[]
    ).map((r) => r.pid);

/**
 * CPU used from now to stop(): the bench process, and the PostgreSQL backends of the run's own
 * database, per process, so other sessions on a shared server do not count (nor do the server's
 * background writers). A backend that exits during the phase takes its time with it (a pool closes
 * connections idle for 10 s), so the PostgreSQL figure is a lower bound.
 */
export async function startCpu(backends: BackendPids | null): Promise<{ stop(): Promise<CpuUse> }> {
  const bench = process.cpuUsage();
  const before = new Map<number, number>();
  if (backends)
    for (const pid of await backends())
      before.set(
        pid,
        cpuSeconds((p) => p === pid),
      );
  return {
    stop: async () => {
      const used = process.cpuUsage(bench);
      let postgres: number | null = null;
      if (backends) {
        postgres = 0;
        for (const pid of await backends()) {
          const now = cpuSeconds((p) => p === pid);
          if (Number.isFinite(now)) postgres += Math.max(0, now - (before.get(pid) ?? 0));
        }
      }
      return { bench: (used.user + used.system) / 1e6, postgres };
    },
  };
}

/**
 * Work to undo when the run is interrupted (Ctrl-C, SIGTERM) or fails: child processes to stop,
 * scratch databases to drop. Each scenario registers what it creates and unregisters it once it
 * has undone it itself; `run.ts` calls `runCleanups` on a signal and after an error.
 */
const cleanups = new Set<() => Promise<void> | void>();
let cleaning: Promise<void> | null = null;

export function onCleanup(undo: () => Promise<void> | void): () => void {
  cleanups.add(undo);
  return () => {
    cleanups.delete(undo);
  };
}

/** Runs every registered cleanup once, latest first; concurrent callers wait for the same run. */
export function runCleanups(): Promise<void> {
  cleaning ??= (async () => {
    for (const undo of [...cleanups].reverse()) {
      cleanups.delete(undo);
      try {
        await undo();
      } catch (error) {
        console.error(`cleanup failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    cleaning = null;
  })();
  return cleaning;
}

/** Where a scenario runs: a database of its own, created for this run and removed after it. */
export interface BenchDatabase {
  engine: Engine;
  url: string;
  /** The PostgreSQL database's name, or the PGlite directory. */
  name: string;
  /** Drops the database (PostgreSQL) or deletes the directory (PGlite); safe to call twice. */
  drop(): Promise<void>;
}

/**
 * A fresh database for one run of `scenario`: on PostgreSQL `backfill_bench_<scenario>_<pid>`,
 * created on the server of DATABASE_URL and dropped by `drop()` (and on Ctrl-C, see `runCleanups`),
 * so no figure depends on what earlier runs left behind; on PGlite a new temporary directory.
 */
export async function freshBenchDatabase(engine: Engine, scenario: string): Promise<BenchDatabase> {
  if (engine === 'pglite') {
    const url = freshPgliteUrl();
    const dir = dirname(url.slice('pglite://'.length));
    const unregister = onCleanup(() => rmSync(dir, { recursive: true, force: true }));
    return {
      engine,
      url,
      name: dir,
      drop: async () => {
        unregister();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  return scratchPostgresDatabase(postgresUrl(), `backfill_bench_${scenario.replace(/[^a-z0-9]/gi, '_')}`);
}

/** Runs `scenario` on a fresh database of its own, dropped afterwards (also when it fails). */
export async function onFreshDatabase<T>(
  engine: Engine,
  scenario: string,
  run: (database: BenchDatabase) => Promise<T>,
): Promise<T> {
  const database = await freshBenchDatabase(engine, scenario);
  try {
    return await run(database);
  } finally {
    await database.drop();
  }
}

/**
 * An exact copy of a bench database (nobody may be connected to it meanwhile), dropped like it:
 * `CREATE DATABASE … TEMPLATE` on PostgreSQL, a copy of the directory for PGlite. Two phases of
 * one run that must start from the same data (same rows, same table and index sizes) use one each.
 */
export async function copyBenchDatabase(source: BenchDatabase, scenario: string): Promise<BenchDatabase> {
  if (source.engine === 'pglite') {
    const copy = await freshBenchDatabase('pglite', scenario);
    const from = source.url.slice('pglite://'.length);
    cpSync(from, copy.url.slice('pglite://'.length), { recursive: true });
    return copy;
  }
  return scratchPostgresDatabase(postgresUrl(), `backfill_bench_${scenario.replace(/[^a-z0-9]/gi, '_')}`, {
    template: source.name,
  });
}

/**
 * A scratch database on the PostgreSQL of `url`, named `<prefix>_<pid>`; `drop()` removes it
 * (FORCE: the run's own connections may still be open). Scratch databases of bench processes that
 * died before dropping theirs are dropped on the way in, unless someone is connected to them (a
 * bench of another machine sharing this server: its pid means nothing here).
 */
export async function scratchPostgresDatabase(
  url: string,
  prefix: string,
  options: { template?: string } = {},
): Promise<BenchDatabase> {
  const name = `${prefix}_${process.pid}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database d
        WHERE datname LIKE 'backfill\\_bench\\_%'
          AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname)`,
    );
    for (const { datname } of rows) {
      const owner = Number(/_(\d+)$/.exec(datname)?.[1]);
      if (datname !== name && isAlive(owner)) continue;
      // Not FORCE: a session that connected since the check keeps its database.
      await admin.query(`DROP DATABASE IF EXISTS "${datname}"`).catch(() => undefined);
    }
    await admin.query(
      `CREATE DATABASE "${name}"${options.template ? ` TEMPLATE "${options.template}"` : ''}`,
    );
  } finally {
    await admin.end();
  }
  const scratch = new URL(url);
  scratch.pathname = `/${name}`;
  let dropped: Promise<void> | null = null;
  const drop = (): Promise<void> => {
    dropped ??= (async () => {
      unregister();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    })();
    return dropped;
  };
  const unregister = onCleanup(drop);
  return { engine: 'postgres', url: scratch.toString(), name, drop };
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A small seeded generator of uniform numbers in [0, 1) (xorshift32), so a bench's every run sees the same data. */
export function xorshift32(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 4294967296;
  };
}
