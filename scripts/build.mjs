#!/usr/bin/env node
/**
 * The install-time build (`npm run build`, run by `npm install` / `npm ci` through `prepare`):
 * every step that turns sources into what `npm start` runs. A step is a command and the folder
 * it writes; another part of the project (the console's Vite build) adds its own entry to STEPS.
 *
 * `--if-possible` (used by `prepare`): a production install (`npm ci --omit=dev`) has no compiler;
 * there a step whose output already exists (built earlier, e.g. in a build stage) is kept, and one
 * whose output is missing fails with a clear message.
 *
 * Names of steps as arguments build only those (`node scripts/build.mjs admin`): the test set-up
 * rebuilds only what is older than its sources.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));

/**
 * Resolves a dev tool's entry file (`package/path/in/it.js`), or null when dev dependencies are not
 * installed. Through the package's package.json: its `exports` may not list the file (vite's bin).
 */
function tool(specifier) {
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  try {
    const entry = join(dirname(require.resolve(`${name}/package.json`)), specifier.slice(name.length + 1));
    return existsSync(entry) ? entry : null;
  } catch {
    return null;
  }
}

const STEPS = [
  {
    name: 'server',
    out: 'dist',
    tool: 'typescript/bin/tsc',
    args: ['-p', 'tsconfig.build.json'],
  },
  {
    // The merchant console (web/admin, React + Vite), served by the server at /admin.
    name: 'admin',
    out: 'dist-admin',
    tool: 'vite/bin/vite.js',
    args: ['build', '--config', 'web/admin/vite.config.ts', '--logLevel', 'warn'],
    // A production build even when started from a test run (Vitest sets NODE_ENV=test).
    env: { NODE_ENV: 'production' },
  },
];

const ifPossible = process.argv.includes('--if-possible');
const named = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const unknown = named.filter((name) => !STEPS.some((step) => step.name === name));
if (unknown.length > 0) {
  console.error(`build: no step named ${unknown.join(', ')} (steps: ${STEPS.map((s) => s.name).join(', ')})`);
  process.exit(1);
}
for (const step of STEPS.filter((s) => named.length === 0 || named.includes(s.name))) {
  const out = join(root, step.out);
  const entry = tool(step.tool);
  if (entry === null) {
    if (ifPossible && existsSync(out)) {
      console.log(`build ${step.name}: ${step.tool} is not installed; keeping the existing ${step.out}/`);
      continue;
    }
    console.error(
      `build ${step.name}: ${step.tool} is not installed (dev dependencies). Build with a full ` +
        '`npm ci`, then `npm prune --omit=dev` (see docs/deploy.md).',
    );
    process.exit(1);
  }
  const started = Date.now();
  // A clean output: files of deleted sources must not linger in the build.
  rmSync(out, { recursive: true, force: true });
  const result = spawnSync(process.execPath, [entry, ...step.args], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ...step.env },
  });
  if (result.status !== 0) {
    console.error(`build ${step.name} failed`);
    process.exit(result.status ?? 1);
  }
  console.log(`build ${step.name}: ${step.out}/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
