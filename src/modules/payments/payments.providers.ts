/**
 * The one small interface every payment provider implements. Backfill decides when money moves
 * (payments.money.ts and the use cases); a provider only moves it. Every call carries the attempt's
 * idempotency key, derived by the caller from (order, line, attempt), so a call retried with the same
 * key moves money at most once. Calls answer with a typed outcome when the provider's answer is
 * known, and throw `ProviderUnavailable` when it is not (timeout, network, 5xx): the caller then
 * records the attempt as in doubt and the reconciliation job settles it later through
 * `lookupPayment` / `lookupRefund`, or by repeating the call with the same key.
 */
import type { Money } from './payments.money.ts';

export type ProviderName = 'manual' | 'stripe';

/** Where a payment stands at the provider. */
export type PaymentState =
  | 'incomplete' // waiting for the customer (authentication, another card)
  | 'processing' // the provider has not decided yet
  | 'authorised' // held on the card, capturable
  | 'captured' // taken (all or part of the hold; the rest is released)
  | 'voided'; // released without taking anything (by us, or by the authorisation expiring)

export interface ProviderPayment {
  /** The provider's id (`pi_…` at Stripe): what captures, voids and refunds refer to. */
  paymentId: string;
  state: PaymentState;
  currency: string;
  /** The amount asked for. */
  amount: number;
  /** Still held and capturable now. */
  capturableAmount: number;
  /** Actually taken. */
  capturedAmount: number;
  /** The attempt's idempotency key, as the provider recorded it (null when it cannot tell). */
  attempt: string | null;
}

export interface ProviderRefund {
  refundId: string;
  paymentId: string;
  /** `pending` refunds are accepted and will land; only a later failure would undo them. */
  state: 'pending' | 'succeeded';
  currency: string;
  amount: number;
  attempt: string | null;
}

export interface SavedPaymentMethod {
  /** The SetupIntent (or equivalent) that verified the method. */
  setupId: string;
  customerId: string;
  paymentMethodId: string;
}

/** Why the customer has to act before money can move (a pay link or a 3-D Secure challenge). */
export type ActionReason =
  | 'authentication_required'
  | 'card_declined'
  | 'insufficient_funds'
  | 'expired_card'
  | 'payment_method_required';

/** Why an attempt failed for good: no customer action fixes it; stable codes to branch on. */
export type FailureReason =
  | 'authorisation_expired' // the hold lapsed: authorise again (or charge the saved method)
  | 'amount_too_large' // more than is capturable or refundable
  | 'amount_too_small' // below the provider's minimum charge (Backfill does not ask for such amounts)
  | 'unexpected_state' // already captured, voided or refunded
  | 'not_found'
  | 'idempotency_conflict' // the key was used for a different request: a bug in the caller
  | 'invalid_request'
  | 'refund_failed'
  | 'provider_rejected'; // credentials or permissions: the merchant's set-up is wrong

export type ProviderOutcome<T> =
  | { status: 'succeeded'; result: T }
  | {
      status: 'requires_action';
      reason: ActionReason;
      message: string;
      /** The provider object the customer acts on (a PaymentIntent or SetupIntent id). */
      reference: string | null;
      /** Lets the storefront finish the payment or build a pay link. */
      clientSecret: string | null;
    }
  | { status: 'failed'; reason: FailureReason; message: string; reference: string | null };

export type PaymentOutcome = ProviderOutcome<ProviderPayment>;

interface Attempt {
  /** Derived from (order, line, attempt): letters, digits, `_ - . :` only, at most 255 characters. */
  idempotencyKey: string;
}

export interface AuthoriseRequest extends Attempt {
  amount: Money;
  paymentMethodId: string;
  customerId?: string;
  /** Copied onto the provider's record (order and line ids), next to the attempt key. */
  metadata?: Record<string, string>;
}

