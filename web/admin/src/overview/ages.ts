import type { Backorder } from '../api/types';

export const AGE_BUCKETS = [
  { label: 'Under 1 day', short: '<1d', maxDays: 1 },
  { label: '1–2 days', short: '1–2d', maxDays: 3 },
  { label: '3–6 days', short: '3–6d', maxDays: 7 },
  { label: '1–2 weeks', short: '1–2w', maxDays: 14 },
  { label: '2–4 weeks', short: '2–4w', maxDays: 28 },
  { label: '4 weeks or more', short: '4w+', maxDays: Number.POSITIVE_INFINITY },
] as const;

/** Waiting units by how long their line has waited, one count per AGE_BUCKETS entry. */
export function unitsByAge(lines: readonly Backorder[], now: Date): number[] {
  const counts = AGE_BUCKETS.map(() => 0);
  for (const line of lines) {
    const days = (now.getTime() - new Date(line.placedAt).getTime()) / 86_400_000;
    const bucket = AGE_BUCKETS.findIndex((b) => days < b.maxDays);
    counts[bucket === -1 ? counts.length - 1 : bucket]! += line.backorderedQuantity;
  }
  return counts;
}
