/**
 * When money moves, as pure rules. A line's units are counted in one order (shipped, then
 * allocated, then waiting; cancelled units come off the end), and the money belonging to the first
 * k units is read off one cumulative split of the line's amount (`unitShare`), so every partial
 * capture, shipment or refund adds up to the cent.
 *
 * The one quantity everything follows from is the line's *target*: the money Backfill should hold
 * for it right now. Upfront lines hold the price of every unit not cancelled; deposit lines the
 * price of ready units plus the deposit share of the others; pay-on-shipment lines the price of
 * ready units only. Less than the target is collected, more is refunded, and a unit ships only
 * when the money for it and every unit shipped before it is in.
 */

import type { PaymentMode } from '../stores/stores.tables.ts';
import { unitShare } from './payments.money.ts';

export interface LineMoney {
  mode: PaymentMode;
  quantity: number;
  allocated: number;
  backordered: number;
  shipped: number;
  cancelled: number;
  /** The line's price after its share of the order's discount. */
  amount: number;
  /** The deposit on the whole line (deposit mode; 0 otherwise). */
  deposit: number;
  captured: number;
  refunded: number;
}

/** A hold or charge at the provider, as the rules need to see it. */
export interface HoldView {
  id: string;
  state: 'authorised' | 'captured' | 'voided' | 'expired';
  authorised: number;
  captured: number;
  refunded: number;
  expiresAt: Date | null;
}

export const paidOf = (line: Pick<LineMoney, 'captured' | 'refunded'>): number =>
  line.captured - line.refunded;

/** The price of the line's first `units` units. */
export const priceOfUnits = (line: LineMoney, units: number): number =>
  line.quantity === 0 ? 0 : unitShare(line.amount, line.quantity, 0, units);

const depositOfUnits = (line: LineMoney, from: number, count: number): number =>
  line.quantity === 0 || line.deposit === 0 ? 0 : unitShare(line.deposit, line.quantity, from, count);

/**
 * The money to hold for the line now. `ready` is false while the order ships complete and some of
 * it still waits: its allocated units then count as waiting.
 */
export function moneyTarget(line: LineMoney, ready = true): number {
  const settled = line.shipped + (ready ? line.allocated : 0);
  const open = line.shipped + line.allocated + line.backordered;
  const full = priceOfUnits(line, settled);
  if (line.mode === 'upfront') return priceOfUnits(line, open);
  if (line.mode === 'deposit') return full + depositOfUnits(line, settled, open - settled);
  return full;
}

/** The money the line will need once every unit not cancelled is ready. */
export const moneyWhenComplete = (line: LineMoney): number =>
  priceOfUnits(line, line.shipped + line.allocated + line.backordered);

/** Shipping `units` more units needs the price of those and of every unit already shipped. */
export function shortfallToShip(line: LineMoney, units: number): number {
  return Math.max(0, priceOfUnits(line, line.shipped + units) - paidOf(line));
}

export const isLiveHold = (hold: HoldView, now: Date): boolean =>
  hold.state === 'authorised' && (hold.expiresAt === null || hold.expiresAt > now);

export type PaymentStep =
  | { kind: 'none' }
  | { kind: 'refund'; amount: number }
  | { kind: 'capture'; holdId: string; amount: number }
  | { kind: 'expire'; holdId: string }
  | { kind: 'authorise'; amount: number; renews: string | null }
  | { kind: 'charge'; amount: number }
  | { kind: 'void'; holdId: string }
  | { kind: 'save_method' }
  /** The line's next charge would be below the provider's minimum, or leave less than it to come. */
  | { kind: 'pay_up_front' };

export interface StepContext {
  now: Date;
  ready: boolean;
  /** The line's promise date is within the authorisation window (a hold will not lapse first). */
  shortWait: boolean;
  /** A saved method was verified for the line (long waits). */
  methodSaved: boolean;
  /** The provider's smallest charge in the line's currency (minor units; 1 = none). */
  minimum: number;
}

/**
 * Money never moves in amounts below the provider's minimum charge. A deposit below it is not taken
 * at placement (payments.placement.ts: it is folded into the charge made when the units are ready)
 * and a balance below it is taken with the deposit. Later, when the money due now is below the
 * minimum, or collecting it would leave less than the minimum to collect afterwards, the line pays
 * its whole remaining balance at once: it becomes an upfront line. Nothing else makes a line switch,
 * so what is left to collect is always 0 or at least the minimum.
 */
export function mustPayUpFront(line: LineMoney, ready: boolean, minimum: number): boolean {
  if (line.mode === 'upfront' || minimum <= 1) return false;
  const target = moneyTarget(line, ready);
  const paid = paidOf(line);
  const left = moneyWhenComplete(line) - target;
  return (target > paid && target - paid < minimum) || (left > 0 && left < minimum);
}

/**
 * What the line would be left owing that no charge could carry: a balance above 0 but below the
 * provider's minimum once it pays up front (mustPayUpFront), so it could neither be collected nor
 * shipped without. The rules above keep every line away from it, except a partial cancellation
 * that takes the line's price below what it paid plus the minimum (3 units at 33 cents paid on
 * shipment, 2 cancelled: 33 cents left to pay). Follows the rules: the line switches to paying up
 * front if it must, money above its target is refunded, and the rest is what it still owes. 0 when
 * it owes nothing or enough to charge.
 */
