/**
 * The payment collector: moves money for lines whose quantities changed (placement, allocation,
 * cancellation) or whose retry is due, and settles attempts left in doubt. Each provider call is
 * written as a `pending` attempt and committed before the call, then settled after it in a second
 * transaction, so a crash or timeout in between leaves a record, never a lost or doubled charge:
 * a pending attempt blocks every other step on its line until `reconcile` settles it through the
 * provider, with the same idempotency key (a replay is answered, never executed twice).
 */
import { eq, sql } from 'drizzle-orm';
import { type Executor, inTransaction, queryRows } from '../../db/client.ts';
import { appendEvents } from '../../db/outbox.ts';
import type { Deps, StoreScope } from '../../shared/context.ts';
import { daysBetween, storeToday } from '../../shared/dates.ts';
import { getSettings } from '../settings/settings.usecases.ts';
import { cancelOrder } from '../stock/stock.release.ts';
import {
  bookAuthorisation,
  bookCapture,
  bookRefund,
  paymentEvent,
  refundSource,
  setHoldState,
} from './payments.ledger.ts';
import { minimumCharge } from './payments.minimums.ts';
import {
  asksShopperAfterFailure,
  failureKindOf,
  moneyTarget,
  moneyWhenComplete,
  nextLookAt,
  nextPaymentStep,
  type PaymentStep,
  paidOf,
  retryAt,
} from './payments.models.ts';
import {
  type PaymentOutcome,
  type PaymentProvider,
  type ProviderOutcome,
  type ProviderRefund,
  ProviderUnavailable,
  type SavedPaymentMethod,
} from './payments.providers.ts';
import {
  type AttemptRow,
  failureStreaks,
  holdView,
  type PaymentLineState,
  type PaymentRow,
  payUpFront,
  readHolds,
  readPaymentLines,
  saveLineMoney,
} from './payments.repository.ts';
import { paymentAttempts } from './payments.tables.ts';
import { readyOf } from './payments.usecases.ts';

export interface PaymentProviders {
  manual: PaymentProvider;
  stripe: PaymentProvider | null;
}

export interface CollectorOptions {
  storeIds?: readonly string[];
  orderId?: string;
  /** Attempts pending for longer than this are settled by reconciliation (Stripe's search lags ~1 min). */
  reconcileAfterMs?: number;
  /** Most lines looked at in one run. */
  limit?: number;
  /** Look at every line in scope now, and settle attempts in doubt however recent (a merchant's "collect now"). */
  everyLine?: boolean;
  /** Also retry a declined card before its retry is due (the merchant's `force: true`). */
  ignoreRetrySchedule?: boolean;
  /**
   * Shutdown: once aborted, no new provider call is started; a call in flight is finished and
   * booked, then the run returns.
   */
  signal?: AbortSignal;
}

interface PaymentStore extends StoreScope {
  graceDays: number;
  authorisationDays: number;
}

type Operation = 'authorise' | 'capture' | 'charge' | 'refund' | 'void' | 'save_method';
type Call = { operation: Operation; request: Record<string, unknown> };

export interface CollectorResult {
  lines: number;
  attempts: number;
  reconciled: number;
}

const DAY = 86_400_000;

