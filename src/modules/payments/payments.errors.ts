import { DomainError } from '../../shared/errors.ts';

export const stripeNotConfigured = (): DomainError =>
  new DomainError(
    'conflict',
    'provider_not_configured',
    'Stripe is not configured on this server (set STRIPE_SECRET_KEY)',
  );

/** No unit ships unpaid: the price of the units asked for (and of every unit shipped before) is not in. */
export const paymentRequired = (lineId: string, units: number, shortfall: number, currency: string) =>
  new DomainError(
    'conflict',
    'payment_required',
    `Line "${lineId}" is not paid for: ${shortfall} ${currency} more is needed before ${units} unit(s) can ship`,
    { lineId, shortfall, currency },
  );
