/**
 * Sizing work that runs in short transactions beside live traffic (on PGlite every transaction holds
 * the one connection, so a long one stalls every request): after a chunk of `size` items took `ms`,
 * the next is sized to take about `targetMs`, growing at most twofold and shrinking at once, within
 * [`min`, `max`].
 */
export interface ChunkSizing {
  targetMs: number;
  min: number;
  max: number;
}

export function nextChunkSize(size: number, ms: number, sizing: ChunkSizing): number {
  const scaled = Math.round((size * sizing.targetMs) / Math.max(ms, 1));
  return Math.min(sizing.max, Math.max(sizing.min, Math.min(scaled, size * 2)));
}
