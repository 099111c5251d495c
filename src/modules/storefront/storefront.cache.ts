/**
 * A per-process cache of what storefront reads answered, per store, for a short time (product
 * pages ask for the same SKUs over and over). It is safe because:
 *
 * - every write request of a store (any non-GET with its key) empties the store's entries before
 *   its answer is sent, so whoever made a change through this process reads it back at once;
 * - a read that started before such a write does not put its (older) answer in: each store has a
 *   generation, taken before the read and checked when the answer is stored;
 * - what changed elsewhere (another process, the worker's jobs, the calendar) shows within the
 *   time to live: about a second by default, well inside the `max-age` the answers already
 *   allow browsers (and no more than a read racing the change would have seen).
 *
 * Placement never reads it: what an order gets is always decided on the locked stock row.
 */
export interface CacheClock {
  /** The app's clock (tests move it): an entry from another "time" is not reused. */
  now(): number;
}

interface Entry<V> {
  value: V;
  at: number;
  realAt: number;
}

interface StoreEntries<V> {
  generation: number;
  entries: Map<string, Entry<V>>;
}

/** Entries kept across all stores before the cache starts over (a bound, not a target). */
const MAX_ENTRIES = 50_000;

export class StorefrontCache<V> {
  private readonly stores = new Map<string, StoreEntries<V>>();
  private readonly flights = new Map<string, Promise<unknown>>();
  private size = 0;
  /** One counter for all stores, so a store dropped and seen again never reuses a generation. */
  private generations = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly clock: CacheClock,
  ) {}

  get enabled(): boolean {
    return this.ttlMs > 0;
  }

  /** Take before reading the database; pass to `set` with what the read found. */
  generation(storeId: string): number {
    return this.storeOf(storeId).generation;
  }

  get(storeId: string, key: string): V | undefined {
    if (!this.enabled) return undefined;
    const entry = this.stores.get(storeId)?.entries.get(key);
    if (!entry) return undefined;
    const age = this.clock.now() - entry.at;
    if (age >= 0 && age < this.ttlMs && performance.now() - entry.realAt < this.ttlMs) return entry.value;
    return undefined;
  }

  /** Keeps `value` unless the store changed since `generation` was taken. */
  set(storeId: string, key: string, value: V, generation: number): void {
    if (!this.enabled) return;
    const store = this.stores.get(storeId);
    if (!store || store.generation !== generation) return;
    if (this.size >= MAX_ENTRIES) {
      this.clear();
      return;
    }
    if (!store.entries.has(key)) this.size++;
    store.entries.set(key, { value, at: this.clock.now(), realAt: performance.now() });
  }

  /**
   * Runs `load` once for all callers asking for the same key of a store in the same generation at
   * the same time (a product page on sale: many shoppers, one SKU, the cache just emptied by an
   * order). A caller that comes after a write has a new generation, so it never shares a read
   * that started before the write.
   */
  shared<T>(storeId: string, key: string, generation: number, load: () => Promise<T>): Promise<T> {
    const id = `${storeId}\u0000${generation}\u0000${key}`;
    const running = this.flights.get(id) as Promise<T> | undefined;
    if (running) return running;
    const flight = load().finally(() => this.flights.delete(id));
    this.flights.set(id, flight);
    return flight;
  }

  /** The store changed: forget its entries, and refuse answers read before now. */
  invalidate(storeId: string): void {
    const store = this.stores.get(storeId);
    if (!store) return;
    this.size -= store.entries.size;
    store.entries.clear();
    store.generation = ++this.generations;
  }

  private storeOf(storeId: string): StoreEntries<V> {
    let store = this.stores.get(storeId);
    if (!store) {
      store = { generation: ++this.generations, entries: new Map() };
      this.stores.set(storeId, store);
    }
    return store;
  }

  private clear(): void {
    // Dropping the stores drops their generations too: a read in flight then finds no store and
    // keeps nothing (a new store record gets a fresh generation).
    this.stores.clear();
    this.size = 0;
  }
}
