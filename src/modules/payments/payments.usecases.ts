import type { Executor } from '../../db/client.ts';
import type { Deps, StoreScope } from '../../shared/context.ts';
import { DomainError, notFound } from '../../shared/errors.ts';
import { getSettings } from '../settings/settings.usecases.ts';
import type { CancelLinePlan } from '../stock/stock.hooks.ts';
import { afterCancellation, unshipped } from '../stock/stock.lines.models.ts';
import { findOrder } from '../stock/stock.lines.repository.ts';
import type { PaymentMode } from '../stores/stores.tables.ts';
import { balanceBelowMinimum, paymentRequired } from './payments.errors.ts';
import { bookCapture, bookRefund, refundSource } from './payments.ledger.ts';
import { minimumCharge } from './payments.minimums.ts';
import {
  moneyTarget,
  moneyWhenComplete,
  paidOf,
  shortfallToShip,
  strandedBalance,
} from './payments.models.ts';
import { assertSameCurrency } from './payments.money.ts';
import {
  type AttemptRow,
  markPaymentsDue,
  type PaymentLineState,
  type PaymentRow,
  readAttempts,
  readHolds,
  readPaymentLines,
} from './payments.repository.ts';
import { paymentAttempts } from './payments.tables.ts';

export const readyOf = (line: PaymentLineState): boolean => !line.shipComplete || line.orderReady;

/** The payment lines of a shipment's or a cancellation's lines, locked, by line id (absent: not managed). */
async function lockedLinesById(
  tx: Executor,
  storeId: string,
  plan: readonly { lineId: string }[],
): Promise<Map<string, PaymentLineState>> {
  const lines = await readPaymentLines(tx, storeId, { lineIds: plan.map((p) => p.lineId) }, { lock: true });
  return new Map(lines.map((l) => [l.lineId, l]));
}

/** No unit ships unpaid: refuses a shipment while any of its lines lacks the money for its units. */
export async function assertPaidToShip(
  tx: Executor,
  storeId: string,
  plan: readonly { lineId: string; quantity: number }[],
): Promise<void> {
  const byId = await lockedLinesById(tx, storeId, plan);
  for (const { lineId, quantity } of plan) {
    const line = byId.get(lineId);
    if (!line) continue; // payments not managed for this line
    const shortfall = shortfallToShip(line, quantity);
    if (shortfall > 0) throw paymentRequired(lineId, quantity, shortfall, line.currency);
  }
}

/**
 * A cancellation asked for must not leave a line owing less than the provider's smallest charge
 * (strandedBalance): that money could never be collected, so the units left could never ship and
 * would be given up when the grace period ends, whatever the shopper did. Refused with 409
 * `balance_below_minimum`, naming what can be cancelled instead. A line already in that state
 * (a platform's partial refund) is not held against a cancellation that did not cause it.
 */
export async function assertCancelLeavesChargeable(
  tx: Executor,
  storeId: string,
  plan: readonly CancelLinePlan[],
): Promise<void> {
  const byId = await lockedLinesById(tx, storeId, plan);
  for (const { lineId, quantity } of plan) {
    const line = byId.get(lineId);
    if (!line) continue; // payments not managed for this line
    const minimum = minimumCharge(line.provider, line.currency);
    const ready = readyOf(line);
    const stranded = (units: number) =>
      strandedBalance(afterCancellation(line, units) ?? line, ready, minimum);
    const balance = stranded(quantity);
    if (balance === 0 || stranded(0) > 0) continue;
    let largestPartial = quantity - 1;
    while (largestPartial > 0 && stranded(largestPartial) > 0) largestPartial -= 1;
    throw balanceBelowMinimum(
      lineId,
      quantity,
      balance,
      minimum,
      line.currency,
      unshipped(line),
      largestPartial,
    );
  }
}

/**
 * Called in the same transaction as any change to lines' quantities: the collector is asked to
 * look at them, and money a `manual` store holds beyond what the lines now allow is refunded at
 * once (the store's platform pays it out on `payment.refunded`; no provider call can fail here).
 */
