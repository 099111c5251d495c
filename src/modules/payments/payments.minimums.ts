/**
 * The smallest amount a provider will charge, per currency, in minor units. Stripe refuses a
 * PaymentIntent below its minimum (`amount_too_small`); the table is Stripe's "Minimum and maximum
 * charge amounts" (docs.stripe.com/currencies), keyed by the charge's currency (Stripe applies the
 * settlement currency's minimum; for an account that settles in the currency it charges, as a
 * store does here, that is the same). A currency the table does not list has no minimum known
 * here. The manual provider has none.
 *
 * Money below the minimum never reaches the provider (payments.models.ts says where it goes instead).
 */
import type { ProviderName } from './payments.providers.ts';

const STRIPE_MINIMUMS: Readonly<Record<string, number>> = {
  USD: 50,
  AED: 200,
  AUD: 50,
  BGN: 100,
  BRL: 50,
  CAD: 50,
  CHF: 50,
  CZK: 1500,
  DKK: 250,
  EUR: 50,
  GBP: 30,
  HKD: 400,
  HUF: 17500,
  INR: 50,
  JPY: 50,
  MXN: 1000,
  MYR: 200,
  NOK: 300,
  NZD: 50,
  PLN: 200,
  RON: 200,
  SEK: 300,
  SGD: 50,
  THB: 1000,
};

/** The provider's minimum charge in `currency` (ISO 4217, upper case), in minor units; 1 when none is known. */
export function minimumCharge(provider: ProviderName, currency: string): number {
  if (provider !== 'stripe') return 1;
  return STRIPE_MINIMUMS[currency.toUpperCase()] ?? 1;
}
