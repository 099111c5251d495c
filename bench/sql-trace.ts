/**
 * SQL round-trip timing for PostgreSQL (node-postgres): counts and times every statement, grouped by
 * its first words. Preloaded into the server child by `hot-sku --trace-sql FILE` (with
 * $BENCH_SQL_TRACE set it installs itself and writes the summary as JSON on exit); `restock
 * --trace-sql` installs it in-process. Importing it without $BENCH_SQL_TRACE changes nothing.
 */
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import pg from 'pg';

interface Stat {
  count: number;
  totalMs: number;
  maxMs: number;
  paramCount: number;
}

const stats = new Map<string, Stat>();
const target = process.env.BENCH_SQL_TRACE;

const keyOf = (text: string): string => {
  const flat = text.replace(/\s+/g, ' ').trim();
  const m = /^(insert into "?\w+"?|update "?\w+"?|delete from "?\w+"?|select .*? from "?\w+"?|\w+)/i.exec(
    flat,
  );
  return (m?.[0] ?? flat).slice(0, 90);
};

type QueryFn = (this: pg.Client, ...args: unknown[]) => unknown;
let installed = false;

/** Wraps node-postgres' Client#query to time every statement (idempotent). */
export function installSqlTrace(): void {
  if (installed) return;
  installed = true;
  const proto = pg.Client.prototype as unknown as { query: QueryFn };
  const original = proto.query;
  proto.query = function (this: pg.Client, ...args: unknown[]) {
    const first = args[0] as string | { text?: string; values?: unknown[] };
    const text = typeof first === 'string' ? first : (first?.text ?? '');
    const values =
      (typeof first === 'string' ? undefined : first?.values) ?? (args[1] as unknown[] | undefined);
    const started = performance.now();
    const record = () => {
      const ms = performance.now() - started;
      const key = keyOf(text);
      const s = stats.get(key) ?? { count: 0, totalMs: 0, maxMs: 0, paramCount: 0 };
      s.count++;
      s.totalMs += ms;
      s.maxMs = Math.max(s.maxMs, ms);
      s.paramCount += Array.isArray(values) ? values.length : 0;
      stats.set(key, s);
    };
    const result = original.apply(this, args);
    if (result && typeof (result as Promise<unknown>).then === 'function') {
      (result as Promise<unknown>).then(record, record);
    }
    return result;
  };
}

export interface StatementStat extends Stat {
  statement: string;
}

/** Statement timings so far, most total time first. */
export function sqlStats(): StatementStat[] {
  return [...stats].map(([statement, s]) => ({ statement, ...s })).sort((a, b) => b.totalMs - a.totalMs);
}

export function printSqlStats(rows: readonly StatementStat[], top = 15): void {
  console.log('  count  total ms  mean ms  max ms  params  statement');
  for (const r of rows.slice(0, top)) {
    console.log(
      `${String(r.count).padStart(7)} ${r.totalMs.toFixed(0).padStart(9)} ${(r.totalMs / r.count).toFixed(2).padStart(8)} ` +
        `${r.maxMs.toFixed(1).padStart(7)} ${(r.paramCount / r.count).toFixed(0).padStart(7)}  ${r.statement}`,
    );
  }
}

if (target) {
  installSqlTrace();
  process.on('exit', () => {
    writeFileSync(target, JSON.stringify(sqlStats()));
  });
}

/** The statements run since `before` (a snapshot of `sqlStats()`), slowest in total first. */
export function traceSince(before: Map<string, StatementStat>): StatementStat[] {
  return sqlStats()
    .map((r) => {
      const b = before.get(r.statement);
      return b
        ? {
            ...r,
            count: r.count - b.count,
            totalMs: r.totalMs - b.totalMs,
            paramCount: r.paramCount - b.paramCount,
          }
        : r;
    })
    .filter((r) => r.count > 0)
    .sort((a, b) => b.totalMs - a.totalMs);
}
