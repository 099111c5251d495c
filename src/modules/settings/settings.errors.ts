import { DomainError } from '../../shared/errors.ts';

export const stripeNotConfigured = (): DomainError =>
  new DomainError(
    'conflict',
    'provider_not_configured',
    'Stripe is not configured on this server (set STRIPE_SECRET_KEY)',
  );

/**
 * Currencies whose amounts Stripe counts differently from ISO 4217, which Backfill's amounts follow
 * (docs.stripe.com/currencies, "special cases"): ISK has no minor unit in ISO 4217 but Stripe takes
 * it in hundredths, so every charge would be 1/100 of the price; the three-decimal currencies must
 * be sent rounded to 10, which the per-unit splits of deposits and partial shipments do not keep.
 * Until amounts are converted for them, Stripe is refused for a store in one of these currencies.
 */
const STRIPE_UNIT_MISMATCH: Readonly<Record<string, string>> = {
  ISK: 'Stripe counts ISK in hundredths while its ISO 4217 amounts are whole krónur',
  BHD: 'Stripe takes three-decimal amounts only in multiples of 10',
  JOD: 'Stripe takes three-decimal amounts only in multiples of 10',
  KWD: 'Stripe takes three-decimal amounts only in multiples of 10',
  OMR: 'Stripe takes three-decimal amounts only in multiples of 10',
  TND: 'Stripe takes three-decimal amounts only in multiples of 10',
};

/** 422 `currency_not_supported` when Stripe cannot be used for a store in `currency`, else null. */
export function stripeCurrencyProblem(currency: string): DomainError | null {
  const why = STRIPE_UNIT_MISMATCH[currency.toUpperCase()];
  if (!why) return null;
  return new DomainError(
    'validation',
    'currency_not_supported',
    `Stripe payments are not available for a store in ${currency}: ${why}`,
    { currency },
    [{ path: '/paymentProvider', message: `not available in ${currency}` }],
  );
}
