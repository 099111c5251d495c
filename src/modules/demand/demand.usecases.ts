import type { Executor } from '../../db/client.ts';
import type { StoreScope } from '../../shared/context.ts';
import { dayIn } from '../../shared/dates.ts';
import { countAlertSignup } from './demand.repository.ts';

/** Counts a back-in-stock sign-up (merged ones too: each is a shopper asking) in the caller's transaction. */
export function recordAlertSignup(
  tx: Executor,
  store: Pick<StoreScope, 'id' | 'timezone'>,
  sku: string,
  at: Date,
): Promise<void> {
  return countAlertSignup(tx, store, sku, dayIn(store.timezone, at));
}