export function strandedBalance(line: LineMoney, ready: boolean, minimum: number): number {
  if (minimum <= 1) return 0;
  const now: LineMoney = mustPayUpFront(line, ready, minimum) ? { ...line, mode: 'upfront' } : line;
  const kept = Math.min(paidOf(now), moneyTarget(now, ready));
  const owed = moneyWhenComplete(now) - kept;
  return owed > 0 && owed < minimum ? owed : 0;
}

/**
 * The next provider step for a line, or none. Refunds come first (a cancellation must not wait on a
 * collection); a shortfall is captured from a live hold, else an expired hold is renewed, else the
 * saved method is charged; holds no longer needed are voided; a waiting balance is held when the
 * wait is short enough for the hold to last, and the method is verified and saved when it is not.
 */
export function nextPaymentStep(
  line: LineMoney,
  holds: readonly HoldView[],
  context: StepContext,
): PaymentStep {
  if (mustPayUpFront(line, context.ready, context.minimum)) return { kind: 'pay_up_front' };
  const paid = paidOf(line);
  const target = moneyTarget(line, context.ready);
  if (paid > target) return { kind: 'refund', amount: paid - target };
  const live = holds.filter((h) => isLiveHold(h, context.now));
  const lapsed = holds.find((h) => h.state === 'authorised' && !isLiveHold(h, context.now));
  if (lapsed) return { kind: 'expire', holdId: lapsed.id };
  const need = target - paid;
  // Below the minimum even as a whole balance: no charge can carry it (see mustPayUpFront).
  if (need > 0 && need < context.minimum) return { kind: 'none' };
  if (need > 0) {
    const hold = live[0];
    if (hold) return { kind: 'capture', holdId: hold.id, amount: Math.min(need, hold.authorised) };
    const renewed = holds.find((h) => h.state === 'expired' && h.captured === 0);
    if (renewed && !holds.some((h) => h.state === 'authorised'))
      return { kind: 'authorise', amount: need, renews: renewed.id };
    return { kind: 'charge', amount: need };
  }
  const later = moneyWhenComplete(line) - paid;
  const held = live.reduce((sum, h) => sum + h.authorised, 0);
  if (live.length > 0 && (later <= 0 || held > later)) return { kind: 'void', holdId: live[0]!.id };
  if (later > 0 && live.length === 0) {
    if (
      context.shortWait &&
      later >= context.minimum &&
      !holds.some((h) => h.state !== 'voided' && h.captured === 0)
    )
      return { kind: 'authorise', amount: later, renews: null };
    if (!context.shortWait && !context.methodSaved) return { kind: 'save_method' };
  }
  return { kind: 'none' };
}

/** Hours to wait after the n-th failure in a row (1-based) before trying again. */
export function retryDelayHours(failures: number): number {
  const schedule = [1, 6, 24];
  return schedule[Math.min(failures, schedule.length) - 1] ?? 24;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * Which failure's retry schedule a step waits on: a refused refund holds back refunds only, and a
 * refused card (hold, charge, capture, saved method) holds back only what asks that card for
 * money, so a cancellation's refund or a void never waits for a declined card. Voids never wait.
 */
export function failureKindOf(kind: PaymentStep['kind']): 'card' | 'refund' | null {
  if (kind === 'refund') return 'refund';
  if (kind === 'void' || kind === 'none' || kind === 'expire' || kind === 'pay_up_front') return null;
  return 'card';
}

/**
 * When a line may be tried again after its `failures`-th failure in a row, the last at
 * `lastFailureAt`. Counted from the failure itself, not from when the line was last marked due:
 * a restock, a release or a shipment's pre-collect must not make a declined card be asked again
 * early (only the merchant's `force` does).
 */
export const retryAt = (lastFailureAt: Date, failures: number): Date =>
  new Date(lastFailureAt.getTime() + retryDelayHours(Math.max(failures, 1)) * HOUR);

/**
 * When the collector should next look at a line waiting for a retry: at the retry, or at the end
 * of its grace period if that comes first (the line is then given up). A grace period already
 * over, or none (nothing due yet), never brings the look forward — else a line whose grace ended
 * without anything due would be looked at, and its card tried, on every run.
 */
export function nextLookAt(retry: Date, graceEnds: Date | null, now: Date): Date {
  return graceEnds !== null && graceEnds > now && graceEnds < retry ? graceEnds : retry;
}

/**
 * Whether a refused card asks the shopper to act (`payment.action_required`, which emails them):
 * at the first failure in a row, when the grace period starts (money just fell due, with a pay-by
 * date), and otherwise only once a day at most: the retries at 1 h and 6 h are not news to them.
 */
export function asksShopperAfterFailure(failure: {
  failures: number;
  graceStarts: boolean;
  previousFailureAt: Date | null;
  now: Date;
}): boolean {
  if (failure.failures <= 1 || failure.graceStarts || failure.previousFailureAt === null) return true;
  return failure.now.getTime() - failure.previousFailureAt.getTime() >= DAY;
}
