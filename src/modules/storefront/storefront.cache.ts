/**
 * A per-process cache of what storefront reads answered, per store and SKU, for a short time
 * (product pages ask for the same SKUs over and over). It is safe because:
 *
 * - every write request of a store empties the entries it can have changed before its answer is
 *   sent — an order those of its SKUs, anything else the whole store's — so whoever made a change
 *   through this process reads it back at once;
 * - a read that started before such a write does not put its (older) answer in: the store and each
 *   SKU (a "group") have a generation, taken before the read and checked when its answer is stored;
 * - what changed elsewhere (another process, the worker's jobs, the calendar) shows within the
 *   time to live: about a second by default, well inside the `max-age` the answers already allow
 *   browsers (and no more than a read racing the change would have seen).
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

interface Group<V> {
  generation: number;
  entries: Map<string, Entry<V>>;
}

interface StoreEntries<V> {
  generation: number;
  groups: Map<string, Group<V>>;
}

/** Taken before reading the database; an answer is kept only if nothing it depends on changed since. */
export interface CacheTicket {
  storeId: string;
  group: string;
  storeGeneration: number;
  groupGeneration: number;
}

/** Entries kept across all stores before the cache starts over (a bound, not a target). */
const MAX_ENTRIES = 50_000;

export class StorefrontCache<V> {
  private readonly stores = new Map<string, StoreEntries<V>>();
  private readonly flights = new Map<string, Promise<unknown>>();
  private size = 0;
  /** One counter for every generation, so a store or group dropped and seen again never reuses one. */
  private generations = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly clock: CacheClock,
  ) {}

  get enabled(): boolean {
    return this.ttlMs > 0;
  }

  ticket(storeId: string, group: string): CacheTicket {
    let store = this.stores.get(storeId);
    if (!store) {
      store = { generation: ++this.generations, groups: new Map() };
      this.stores.set(storeId, store);
    }
    return {
      storeId,
      group,
      storeGeneration: store.generation,
      groupGeneration: this.groupOf(store, group).generation,
    };
  }

  get(storeId: string, group: string, key: string): V | undefined {
    if (!this.enabled) return undefined;
    const entry = this.stores.get(storeId)?.groups.get(group)?.entries.get(key);
    if (!entry) return undefined;
    const age = this.clock.now() - entry.at;
    if (age >= 0 && age < this.ttlMs && performance.now() - entry.realAt < this.ttlMs) return entry.value;
    return undefined;
  }

  /** Keeps `value` unless the store or the group changed since the ticket was taken. */
  set(ticket: CacheTicket, key: string, value: V): void {
    if (!this.enabled) return;
    const store = this.stores.get(ticket.storeId);
    if (!store || store.generation !== ticket.storeGeneration) return;
    const group = store.groups.get(ticket.group);
    if (!group || group.generation !== ticket.groupGeneration) return;
    if (this.size >= MAX_ENTRIES) {
      this.clear();
      return;
    }
    if (!group.entries.has(key)) this.size++;
    group.entries.set(key, { value, at: this.clock.now(), realAt: performance.now() });
  }

  /**
   * Runs `load` once for all callers holding the same ticket and key at the same time (a product
   * page on sale: many shoppers, one SKU, the cache just emptied by an order). A caller that comes
   * after a write holds a newer ticket, so it never shares a read that started before the write.
   */
  shared<T>(ticket: CacheTicket, key: string, load: () => Promise<T>): Promise<T> {
    const id = [ticket.storeId, ticket.storeGeneration, ticket.group, ticket.groupGeneration, key].join(
      '\u0000',
    );
    const running = this.flights.get(id) as Promise<T> | undefined;
    if (running) return running;
    const flight = load().finally(() => this.flights.delete(id));
    this.flights.set(id, flight);
    return flight;
  }

  /** The store changed: forget its entries (only those of `groups`, when given), refuse older reads. */
  invalidate(storeId: string, groups?: readonly string[]): void {
    const store = this.stores.get(storeId);
    if (!store) return;
    if (groups === undefined) {
      for (const group of store.groups.values()) this.size -= group.entries.size;
      store.groups.clear();
      store.generation = ++this.generations;
      return;
    }
    for (const name of groups) {
      const group = store.groups.get(name);
      if (!group) continue;
      this.size -= group.entries.size;
      group.entries.clear();
      group.generation = ++this.generations;
    }
  }

  private groupOf(store: StoreEntries<V>, name: string): Group<V> {
    let group = store.groups.get(name);
    if (!group) {
      group = { generation: ++this.generations, entries: new Map() };
      store.groups.set(name, group);
    }
    return group;
  }

  private clear(): void {
    // Dropping the stores drops their generations too: a read in flight then finds no store (or a
    // newer generation) and keeps nothing.
    this.stores.clear();
    this.size = 0;
  }
}