/** One run: reconcile attempts in doubt, then look at every line that is due. */
export async function collectPayments(
  deps: Deps,
  providers: PaymentProviders,
  options: CollectorOptions = {},
): Promise<CollectorResult> {
  const result: CollectorResult = { lines: 0, attempts: 0, reconciled: 0 };
  const now = deps.clock.now();
  const scope = scopeSql(options);
  const doubtful = await queryRows<{ id: string; store_id: string }>(
    deps.db,
    sql`SELECT id, store_id FROM payment_attempts a
         WHERE status = 'pending'
           AND created_at <= ${new Date(now.getTime() - (options.everyLine ? 0 : (options.reconcileAfterMs ?? 60_000)))}::timestamptz
           ${scope('a')}
         ORDER BY created_at LIMIT ${options.limit ?? 500}`,
  );
  for (const attempt of doubtful) {
    if (options.signal?.aborted) return result;
    if (await reconcile(deps, providers, attempt.store_id, attempt.id, options.signal))
      result.reconciled += 1;
  }
  const due = await queryRows<{ line_id: string; store_id: string }>(
    deps.db,
    sql`SELECT line_id, store_id FROM payment_lines a
         WHERE ${options.everyLine ? sql`true` : sql`next_attempt_at <= ${now}::timestamptz`} ${scope('a')}
         ORDER BY next_attempt_at LIMIT ${options.limit ?? 500}`,
  );
  for (const line of due) {
    if (options.signal?.aborted) break;
    result.lines += 1;
    result.attempts += await settleLine(deps, providers, line.store_id, line.line_id, {
      ignoreRetrySchedule: options.ignoreRetrySchedule ?? false,
      signal: options.signal,
    });
  }
  return result;
}

function scopeSql(options: CollectorOptions) {
  return (alias: string) => {
    const parts = [];
    if (options.storeIds)
      parts.push(sql` AND ${sql.raw(alias)}.store_id = ANY(${sql.param([...options.storeIds])}::text[])`);
    if (options.orderId) parts.push(sql` AND ${sql.raw(alias)}.order_id = ${options.orderId}`);
    return sql.join(parts, sql``);
  };
}

async function readStore(db: Executor, storeId: string): Promise<PaymentStore> {
  const settings = await getSettings(db, storeId);
  return {
    id: storeId,
    currency: settings.currency,
    timezone: settings.timezone,
    graceDays: settings.paymentGraceDays,
    authorisationDays: settings.authorisationDays,
  };
}

const PAYMENT_DUE = { reason: 'payment_required', message: 'Payment is due', clientSecret: null };
const METHOD_REQUIRED = {
  reason: 'payment_method_required',
  message: 'No saved payment method for this order',
  clientSecret: null,
};

/** What the line's attempts so far say, in one read: one in doubt? a method saved? how many? */
async function attemptHistory(
  tx: Executor,
  lineId: string,
): Promise<{ pending: boolean; methodSaved: boolean; count: number }> {
  const [row] = await queryRows<{ pending: boolean | null; saved: boolean | null; n: number }>(
    tx,
    sql`SELECT bool_or(status = 'pending') AS pending,
               bool_or(operation = 'save_method' AND status = 'succeeded') AS saved, count(*)::int AS n
          FROM payment_attempts WHERE line_id = ${lineId}`,
  );
  return { pending: row?.pending ?? false, methodSaved: row?.saved ?? false, count: row?.n ?? 0 };
}

const graceEndOf = (line: PaymentLineState, store: PaymentStore): Date | null =>
  line.dueSince === null ? null : new Date(line.dueSince.getTime() + store.graceDays * DAY);

/**
 * Takes a line as far as it can go now; returns the number of provider calls made. A refused call
 * ends the line's turn: its retry waits for its schedule, so one run never tries a card twice.
 */
async function settleLine(
  deps: Deps,
  providers: PaymentProviders,
  storeId: string,
  lineId: string,
  options: { ignoreRetrySchedule: boolean; signal: AbortSignal | undefined },
): Promise<number> {
  const store = await readStore(deps.db, storeId);
  let calls = 0;
  for (let step = 0; step < 8; step++) {
    if (options.signal?.aborted) return calls;
    const next = await inTransaction(deps.db, (tx) =>
      prepare(tx, deps, store, lineId, options.ignoreRetrySchedule && step === 0),
    );
    if (next.kind === 'done') return calls;
    if (next.kind === 'give_up') {
      await giveUp(deps, store, next.line);
      continue;
    }
    // Stopped while the attempt was being written: it is left pending, as a crash here would leave
    // it, and the next run's reconciliation looks it up and, not finding it, makes the call.
    if (options.signal?.aborted) return calls;
    const provider = providerOf(providers, next.line.provider);
    calls += 1;
    const outcome = await callProvider(provider, next.call);
    if (outcome === 'unknown') return calls; // stays pending: reconciliation settles it
    const refused = await inTransaction(deps.db, (tx) => settle(tx, deps, store, next.attempt.id, outcome));
    if (refused) return calls;
  }
  return calls;
}

