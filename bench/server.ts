/** The benchmarks' HTTP side: a Backfill server as a child process, and a light load-generating client. */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Dispatcher, Pool } from 'undici';
import { onCleanup } from './common.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const OPERATOR_TOKEN = 'bench-operator-token-0123456789';

export interface Reply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are read loosely
  body: any;
  headers?: Record<string, string | string[] | undefined>;
}

/**
 * The load generator shares the machine's two cores with the server and PostgreSQL, so it must be
 * light: undici's Pool (one keep-alive connection per simulated client) costs far less CPU per
 * request than node:http.
 */
export class Client {
  private readonly pool: Pool;
  constructor(port: number, sockets: number) {
    this.pool = new Pool(`http://127.0.0.1:${port}`, { connections: sockets, pipelining: 1 });
  }

  async request(
    method: string,
    path: string,
    key?: string,
    body?: unknown,
    extraHeaders: Record<string, string> = {},
  ): Promise<Reply> {
    const headers: Record<string, string> = { ...extraHeaders };
    if (key) headers.authorization = `Bearer ${key}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await this.pool.request({
      method: method as Dispatcher.HttpMethod,
      path,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.body.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? null : JSON.parse(text);
    } catch {}
    return { status: res.statusCode, body: parsed, headers: res.headers };
  }

  close(): void {
    void this.pool.destroy();
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Starts `backfill serve` as a child process on `port` (stderr shown, stdout dropped). */
export function startServer(
  databaseUrl: string,
  port: number,
  options: { cpuProfDir?: string; traceSql?: string; env?: Record<string, string> } = {},
): ChildProcess {
  const args = ['--import', 'tsx'];
  if (options.cpuProfDir) args.push('--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`);
  if (options.traceSql) args.push('--import', './bench/sql-trace.ts');
  args.push('src/cli.ts', 'serve');
  return spawn(process.execPath, args, {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      BACKFILL_OPERATOR_TOKEN: OPERATOR_TOKEN,
      BACKFILL_PUBLIC_RATE_LIMIT: '10000000',
      LOG_LEVEL: process.env.BENCH_SERVER_LOG ?? 'warn',
      ...(options.traceSql ? { BENCH_SQL_TRACE: options.traceSql } : {}),
      ...options.env,
    },
    stdio: ['ignore', process.env.BENCH_SERVER_LOG ? 'inherit' : 'ignore', 'inherit'],
  });
}

/**
 * Kills the child when this process exits or is interrupted (run.ts runs the cleanups); call the
 * returned function once the child was stopped normally.
 */
export function killOnExit(child: ChildProcess): () => void {
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', kill);
  const unregister = onCleanup(kill);
  return () => {
    process.off('exit', kill);
    unregister();
  };
}

export async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Polls `ready` until it says yes; fails when the child exits first or time runs out. */
export async function waitUntil(
  ready: () => Promise<boolean>,
  child: ChildProcess,
  what: string,
  timeoutMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited early with code ${child.exitCode}`);
    try {
      if (await ready()) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not answer in time`);
}

export const waitForHealth = (client: Client, child: ChildProcess): Promise<void> =>
  waitUntil(async () => (await client.request('GET', '/health')).status === 200, child, 'server');

export function expectStatus(reply: Reply, status: number, what: string): Reply {
  if (reply.status !== status) {
    throw new Error(`${what}: expected ${status}, got ${reply.status} ${JSON.stringify(reply.body)}`);
  }
  return reply;
}