export async function afterQuantitiesChanged(
  tx: Executor,
  deps: Pick<Deps, 'clock' | 'ids'>,
  storeId: string,
  lineIds: readonly string[],
  reason: string,
): Promise<void> {
  if (lineIds.length === 0) return;
  const now = deps.clock.now();
  await markPaymentsDue(tx, storeId, lineIds, now);
  const manual = (await readPaymentLines(tx, storeId, { lineIds }, { lock: true })).filter(
    (l) => l.provider === 'manual',
  );
  const holds = await readHolds(
    tx,
    manual.map((l) => l.lineId),
  );
  for (const line of manual) {
    let excess = paidOf(line) - moneyTarget(line, readyOf(line));
    const own = holds.filter((h) => h.lineId === line.lineId);
    while (excess > 0) {
      const source = refundSource(own);
      if (!source) break;
      const amount = Math.min(excess, source.captured - source.refunded);
      await recordManualAttempt(tx, deps, line, 'refund', amount, source.id);
      await bookRefund(tx, deps, line, { payment: source, amount, reason });
      source.refunded += amount;
      excess -= amount;
    }
  }
}

async function recordManualAttempt(
  tx: Executor,
  deps: Pick<Deps, 'clock' | 'ids'>,
  line: PaymentLineState,
  operation: 'refund' | 'report',
  amount: number,
  paymentId: string | null,
  reference: string | null = null,
): Promise<void> {
  const id = deps.ids.next('pat');
  const now = deps.clock.now();
  await tx.insert(paymentAttempts).values({
    id,
    storeId: line.storeId,
    orderId: line.orderId,
    lineId: line.lineId,
    paymentId,
    operation,
    idempotencyKey: `${line.orderId}.${line.lineId}.${id}`,
    amount,
    currency: line.currency,
    status: 'succeeded',
    reference,
    request: { amount, reference },
    createdAt: now,
    settledAt: now,
  });
}

export interface ReportPaymentInput {
  lineId?: string;
  amount: number;
  currency?: string;
  reference?: string;
}

/**
 * A `manual` store reports money its platform took. It is booked against the line named, or spread
 * over the order's lines in line order, each taking at most what it is due now: money beyond that
 * would have to be refunded at once, so it is refused (409 `overpayment`) and nothing is booked.
 */
export async function reportPayment(
  tx: Executor,
  deps: Pick<Deps, 'clock' | 'ids'>,
  store: StoreScope,
  orderId: string,
  input: ReportPaymentInput,
): Promise<OrderPaymentsView> {
  const currency = input.currency ?? store.currency;
  assertSameCurrency(store.currency, currency);
  const all = await readPaymentLines(tx, store.id, { orderId }, { lock: true });
  if (all.length === 0) await requireOrderWithPayments(tx, store.id, orderId);
  const lines = input.lineId === undefined ? all : all.filter((l) => l.lineId === input.lineId);
  if (lines.length === 0) throw notFound('Order line', input.lineId ?? '');
  if (lines.some((l) => l.provider !== 'manual')) {
    throw new DomainError(
      'conflict',
      'provider_mismatch',
      'Payments can be reported only for orders whose store takes money itself (provider "manual")',
    );
  }
  const due = lines.map((l) => Math.max(0, moneyTarget(l, readyOf(l)) - paidOf(l)));
  const totalDue = due.reduce((a, b) => a + b, 0);
  if (input.amount > totalDue) {
    throw new DomainError(
      'conflict',
      'overpayment',
      `${input.amount} ${currency} is more than the ${totalDue} ${currency} due now`,
      { due: totalDue, currency },
    );
  }
  let left = input.amount;
  for (const [i, line] of lines.entries()) {
    const amount = Math.min(left, due[i]!);
    if (amount === 0) continue;
    left -= amount;
    await recordManualAttempt(tx, deps, line, 'report', amount, null, input.reference ?? null);
    await bookCapture(tx, deps, line, {
      amount,
      hold: null,
      providerPaymentId: input.reference ?? `manual_${orderId}`,
      reference: input.reference ?? null,
    });
    if (moneyTarget(line, readyOf(line)) === paidOf(line) && line.dueSince !== null) {
      line.dueSince = null;
      await markPaymentsDue(tx, store.id, [line.lineId], deps.clock.now());
    }
  }
  return getOrderPayments(tx, store.id, orderId);
}