type Prepared =
  | { kind: 'done' }
  | { kind: 'give_up'; line: PaymentLineState }
  | { kind: 'call'; line: PaymentLineState; attempt: AttemptRow; call: Call };

/**
 * Under the line's lock: decides the next step and, when it needs the provider, writes the attempt
 * as pending (committed before the call). Steps without a call (a lapsed hold, a missing method, a
 * manual store's reminder) are booked here directly.
 */
async function prepare(
  tx: Executor,
  deps: Deps,
  store: PaymentStore,
  lineId: string,
  ignoreRetrySchedule = false,
): Promise<Prepared> {
  const [line] = await readPaymentLines(tx, store.id, { lineIds: [lineId] }, { lock: true });
  if (!line) return { kind: 'done' };
  const now = deps.clock.now();
  const history = await attemptHistory(tx, lineId);
  if (history.pending) return { kind: 'done' }; // in doubt: only reconciliation may move it
  const holds = await readHolds(tx, [lineId]);
  const ready = readyOf(line);
  const need = moneyTarget(line, ready) - paidOf(line);
  if (
    need > 0 &&
    line.dueSince !== null &&
    now.getTime() >= line.dueSince.getTime() + store.graceDays * DAY
  ) {
    return { kind: 'give_up', line };
  }
  // A manual store's money moves outside Backfill (refunds are booked when units are cancelled):
  // all the collector does for it is remind the shopper, and end the grace period.
  const step =
    line.provider === 'manual'
      ? ({ kind: 'none' } as const)
      : nextPaymentStep(line, holds.map(holdView), {
          now,
          ready,
          shortWait:
            line.eta === null || daysBetween(storeToday(store, now), line.eta) <= store.authorisationDays,
          methodSaved: history.methodSaved,
          minimum: minimumCharge(line.provider, line.currency),
        });
  if (step.kind === 'none') {
    if (need > 0) await askShopper(tx, deps, store, line, PAYMENT_DUE, null);
    else await finish(tx, line, now);
    return { kind: 'done' };
  }
  if (step.kind === 'pay_up_front') {
    await payUpFront(tx, line.lineId, now);
    await appendEvents(tx, deps, [
      paymentEvent(line, 'payment.up_front', {
        reason: 'below_minimum',
        minimum: minimumCharge(line.provider, line.currency),
        balance: moneyWhenComplete(line) - paidOf(line),
      }),
    ]);
    return prepare(tx, deps, store, lineId, ignoreRetrySchedule);
  }
  if (step.kind === 'expire') {
    await setHoldState(tx, step.holdId, 'expired', now);
    await appendEvents(tx, deps, [
      paymentEvent(line, 'payment.authorisation_expired', { paymentId: step.holdId }),
    ]);
    return prepare(tx, deps, store, lineId, ignoreRetrySchedule);
  }
  // Holding, saving or charging needs the shopper's method; without one, money due is asked for
  // (once per due period) and a hold or saved method for later is simply not taken.
  if (!line.method.paymentMethodId && ['authorise', 'charge', 'save_method'].includes(step.kind)) {
    if (need > 0) await askShopper(tx, deps, store, line, METHOD_REQUIRED, null);
    else await finish(tx, line, now);
    return { kind: 'done' };
  }
  // After a refusal, the same kind of call waits for its retry (retryDelayHours), whatever made the
  // line due meanwhile (a restock, a release, a shipment's pre-collect); only `force` skips it. The
  // refusals are read from the attempts, so a refund or void that works meanwhile does not reset a
  // declined card's schedule.
  const failureKind = failureKindOf(step.kind);
  const streak = failureKind === null ? null : (await failureStreaks(tx, lineId))[failureKind];
  if (!ignoreRetrySchedule && streak?.lastAt) {
    const retry = retryAt(streak.lastAt, streak.failures);
    if (retry > now) {
      line.nextAttemptAt = nextLookAt(retry, graceEndOf(line, store), now);
      await saveLineMoney(tx, line, now);
      return { kind: 'done' };
    }
  }
  const call = buildCall(line, step, holds, store, now);
  if (!call) return { kind: 'done' };
  const n = history.count + 1;
  const attempt: AttemptRow = {
    id: deps.ids.next('pat'),
    storeId: store.id,
    orderId: line.orderId,
    lineId,
    paymentId: call.paymentId,
    operation: call.operation,
    idempotencyKey: `${line.orderId}.${lineId}.${n}`,
    amount: call.amount,
    currency: line.currency,
    status: 'pending',
    reason: null,
    message: null,
    reference: null,
    request: {},
    createdAt: now,
    settledAt: null,
  };
  attempt.request = { ...call.request, idempotencyKey: attempt.idempotencyKey };
  await tx.insert(paymentAttempts).values(attempt);
  return { kind: 'call', line, attempt, call: { operation: call.operation, request: attempt.request } };
}

