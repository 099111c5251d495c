/**
 * Which waiting lines a late purchase order holds up, as a pure rule over a SKU's promise inputs:
 * the queue is dated lot by lot in order of arrival (`lotsByArrival`, the rule `planSchedule`
 * dates with), and a line waits for the lot its last unit falls in.
 */
import { lotsByArrival, type PromiseInputs } from '../promises/promises.models.ts';

/** A stretch of a queue's cumulative waiting units, (after, through], that a late lot covers. */
export interface UnitRange {
  after: number;
  through: number;
}

/** The stretches of the queue (in waiting units from the head) covered by lots due before `today`. */
export function overdueCover(inputs: PromiseInputs, today: string): UnitRange[] {
  const ranges: UnitRange[] = [];
  let through = 0;
  for (const lot of lotsByArrival(inputs, today)) {
    const after = through;
    through += lot.quantity;
    if (lot.expectedDate >= today) continue;
    const last = ranges.at(-1);
    if (last && last.through === after) last.through = through;
    else ranges.push({ after, through });
  }
  return ranges;
}

/** Whether a line whose waiting units end at cumulative unit `end` waits for one of `ranges`. */
export const coveredBy = (ranges: readonly UnitRange[], end: number): boolean =>
  ranges.some((r) => end > r.after && end <= r.through);
