import { DomainError } from '../../shared/errors.ts';

export const stripeNotConfigured = (): DomainError =>
  new DomainError(
    'conflict',
    'provider_not_configured',
    'Stripe is not configured on this server (set STRIPE_SECRET_KEY)',
  );