function buildCall(
  line: PaymentLineState,
  step: Exclude<PaymentStep, { kind: 'none' } | { kind: 'expire' } | { kind: 'pay_up_front' }>,
  holds: readonly PaymentRow[],
  store: PaymentStore,
  now: Date,
): (Call & { amount: number; paymentId: string | null }) | null {
  const metadata = { orderId: line.orderId, lineId: line.lineId, storeId: store.id };
  const money = (amount: number) => ({ amount, currency: line.currency });
  const method = { customerId: line.method.customerId, paymentMethodId: line.method.paymentMethodId };
  switch (step.kind) {
    case 'refund': {
      const source = refundSource(holds);
      if (!source) return null;
      const amount = Math.min(step.amount, source.captured - source.refunded);
      return {
        operation: 'refund',
        amount,
        paymentId: source.id,
        request: { paymentId: source.providerPaymentId, amount: money(amount), metadata },
      };
    }
    case 'capture': {
      const hold = holds.find((h) => h.id === step.holdId)!;
      return {
        operation: 'capture',
        amount: step.amount,
        paymentId: hold.id,
        request: { paymentId: hold.providerPaymentId, amount: money(step.amount) },
      };
    }
    case 'void': {
      const hold = holds.find((h) => h.id === step.holdId)!;
      return {
        operation: 'void',
        amount: hold.authorised,
        paymentId: hold.id,
        request: { paymentId: hold.providerPaymentId, amount: money(hold.authorised) },
      };
    }
    case 'authorise':
      return {
        operation: 'authorise',
        amount: step.amount,
        paymentId: step.renews,
        request: {
          ...method,
          amount: money(step.amount),
          metadata,
          expiresAt: new Date(now.getTime() + store.authorisationDays * DAY).toISOString(),
        },
      };
    case 'charge':
      return {
        operation: 'charge',
        amount: step.amount,
        paymentId: null,
        request: { ...method, amount: money(step.amount), metadata },
      };
    case 'save_method':
      return { operation: 'save_method', amount: 0, paymentId: null, request: { ...method, metadata } };
  }
}

type Outcome = ProviderOutcome<unknown> | 'unknown';

const providerOf = (providers: PaymentProviders, name: string): PaymentProvider => {
  const provider = name === 'stripe' ? providers.stripe : providers.manual;
  if (!provider) throw new Error(`payment provider "${name}" is not configured (set STRIPE_SECRET_KEY)`);
  return provider;
};

/**
 * Makes the call an attempt records; `unknown` when the provider's answer never came, and when the
 * provider says the key was used for another request (`idempotency_conflict`): the key has been
 * seen, so money may have moved under it. Such an attempt stays pending until reconciliation
 * finds what the key did; it is never retried under a new key.
 */
