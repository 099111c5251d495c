/**
 * SQL round-trip timing for PostgreSQL (node-postgres): counts and times every statement, grouped by
 * its first words, with the CPU its backend used meanwhile (when the server runs on this host). Preloaded into the server child by `hot-sku --trace-sql FILE` (with
 * $BENCH_SQL_TRACE set it installs itself and writes the summary as JSON on exit); `restock
 * --trace-sql` installs it in-process. Importing it without $BENCH_SQL_TRACE changes nothing.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import pg from 'pg';

interface Stat {
  count: number;
  totalMs: number;
  maxMs: number;
  paramCount: number;
  /** CPU of the PostgreSQL backend while it ran these statements (from /proc; 10 ms ticks). */
  backendCpuMs: number;
}

const stats = new Map<string, Stat>();
const target = process.env.BENCH_SQL_TRACE;

const keyOf = (text: string): string => {
  const flat = text.replace(/\s+/g, ' ').trim();
  // A WITH statement is named by its first CTE and what that does ("WITH filled AS ( UPDATE order_lines").
  const cte = /^with (\w+) as \( ?(insert into \w+|update \w+|delete from \w+|select .*? from \w+)/i.exec(
    flat,
  );
  if (cte) return `WITH ${cte[1]} AS (${cte[2]}`.slice(0, 90);
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
    // The backend serves one statement at a time: its CPU over the round trip is this statement's.
    const backend = (this as unknown as { processID?: number }).processID;
    const cpuBefore = backend ? backendCpuMs(backend) : Number.NaN;
    const started = performance.now();
    const record = () => {
      const ms = performance.now() - started;
      const cpu = backend ? backendCpuMs(backend) - cpuBefore : Number.NaN;
      const key = keyOf(text);
      const s = stats.get(key) ?? { count: 0, totalMs: 0, maxMs: 0, paramCount: 0, backendCpuMs: 0 };
      s.count++;
      s.totalMs += ms;
      s.maxMs = Math.max(s.maxMs, ms);
      s.paramCount += Array.isArray(values) ? values.length : 0;
      if (Number.isFinite(cpu)) s.backendCpuMs += cpu;
      stats.set(key, s);
    };
    // Pool#query calls its client with a callback (and gets no promise back): time it through that.
    const callback = args.at(-1);
    if (typeof callback === 'function') {
      args[args.length - 1] = (...answer: unknown[]) => {
        record();
        return (callback as (...a: unknown[]) => unknown)(...answer);
      };
    }
    const result = original.apply(this, args);
    if (result && typeof (result as Promise<unknown>).then === 'function') {
      (result as Promise<unknown>).then(record, record);
    }
    return result;
  };
}

/** User + system CPU of a process in ms (Linux /proc; NaN elsewhere, or for a server on another host). */
function backendCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

export interface StatementStat extends Stat {
  statement: string;
}

/** Statement timings so far, most total time first. */
export function sqlStats(): StatementStat[] {
  return [...stats].map(([statement, s]) => ({ statement, ...s })).sort((a, b) => b.totalMs - a.totalMs);
}

export function printSqlStats(rows: readonly StatementStat[], top = 15): void {
  console.log('  count  total ms  mean ms  max ms  pg cpu ms  params  statement');
  for (const r of rows.slice(0, top)) {
    console.log(
      `${String(r.count).padStart(7)} ${r.totalMs.toFixed(0).padStart(9)} ${(r.totalMs / r.count).toFixed(2).padStart(8)} ` +
        `${r.maxMs.toFixed(1).padStart(7)} ${(r.backendCpuMs ?? 0).toFixed(0).padStart(10)} ` +
        `${(r.paramCount / r.count).toFixed(0).padStart(7)}  ${r.statement}`,
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
            backendCpuMs: r.backendCpuMs - b.backendCpuMs,
          }
        : r;
    })
    .filter((r) => r.count > 0)
    .sort((a, b) => b.totalMs - a.totalMs);
}

/**
 * `--explain-slow MS` (PostgreSQL): the sessions of `url` load auto_explain and send, as a NOTICE,
 * the plan with actual rows, times and buffers of every statement that took MS or more. The
 * instrumentation slows every statement down: figures of such a run are for diagnosis only.
 */
export function explainSlowUrl(url: string, ms: number): string {
  const u = new URL(url);
  u.searchParams.set(
    'options',
    [
      'session_preload_libraries=auto_explain',
      `auto_explain.log_min_duration=${ms}`,
      'auto_explain.log_analyze=on',
      'auto_explain.log_buffers=on',
      'auto_explain.log_level=notice',
    ]
      .map((setting) => `-c ${setting}`)
      .join(' '),
  );
  return u.toString();
}

interface SlowPlan {
  ms: number;
  plan: string;
}

const plans: SlowPlan[] = [];
let capturing = false;

/** Collects auto_explain's notices from every node-postgres client (idempotent). */
export function captureSlowPlans(): void {
  if (capturing) return;
  capturing = true;
  const hooked = new WeakSet<pg.Client>();
  const proto = pg.Client.prototype as unknown as { query: QueryFn };
  const original = proto.query;
  proto.query = function (this: pg.Client, ...args: unknown[]) {
    if (!hooked.has(this)) {
      hooked.add(this);
      this.on('notice', (notice: { message?: string }) => {
        const m = /^duration: ([\d.]+) ms\s+plan:\n([\s\S]*)$/.exec(notice.message ?? '');
        if (m) plans.push({ ms: Number(m[1]), plan: m[2]! });
      });
    }
    return original.apply(this, args);
  };
}

/** Prints the slowest plans collected since the last call (and forgets them). */
export function printSlowPlans(top = 10): void {
  const slowest = plans.splice(0).sort((a, b) => b.ms - a.ms);
  console.log(
    `  ${slowest.length} statement(s) over the threshold; the ${Math.min(top, slowest.length)} slowest:`,
  );
  for (const { ms, plan } of slowest.slice(0, top)) {
    // "Query Text: <the statement, over many lines>" then the plan, whose root is not indented.
    const lines = plan.split('\n');
    const root = lines.findIndex((line, i) => i > 0 && /^\S.*\((cost|actual)=/.test(line));
    const text = lines
      .slice(0, root < 0 ? 1 : root)
      .join(' ')
      .replace(/\s+/g, ' ');
    console.log(`  --- ${ms.toFixed(1)} ms: ${text.slice(0, 200)}${text.length > 200 ? '…' : ''}`);
    for (const line of root < 0 ? lines.slice(1) : lines.slice(root))
      console.log(`    ${line.length > 240 ? `${line.slice(0, 240)}…` : line}`);
  }
}

/** Forgets the plans collected so far (those of the set-up). */
export function clearSlowPlans(): void {
  plans.length = 0;
}
