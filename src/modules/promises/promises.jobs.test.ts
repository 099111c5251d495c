import { describe, expect, it } from 'vitest';
import { nextChunkLines } from './promises.jobs.ts';

describe('the daily job’s chunk size', () => {
  it('shrinks at once when a chunk ran long, in proportion', () => {
    expect(nextChunkLines(1000, 300)).toBe(100);
    expect(nextChunkLines(1000, 40)).toBe(500);
  });
  it('grows at most twofold per chunk when chunks run short', () => {
    expect(nextChunkLines(1000, 1)).toBe(2000);
    expect(nextChunkLines(1000, 16)).toBe(1250);
  });
  it('stays between 100 and 5,000 lines', () => {
    expect(nextChunkLines(100, 10_000)).toBe(100);
    expect(nextChunkLines(4000, 1)).toBe(5000);
  });
});
