/**
 * Payments' checks around two HTTP commands, made outside their transactions because they call the
 * provider: an order's payment method must be one the provider can charge again (checked before
 * the order is placed), and a shipment's units must have their money in (collected just before the
 * shipment is decided, rather than on the collector's next run).
 */
import { sql } from 'drizzle-orm';
import { queryRows } from '../../db/client.ts';
import type { Deps, StoreScope } from '../../shared/context.ts';
import { DomainError } from '../../shared/errors.ts';
import { getSettings } from '../settings/settings.usecases.ts';
import { collectPayments } from './payments.collector.ts';
import { paymentMethodNotAttached } from './payments.errors.ts';
import type { OrderPaymentInput } from './payments.placement.ts';
import { ProviderUnavailable } from './payments.providers.ts';

/**
 * A Stripe order's payment method is charged more than once (a deposit then its balance, a hold
 * renewed, a long wait charged later), which Stripe allows only for a method attached to the
 * order's customer: a one-use method would pay the first charge and fail the next one silently.
 * Refused with 422 `payment_method_not_attached`; 503 when Stripe cannot be asked.
 */
export async function checkPaymentMethod(
  deps: Pick<Deps, 'db' | 'providers'>,
  store: StoreScope,
  input: OrderPaymentInput,
): Promise<void> {
  const method = input.payment;
  const stripe = deps.providers?.stripe;
  if (!method?.paymentMethodId || !stripe) return;
  if ((await getSettings(deps.db, store.id)).paymentProvider !== 'stripe') return;
  if (!method.customerId) throw paymentMethodNotAttached(method.paymentMethodId, undefined);
  let attached: boolean;
  try {
    attached = await stripe.isMethodAttached(method.customerId, method.paymentMethodId);
  } catch (error) {
    if (!(error instanceof ProviderUnavailable)) throw error;
    throw new DomainError(
      'unavailable',
      'provider_unavailable',
      'Stripe did not answer whether the payment method is attached to the customer; retry the order',
    );
  }
  if (!attached) throw paymentMethodNotAttached(method.paymentMethodId, method.customerId);
}

const SETTLE_WAIT_MS = 5_000;

/**
 * Moves the money of an order's lines that are due now (units just became ready), so the
 * shipment about to be decided finds it in; a call another process has in flight for the order is
 * waited for (up to 5 s). A declined card is not retried early: its retry schedule stands. Stores
 * without a provider that moves money (none, manual) have nothing to do here.
 */
export async function collectBeforeShipping(deps: Deps, store: StoreScope, orderId: string): Promise<void> {
  const providers = deps.providers;
  if (!providers?.stripe) return;
  const deadline = Date.now() + SETTLE_WAIT_MS;
  for (;;) {
    const [state] = await queryRows<{ due: boolean; pending: boolean }>(
      deps.db,
      sql`SELECT EXISTS (SELECT 1 FROM payment_lines WHERE store_id = ${store.id} AND order_id = ${orderId}
                            AND provider = 'stripe' AND next_attempt_at <= ${deps.clock.now()}::timestamptz) AS due,
                 EXISTS (SELECT 1 FROM payment_attempts WHERE store_id = ${store.id} AND order_id = ${orderId}
                            AND status = 'pending') AS pending`,
    );
    if (state?.due) await collectPayments(deps, providers, { storeIds: [store.id], orderId });
    if (!state?.pending || Date.now() >= deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
