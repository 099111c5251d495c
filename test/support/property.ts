/**
 * fast-check options for property tests that run against the database: at least 100 cases, and a
 * seed chosen here so that it is reported however the test fails. fast-check's own error names the
 * seed and the path of the shrunk case, but a test that times out (a slow run, a long shrink) ends
 * without that error; `onTestFailed` prints the seed then too. Replay a failure with
 * `FC_SEED=<seed> [FC_PATH=<path>] npx vitest run <file> -t <test>`.
 */
import type fc from 'fast-check';
import { onTestFailed } from 'vitest';

export const MIN_RUNS = 100;

/** Call inside the test (it registers the failure hook on it). */
export function propertyOptions<T>(numRuns = MIN_RUNS): fc.Parameters<T> {
  if (numRuns < MIN_RUNS) throw new Error(`a property test runs at least ${MIN_RUNS} cases, not ${numRuns}`);
  const seed =
    process.env.FC_SEED !== undefined
      ? Number(process.env.FC_SEED)
      : (Date.now() ^ (Math.random() * 0x1_0000_0000)) | 0;
  onTestFailed(() => {
    console.error(`fast-check seed: ${seed} (replay with FC_SEED=${seed})`);
  });
  return { numRuns, seed, ...(process.env.FC_PATH ? { path: process.env.FC_PATH } : {}) };
}
