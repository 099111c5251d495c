/**
 * The `stripe` provider, on the official SDK. Authorisations are PaymentIntents confirmed with
 * `capture_method: 'manual'` and captured later with `amount_to_capture`; long waits charge a method
 * saved by a SetupIntent off-session (`off_session: true, confirm: true`); voids cancel the
 * PaymentIntent; refunds are Refunds on it. Every call passes the attempt's key as Stripe's
 * `Idempotency-Key`, so a repeated call replays Stripe's first answer instead of charging again.
 * The SDK's own retries are off (`maxNetworkRetries: 0`): an unanswered call surfaces at once as
 * `ProviderUnavailable` and the reconciliation job decides. (The SDK still retries a reset
 * connection once by itself; with our key on the request that retry is replayed, never doubled.)
 */
import type Stripe from 'stripe';

/**
 * The SDK, loaded on the first call: a process whose stores do not use Stripe never pays for it
 * (its import costs ~0.3 s of CPU at start-up). Every use of `sdk` follows a call that loaded it.
 */
let sdk!: typeof Stripe;
let loading: Promise<void> | null = null;
const loadSdk = (): Promise<void> =>
  (loading ??= import('stripe').then((module) => {
    sdk = module.default;
  }));

import type { Money } from './payments.money.ts';
import {
  type ActionReason,
  assertAttemptKey,
  type FailureReason,
  type PaymentOutcome,
  type PaymentProvider,
  type PaymentState,
  type ProviderOutcome,
  type ProviderPayment,
  type ProviderRefund,
  ProviderUnavailable,
} from './payments.providers.ts';

export interface StripeProviderConfig {
  secretKey: string;
  /** Where the API lives: api.stripe.com over https unless told otherwise (tests, proxies). */
  host?: string;
  port?: number;
  protocol?: 'http' | 'https';
  /** How long to wait for an answer before the attempt is in doubt. */
  timeoutMs?: number;
}

type Operation = ProviderUnavailable['operation'];

const STATES: Record<string, PaymentState> = {
  requires_payment_method: 'incomplete',
  requires_confirmation: 'incomplete',
  requires_action: 'incomplete',
  processing: 'processing',
  requires_capture: 'authorised',
  succeeded: 'captured',
  canceled: 'voided',
};

function toPayment(intent: Stripe.PaymentIntent): ProviderPayment {
  return {
    paymentId: intent.id,
    // A status newer than this code knows of is treated as undecided, never as money taken.
    state: STATES[intent.status] ?? 'processing',
    currency: intent.currency.toUpperCase(),
    amount: intent.amount,
    capturableAmount: intent.amount_capturable,
    capturedAmount: intent.amount_received,
    attempt: intent.metadata?.attempt ?? null,
  };
}

function toRefund(refund: Stripe.Refund): ProviderRefund | null {
  if (refund.status !== 'succeeded' && refund.status !== 'pending') return null;
  const paymentIntent = refund.payment_intent;
  return {
    refundId: refund.id,
    paymentId: typeof paymentIntent === 'string' ? paymentIntent : (paymentIntent?.id ?? ''),
    state: refund.status,
    currency: refund.currency.toUpperCase(),
    amount: refund.amount,
    attempt: refund.metadata?.attempt ?? null,
  };
}

const requiresAction = (
  reason: ActionReason,
  message: string,
  intent: { id: string; client_secret: string | null } | undefined,
): ProviderOutcome<never> => ({
  status: 'requires_action',
  reason,
  message,
  reference: intent?.id ?? null,
  clientSecret: intent?.client_secret ?? null,
});

const failed = (
  reason: FailureReason,
  message: string,
  reference: string | null,
): ProviderOutcome<never> => ({ status: 'failed', reason, message, reference });

/** A PaymentIntent Stripe answered with: taken or held, or waiting for the customer. */
function paymentOutcome(intent: Stripe.PaymentIntent): PaymentOutcome {
  if (intent.status === 'requires_action') {
    return requiresAction('authentication_required', 'The customer must authenticate the payment', intent);
  }
  if (intent.status === 'requires_payment_method' || intent.status === 'requires_confirmation') {
    const lastError = intent.last_payment_error;
    if (lastError) return requiresAction(cardReason(lastError), lastError.message ?? 'Declined', intent);
    return requiresAction('payment_method_required', 'The payment needs a payment method', intent);
  }
  return { status: 'succeeded', result: toPayment(intent) };
}

function cardReason(error: { code?: string; decline_code?: string }): ActionReason {
  if (error.code === 'authentication_required' || error.decline_code === 'authentication_required') {
    return 'authentication_required';
  }
  if (error.decline_code === 'insufficient_funds') return 'insufficient_funds';
  if (error.code === 'expired_card') return 'expired_card';
  return 'card_declined';
}

