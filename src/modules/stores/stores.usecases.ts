import { count } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import type { Deps, StoreScope } from '../../shared/context.ts';
import { invalid } from '../../shared/errors.ts';
import { insertKey } from './stores.keys.ts';
import { isValidCurrency, isValidTimezone } from './stores.models.ts';
import { stores } from './stores.tables.ts';

export interface StoreView extends StoreScope {
  name: string;
}

export interface CreatedStore {
  store: StoreView;
  secretKey: string;
  publishableKey: string;
}

export interface CreateStoreInput {
  name: string;
  currency?: string;
  timezone?: string;
}

export async function createStore(
  tx: Executor,
  deps: Pick<Deps, 'clock' | 'ids'>,
  input: CreateStoreInput,
): Promise<CreatedStore> {
  const name = input.name.trim();
  const currency = input.currency ?? 'USD';
  const timezone = input.timezone ?? 'UTC';
  if (name === '')
    throw invalid('validation_failed', 'name must not be empty', [
      { path: '/name', message: 'must not be empty' },
    ]);
  if (!isValidCurrency(currency)) {
    throw invalid('validation_failed', `"${currency}" is not an ISO 4217 currency code`, [
      { path: '/currency', message: 'must be an ISO 4217 code such as USD' },
    ]);
  }
  if (!isValidTimezone(timezone)) {
    throw invalid('validation_failed', `"${timezone}" is not an IANA time zone`, [
      { path: '/timezone', message: 'must be an IANA time zone such as Europe/Paris' },
    ]);
  }
  const now = deps.clock.now();
  const store = { id: deps.ids.next('sto'), name, currency, timezone };
  await tx.insert(stores).values({ ...store, createdAt: now });
  const secret = await insertKey(tx, deps, store.id, { name: 'Secret key', scope: 'full' });
  const publishable = await insertKey(tx, deps, store.id, { name: 'Publishable key', scope: 'storefront' });
  return { store, secretKey: secret.key, publishableKey: publishable.key };
}

export async function countStores(db: Executor): Promise<number> {
  const [row] = await db.select({ n: count() }).from(stores);
  return row?.n ?? 0;
}