async function requireOrderWithPayments(db: Executor, storeId: string, orderId: string): Promise<void> {
  if (!(await findOrder(db, storeId, orderId))) throw notFound('Order', orderId);
  throw new DomainError(
    'conflict',
    'payments_not_managed',
    `Order "${orderId}" was placed while the store's payments were not managed by Backfill`,
  );
}

export interface LinePaymentView {
  lineId: string;
  sku: string;
  mode: PaymentMode;
  amount: number;
  discount: number;
  deposit: number;
  captured: number;
  refunded: number;
  paid: number;
  /** Money due now (the shopper's units are ready, or the mode takes it up front). */
  due: number;
  /** Money still to come before every unit not cancelled is paid for. */
  balance: number;
  authorised: number;
  status: 'paid' | 'due' | 'action_required' | 'awaiting' | 'refund_due' | 'settled';
  payBy: string | null;
}

export interface OrderPaymentsView {
  orderId: string;
  provider: 'manual' | 'stripe';
  currency: string;
  total: number;
  paid: number;
  due: number;
  balance: number;
  lines: LinePaymentView[];
  holds: {
    id: string;
    lineId: string;
    state: PaymentRow['state'];
    authorised: number;
    captured: number;
    refunded: number;
    expiresAt: string | null;
  }[];
  attempts: {
    id: string;
    lineId: string;
    operation: AttemptRow['operation'];
    amount: number;
    status: AttemptRow['status'];
    reason: string | null;
    message: string | null;
    idempotencyKey: string;
    createdAt: string;
    settledAt: string | null;
  }[];
}

export async function getOrderPayments(
  db: Executor,
  storeId: string,
  orderId: string,
): Promise<OrderPaymentsView> {
  const lines = await readPaymentLines(db, storeId, { orderId });
  if (lines.length === 0) await requireOrderWithPayments(db, storeId, orderId);
  const graceDays = (await getSettings(db, storeId)).paymentGraceDays;
  const holds = await readHolds(
    db,
    lines.map((l) => l.lineId),
  );
  const attempts = await readAttempts(db, storeId, orderId);
  const views = lines.map((line): LinePaymentView => {
    const paid = paidOf(line);
    const target = moneyTarget(line, readyOf(line));
    const authorised = holds
      .filter((h) => h.lineId === line.lineId && h.state === 'authorised')
      .reduce((sum, h) => sum + h.authorised, 0);
    const balance = Math.max(0, moneyWhenComplete(line) - paid);
    const due = Math.max(0, target - paid);
    let status: LinePaymentView['status'] = 'awaiting';
    if (paid > target) status = 'refund_due';
    else if (due > 0) status = line.dueSince !== null ? 'action_required' : 'due';
    else if (balance === 0) status = line.quantity === line.cancelled ? 'settled' : 'paid';
    return {
      lineId: line.lineId,
      sku: line.sku,
      mode: line.mode,
      amount: line.amount,
      discount: line.discount,
      deposit: line.deposit,
      captured: line.captured,
      refunded: line.refunded,
      paid,
      due,
      balance,
      authorised,
      status,
      payBy:
        line.dueSince === null
          ? null
          : new Date(line.dueSince.getTime() + graceDays * 86_400_000).toISOString(),
    };
  });
  const sum = (pick: (l: LinePaymentView) => number) => views.reduce((s, l) => s + pick(l), 0);
  return {
    orderId,
    provider: lines[0]!.provider,
    currency: lines[0]!.currency,
    total: sum((l) => l.amount),
    paid: sum((l) => l.paid),
    due: sum((l) => l.due),
    balance: sum((l) => l.balance),
    lines: views,
    holds: holds.map((h) => ({
      id: h.id,
      lineId: h.lineId,
      state: h.state,
      authorised: h.authorised,
      captured: h.captured,
      refunded: h.refunded,
      expiresAt: h.expiresAt?.toISOString() ?? null,
    })),
    attempts: attempts.map((a) => ({
      id: a.id,
      lineId: a.lineId,
      operation: a.operation,
      amount: a.amount,
      status: a.status,
      reason: a.reason,
      message: a.message,
      idempotencyKey: a.idempotencyKey,
      createdAt: a.createdAt.toISOString(),
      settledAt: a.settledAt?.toISOString() ?? null,
    })),
  };
}
