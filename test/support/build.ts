/**
 * Vitest global set-up: tests that run the CLI as a user would (`bin/backfill.js`, `npm start`)
 * run the build in dist/. `npm install` / `npm ci` builds it; when a source file is newer than the
 * build (editing between runs), it is built again here, once before any test file starts.
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
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function builtAt(): number {
  try {
    return statSync(join(root, 'dist/cli.js')).mtimeMs;
  } catch {
    return 0;
  }
}

export default function setup(): void {
  if (builtAt() >= newestSource(join(root, 'src'))) return;
  console.log('dist/ is older than src/: building it (npm run build)');
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
}
