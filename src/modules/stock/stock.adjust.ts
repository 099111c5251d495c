import { type SQL, sql } from 'drizzle-orm';
import { type Executor, executeTogether } from '../../db/client.ts';
import { appendEvents } from '../../db/outbox.ts';
import type { StoreScope } from '../../shared/context.ts';
import { invalid } from '../../shared/errors.ts';
import { notOnHand, repeatedSkus, tooManyUnits, unknownSku } from './stock.errors.ts';
import { type QueueFill, serveQueues } from './stock.fill.ts';
import { queuesChanged, type StockDeps, stockChanged } from './stock.hooks.ts';
import { MAX_UNITS } from './stock.levels.models.ts';
import { levelKey, lockLevels, type SkuLevel, saveLevels } from './stock.levels.repository.ts';
import type { TakeBack } from './stock.queue.models.ts';
import { requeueAllocated } from './stock.requeue.ts';
import { type LevelView, toLevelView } from './stock.views.ts';

export type AdjustmentReason = 'restock' | 'count' | 'damage' | 'return' | 'other';

export interface AdjustmentInput {
  sku: string;
  quantity: number;
  reason: AdjustmentReason;
  note?: string;
}

export interface AdjustmentResult {
  adjustment: {
    id: string;
    sku: string;
    quantity: number;
    reason: AdjustmentReason;
    note: string | null;
    createdAt: string;
  };
  level: LevelView;
  filled: QueueFill[];
  /** Lines whose allocated units a write-off took back: they wait again, ahead of the queue. */
  requeued: QueueFill[];
}

/** Changes onHand by a signed quantity; arriving units go to the head of the queue first. */
export async function adjustStock(
  tx: Executor,
  deps: StockDeps,
  store: StoreScope,
  input: AdjustmentInput,
): Promise<AdjustmentResult> {
  const [result] = await adjustStockBatch(tx, deps, store, [input], () => '/sku');
  return result!;
}

/**
 * Applies several adjustments at once, all or nothing (a receiving dock unloading a delivery):
 * every SKU is locked in order, the ledger written, and the queues of every restocked SKU served
 * together. `pathOf` names an input's SKU field in error messages.
 */
export async function adjustStockBatch(
  tx: Executor,
  deps: StockDeps,
  store: StoreScope,
  inputs: readonly AdjustmentInput[],
  pathOf: (index: number) => string = (i) => `/adjustments/${i}/sku`,
): Promise<AdjustmentResult[]> {
  refuseRepeatedSkus(inputs, pathOf);
  if (inputs.length === 0) return [];
  const levels = await lockLevels(
    tx,
    inputs.map((input) => ({ storeId: store.id, sku: input.sku })),
  );
  const now = deps.clock.now();
  const adjustments = inputs.map((input) => ({
    id: deps.ids.next('adj'),
    sku: input.sku,
    quantity: input.quantity,
    reason: input.reason,
    note: input.note ?? null,
  }));
  const { touched, filled, requeued } = await changeOnHand(
    tx,
    deps,
    store,
    levels,
    adjustments.map((a, i) => ({ sku: a.sku, quantity: a.quantity, adjustmentId: a.id, path: pathOf(i) })),
    { type: 'adjustment', now, alongside: insertAdjustments(store.id, adjustments, now) },
  );
  await queuesChanged(
    tx,
    deps,
    store,
    touched.filter((level) => filled.has(levelKey(store.id, level.sku))),
  );
  await queuesChanged(
    tx,
    deps,
    store,
    touched.filter((level) => requeued.has(levelKey(store.id, level.sku))),
    { joinedAhead: true },
  );
  const results = adjustments.map((adjustment, i) => ({
    adjustment: { ...adjustment, createdAt: now.toISOString() },
    level: toLevelView(adjustment.sku, touched[i]!),
    filled: filled.get(levelKey(store.id, adjustment.sku)) ?? [],
    requeued: (requeued.get(levelKey(store.id, adjustment.sku)) ?? []).map(
      ({ orderId, lineId, quantity }) => ({
        orderId,
        lineId,
        quantity,
      }),
    ),
  }));
  // The fills themselves are order.line.allocated events; this one says how many there were.
  await appendEvents(
    tx,
    deps,
    results.map((r) => ({
      storeId: store.id,
      type: 'inventory.adjusted',
      data: {
        adjustment: r.adjustment,
        level: r.level,
        filledLines: r.filled.length,
        filledQuantity: r.filled.reduce((sum, f) => sum + f.quantity, 0),
      },
    })),
  );
  return results;
}

