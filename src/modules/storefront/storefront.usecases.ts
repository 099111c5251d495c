import type { Executor } from '../../db/client.ts';
import type { StoreScope } from '../../shared/context.ts';
import { ScheduleCache } from '../promises/promises.usecases.ts';
import type { StorefrontCache } from './storefront.cache.ts';
import { type Availability, availabilityOf, etagOf } from './storefront.models.ts';
import { allowedOriginsOf, readShelf } from './storefront.repository.ts';

/** One SKU's answer as sent: the JSON text and its validator, made once and reused while cached. */
export interface ShelfAnswer {
  availability: Availability;
  json: string;
  etag: string;
}

/** What the storefront cache holds: answers per SKU and quantity (null: no such SKU), and the origins. */
export type StorefrontEntry = ShelfAnswer | null | readonly string[];

/** Answers are grouped by SKU (an order empties its SKUs' answers only), keyed by quantity. */
const answerKey = (quantity: number) => String(quantity);
/** Not a SKU (they have no spaces): emptied with the whole store, by a settings change. */
const STORE_GROUP = ' store';
const ORIGINS_KEY = 'origins';

/** The cached answers for every one of `skus`, or undefined when any is missing (then read them all). */
export function cachedAvailability(
  cache: StorefrontCache<StorefrontEntry>,
  storeId: string,
  skus: readonly string[],
  quantity: number,
): Map<string, ShelfAnswer | null> | undefined {
  const answers = new Map<string, ShelfAnswer | null>();
  for (const sku of skus) {
    const hit = cache.get(storeId, sku, answerKey(quantity)) as ShelfAnswer | null | undefined;
    if (hit === undefined) return undefined;
    answers.set(sku, hit);
  }
  return answers;
}

/**
 * Availability of `skus` for an order of `quantity` placed now: only what a shopper may see (no
 * quantities, no queue contents, no other customers). Answers come from the cache when it has
 * them; the rest are read together in one round trip. SKUs the store does not have map to null.
 */
export async function readAvailability(
  db: Executor,
  cache: StorefrontCache<StorefrontEntry>,
  store: StoreScope,
  skus: readonly string[],
  quantity: number,
  now: Date,
): Promise<Map<string, ShelfAnswer | null>> {
  const answers = new Map<string, ShelfAnswer | null>();
  const missing: string[] = [];
  for (const sku of skus) {
    const hit = cache.get(store.id, sku, answerKey(quantity)) as ShelfAnswer | null | undefined;
    if (hit === undefined) missing.push(sku);
    else answers.set(sku, hit);
  }
  if (missing.length === 0) return answers;
  const tickets = missing.map((sku) => cache.ticket(store.id, sku));
  const read = () => readAnswers(db, store, missing, quantity, now);
  // Shoppers reading one product page at once share one read of it.
  const fresh =
    missing.length === 1 ? await cache.shared(tickets[0]!, answerKey(quantity), read) : await read();
  missing.forEach((sku, i) => {
    const answer = fresh.get(sku) ?? null;
    answers.set(sku, answer);
    cache.set(tickets[i]!, answerKey(quantity), answer);
  });
  return answers;
}

/** Reads and answers `skus` from the database, in one round trip. */
async function readAnswers(
  db: Executor,
  store: StoreScope,
  skus: readonly string[],
  quantity: number,
  now: Date,
): Promise<Map<string, ShelfAnswer>> {
  const rows = await readShelf(db, store.id, skus);
  const schedules = new ScheduleCache(now);
  const answers = new Map<string, ShelfAnswer>();
  for (const [sku, row] of rows) {
    const availability = availabilityOf(row, quantity, (through) =>
      schedules.promiseFor(store, sku, row, through),
    );
    const json = JSON.stringify(availability);
    answers.set(sku, { availability, json, etag: etagOf(json) });
  }
  return answers;
}

/** The store's allowed origins if the cache has them. */
export const cachedOrigins = (
  cache: StorefrontCache<StorefrontEntry>,
  storeId: string,
): readonly string[] | undefined =>
  cache.get(storeId, STORE_GROUP, ORIGINS_KEY) as readonly string[] | undefined;

/** The origins whose pages may call the store's storefront endpoints from the browser. */
export async function allowedOrigins(
  db: Executor,
  cache: StorefrontCache<StorefrontEntry>,
  storeId: string,
): Promise<readonly string[]> {
  const hit = cachedOrigins(cache, storeId);
  if (hit !== undefined) return hit;
  const ticket = cache.ticket(storeId, STORE_GROUP);
  const origins = await allowedOriginsOf(db, storeId);
  cache.set(ticket, ORIGINS_KEY, origins);
  return origins;
}
