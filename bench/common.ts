/** Helpers shared by the benchmark scenarios. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/**
 * A scratch database on the PostgreSQL of `url` (named `<prefix>_<pid>`), for scenarios too big to
 * leave behind in the shared one; `drop()` removes it. Scratch databases of processes that died
 * before dropping theirs are dropped on the way in.
 */
export async function scratchPostgresDatabase(
  url: string,
  prefix: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${process.pid}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE datname LIKE $1',
      [`${prefix}\\_%`],
    );
    for (const { datname } of rows) {
      const owner = datname.slice(prefix.length + 1);
      if (!/^\d+$/.test(owner) || (datname !== name && isAlive(Number(owner)))) continue;
      await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const scratch = new URL(url);
  scratch.pathname = `/${name}`;
  return {
    url: scratch.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
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
