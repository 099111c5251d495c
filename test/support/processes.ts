/** Real server processes for multi-process and crash tests (PostgreSQL). */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { testDatabaseUrl } from './harness.ts';

const MAIN_DIR = new URL('../..', import.meta.url).pathname;
export const TOKEN = 'concurrency-operator-token-0123456789';

async function freePort(): Promise<number> {
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

export interface Child {
  process: ChildProcess;
  base: string;
  output: string[];
}

/** A server process on the test database; `env` adds to (or overrides) its environment. */
export async function startServer(env: Record<string, string> = {}): Promise<Child> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve'], {
    cwd: MAIN_DIR,
    env: {
      ...process.env,
      DATABASE_URL: testDatabaseUrl(),
      PORT: String(port),
      HOST: '127.0.0.1',
      BACKFILL_OPERATOR_TOKEN: TOKEN,
      LOG_LEVEL: 'warn',
      // These processes share the test database with every other test file: a background worker
      // here would deliver (and, when the test kills it, strand in doubt) other tests' messages.
      BACKFILL_IN_PROCESS_WORKER: 'false',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout?.on('data', (d) => output.push(String(d)));
  child.stderr?.on('data', (d) => output.push(String(d)));
  return { process: child, base: `http://127.0.0.1:${port}`, output };
}

export async function waitHealthy(child: Child): Promise<void> {
  const deadline = Date.now() + 45_000;
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
    await new Promise((r) => setTimeout(r, 200));
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