async function callProvider(provider: PaymentProvider, call: Call): Promise<Outcome> {
  const outcome = await sendCall(provider, call);
  if (outcome !== 'unknown' && outcome.status === 'failed' && outcome.reason === 'idempotency_conflict')
    return 'unknown';
  return outcome;
}

async function sendCall(provider: PaymentProvider, call: Call): Promise<Outcome> {
  const r = call.request as never;
  try {
    switch (call.operation) {
      case 'authorise':
        return await provider.authorise(r);
      case 'capture':
        return await provider.capture(r);
      case 'charge':
        return await provider.chargeSavedMethod(r);
      case 'refund':
        return await provider.refund(r);
      case 'void':
        return await provider.voidAuthorisation(r);
      case 'save_method':
        return await provider.saveMethod(r);
    }
    throw new Error(`unknown payment operation "${call.operation}"`);
  } catch (error) {
    if (error instanceof ProviderUnavailable) return 'unknown';
    throw error;
  }
}

/**
 * Books an attempt's outcome, once: an attempt already settled (by a racing reconciliation) is left
 * alone. True when the provider refused it and a retry was scheduled.
 */
async function settle(
  tx: Executor,
  deps: Deps,
  store: PaymentStore,
  attemptId: string,
  outcome: ProviderOutcome<unknown>,
): Promise<boolean> {
  const [attempt] = await tx.select().from(paymentAttempts).where(eq(paymentAttempts.id, attemptId));
  if (!attempt) return false;
  const [line] = await readPaymentLines(tx, store.id, { lineIds: [attempt.lineId] }, { lock: true });
  const [fresh] = await tx.select().from(paymentAttempts).where(eq(paymentAttempts.id, attemptId));
  if (!line || fresh?.status !== 'pending') return false;
  const now = deps.clock.now();
  const holds = await readHolds(tx, [line.lineId]);
  const hold = holds.find((h) => h.id === attempt.paymentId) ?? null;
  const done = (status: AttemptRow['status'], extra: Partial<AttemptRow> = {}) =>
    tx
      .update(paymentAttempts)
      .set({ status, settledAt: now, ...extra })
      .where(eq(paymentAttempts.id, attemptId));
  if (outcome.status === 'succeeded') {
    const result = outcome.result as Record<string, unknown>;
    if (attempt.operation === 'refund') {
      const refund = result as unknown as ProviderRefund;
      await done('succeeded', { reference: refund.refundId });
      await bookRefund(tx, deps, line, { payment: hold!, amount: attempt.amount, reason: 'cancelled' });
    } else if (attempt.operation === 'save_method') {
      await done('succeeded', { reference: (result as unknown as SavedPaymentMethod).setupId });
    } else {
      const payment = (outcome as PaymentOutcome & { status: 'succeeded' }).result;
      const expected = { authorise: 'authorised', charge: 'captured', capture: 'captured' } as const;
      const wanted = expected[attempt.operation as keyof typeof expected];
      // Still processing at the provider: the attempt stays pending and reconciliation comes back.
      if (wanted !== undefined && payment.state !== wanted) return false;
      await done('succeeded', { reference: payment.paymentId });
      if (attempt.operation === 'void') await setHoldState(tx, hold!.id, 'voided', now);
      else if (attempt.operation === 'authorise') {
        const expiresAt = new Date(String(attempt.request.expiresAt ?? now.toISOString()));
        await bookAuthorisation(tx, deps, line, {
          amount: attempt.amount,
          providerPaymentId: payment.paymentId,
          expiresAt,
          renews: attempt.paymentId,
        });
      } else {
        await bookCapture(tx, deps, line, {
          amount: attempt.amount,
          hold: attempt.operation === 'capture' ? hold : null,
          providerPaymentId: payment.paymentId,
        });
      }
    }
    await finish(tx, line, now, true);
    return false;
  }
  await done(outcome.status, {
    reason: outcome.reason,
    message: outcome.message,
    reference: outcome.reference,
  });
  if (outcome.status === 'failed' && outcome.reason === 'authorisation_expired' && hold) {
    await setHoldState(tx, hold.id, 'expired', now);
    await finish(tx, line, now, true);
    return false;
  }
  if (
    outcome.status === 'failed' &&
    attempt.operation === 'void' &&
    outcome.reason === 'unexpected_state' &&
    hold
  ) {
    await setHoldState(tx, hold.id, 'voided', now);
    await finish(tx, line, now, true);
    return false;
  }
  if (attempt.operation === 'refund') {
    line.failures += 1;
    line.nextAttemptAt = retryAt(
      now,
      (await failureStreaks(tx, line.lineId, attempt.id)).refund.failures + 1,
    );
    await saveLineMoney(tx, line, now);
    await appendEvents(tx, deps, [
      paymentEvent(line, 'payment.refund_failed', {
        amount: attempt.amount,
        reason: outcome.reason,
        message: outcome.message,
      }),
    ]);
    return true;
  }
  const clientSecret = outcome.status === 'requires_action' ? outcome.clientSecret : null;
  const before = (await failureStreaks(tx, line.lineId, attempt.id)).card;
  await askShopper(
    tx,
    deps,
    store,
    line,
    { reason: outcome.reason, message: outcome.message, clientSecret, amount: attempt.amount },
    { inARow: before.failures + 1, previousAt: before.lastAt },
  );
  return true;
}

