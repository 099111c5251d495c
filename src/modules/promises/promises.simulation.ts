import type { Executor } from '../../db/client.ts';
import type { StoreScope } from '../../shared/context.ts';
import { requireCalendarDate, storeToday } from '../../shared/dates.ts';
import { notFound } from '../../shared/errors.ts';
import { readLevel } from '../stock/stock.levels.repository.ts';
import { fillSpan } from '../stock/stock.queue.models.ts';
import { linesToCheck, lotsByArrival, type PromiseInputs, planSchedule } from './promises.models.ts';
import {
  type LineWhoAndWhen,
  linesWhoAndWhen,
  type PromiseChange,
  previewSchedule,
  readQueueSlice,
} from './promises.repository.ts';
import { inputsOf } from './promises.usecases.ts';

export interface RestockSimulationInput {
  sku: string;
  quantity: number;
  /** Arrival day (store time zone); today or earlier means the units are in hand now. */
  date?: string;
  /** How many rescheduled lines to list (the count covers them all). */
  show?: number;
}

export interface RestockSimulation {
  sku: string;
  quantity: number;
  date: string;
  /** Lines the units would reach, in queue order, how many units each would get, and its date now. */
  filled: ({ orderId: string; lineId: string; position: number; quantity: number } & Who & {
      previousEta: string | null;
    })[];
  /** Units left over for the shelf. */
  putaway: number;
  /** Waiting lines whose promise would change, head first (at most `show`). */
  rescheduled: (PromiseChange & Who)[];
  rescheduledCount: number;
}

/** The order number and customer of a line (the merchant recognises people, not line ids). */
type Who = Pick<LineWhoAndWhen, 'number' | 'customer'>;

/**
 * "If `quantity` units land on `date`, who ships and what happens to everyone else's date?"
 * Answers with the same rules a real arrival follows, from a plain read: nothing is written.
 * Units in hand today go to the head of the queue at once; a later arrival joins the known
 * supply in date order, after what arrives before it.
 */
export async function simulateRestock(
  db: Executor,
  store: StoreScope,
  input: RestockSimulationInput,
  now: Date,
): Promise<RestockSimulation> {
  if (input.date !== undefined) requireCalendarDate(input.date, '/date');
  const level = await readLevel(db, store.id, input.sku);
  if (!level) throw notFound('SKU', input.sku);
  const today = storeToday(store, now);
  const date = input.date ?? today;
  const inputs = inputsOf(level);
  const inHand = date <= today;
  const ahead = inHand ? 0 : unitsArrivingBy(inputs, date, today);
  const slice = await readQueueSlice(db, store.id, input.sku, ahead, ahead + input.quantity);
  // The slice starts at the line holding unit `ahead`: count from the first of its units.
  const start = slice.length > 0 ? slice[0]!.through - slice[0]!.waiting : 0;
  const positions = new Map(slice.map((line) => [line.lineId, line.position]));
  const filled = fillSpan(ahead - start, ahead + input.quantity - start, slice).map((fill) => ({
    orderId: fill.orderId,
    lineId: fill.lineId,
    position: positions.get(fill.lineId)!,
    quantity: fill.quantity,
  }));
  const used = filled.reduce((sum, f) => sum + f.quantity, 0);
  const next = planSchedule(
    inHand
      ? inputs
      : {
          ...inputs,
          // Sorts after real purchase orders arriving the same day, like `unitsArrivingBy` counts them.
          supply: [
            ...inputs.supply,
            { purchaseOrderId: '~simulation', expectedDate: date, quantity: input.quantity, lateDays: 0 },
          ],
        },
    today,
  );
  const offset = inHand ? used : 0;
  const bound = linesToCheck(level.promiseApplied?.segments ?? null, next);
  const preview = await previewSchedule(db, {
    storeId: store.id,
    sku: input.sku,
    segments: next,
    limit: bound === null ? null : bound + (inHand ? filled.length : 0),
    offset,
    show: input.show ?? 100,
  });
  const who = await linesWhoAndWhen(db, store.id, [
    ...filled.map((f) => f.lineId),
    ...preview.changes.map((c) => c.lineId),
  ]);
  const whoOf = (lineId: string): LineWhoAndWhen =>
    who.get(lineId) ?? { number: '', customer: { name: null, email: null }, eta: null };
  return {
    sku: input.sku,
    quantity: input.quantity,
    date,
    filled: filled.map((f) => {
      const { number, customer, eta } = whoOf(f.lineId);
      return { ...f, number, customer, previousEta: eta };
    }),
    putaway: input.quantity - used,
    rescheduled: preview.changes.map((c) => {
      const { number, customer } = whoOf(c.lineId);
      return { ...c, number, customer };
    }),
    rescheduledCount: preview.changedCount,
  };
}

/** Units of known supply expected to reach the queue on or before `date` (by `lotsByArrival`'s rule). */
function unitsArrivingBy(inputs: PromiseInputs, date: string, today: string): number {
  return lotsByArrival(inputs, today)
    .filter((lot) => lot.arrival <= date)
    .reduce((sum, lot) => sum + lot.quantity, 0);
}
