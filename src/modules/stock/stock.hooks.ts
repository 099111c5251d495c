/**
 * How other modules take part in stock commands without the core knowing them (Vendure's
 * strategies, Medusa's subscribers — but inside the transaction). The app's assembly
 * (`src/assembly.ts`) builds one `StockExtensions` at start-up: a `LineDating` strategy and a
 * list of hooks, called in list order. The core calls them at fixed points of each command:
 *
 * - placement: `placementTerms` are read with each SKU's stock row, `checkOrder` may refuse an
 *   order before stock is decided, and `placed` adds statements written in the batch's one round
 *   trip (so an optimistic placement stays a single statement); `refused` adds statements for the
 *   orders the stock refused (sold out, cap reached), written in that same round trip (a batch that
 *   only refuses writes just those);
 * - whenever line quantities change (a fill from arriving units, a release, a shipment, a
 *   write-off putting units back in the queue): `linesChanged`, after the lines and order
 *   statuses are written;
 * - whenever a queue or its supply moved (units left or re-entered it): `queuesChanged`, once per
 *   command, after the stock rows are saved;
 * - before a shipment is written: `beforeShip`, which may refuse it by throwing a DomainError;
 * - before units are cancelled at someone's request: `beforeCancel`, which may refuse it the same
 *   way (a cancellation that records what already happened elsewhere is not asked);
 * - whenever a SKU's stock or policy changed outside placement (an adjustment or receipt, even with
 *   nobody waiting; a variant's mode or limit): `stockChanged`, with the SKUs, after the rows are saved.
 */