/** Nothing more to do until the line's quantities change again (or, right after a step, at once). */
async function finish(tx: Executor, line: PaymentLineState, now: Date, again = false): Promise<void> {
  line.failures = 0;
  line.nextAttemptAt = again ? now : null;
  if (moneyTarget(line, readyOf(line)) <= paidOf(line)) line.dueSince = null;
  await saveLineMoney(tx, line, now);
}

/**
 * Money is due and did not come, or the card was refused: the shopper is asked to act
 * (`payment.action_required`, with what a pay link needs) and, after a refusal (`failure`: how
 * many in a row, and when the one before it was), a retry is scheduled (1 h, 6 h, then daily).
 * The grace period runs only while money is due: it starts (once) when money due is not paid. A
 * hold or a saved method refused for units still waiting starts none: such a line is never given
 * up for it (nothing is unpaid yet), its card is tried again daily until it works or the units are
 * ready (the money then due gets its grace period from its first refusal), and the shopper hears
 * of it at most once a day.
 */
async function askShopper(
  tx: Executor,
  deps: Deps,
  store: PaymentStore,
  line: PaymentLineState,
  why: { reason: string; message: string; clientSecret: string | null; amount?: number },
  failure: { inARow: number; previousAt: Date | null } | null,
): Promise<void> {
  const now = deps.clock.now();
  const due = moneyTarget(line, readyOf(line)) - paidOf(line);
  const graceStarts = due > 0 && line.dueSince === null;
  if (graceStarts) line.dueSince = now;
  else if (due <= 0) line.dueSince = null;
  const graceEnds = graceEndOf(line, store);
  if (failure === null) {
    // Money due with no refusal (a manual store, no method): asked once per due period; the line is
    // next looked at when its grace period ends.
    line.nextAttemptAt = graceEnds;
    await saveLineMoney(tx, line, now);
    if (!graceStarts) return;
  } else {
    line.failures += 1;
    line.nextAttemptAt = nextLookAt(retryAt(now, failure.inARow), graceEnds, now);
    await saveLineMoney(tx, line, now);
    const asks = asksShopperAfterFailure({
      failures: failure.inARow,
      graceStarts,
      previousFailureAt: failure.previousAt,
      now,
    });
    if (!asks) return;
  }
  await appendEvents(tx, deps, [
    paymentEvent(line, 'payment.action_required', {
      amount: Math.max(due, why.amount ?? 0),
      reason: why.reason,
      message: why.message,
      clientSecret: why.clientSecret,
      attempt: line.failures,
      payBy: graceEnds?.toISOString() ?? null,
      retryAt: line.nextAttemptAt?.toISOString() ?? null,
    }),
  ]);
}

