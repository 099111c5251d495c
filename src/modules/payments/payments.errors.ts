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
