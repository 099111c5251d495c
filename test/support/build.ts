/**
 * Vitest global set-up: tests that run the CLI as a user would (`bin/backfill.js`, `npm start`)
 * run the build in dist/, and the console's browser tests the build in dist-admin/. `npm install` /
 * `npm ci` builds both; when a source file is newer than its build (editing between runs), that
 * build is made again here, once before any test file starts.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (/\.(ts|tsx|css|html|svg)$/.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function builtAt(file: string): number {
  try {
    return statSync(join(root, file)).mtimeMs;
  } catch {
    return 0;
  }
}

export default function setup(): void {
  const stale: string[] = [];
  if (builtAt('dist/cli.js') < newestSource(join(root, 'src'))) stale.push('server');
  const admin = Math.max(newestSource(join(root, 'web/admin')), builtAt('package-lock.json'));
  if (builtAt('dist-admin/index.html') < admin) stale.push('admin');
  if (stale.length === 0) return;
  console.log(`older than their sources: ${stale.join(', ')}; building them (npm run build)`);
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), ...stale], {
    cwd: root,
    stdio: 'inherit',
  });
}
