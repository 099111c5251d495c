import type { Executor } from '../../db/client.ts';
import type { StoreScope } from '../../shared/context.ts';
import { ScheduleCache } from '../promises/promises.usecases.ts';
import { deliveryOptions, type StoreShipping } from '../shipping/shipping.usecases.ts';
import type { StorefrontCache } from './storefront.cache.ts';
import { type Availability, availabilityOf, etagOf } from './storefront.models.ts';
import { allowedOriginsOf, readShelf, type ShelfRead } from './storefront.repository.ts';

/**
 * One SKU's answer as sent — its availability with the delivery window of each shipping method —
 * as JSON text with its validator, made once and reused while cached (and the shipping it used).
 */
export interface ShelfAnswer {
  availability: Availability;
  json: string;
  etag: string;
  shipping: StoreShipping;
}

/**
 * What the cache keeps of a SKU: its row as read (null: the store has no such SKU), and the
 * answers made from it so far, per quantity (any quantity is answered from the one read).
 */
export interface ShelfEntry {
  row: ShelfRead | null;
  answers: Map<number, ShelfAnswer>;
}

/** What the storefront cache holds: a SKU's shelf entry, or the store's allowed origins. */
export type StorefrontEntry = ShelfEntry | readonly string[];

/** Shelf entries are grouped by SKU (an order empties its own SKUs' only). */
const SHELF_KEY = 'shelf';
/** Not a SKU (they have no spaces): emptied with the whole store, by a settings change. */
const STORE_GROUP = ' store';
const ORIGINS_KEY = 'origins';
/** Quantities answered per SKU and kept; others are answered but not kept. */
const MAX_QUANTITIES_KEPT = 20;

/** What an answer is made for: an order of `quantity` placed now, shipped by the store's methods. */
export interface ShelfQuestion {
  store: StoreScope;
  quantity: number;
  shipping: StoreShipping;
  now: () => Date;
}

/**
 * The answer for an order of `quantity` placed now, made from the SKU's row — the placement rule
 * itself (`availabilityOf`) — with each shipping method's delivery window for its dates, and kept
 * with the row. Only what a shopper may see: no quantities, no queue contents, no other customers.
 */
function answerOf(entry: ShelfEntry, { store, quantity, shipping, now }: ShelfQuestion): ShelfAnswer | null {
  const row = entry.row;
  if (row === null) return null;
  const kept = entry.answers.get(quantity);
  if (kept && kept.shipping === shipping) return kept;
  const at = now();
  const schedules = new ScheduleCache(at);
  const availability = availabilityOf(row, quantity, (through) =>
    schedules.promiseFor(store, row.sku, row, through),
  );
  const { expectedDate: eta, expectedDateLatest: etaLatest } = availability;
  const delivery = deliveryOptions(shipping, store, eta === null ? null : { eta, etaLatest }, at);
  const json = JSON.stringify({ ...availability, shipping: delivery });
  const answer = { availability, json, etag: etagOf(json), shipping };
  if (entry.answers.size < MAX_QUANTITIES_KEPT) entry.answers.set(quantity, answer);
  return answer;
}

/** The answers for every one of `skus` if the cache holds all their rows, else undefined. */
export function cachedAvailability(
  cache: StorefrontCache<StorefrontEntry>,
  skus: readonly string[],
  question: ShelfQuestion,
): Map<string, ShelfAnswer | null> | undefined {
  const answers = new Map<string, ShelfAnswer | null>();
  for (const sku of skus) {
    const entry = cache.get(question.store.id, sku, SHELF_KEY) as ShelfEntry | undefined;
    if (entry === undefined) return undefined;
    answers.set(sku, answerOf(entry, question));
  }
  return answers;
}

/**
 * Availability of `skus` for an order of `quantity` placed now. Rows the cache has are answered
 * from it; the rest are read together in one round trip (shoppers reading one product page at
 * once share one read). SKUs the store does not have map to null.
 */
export async function readAvailability(
  db: Executor,
  cache: StorefrontCache<StorefrontEntry>,
  skus: readonly string[],
  question: ShelfQuestion,
): Promise<Map<string, ShelfAnswer | null>> {
  const { store } = question;
  const entries = new Map<string, ShelfEntry>();
  const missing: string[] = [];
  for (const sku of skus) {
    const entry = cache.get(store.id, sku, SHELF_KEY) as ShelfEntry | undefined;
    if (entry === undefined) missing.push(sku);
    else entries.set(sku, entry);
  }
  if (missing.length > 0) {
    const tickets = missing.map((sku) => cache.ticket(store.id, sku));
    const read = () => readShelf(db, store.id, missing);
    const rows = missing.length === 1 ? await cache.shared(tickets[0]!, SHELF_KEY, read) : await read();
    missing.forEach((sku, i) => {
      const entry: ShelfEntry = { row: rows.get(sku) ?? null, answers: new Map() };
      entries.set(sku, entry);
      cache.set(tickets[i]!, SHELF_KEY, entry);
    });
  }
  return new Map(skus.map((sku) => [sku, answerOf(entries.get(sku)!, question)]));
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
