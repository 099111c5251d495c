#!/usr/bin/env node
// Runs the CLI from the build (`npm run build`, done by `npm install` / `npm ci`); during
// development `npm run backfill -- …` runs the sources through tsx instead.
import { existsSync } from 'node:fs';
import module from 'node:module';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  console.error(
    'backfill: dist/ is missing. Run `npm run build` (npm install does it), or `npm run backfill -- …`.',
  );
  process.exit(1);
}
// Node 22+ keeps compiled code between runs (a faster restart); Node 20 has no such cache.
module.enableCompileCache?.();
// Stack traces name the TypeScript sources (the build writes source maps).
process.setSourceMapsEnabled(true);
await import(cli.href);
