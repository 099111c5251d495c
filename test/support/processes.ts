/** Real server and worker processes, run from the build as in production, for multi-process and crash tests. */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import { testDatabaseUrl } from './harness.ts';

const MAIN_DIR = new URL('../..', import.meta.url).pathname;
export const TOKEN = 'concurrency-operator-token-0123456789';

/**
 * A port for a child server to listen on. Chosen below the kernel's ephemeral range, from a block
 * of this vitest worker's own (VITEST_POOL_ID), never twice in a row: between this choice and the
 * child's listen (a second or more) no other test's `listen(0)` nor another worker's choice can take
 * it. (A port from `listen(0)`, released for the child, once went to another test file's server in
 * that gap: the crash harness then talked to a server of another database and got 401s.)
 */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < PORT_BLOCK; tries++) {
    const port =
      PORT_BASE + (Number(process.env.VITEST_POOL_ID ?? 0) % PORT_BLOCKS) * PORT_BLOCK + nextInBlock();
    if (await canListen(port)) return port;
  }
  throw new Error("no free port in this worker's block");
}

const PORT_BASE = 10_000;
const PORT_BLOCK = 1_000;
/** 10000–29999: below Linux's default ephemeral range (32768–60999), which `listen(0)` draws from. */
const PORT_BLOCKS = 20;
let portCursor = Math.floor(Math.random() * PORT_BLOCK);
const nextInBlock = (): number => {
  portCursor = (portCursor + 1) % PORT_BLOCK;
  return portCursor;
};

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export interface Child {
  process: ChildProcess;
  base: string;
  output: string[];
  /** Resolves when the process has exited, with its exit code or the signal that ended it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface ChildOptions {
  /** Default: the test database (TEST_DATABASE_URL, or in-memory PGlite). */
  databaseUrl?: string;
  /** `serve` by default; `worker`, `promises refresh`, … */
  command?: string[];
  env?: Record<string, string>;
  port?: number;
}

export async function startServer(options: ChildOptions = {}): Promise<Child> {
  const port = options.port ?? (await freePort());
  const child = spawn(process.execPath, ['bin/backfill.js', ...(options.command ?? ['serve'])], {
    cwd: MAIN_DIR,
    env: {
      ...process.env,
      DATABASE_URL: options.databaseUrl ?? testDatabaseUrl(),
      PORT: String(port),
      HOST: '127.0.0.1',
      BACKFILL_OPERATOR_TOKEN: TOKEN,
      BACKFILL_ALLOW_PRIVATE_URLS: 'true',
      LOG_LEVEL: 'warn',
      // These processes share the test database with every other test file: a background worker
      // here would deliver (and, when the test kills it, strand in doubt) other tests' messages.
      BACKFILL_IN_PROCESS_WORKER: 'false',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout?.on('data', (d) => output.push(String(d)));
  child.stderr?.on('data', (d) => output.push(String(d)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { process: child, base: `http://127.0.0.1:${port}`, output, exited };
}

/** An options object, not a number: `children.map(waitHealthy)` passes each index as the second argument. */
export async function waitHealthy(child: Child, options: { timeoutMs?: number } = {}): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 45_000);
  while (Date.now() < deadline) {
    if (child.process.exitCode !== null) {
      throw new Error(`server exited with ${child.process.exitCode}: ${child.output.join('')}`);
    }
    try {
      const res = await fetch(`${child.base}/health`);
      if (res.status === 200 && (await res.json()).status === 'ok') return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`server at ${child.base} not healthy in time: ${child.output.join('')}`);
}

/** Stops a server: SIGTERM, then SIGKILL if it has not exited within 5 s. */
export function stopServer(child: Child): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.process.exitCode !== null || child.process.signalCode !== null) return resolve();
    child.process.once('exit', () => resolve());
    child.process.kill('SIGTERM');
    setTimeout(() => {
      if (child.process.exitCode === null) child.process.kill('SIGKILL');
    }, 5_000).unref();
  });
}

/** Kills a process with SIGKILL and waits until it is gone. */
export async function killNow(child: Child): Promise<void> {
  if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
  await child.exited;
}

/** Runs `backfill <args>` from the build as a user would, on `databaseUrl`; never throws. */
export function runCli(
  databaseUrl: string,
  ...args: string[]
): Promise<{ stdout: string; stderr: string; code: number }> {
  return runCliWith({ DATABASE_URL: databaseUrl }, ...args);
}

/** `runCli` with more of the environment set (`DATABASE_URL` among it). */
export async function runCliWith(
  env: Record<string, string>,
  ...args: string[]
): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['bin/backfill.js', ...args], {
      cwd: MAIN_DIR,
      env: { ...process.env, ...env },
    });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const e = error as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}
