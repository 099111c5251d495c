#!/usr/bin/env node
/**
 * `npm run dev`: the API with restarts on change (tsx watch, on PORT, 3000 by default) and the
 * console with hot reload (Vite's dev server on 5173, proxying /v1 to the API). Open
 * http://127.0.0.1:5173/admin/ for the console; the API also serves its last build at /admin.
 * Ctrl-C stops both.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const bin = (pkg, path) => join(dirname(require.resolve(`${pkg}/package.json`)), path);

const port = process.env.PORT ?? '3000';
const apiUrl = `http://127.0.0.1:${port}`;
const children = [
  spawn(process.execPath, [bin('tsx', 'dist/cli.mjs'), 'watch', 'src/cli.ts', 'serve'], {
    cwd: root,
    stdio: 'inherit',
  }),
  spawn(process.execPath, [bin('vite', 'bin/vite.js'), '--config', 'web/admin/vite.config.ts'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, BACKFILL_API_URL: process.env.BACKFILL_API_URL ?? apiUrl },
  }),
];
console.log(`console with hot reload: http://127.0.0.1:5173/admin/ (API at ${apiUrl})`);

let stopping = false;
function stop(code) {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 500).unref();
}
for (const child of children) child.on('exit', (code) => stop(code ?? 0));
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
