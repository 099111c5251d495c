import { DomainError } from '../../shared/errors.ts';

/** No unit ships unpaid: the price of the units asked for (and of every unit shipped before) is not in. */
export const paymentRequired = (lineId: string, units: number, shortfall: number, currency: string) =>
  new DomainError(
    'conflict',
    'payment_required',
    `Line "${lineId}" is not paid for: ${shortfall} ${currency} more is needed before ${units} unit(s) can ship`,
    { lineId, shortfall, currency },
  );

/**
 * Cancelling these units would leave the line owing less than the provider's smallest charge: money
 * no charge could take, so the rest could never ship. The whole line, or `largestPartial` units, can go.
 */
export const balanceBelowMinimum = (
  lineId: string,
  requested: number,
  balance: number,
  minimum: number,
  currency: string,
  unshipped: number,
  largestPartial: number,
) =>
  new DomainError(
    'conflict',
    'balance_below_minimum',
    `Cancelling ${requested} unit(s) of line "${lineId}" would leave ${balance} ${currency} to pay, less than the payment provider's smallest charge of ${minimum} ${currency}, so the rest could never be paid for: cancel all ${unshipped} unshipped unit(s)${largestPartial > 0 ? ` or at most ${largestPartial}` : ''}`,
    { lineId, requested, balance, minimum, currency, unshipped, largestPartial },
  );

export const discountTooLarge = (discount: number, orderTotal: number): DomainError =>
  new DomainError(
    'validation',
    'discount_exceeds_total',
    `A discount of ${discount} exceeds the order total of ${orderTotal}`,
    { discount, orderTotal },
    [{ path: '/discount', message: 'must not exceed the order total' }],
  );

/** A line that costs less than the provider's smallest charge could never be paid for. */
export const amountBelowMinimum = (
  index: number,
  sku: string,
  amount: number,
  minimum: number,
  currency: string,
): DomainError =>
  new DomainError(
    'validation',
    'amount_below_minimum',
    `Line ${index + 1} (${sku}) costs ${amount} ${currency} after its share of the discount, less than the payment provider's smallest charge of ${minimum} ${currency}`,
    { sku, amount, minimum, currency },
    [{ path: `/lines/${index}`, message: `costs less than the provider's minimum charge (${minimum})` }],
  );

/** The shopper's saved payment method cannot be charged again for this customer. */
export const paymentMethodNotAttached = (paymentMethodId: string, customerId: string | undefined) =>
  new DomainError(
    'validation',
    'payment_method_not_attached',
    customerId === undefined
      ? `Payment method "${paymentMethodId}" needs payment.customerId: a method is charged more than once (deposit, balance, renewed holds) only when attached to a customer`
      : `Payment method "${paymentMethodId}" is not attached to customer "${customerId}": attach it (a SetupIntent, or a PaymentIntent with setup_future_usage) before placing the order`,
    { paymentMethodId, customerId: customerId ?? null },
    [{ path: '/payment/paymentMethodId', message: 'must be attached to payment.customerId' }],
  );