/** A signed change to a SKU's on-hand units, as one ledger movement records it. */
export interface StockChange {
  sku: string;
  quantity: number;
  /** The adjustment the movement belongs to (adjustments only). */
  adjustmentId?: string;
  /** Where the request named the SKU, for error messages. */
  path: string;
}

/**
 * The restock path, shared by adjustments and purchase-order receipts: applies signed changes to
 * stock rows the caller has locked (an unknown SKU, onHand below zero or too many units refuses
 * them all; units written off below the allocated ones are taken back from allocated lines, which
 * wait again ahead of the queue: `requeueAllocated`), writes one ledger movement of `type` per change — in one round trip with
 * `alongside`, the caller's own record of the change —, hands arriving units to the head of each
 * queue (`serveQueues`) and saves the rows. Returns the levels in input order, the fills and the
 * take-backs per SKU; the caller has the moved queues re-dated (`queuesChanged`).
 */
export async function changeOnHand(
  tx: Executor,
  deps: StockDeps,
  store: StoreScope,
  levels: ReadonlyMap<string, SkuLevel>,
  changes: readonly StockChange[],
  options: { type: 'adjustment' | 'receipt'; now: Date; alongside?: SQL | null },
): Promise<{ touched: SkuLevel[]; filled: Map<string, QueueFill[]>; requeued: Map<string, TakeBack[]> }> {
  const touched = changes.map((change) => {
    const level = levels.get(levelKey(store.id, change.sku));
    if (!level) throw unknownSku(change.sku, change.path);
    if (level.onHand + change.quantity < 0) throw notOnHand(change.sku, level.onHand, -change.quantity);
    if (level.onHand + change.quantity > MAX_UNITS) throw tooManyUnits(change.sku);
    return level;
  });
  // Units written off below the allocated ones are taken back from allocated lines (see requeue).
  const shortfalls = touched.map((level, i) =>
    Math.max(0, level.allocated - level.onHand - changes[i]!.quantity),
  );
  for (const [i, level] of touched.entries()) level.onHand += changes[i]!.quantity;
  await executeTogether(tx, [
    options.alongside ?? null,
    insertMovements(deps, store.id, options.type, changes, options.now),
  ]);
  const requeued = new Map<string, TakeBack[]>();
  for (const [i, level] of touched.entries()) {
    if (shortfalls[i]! > 0) {
      requeued.set(
        levelKey(store.id, level.sku),
        await requeueAllocated(tx, deps, store, level, shortfalls[i]!),
      );
    }
  }
  const filled = await serveQueues(
    tx,
    deps,
    store,
    touched.filter((_, i) => changes[i]!.quantity > 0),
  );
  await saveLevels(tx, touched, options.now);
  await stockChanged(
    tx,
    deps,
    store,
    touched.map((level) => level.sku),
  );
  return { touched, filled, requeued };
}

/** The INSERT of adjustment records, written together with their ledger movements. */
function insertAdjustments(
  storeId: string,
  adjustments: readonly { id: string; sku: string; quantity: number; reason: string; note: string | null }[],
  now: Date,
): SQL {
  return sql`
    INSERT INTO inventory_adjustments (id, store_id, sku, quantity, reason, note, created_at)
    SELECT v.id, ${storeId}, v.sku, v.quantity, v.reason, v.note, ${now}::timestamptz
      FROM unnest(${sql.param(adjustments.map((a) => a.id))}::text[],
                  ${sql.param(adjustments.map((a) => a.sku))}::text[],
                  ${sql.param(adjustments.map((a) => a.quantity))}::int[],
                  ${sql.param(adjustments.map((a) => a.reason))}::text[],
                  ${sql.param(adjustments.map((a) => a.note))}::text[]) AS v(id, sku, quantity, reason, note)`;
}