/** Stripe did not say what happened: no answer, a 5xx, a conflict with a call still running, a 429. */
function outcomeUnknown(error: unknown): boolean {
  const { StripeError, StripeConnectionError, StripeAPIError, StripeRateLimitError } = sdk.errors;
  return (
    error instanceof StripeConnectionError ||
    error instanceof StripeAPIError ||
    error instanceof StripeRateLimitError ||
    (error instanceof StripeError && (error.statusCode ?? 0) >= 500)
  );
}

/** Stripe's documented error codes Backfill branches on; any other invalid request is `invalid_request`. */
const FAILURES: Record<string, FailureReason> = {
  amount_too_large: 'amount_too_large',
  amount_too_small: 'amount_too_small',
  resource_missing: 'not_found',
  charge_expired_for_capture: 'authorisation_expired',
  payment_intent_unexpected_state: 'unexpected_state',
  charge_already_captured: 'unexpected_state',
  charge_already_refunded: 'unexpected_state',
};

function invalidRequestReason(error: InstanceType<typeof Stripe.errors.StripeError>): FailureReason {
  // Stripe cancels an uncaptured PaymentIntent itself (`automatic`) when its authorisation lapses.
  if (error.payment_intent?.cancellation_reason === 'automatic') return 'authorisation_expired';
  return FAILURES[error.code ?? ''] ?? 'invalid_request';
}

/** Stripe's error, as the outcome the caller can act on; throws when the outcome is unknown. */
function outcomeOfError(
  error: unknown,
  operation: Operation,
  idempotencyKey: string,
): ProviderOutcome<never> {
  if (outcomeUnknown(error)) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ProviderUnavailable('stripe', operation, idempotencyKey, `Stripe ${operation}: ${message}`, {
      cause: error,
    });
  }
  const { StripeError, StripeCardError, StripeIdempotencyError, StripeInvalidRequestError } = sdk.errors;
  if (!(error instanceof StripeError)) throw error;
  if (error instanceof StripeCardError) {
    return requiresAction(cardReason(error), error.message, error.payment_intent ?? error.setup_intent);
  }
  const reference = error.payment_intent?.id ?? error.setup_intent?.id ?? null;
  if (error instanceof StripeIdempotencyError)
    return failed('idempotency_conflict', error.message, reference);
  if (error instanceof StripeInvalidRequestError)
    return failed(invalidRequestReason(error), error.message, reference);
  return failed('provider_rejected', error.message, reference); // authentication, permission
}

/**
 * Every object Backfill creates carries its attempt's key, which is how a lost answer is found.
 * The metadata is sent in one order whatever order it was given in: an attempt's request is stored
 * (as jsonb, which reorders keys) and sent again as it is read back, and Stripe compares a repeated
 * request with the first one parameter by parameter: the same parameters in another order would
 * be refused as `idempotency_error` instead of answered with the first result.
 */
const stamped = (metadata: Record<string, string> | undefined, idempotencyKey: string) =>
  Object.fromEntries(
    Object.entries({ ...metadata, attempt: idempotencyKey }).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );

/** What every PaymentIntent Backfill creates shares: a card, confirmed at once, stamped. */
function newIntent(request: {
  idempotencyKey: string;
  amount: Money;
  paymentMethodId: string;
  metadata?: Record<string, string>;
}): Stripe.PaymentIntentCreateParams {
  return {
    amount: request.amount.amount,
    currency: request.amount.currency.toLowerCase(),
    payment_method: request.paymentMethodId,
    allowed_payment_method_types: ['card'],
    confirm: true,
    metadata: stamped(request.metadata, request.idempotencyKey),
  };
}