/** The grace period is over: the line's unshipped units are cancelled (and go to the next in line). */
async function giveUp(deps: Deps, store: PaymentStore, line: PaymentLineState): Promise<void> {
  await inTransaction(deps.db, async (tx) => {
    const order = await cancelOrder(
      tx,
      deps,
      store,
      line.orderId,
      {
        lines: [{ lineId: line.lineId, quantity: line.quantity - line.shipped - line.cancelled }],
        reason: 'payment_failed',
      },
      { refusable: false },
    );
    const [after] = await readPaymentLines(tx, store.id, { lineIds: [line.lineId] }, { lock: true });
    after!.dueSince = null;
    after!.failures = 0;
    after!.nextAttemptAt = deps.clock.now();
    await saveLineMoney(tx, after!, deps.clock.now());
    await appendEvents(tx, deps, [
      paymentEvent(line, 'payment.failed', {
        cancelledQuantity: line.quantity - line.shipped - line.cancelled,
        orderStatus: order.status,
      }),
    ]);
  });
}

/**
 * What the provider's own records say an attempt did, or `unknown` when they cannot tell: a payment
 * created under the attempt's key (found by the key), the hold a capture or void acted on (found by
 * its id: a PaymentIntent is captured or cancelled once), a refund stamped with the key.
 */
async function lookUp(provider: PaymentProvider, attempt: AttemptRow): Promise<Outcome> {
  const paymentId = String(attempt.request.paymentId ?? '');
  switch (attempt.operation) {
    case 'authorise':
    case 'charge': {
      const found = await provider.lookupPayment(attempt.idempotencyKey);
      if (!found) return 'unknown';
      if (found.state === 'incomplete')
        return {
          status: 'requires_action',
          reason: 'card_declined',
          message: 'The payment was found declined when its answer was reconciled',
          reference: found.paymentId,
          clientSecret: null,
        };
      if (found.state === 'voided')
        return {
          status: 'failed',
          reason: 'unexpected_state',
          message: 'Cancelled',
          reference: found.paymentId,
        };
      return { status: 'succeeded', result: found };
    }
    case 'capture':
    case 'void': {
      const found = await provider.retrievePayment(paymentId, attempt.idempotencyKey);
      const done = attempt.operation === 'capture' ? 'captured' : 'voided';
      return found?.state === done ? { status: 'succeeded', result: found } : 'unknown';
    }
    case 'refund': {
      const found = await provider.lookupRefund(paymentId, attempt.idempotencyKey);
      return found ? { status: 'succeeded', result: found } : 'unknown';
    }
    default:
      return 'unknown';
  }
}

/** Settles one attempt in doubt; true when it was settled. */
async function reconcile(
  deps: Deps,
  providers: PaymentProviders,
  storeId: string,
  attemptId: string,
  signal?: AbortSignal,
): Promise<boolean> {
  const store = await readStore(deps.db, storeId);
  const [attempt] = await deps.db.select().from(paymentAttempts).where(eq(paymentAttempts.id, attemptId));
  if (attempt?.status !== 'pending') return false;
  const [line] = await readPaymentLines(deps.db, storeId, { lineIds: [attempt.lineId] });
  if (!line) return false;
  const provider = providerOf(providers, line.provider);
  let outcome: Outcome = 'unknown';
  try {
    outcome = await lookUp(provider, attempt);
  } catch (error) {
    if (!(error instanceof ProviderUnavailable)) throw error;
    return false;
  }
  // Not found (or not something a lookup can tell): repeat the very same call with the same key.
  // The provider answers a call it already executed with its first answer, so nothing moves twice.
  if (outcome === 'unknown' && signal?.aborted) return false; // stopping: the next run repeats it
  if (outcome === 'unknown')
    outcome = await callProvider(provider, {
      operation: attempt.operation as Operation,
      request: attempt.request,
    });
  if (outcome === 'unknown') return false;
  await inTransaction(deps.db, (tx) =>
    settle(tx, deps, store, attempt.id, outcome as ProviderOutcome<unknown>),
  );
  return true;
}