import type { SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import type { Clock } from '../../shared/clock.ts';
import type { StoreScope } from '../../shared/context.ts';
import type { DomainError } from '../../shared/errors.ts';
import type { IdGenerator } from '../../shared/ids.ts';
import type { LinePromise } from '../promises/promises.models.ts';
import type { SkuLevel } from './stock.levels.repository.ts';

/** What a hook may use of the command's context. */
export interface HookContext {
  clock: Clock;
  ids: IdGenerator;
}

export type LineChangeCause = 'filled' | 'released' | 'shipped' | 'requeued';

/** One line a stock command changed, and how many units moved (hooks read more when they need it). */
export interface LineChange {
  storeId: string;
  orderId: string;
  lineId: string;
  sku: string;
  cause: LineChangeCause;
  /** Units that moved (always positive): filled from the queue, released, shipped or put back to wait. */
  quantity: number;
  /** Why, when the caller said (a cancellation's reason). */
  reason?: string;
  /** The shipment the units left in (cause `shipped`). */
  shipmentId?: string;
  /** Released units only: how many of them were waiting (the rest were allocated). */
  waiting?: number;
}

/** A line of an order being placed, as decided. */
export interface PlacedLine {
  lineId: string;
  sku: string;
  quantity: number;
  unitPrice: number;
  allocated: number;
  backordered: number;
  /** The line's first promise (its ship dates as placed). */
  eta: string | null;
  etaLatest: string | null;
  /** What `placementTerms` read for this SKU, by term name. */
  terms: Readonly<Record<string, unknown>>;
}

/** An order as placed: the request's own fields (payment terms and the like) ride along in `input`. */
export interface PlacedOrder {
  orderId: string;
  storeId: string;
  /** The store's time zone (its calendar days). */
  timezone: string;
  currency: string;
  input: Readonly<Record<string, unknown>>;
  lines: readonly PlacedLine[];
}

/** An order about to be decided, for `checkOrder`: prices as they will be charged. */
export interface OrderToCheck {
  storeId: string;
  currency: string;
  input: Readonly<Record<string, unknown>>;
  /** `terms`: what `placementTerms` read for the line's SKU, by term name. */
  lines: readonly {
    sku: string;
    quantity: number;
    unitPrice: number;
    terms: Readonly<Record<string, unknown>>;
  }[];
}

/**
 * Why the stock refused a line: `sold_out` (mode deny, nothing available), `not_backorderable`
 * (mode deny, fewer available than asked), `cap_reached` (the backorder limit leaves too little
 * room), `too_many_units` (beyond what the counters hold), `other_line` (another line of the same
 * order was refused: the whole order is).
 */
export type RefusalReason =
  | 'sold_out'
  | 'not_backorderable'
  | 'cap_reached'
  | 'too_many_units'
  | 'other_line';

/** An order the stock refused at placement (nothing of it was written), line by line. */
export interface RefusedOrder {
  storeId: string;
  timezone: string;
  lines: readonly { sku: string; quantity: number; reason: RefusalReason }[];
}

export interface ShipmentLinePlan {
  lineId: string;
  sku: string;
  quantity: number;
}

/** A line's part in a cancellation, before it is written: `quantity` units go, the line's counts stay as read. */
export interface CancelLinePlan {
  lineId: string;
  sku: string;
  quantity: number;
}

/** How a queue moved: units left it (served or cancelled), or units rejoined it ahead of every waiting line. */
export interface QueueMove {
  joinedAhead?: boolean;
}

export interface StockHook {
  /** For logs and the README's list. */
  name: string;
  /** A term read with each stock row at placement: `sql` is a scalar subquery on `l` (the stock row). */
  placementTerms?: { name: string; sql: SQL };
  checkOrder?(order: OrderToCheck): DomainError | null;
  /** Statements written with the batch (each a single data-modifying statement: they become CTEs). */
  placed?(orders: readonly PlacedOrder[], at: Date): SQL | readonly SQL[] | null;
  refused?(orders: readonly RefusedOrder[], at: Date): SQL | null;
  linesChanged?(
    tx: Executor,
    ctx: HookContext,
    store: StoreScope,
    changes: readonly LineChange[],
  ): Promise<void>;
  queuesChanged?(
    tx: Executor,
    ctx: HookContext,
    store: StoreScope,
    levels: readonly SkuLevel[],
    how: QueueMove,
  ): Promise<void>;
  beforeShip?(
    tx: Executor,
    ctx: HookContext,
    store: StoreScope,
    plan: readonly ShipmentLinePlan[],
    levels: ReadonlyMap<string, SkuLevel>,
  ): Promise<void>;
  beforeCancel?(
    tx: Executor,
    ctx: HookContext,
    store: StoreScope,
    plan: readonly CancelLinePlan[],
  ): Promise<void>;
  stockChanged?(tx: Executor, ctx: HookContext, store: StoreScope, skus: readonly string[]): Promise<void>;
}

/** Who dates a line (the promises module): the core stores the dates on the line, in its own columns. */
export interface LineDating {
  /**
   * A dater for one placement batch decided at `at`: a line whose waiting units end at `through`
   * units into the SKU's queue (null: nothing waits) gets the returned promise.
   */
  forPlacement(
    at: Date,
  ): (store: Pick<StoreScope, 'timezone'>, level: SkuLevel, through: number | null) => LinePromise;
  /** The promise of a line that stopped waiting: ready from stock. */
  fromStock(store: Pick<StoreScope, 'timezone'>, level: SkuLevel, now: Date): LinePromise;
}

export interface StockExtensions {
  dating: LineDating;
  hooks: readonly StockHook[];
}

/** What a stock command needs of the app's dependencies. */
export type StockDeps = HookContext & { stock: StockExtensions };

/** Runs `linesChanged` of every hook, in order. */
export async function linesChanged(
  tx: Executor,
  ctx: StockDeps,
  store: StoreScope,
  changes: readonly LineChange[],
): Promise<void> {
  if (changes.length === 0) return;
  for (const hook of ctx.stock.hooks) await hook.linesChanged?.(tx, ctx, store, changes);
}

/** Runs `queuesChanged` of every hook, in order. */
export async function queuesChanged(
  tx: Executor,
  ctx: StockDeps,
  store: StoreScope,
  levels: readonly SkuLevel[],
  how: QueueMove = {},
): Promise<void> {
  if (levels.length === 0) return;
  for (const hook of ctx.stock.hooks) await hook.queuesChanged?.(tx, ctx, store, levels, how);
}

/** Runs `stockChanged` of every hook, in order. */
export async function stockChanged(
  tx: Executor,
  ctx: StockDeps,
  store: StoreScope,
  skus: readonly string[],
): Promise<void> {
  if (skus.length === 0) return;
  for (const hook of ctx.stock.hooks) await hook.stockChanged?.(tx, ctx, store, skus);
}