export function createStripeProvider(config: StripeProviderConfig): PaymentProvider {
  /** The client, made on the first call (see `sdk`). */
  let stripe!: Stripe;
  const ready = async (): Promise<void> => {
    if (stripe) return;
    await loadSdk();
    stripe ??= new sdk(config.secretKey, {
      host: config.host,
      port: config.port,
      protocol: config.protocol,
      timeout: config.timeoutMs ?? 20_000,
      maxNetworkRetries: 0,
      telemetry: false,
    });
  };

  async function call<T, R>(
    operation: Operation,
    idempotencyKey: string,
    request: (options: Stripe.RequestOptions) => Promise<T>,
    answer: (value: T) => ProviderOutcome<R>,
  ): Promise<ProviderOutcome<R>> {
    assertAttemptKey(idempotencyKey);
    await ready();
    let value: T;
    try {
      value = await request({ idempotencyKey });
    } catch (error) {
      return outcomeOfError(error, operation, idempotencyKey);
    }
    return answer(value);
  }

  /** Reads have no outcome to map: unknown answers still throw ProviderUnavailable. */
  async function read<T>(
    operation: Operation,
    idempotencyKey: string,
    request: () => Promise<T>,
  ): Promise<T> {
    assertAttemptKey(idempotencyKey);
    await ready();
    try {
      return await request();
    } catch (error) {
      outcomeOfError(error, operation, idempotencyKey);
      throw error;
    }
  }

  return {
    name: 'stripe',

    authorise: (request) =>
      call(
        'authorise',
        request.idempotencyKey,
        (options) =>
          stripe.paymentIntents.create(
            { ...newIntent(request), capture_method: 'manual', customer: request.customerId },
            options,
          ),
        paymentOutcome,
      ),

    capture: ({ idempotencyKey, paymentId, amount }) =>
      call(
        'capture',
        idempotencyKey,
        (options) => stripe.paymentIntents.capture(paymentId, { amount_to_capture: amount.amount }, options),
        paymentOutcome,
      ),

    chargeSavedMethod: (request) =>
      call(
        'chargeSavedMethod',
        request.idempotencyKey,
        (options) =>
          stripe.paymentIntents.create(
            { ...newIntent(request), customer: request.customerId, off_session: true },
            options,
          ),
        paymentOutcome,
      ),

    refund: ({ idempotencyKey, paymentId, amount, metadata }) =>
      call(
        'refund',
        idempotencyKey,
        (options) =>
          stripe.refunds.create(
            { payment_intent: paymentId, amount: amount.amount, metadata: stamped(metadata, idempotencyKey) },
            options,
          ),
        (refund): ProviderOutcome<ProviderRefund> => {
          const result = toRefund(refund);
          if (result) return { status: 'succeeded', result };
          return failed('refund_failed', `The refund is ${refund.status}`, refund.id);
        },
      ),

    voidAuthorisation: ({ idempotencyKey, paymentId }) =>
      call(
        'voidAuthorisation',
        idempotencyKey,
        (options) => stripe.paymentIntents.cancel(paymentId, {}, options),
        paymentOutcome,
      ),

    saveMethod: ({ idempotencyKey, customerId, paymentMethodId, metadata }) =>
      call(
        'saveMethod',
        idempotencyKey,
        (options) =>
          stripe.setupIntents.create(
            {
              customer: customerId,
              payment_method: paymentMethodId,
              allowed_payment_method_types: ['card'],
              usage: 'off_session',
              confirm: true,
              metadata: stamped(metadata, idempotencyKey),
            },
            options,
          ),
        (setup) => {
          if (setup.status === 'succeeded') {
            return { status: 'succeeded', result: { setupId: setup.id, customerId, paymentMethodId } };
          }
          const reason =
            setup.status === 'requires_action' ? 'authentication_required' : 'payment_method_required';
          return requiresAction(reason, `The payment method is not saved yet (${setup.status})`, setup);
        },
      ),

    // The response that carried the PaymentIntent's id may be the one that was lost, so the attempt
    // is found by the key stamped in its metadata, through Stripe's documented search endpoint.
    // Search is eventually consistent (about a minute): the job only asks about attempts older than
    // that, and a miss is still safe, since the attempt is then repeated with the same key.
    lookupPayment: (idempotencyKey) =>
      read('lookupPayment', idempotencyKey, async () => {
        const found = await stripe.paymentIntents.search({
          query: `metadata['attempt']:'${idempotencyKey}'`,
          limit: 1,
        });
        const intent = found.data[0];
        return intent ? toPayment(intent) : null;
      }),

    retrievePayment: (paymentId, idempotencyKey) =>
      read('retrievePayment', idempotencyKey, async () => {
        try {
          return toPayment(await stripe.paymentIntents.retrieve(paymentId));
        } catch (error) {
          if (error instanceof sdk.errors.StripeInvalidRequestError && error.statusCode === 404) return null;
          throw error;
        }
      }),

    // Stripe answers a customer's PaymentMethod only when it is attached to that customer.
    async isMethodAttached(customerId, paymentMethodId) {
      await ready();
      try {
        const method = await stripe.customers.retrievePaymentMethod(customerId, paymentMethodId);
        const owner = typeof method.customer === 'string' ? method.customer : method.customer?.id;
        return owner === customerId;
      } catch (error) {
        if (error instanceof sdk.errors.StripeInvalidRequestError) return false;
        outcomeOfError(error, 'isMethodAttached', 'none');
        throw error;
      }
    },

    // A payment's refunds are listed consistently; the attempt is the one stamped with the key.
    lookupRefund: (paymentId, idempotencyKey) =>
      read('lookupRefund', idempotencyKey, async () => {
        for await (const refund of stripe.refunds.list({ payment_intent: paymentId, limit: 100 })) {
          if (refund.metadata?.attempt === idempotencyKey) return toRefund(refund);
        }
        return null;
      }),
  };
}
