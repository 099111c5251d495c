/**
 * The `manual` provider: the store's own platform (its checkout, its POS, its bank) takes the money,
 * and the merchant reports payments to Backfill. Backfill still enforces the same rules (no unit
 * ships unpaid, a cancelled unit's money is refunded, nothing is paid twice) on its own records;
 * this provider only acknowledges each step at once and records nothing outside Backfill.
 *
 * Answers are derived from the request alone (ids from the attempt key), so a retried call answers
 * the same. Nothing leaves the process, so no call can be left in doubt: `lookup*` answers null
 * ("no record out there") and the reconciliation job may simply repeat the attempt, which is free.
 */
import type { Money } from './payments.money.ts';
import {
  assertAttemptKey,
  type PaymentOutcome,
  type PaymentProvider,
  type PaymentState,
  type ProviderOutcome,
  type ProviderPayment,
  type ProviderRefund,
  type SavedPaymentMethod,
} from './payments.providers.ts';

function invalidAmount(amount: Money): ProviderOutcome<never> | null {
  if (Number.isSafeInteger(amount.amount) && amount.amount > 0 && /^[A-Z]{3}$/.test(amount.currency))
    return null;
  return {
    status: 'failed',
    reason: 'invalid_request',
    message: `${amount.amount} ${amount.currency} is not a positive amount in minor units of an ISO 4217 currency`,
    reference: null,
  };
}

function payment(
  paymentId: string,
  state: PaymentState,
  amount: Money,
  attempt: string,
  taken: { capturable: number; captured: number },
): PaymentOutcome {
  const result: ProviderPayment = {
    paymentId,
    state,
    currency: amount.currency,
    amount: amount.amount,
    capturableAmount: taken.capturable,
    capturedAmount: taken.captured,
    attempt,
  };
  return { status: 'succeeded', result };
}

export function createManualProvider(): PaymentProvider {
  return {
    name: 'manual',

    async authorise({ idempotencyKey, amount }) {
      assertAttemptKey(idempotencyKey);
      return (
        invalidAmount(amount) ??
        payment(`manual_${idempotencyKey}`, 'authorised', amount, idempotencyKey, {
          capturable: amount.amount,
          captured: 0,
        })
      );
    },

    async capture({ idempotencyKey, paymentId, amount }) {
      assertAttemptKey(idempotencyKey);
      return (
        invalidAmount(amount) ??
        payment(paymentId, 'captured', amount, idempotencyKey, { capturable: 0, captured: amount.amount })
      );
    },

    async chargeSavedMethod({ idempotencyKey, amount }) {
      assertAttemptKey(idempotencyKey);
      return (
        invalidAmount(amount) ??
        payment(`manual_${idempotencyKey}`, 'captured', amount, idempotencyKey, {
          capturable: 0,
          captured: amount.amount,
        })
      );
    },

    async refund({ idempotencyKey, paymentId, amount }) {
      assertAttemptKey(idempotencyKey);
      const refused = invalidAmount(amount);
      if (refused) return refused;
      const result: ProviderRefund = {
        refundId: `manual_refund_${idempotencyKey}`,
        paymentId,
        state: 'succeeded',
        currency: amount.currency,
        amount: amount.amount,
        attempt: idempotencyKey,
      };
      return { status: 'succeeded', result };
    },

    async voidAuthorisation({ idempotencyKey, paymentId, amount }) {
      assertAttemptKey(idempotencyKey);
      return payment(paymentId, 'voided', amount, idempotencyKey, { capturable: 0, captured: 0 });
    },

    async saveMethod({ idempotencyKey, customerId, paymentMethodId }) {
      assertAttemptKey(idempotencyKey);
      const result: SavedPaymentMethod = {
        setupId: `manual_setup_${idempotencyKey}`,
        customerId,
        paymentMethodId,
      };
      return { status: 'succeeded', result };
    },

    async lookupPayment(idempotencyKey) {
      assertAttemptKey(idempotencyKey);
      return null;
    },

    async lookupRefund(_paymentId, idempotencyKey) {
      assertAttemptKey(idempotencyKey);
      return null;
    },

    async retrievePayment(_paymentId, idempotencyKey) {
      assertAttemptKey(idempotencyKey);
      return null;
    },

    // The store's platform holds the shopper's methods; nothing to check here.
    isMethodAttached: async () => true,
  };
}
