import { DomainError } from '../../shared/errors.ts';

/** No unit ships unpaid: the price of the units asked for (and of every unit shipped before) is not in. */
export const paymentRequired = (lineId: string, units: number, shortfall: number, currency: string) =>
  new DomainError(
    'conflict',
    'payment_required',
    `Line "${lineId}" is not paid for: ${shortfall} ${currency} more is needed before ${units} unit(s) can ship`,
    { lineId, shortfall, currency },
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
