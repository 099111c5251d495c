/**
 * Live changes for the console: one poller per process reads the outbox (`events`) and fans each
 * event out to the connections of its store. The outbox is read as the message relay reads it, in
 * (transaction id, seq) order and only below the oldest running transaction, so an event whose
 * transaction commits after a later-numbered one is still delivered, once.
 */
import { sql } from 'drizzle-orm';
import { type Database, queryRows } from '../../db/client.ts';

export interface LiveEvent {
  seq: number;
  /** The transaction that wrote it (xid8 as text): with `seq`, the event's place in the feed. */
  xid: string;
  storeId: string;
  type: string;
}

/** A place in the feed: events are delivered in (transaction id, seq) order. */
export interface FeedPosition {
  xid: string;
  seq: number;
}

/** One connection's side of the feed. */
export interface LiveSubscriber {
  deliver(events: readonly LiveEvent[]): void;
  keepAlive(): void;
  close(): void;
}

export interface LiveFeedOptions {
  /** How often the outbox is read while anyone listens (a change reaches clients within about this). */
  pollMs?: number;
  /** How often every connection gets a comment line, so proxies keep it open. */
  keepAliveMs?: number;
  log?: { error(object: unknown, message: string): void };
}

const BATCH = 1000;
/** Events sent to a connection resuming with Last-Event-ID, at most (the console then re-reads anyway). */
export const RESUME_MAX = 1000;

type Cursor = FeedPosition;

/** Whether `event` comes after `position` in the feed (by transaction id, then seq). */
export function isAfter(event: FeedPosition, position: FeedPosition): boolean {
  const a = BigInt(event.xid);
  const b = BigInt(position.xid);
  return a > b || (a === b && event.seq > position.seq);
}

export class LiveFeed {
  private readonly subscribers = new Map<string, Set<LiveSubscriber>>();
  private cursor: Cursor | null = null;
  private starting: Promise<void> | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private keepAliveTimer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;
  private stopped = false;
  private readonly pollMs: number;
  private readonly keepAliveMs: number;

  constructor(
    private readonly db: Database,
    private readonly options: LiveFeedOptions = {},
  ) {
    this.pollMs = options.pollMs ?? 500;
    this.keepAliveMs = options.keepAliveMs ?? 15_000;
  }

  /** Connections open now (all stores). */
  get connections(): number {
    let count = 0;
    for (const set of this.subscribers.values()) count += set.size;
    return count;
  }

  /**
   * Adds a connection of `storeId`. Once this resolves, every event committed afterwards reaches it
   * (the feed's cursor is in place). Returns the function that removes it.
   */
  async subscribe(storeId: string, subscriber: LiveSubscriber): Promise<() => void> {
    if (this.stopped) throw new Error('the live feed is stopped');
    let set = this.subscribers.get(storeId);
    if (!set) {
      set = new Set();
      this.subscribers.set(storeId, set);
    }
    set.add(subscriber);
    await this.start();
    return () => this.remove(storeId, subscriber);
  }

  /**
   * The store's events after `after` (a Last-Event-ID), in feed order, up to RESUME_MAX. Read as the
   * feed reads (below the oldest running transaction), so an event whose transaction committed after
   * a later-numbered one the client already has is not skipped; the rest comes live.
   */
  async eventsAfter(storeId: string, after: FeedPosition): Promise<LiveEvent[]> {
    const rows = await queryRows<{ seq: string | number; xid: string; type: string }>(
      this.db,
      sql`SELECT seq, xid::text AS xid, type FROM events
           WHERE (xid, seq) > (${after.xid}::xid8, ${after.seq}::bigint)
             AND xid < pg_snapshot_xmin(pg_current_snapshot()) AND store_id = ${storeId}
           ORDER BY events.xid, events.seq LIMIT ${RESUME_MAX}`,
    );
    return rows.map((r) => ({ seq: Number(r.seq), xid: r.xid, storeId, type: r.type }));
  }

  /** Ends every connection (graceful shutdown: open streams must not hold the server open). */
  closeAll(): void {
    for (const set of this.subscribers.values()) for (const subscriber of set) subscriber.close();
    this.subscribers.clear();
    this.idle();
  }

  /** Stops polling for good and waits for a read in flight (before the database closes). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.closeAll();
    await this.starting?.catch(() => {});
    await this.polling;
  }

  private remove(storeId: string, subscriber: LiveSubscriber): void {
    const set = this.subscribers.get(storeId);
    if (!set?.delete(subscriber)) return;
    if (set.size === 0) this.subscribers.delete(storeId);
    if (this.subscribers.size === 0) this.idle();
  }

  /** Nobody listens: stop reading; the next connection starts from its own "now". */
  private idle(): void {
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.keepAliveTimer) clearInterval(this.keepAliveTimer);
    this.pollTimer = null;
    this.keepAliveTimer = null;
    this.cursor = null;
  }

  private async start(): Promise<void> {
    if (this.cursor !== null) return;
    this.starting ??= (async () => {
      // Every transaction that commits from now on has an id at or above the oldest running one.
      const [row] = await queryRows<{ xid: string }>(
        this.db,
        sql`SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xid`,
      );
      if (this.subscribers.size === 0 || this.stopped) return;
      this.cursor = { xid: row!.xid, seq: 0 };
      this.pollTimer = setInterval(() => this.tick(), this.pollMs);
      this.keepAliveTimer = setInterval(() => this.keepAlive(), this.keepAliveMs);
      this.pollTimer.unref();
      this.keepAliveTimer.unref();
    })().finally(() => {
      this.starting = null;
    });
    await this.starting;
  }

  private tick(): void {
    if (this.polling || this.cursor === null) return;
    this.polling = this.poll()
      .catch((error) => this.options.log?.error({ err: error }, 'live feed: reading the outbox failed'))
      .finally(() => {
        this.polling = null;
      });
  }

  private keepAlive(): void {
    for (const set of this.subscribers.values()) for (const subscriber of set) subscriber.keepAlive();
  }

  private async poll(): Promise<void> {
    for (let round = 0; round < 20; round++) {
      const cursor = this.cursor;
      if (cursor === null) return;
      const rows = await queryRows<{ store_id: string; type: string; seq: string | number; xid: string }>(
        this.db,
        sql`SELECT store_id, type, seq, xid::text AS xid FROM events
             WHERE (xid, seq) > (${cursor.xid}::xid8, ${cursor.seq}::bigint)
               AND xid < pg_snapshot_xmin(pg_current_snapshot())
             ORDER BY events.xid, events.seq
             LIMIT ${BATCH}`,
      );
      // The feed went idle (or restarted) meanwhile: this read belongs to no one.
      if (this.cursor !== cursor) return;
      if (rows.length === 0) return;
      const last = rows.at(-1)!;
      this.cursor = { xid: last.xid, seq: Number(last.seq) };
      const byStore = new Map<string, LiveEvent[]>();
      for (const row of rows) {
        if (!this.subscribers.has(row.store_id)) continue;
        const list = byStore.get(row.store_id) ?? [];
        list.push({ seq: Number(row.seq), xid: row.xid, storeId: row.store_id, type: row.type });
        byStore.set(row.store_id, list);
      }
      for (const [storeId, events] of byStore) {
        for (const subscriber of this.subscribers.get(storeId) ?? []) subscriber.deliver(events);
      }
      if (rows.length < BATCH) return;
    }
  }
}