/**
 * Captures and refunds act on an existing payment, in that payment's currency: Stripe takes no
 * currency for them and would read the amount in the payment's own, so the caller checks
 * `amount.currency` against its record of the payment (`assertSameCurrency`) before calling.
 */
export interface CaptureRequest extends Attempt {
  paymentId: string;
  /** At most the capturable amount; the rest of the hold is released (captures happen once). */
  amount: Money;
}

export interface ChargeSavedMethodRequest extends Attempt {
  amount: Money;
  customerId: string;
  paymentMethodId: string;
  metadata?: Record<string, string>;
}

export interface RefundRequest extends Attempt {
  paymentId: string;
  amount: Money;
  metadata?: Record<string, string>;
}

export interface VoidRequest extends Attempt {
  paymentId: string;
  /** The hold being released, as Backfill recorded it. */
  amount: Money;
}

export interface SaveMethodRequest extends Attempt {
  customerId: string;
  paymentMethodId: string;
  metadata?: Record<string, string>;
}

export interface PaymentProvider {
  readonly name: ProviderName;
  /** Holds `amount` on the customer's method without taking it (manual capture). */
  authorise(request: AuthoriseRequest): Promise<PaymentOutcome>;
  /** Takes (part of) an authorised hold; an expired hold answers `authorisation_expired`. */
  capture(request: CaptureRequest): Promise<PaymentOutcome>;
  /** Charges a saved method while the customer is away (long waits, deposits' balances). */
  chargeSavedMethod(request: ChargeSavedMethodRequest): Promise<PaymentOutcome>;
  /** Gives back (part of) a captured payment. */
  refund(request: RefundRequest): Promise<ProviderOutcome<ProviderRefund>>;
  /** Releases an authorisation that will not be captured (a cancelled unit keeps no hold). */
  voidAuthorisation(request: VoidRequest): Promise<PaymentOutcome>;
  /** Verifies and keeps a payment method for charging later, off-session. */
  saveMethod(request: SaveMethodRequest): Promise<ProviderOutcome<SavedPaymentMethod>>;
  /**
   * The payment an `authorise` or `chargeSavedMethod` attempt created, in its current state (which
   * also settles a capture or void left in doubt), or null when the provider never saw the attempt.
   */
  lookupPayment(idempotencyKey: string): Promise<ProviderPayment | null>;
  /**
   * A payment by the provider's id, as it stands now (what settles a capture or void in doubt),
   * or null when the provider has no such payment. `idempotencyKey` names the attempt asking.
   */
  retrievePayment(paymentId: string, idempotencyKey: string): Promise<ProviderPayment | null>;
  /**
   * Whether `paymentMethodId` is attached to `customerId` at the provider, so it can be charged
   * again later (deposits' balances, renewed holds, long waits).
   */
  isMethodAttached(customerId: string, paymentMethodId: string): Promise<boolean>;
  /** The refund a `refund` attempt on `paymentId` created, or null when it never reached the provider. */
  lookupRefund(paymentId: string, idempotencyKey: string): Promise<ProviderRefund | null>;
}

/**
 * The provider's answer is unknown (timeout, lost connection, 5xx, rate limit): the money may or may
 * not have moved. Never a business outcome; the attempt stays in doubt until reconciled.
 */
export class ProviderUnavailable extends Error {
  constructor(
    readonly provider: ProviderName,
    readonly operation: keyof Omit<PaymentProvider, 'name'>,
    readonly idempotencyKey: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ProviderUnavailable';
  }
}

const ATTEMPT_KEY = /^[A-Za-z0-9_.:-]{1,255}$/;

/** Keys are embedded in provider queries and headers: refuse anything that could break out of them. */
export function assertAttemptKey(idempotencyKey: string): void {
  if (!ATTEMPT_KEY.test(idempotencyKey)) {
    throw new TypeError(
      `Invalid idempotency key "${idempotencyKey}": use letters, digits and _ - . : (≤ 255)`,
    );
  }
}