/** The INSERT of one ledger movement per change. */
function insertMovements(
  deps: Pick<StockDeps, 'ids'>,
  storeId: string,
  type: 'adjustment' | 'receipt',
  changes: readonly StockChange[],
  now: Date,
): SQL {
  return sql`
    INSERT INTO stock_movements (id, store_id, sku, type, quantity, adjustment_id, created_at)
    SELECT m.id, ${storeId}, m.sku, ${type}, m.quantity, m.adjustment_id, ${now}::timestamptz
      FROM unnest(${sql.param(changes.map(() => deps.ids.next('mov')))}::text[],
                  ${sql.param(changes.map((c) => c.sku))}::text[],
                  ${sql.param(changes.map((c) => c.quantity))}::int[],
                  ${sql.param(changes.map((c) => c.adjustmentId ?? null))}::text[]) AS m(id, sku, quantity, adjustment_id)`;
}

export interface CountInput {
  counts: { sku: string; onHand: number }[];
  /** Why the count was taken; kept as the adjustments' note. */
  reason?: string;
}

export interface CountResult {
  sku: string;
  counted: number;
  previousOnHand: number;
  difference: number;
  adjustment: AdjustmentResult['adjustment'] | null;
  level: LevelView;
  filled: QueueFill[];
  requeued: QueueFill[];
}

/**
 * A cycle count: sets each SKU's on-hand units to the counted figure, writing the difference as an
 * adjustment with reason `count` (the same rules as any adjustment: arriving units fill the queue,
 * missing allocated ones are taken back). All or nothing; a SKU whose count matches changes nothing.
 */
export async function countStock(
  tx: Executor,
  deps: StockDeps,
  store: StoreScope,
  input: CountInput,
): Promise<CountResult[]> {
  const pathOf = (i: number) => `/counts/${i}/sku`;
  refuseRepeatedSkus(input.counts, pathOf);
  const levels = await lockLevels(
    tx,
    input.counts.map((c) => ({ storeId: store.id, sku: c.sku })),
  );
  const previous = input.counts.map((count, i) => {
    const level = levels.get(levelKey(store.id, count.sku));
    if (!level) throw unknownSku(count.sku, pathOf(i));
    return level.onHand;
  });
  const changed = input.counts.flatMap((count, i) =>
    count.onHand === previous[i] ? [] : [{ i, sku: count.sku, quantity: count.onHand - previous[i]! }],
  );
  const adjusted = await adjustStockBatch(
    tx,
    deps,
    store,
    changed.map((c) => ({
      sku: c.sku,
      quantity: c.quantity,
      reason: 'count' as const,
      ...(input.reason ? { note: input.reason } : {}),
    })),
    (k) => pathOf(changed[k]!.i),
  );
  const byIndex = new Map(changed.map((c, k) => [c.i, adjusted[k]!]));
  return input.counts.map((count, i) => {
    const result = byIndex.get(i);
    return {
      sku: count.sku,
      counted: count.onHand,
      previousOnHand: previous[i]!,
      difference: count.onHand - previous[i]!,
      adjustment: result?.adjustment ?? null,
      level: result?.level ?? toLevelView(count.sku, levels.get(levelKey(store.id, count.sku))!),
      filled: result?.filled ?? [],
      requeued: result?.requeued ?? [],
    };
  });
}

function refuseRepeatedSkus(inputs: readonly { sku: string }[], pathOf: (index: number) => string): void {
  const repeated = repeatedSkus(inputs, pathOf);
  if (repeated.length > 0) {
    throw invalid(
      'validation_failed',
      `SKU "${inputs[repeated[0]!.index]!.sku}" appears more than once`,
      repeated.map((r) => r.error),
    );
  }
}
