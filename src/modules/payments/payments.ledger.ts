/**
 * Applies what a provider answered to Backfill's records, inside the caller's transaction, with
 * the line locked: holds and charges in `payments`, totals on the line, one event per movement.
 * Every function here is the only place its kind of movement is booked, whether the answer came
 * from a fresh call, a reconciliation or a payment the merchant reported.
 */
import { eq } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { appendEvents, type NewEvent } from '../../db/outbox.ts';
import type { Deps } from '../../shared/context.ts';
import { type PaymentLineState, type PaymentRow, saveLineMoney } from './payments.repository.ts';
import { payments } from './payments.tables.ts';

type Clocked = Pick<Deps, 'clock' | 'ids'>;

const eventOf = (line: PaymentLineState, type: string, data: Record<string, unknown>): NewEvent => ({
  storeId: line.storeId,
  type,
  data: { orderId: line.orderId, lineId: line.lineId, sku: line.sku, currency: line.currency, ...data },
});

/** Money taken: a new charge (`hold` null) or the capture of a hold. */
export async function bookCapture(
  tx: Executor,
  deps: Clocked,
  line: PaymentLineState,
  taken: { amount: number; hold: PaymentRow | null; providerPaymentId: string; reference?: string | null },
): Promise<void> {
  const now = deps.clock.now();
  let paymentId: string;
  if (taken.hold) {
    paymentId = taken.hold.id;
    await tx
      .update(payments)
      .set({ state: 'captured', captured: taken.amount, updatedAt: now })
      .where(eq(payments.id, paymentId));
  } else {
    paymentId = deps.ids.next('pay');
    await tx.insert(payments).values({
      id: paymentId,
      storeId: line.storeId,
      orderId: line.orderId,
      lineId: line.lineId,
      provider: line.provider,
      providerPaymentId: taken.providerPaymentId,
      state: 'captured',
      currency: line.currency,
      authorised: taken.amount,
      captured: taken.amount,
      refunded: 0,
      reference: taken.reference ?? null,
      createdAt: now,
      updatedAt: now,
    });
  }
  line.captured += taken.amount;
  line.failures = 0;
  await saveLineMoney(tx, line, now);
  await appendEvents(tx, deps, [eventOf(line, 'payment.captured', { paymentId, amount: taken.amount })]);
}

/** A hold placed on the shopper's method (renewing `renews`, a lapsed hold, when given). */
export async function bookAuthorisation(
  tx: Executor,
  deps: Clocked,
  line: PaymentLineState,
  hold: { amount: number; providerPaymentId: string; expiresAt: Date; renews: string | null },
): Promise<void> {
  const now = deps.clock.now();
  const paymentId = deps.ids.next('pay');
  await tx.insert(payments).values({
    id: paymentId,
    storeId: line.storeId,
    orderId: line.orderId,
    lineId: line.lineId,
    provider: line.provider,
    providerPaymentId: hold.providerPaymentId,
    state: 'authorised',
    currency: line.currency,
    authorised: hold.amount,
    captured: 0,
    refunded: 0,
    expiresAt: hold.expiresAt,
    createdAt: now,
    updatedAt: now,
  });
  if (hold.renews !== null) await setHoldState(tx, hold.renews, 'voided', now);
  await appendEvents(tx, deps, [
    eventOf(line, 'payment.authorised', {
      paymentId,
      amount: hold.amount,
      expiresAt: hold.expiresAt.toISOString(),
      renews: hold.renews,
    }),
  ]);
}

export async function setHoldState(
  tx: Executor,
  holdId: string,
  state: PaymentRow['state'],
  now: Date,
): Promise<void> {
  await tx.update(payments).set({ state, updatedAt: now }).where(eq(payments.id, holdId));
}

/** Money given back from one captured payment. */
export async function bookRefund(
  tx: Executor,
  deps: Clocked,
  line: PaymentLineState,
  refund: { payment: PaymentRow; amount: number; reason: string },
): Promise<void> {
  const now = deps.clock.now();
  await tx
    .update(payments)
    .set({ refunded: refund.payment.refunded + refund.amount, updatedAt: now })
    .where(eq(payments.id, refund.payment.id));
  line.refunded += refund.amount;
  line.failures = 0;
  await saveLineMoney(tx, line, now);
  await appendEvents(tx, deps, [
    eventOf(line, 'payment.refunded', {
      paymentId: refund.payment.id,
      amount: refund.amount,
      reason: refund.reason,
    }),
  ]);
}

/** The captured payment a refund of the line draws on next: the newest with money left on it. */
export function refundSource(holds: readonly PaymentRow[]): PaymentRow | null {
  for (let i = holds.length - 1; i >= 0; i--) {
    const row = holds[i]!;
    if (row.captured - row.refunded > 0) return row;
  }
  return null;
}

export { eventOf as paymentEvent };
