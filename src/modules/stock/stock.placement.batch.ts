/**
 * One batch of order placements, decided in arrival order by `decidePlacement` and written at
 * once: optimistically in one statement (`placeOptimistically`), or under the SKUs' row locks.
 */
import { type SQL, sql } from 'drizzle-orm';
import {
  type Executor,
  executeIfGateHolds,
  executeTogether,
  inTransaction,
  queryRows,
} from '../../db/client.ts';
import { claimId, keyInUse, outcomeOfError, replayOf } from '../../db/idempotency.models.ts';
import { claimKeys, findStored, updateOutcomes } from '../../db/idempotency.repository.ts';
import { insertEvents, type NewEvent } from '../../db/outbox.ts';
import type { Deps } from '../../shared/context.ts';
import type { DomainError } from '../../shared/errors.ts';
import { duplicateExternalId, insufficientStock, tooManyUnits, unknownSku } from './stock.errors.ts';
import type { LineDating, OrderToCheck, PlacedOrder, RefusalReason, RefusedOrder } from './stock.hooks.ts';
import type { StockLevel } from './stock.levels.models.ts';
import {
  type LevelTerm,
  levelKey,
  readLevels,
  type SkuLevel,
  updateLevels,
  updateLevelsIfUnchanged,
} from './stock.levels.repository.ts';
import { orderStatus } from './stock.lines.models.ts';
import { insertLines, insertOrders, type NewLine, type NewOrder } from './stock.lines.repository.ts';
import type { PlacementRequest, PlacementResult } from './stock.placement.ts';
import { newLinesWaiting } from './stock.queue.counts.ts';
import { decidePlacement, type LinePlacement } from './stock.queue.models.ts';
import { type OrderView, toOrderView } from './stock.views.ts';

const isExternalIdRace = (error: unknown): boolean => {
  const e = error as { code?: string; constraint?: string; cause?: { code?: string; constraint?: string } };
  const inner = e.cause ?? e;
  return inner.code === '23505' && inner.constraint === 'orders_external_id_idx';
};

/**
 * Places a batch of orders; one result per request, in order. Batches without Idempotency-Keys or
 * externalIds are first tried optimistically (see `placeOptimistically`); the others, and batches
 * that keep losing that race, take the locked path: one transaction holding the SKUs' row locks.
 * `onLocked` is called once a locked batch holds its locks (the next batch may then queue behind it).
 */
export async function placeBatch(
  deps: Deps,
  requests: readonly PlacementRequest[],
  onLocked: () => void = () => {},
): Promise<PlacementResult[]> {
  if (!requests.some((r) => r.idempotency !== null || r.input.externalId !== undefined)) {
    const placed = await placeOptimistically(deps, requests);
    if (placed) return placed;
  }
  for (let attempt = 1; ; attempt++) {
    try {
      return await inTransaction(deps.db, (tx) => decideAndWrite(tx, deps, requests, onLocked));
    } catch (error) {
      // Another process inserted the same externalId meanwhile: the retry sees it and refuses.
      if (attempt < 3 && isExternalIdRace(error)) continue;
      throw error;
    }
  }
}

/**
 * Places orders inside the caller's transaction (the locked path), for commands that must place
 * an order and record something else atomically (a platform connector marking its inbound event
 * done). One result per request, in order.
 */
export function placeOrdersIn(
  tx: Executor,
  deps: Deps,
  requests: readonly PlacementRequest[],
): Promise<PlacementResult[]> {
  return decideAndWrite(tx, deps, requests, () => {});
}

const OPTIMISTIC_ATTEMPTS = 4;
/**
 * A gate that failed after waiting this long waited for a transaction that held the rows (a
 * connector's batch of new orders, a restock): the next try would likely wait behind the next such
 * transaction and fail again, so the batch takes the locked path, which queues for the rows once.
 */
const LONG_WAIT_MS = 30;

/**
 * Decides the batch on a plain read of the stock rows and writes it in one statement that first
 * re-checks, row by row, that every stock row it changes still holds exactly the values the
 * decision read (the gate); if one moved, nothing is written and the batch is decided again. A
 * decision depends on nothing but those values, so a batch that passes the gate is exactly what
 * the locked path would have decided, and the whole write is one round trip (a single statement
 * is its own transaction). A batch that only refuses writes nothing at all: what it read was the
 * committed state at a moment during each request. Returns null when the race keeps being lost.
 */
async function placeOptimistically(
  deps: Deps,
  requests: readonly PlacementRequest[],
): Promise<PlacementResult[] | null> {
  const open = requests.map((r, i) => ({ r, i }));
  for (let attempt = 0; attempt < OPTIMISTIC_ATTEMPTS; attempt++) {
    const levels = await readLevels(deps.db, stockKeys(open), {
      lock: false,
      placement: placementTerms(deps),
    });
    const before = new Map([...levels].map(([key, level]) => [key, { ...level }]));
    // Stamped after the read: a batch that passes the gate read the state its predecessor left.
    const acceptedAt = deps.clock.now();
    const { decisions, changed } = decideInOrder(deps, open, levels);
    const results: PlacementResult[] = new Array(requests.length);
    const written = materialize(deps, decisions, levels, acceptedAt, results);
    if (changed.size === 0) {
      // Nothing accepted: only what hooks record of the refusals is written (one statement).
      await executeTogether(deps.db, written.alongside);
      return results;
    }
    const writeStarted = performance.now();
    const passed = await executeIfGateHolds(
      deps.db,
      updateLevelsIfUnchanged(
        [...changed].map((key) => ({ before: before.get(key)!, after: levels.get(key)! })),
        acceptedAt,
      ),
      changed.size,
      [
        insertOrders(written.orders, acceptedAt),
        insertLines(written.lines, acceptedAt),
        newLinesWaiting(written.lines),
        insertEvents(deps, written.events),
        ...written.alongside,
      ],
    );
    if (passed) return results;
    if (performance.now() - writeStarted >= LONG_WAIT_MS) return null;
  }
  return null;
}

/** Turns accepted decisions into rows and events, and records every request's outcome. */
function materialize(
  deps: Deps,
  decisions: readonly Decision[],
  levels: ReadonlyMap<string, SkuLevel>,
  acceptedAt: Date,
  results: (PlacementResult | undefined)[],
): { orders: NewOrder[]; lines: NewLine[]; events: NewEvent[]; alongside: (SQL | null)[] } {
  const written = {
    orders: [] as NewOrder[],
    lines: [] as NewLine[],
    events: [] as NewEvent[],
  };
  const placed: PlacedOrder[] = [];
  const refused: RefusedOrder[] = [];
  const dateLine = deps.stock.dating.forPlacement(acceptedAt);
  for (const d of decisions) {
    if ('error' in d) {
      results[d.index] = { outcome: outcomeOfError(d.error), replayed: false };
      if (d.refused) refused.push(d.refused);
      continue;
    }
    const { order, lines, view } = buildOrder(deps, d.request, d.lines, levels, dateLine, acceptedAt);
    written.orders.push(order);
    written.lines.push(...lines);
    placed.push({
      orderId: order.id,
      storeId: order.storeId,
      timezone: d.request.store.timezone,
      currency: order.currency,
      input: d.request.input as unknown as Record<string, unknown>,
      lines: lines.map((l) => ({
        lineId: l.id,
        sku: l.sku,
        quantity: l.quantity,
        unitPrice: l.unitPrice,
        allocated: l.allocated,
        backordered: l.backordered,
        eta: l.eta,
        etaLatest: l.etaLatest,
        terms: levels.get(levelKey(l.storeId, l.sku))!.terms ?? {},
      })),
    });
    written.events.push(...placementEvents(order.storeId, view));
    results[d.index] = { outcome: { ok: true, status: 201, body: view }, replayed: false };
  }
  const alongside: (SQL | null)[] = [];
  for (const hook of deps.stock.hooks) {
    if (placed.length > 0) alongside.push(...[hook.placed?.(placed, acceptedAt) ?? null].flat());
    if (refused.length > 0) alongside.push(hook.refused?.(refused, acceptedAt) ?? null);
  }
  return { ...written, alongside };
}

type Decision =
  | { index: number; error: DomainError; refused?: RefusedOrder }
  | { index: number; request: PlacementRequest; lines: LinePlacement[] };

/**
 * Decides requests one after another against `levels`, which it updates as orders are accepted,
 * so every request sees the ones before it. Returns the changed level keys.
 */
function decideInOrder(
  deps: Pick<Deps, 'stock'>,
  open: readonly { r: PlacementRequest; i: number }[],
  levels: Map<string, SkuLevel>,
): { decisions: Decision[]; changed: Set<string> } {
  const decisions: Decision[] = [];
  const changed = new Set<string>();
  for (const { r, i } of open) {
    const storeId = r.store.id;
    const missing = r.input.lines.findIndex((l) => !levels.has(levelKey(storeId, l.sku)));
    if (missing >= 0) {
      decisions.push({ index: i, error: unknownSku(r.input.lines[missing]!.sku, `/lines/${missing}/sku`) });
      continue;
    }
    const own = new Map<string, StockLevel>(
      r.input.lines.map((l) => [l.sku, levels.get(levelKey(storeId, l.sku))!]),
    );
    const refusal = checkOrder(deps, r.store, r.input, levels);
    if (refusal) {
      decisions.push({ index: i, error: refusal });
      continue;
    }
    const decision = decidePlacement(own, r.input.lines);
    if (!decision.accepted) {
      // Shoppers asking for more than the stock or the cap allows is demand; an absurd quantity
      // (beyond the counters, a 422) is not.
      const level = own.get(decision.sku)!;
      const reason: RefusalReason | null =
        decision.reason === 'too_many_units'
          ? null
          : level.backorderMode !== 'deny'
            ? 'cap_reached'
            : decision.available === 0
              ? 'sold_out'
              : 'not_backorderable';
      const refused: RefusedOrder | undefined =
        reason === null
          ? undefined
          : {
              storeId,
              timezone: r.store.timezone,
              lines: r.input.lines.map((l) => ({
                sku: l.sku,
                quantity: l.quantity,
                reason: l.sku === decision.sku ? reason : 'other_line',
              })),
            };
      const error =
        decision.reason === 'too_many_units'
          ? tooManyUnits(decision.sku)
          : insufficientStock(
              decision.sku,
              decision.available,
              decision.backorderRemaining,
              own.get(decision.sku)!.backorderMode,
            );
      decisions.push({ index: i, error, ...(refused ? { refused } : {}) });
      continue;
    }
    for (const [sku, level] of decision.levels) {
      const key = levelKey(storeId, sku);
      levels.set(key, { ...levels.get(key)!, ...level });
      changed.add(key);
    }
    decisions.push({ index: i, request: r, lines: decision.lines });
  }
  return { decisions, changed };
}

/** The hooks' terms read with each stock row at placement. */
const placementTerms = (deps: Pick<Deps, 'stock'>): LevelTerm[] =>
  deps.stock.hooks.flatMap((hook) => (hook.placementTerms ? [hook.placementTerms] : []));

/**
 * The hooks' verdict on an order before its stock is decided (the first refusal wins). The priced
 * lines are built only if a hook reads them (the payments hook does only for a discount): this
 * runs for every order of a flash sale.
 */
function checkOrder(
  deps: Pick<Deps, 'stock'>,
  store: PlacementRequest['store'],
  input: PlacementRequest['input'],
  levels: ReadonlyMap<string, SkuLevel>,
): DomainError | null {
  const level = (sku: string) => levels.get(levelKey(store.id, sku))!;
  let priced: OrderToCheck['lines'] | undefined;
  const order: OrderToCheck = {
    storeId: store.id,
    currency: store.currency,
    input: input as unknown as Record<string, unknown>,
    get lines() {
      priced ??= input.lines.map((l) => ({
        sku: l.sku,
        quantity: l.quantity,
        unitPrice: l.unitPrice ?? level(l.sku).price ?? 0,
        terms: level(l.sku).terms ?? {},
      }));
      return priced;
    },
  };
  for (const hook of deps.stock.hooks) {
    const refusal = hook.checkOrder?.(order) ?? null;
    if (refusal) return refusal;
  }
  return null;
}

const stockKeys = (open: readonly { r: PlacementRequest }[]) =>
  open.flatMap(({ r }) => r.input.lines.map((l) => ({ storeId: r.store.id, sku: l.sku })));

async function decideAndWrite(
  tx: Executor,
  deps: Deps,
  requests: readonly PlacementRequest[],
  onLocked: () => void,
): Promise<PlacementResult[]> {
  const now = deps.clock.now();
  const results: (PlacementResult | undefined)[] = new Array(requests.length);

  // 1. Idempotency keys first (before any stock lock), so a duplicate waits without holding stock.
  const claims = requests.flatMap((r) => (r.idempotency ? [r.idempotency] : []));
  const won = await claimKeys(tx, claims, now);
  for (const [i, r] of requests.entries()) {
    if (r.idempotency && !won.has(claimId(r.idempotency))) {
      const stored = await findStored(tx, r.idempotency);
      // Not found only if the winner rolled back after our insert gave way: ask the client to retry.
      results[i] = {
        outcome: stored ? replayOf(stored, r.idempotency.requestHash) : outcomeOfError(keyInUse()),
        replayed: true,
      };
    }
  }

  // 2. externalIds already used, in the database or earlier in this batch.
  await markDuplicateExternalIds(tx, requests, results);

  // 3. Lock every SKU the batch touches, then decide order by order in arrival order.
  const open = requests.flatMap((r, i) => (results[i] ? [] : [{ r, i }]));
  const levels = await readLevels(tx, stockKeys(open), { lock: true, placement: placementTerms(deps) });
  onLocked();
  // Orders are stamped once the stock locks are held, so placedAt follows queue order even when
  // batches from several processes wait on the same SKU.
  const acceptedAt = deps.clock.now();
  const { decisions, changed } = decideInOrder(deps, open, levels);
  const written = materialize(deps, decisions, levels, acceptedAt, results);

  // 4. Write everything the batch decided, in one round trip.
  const outcomes = requests.flatMap((r, i) =>
    r.idempotency && won.has(claimId(r.idempotency))
      ? [{ claim: r.idempotency, outcome: results[i]!.outcome }]
      : [],
  );
  await executeTogether(tx, [
    insertOrders(written.orders, acceptedAt),
    insertLines(written.lines, acceptedAt),
    newLinesWaiting(written.lines),
    insertEvents(deps, written.events),
    ...written.alongside,
    updateLevels(
      [...changed].map((k) => levels.get(k)!),
      acceptedAt,
    ),
    updateOutcomes(outcomes),
  ]);
  return results as PlacementResult[];
}

function buildOrder(
  deps: Deps,
  request: PlacementRequest,
  placed: readonly LinePlacement[],
  levels: ReadonlyMap<string, SkuLevel>,
  dateLine: ReturnType<LineDating['forPlacement']>,
  acceptedAt: Date,
): { order: NewOrder; lines: NewLine[]; view: OrderView } {
  const storeId = request.store.id;
  const orderId = deps.ids.next('ord');
  const lines = placed.map((p, lineNo) => {
    const key = levelKey(storeId, p.sku);
    const promise = dateLine(request.store, levels.get(key)!, p.waitingThrough);
    return {
      id: deps.ids.next('line'),
      storeId,
      orderId,
      lineNo,
      sku: p.sku,
      quantity: p.quantity,
      unitPrice: request.input.lines[lineNo]!.unitPrice ?? levels.get(key)!.price ?? 0,
      allocated: p.allocate,
      backordered: p.wait,
      shipped: 0,
      cancelled: 0,
      queueTicket: p.ticket,
      queuePosition: p.position,
      eta: promise.eta,
      etaLatest: promise.etaLatest,
      etaSource: promise.source,
    };
  });
  const order = {
    id: orderId,
    storeId,
    externalId: request.input.externalId ?? null,
    status: orderStatus(lines),
    lineCount: lines.length,
    customer: request.input.customer ?? {},
    currency: request.store.currency,
    createdAt: acceptedAt,
    updatedAt: acceptedAt,
  };
  return { order, lines, view: toOrderView(order, lines) };
}

function placementEvents(storeId: string, order: OrderView): NewEvent[] {
  const list: NewEvent[] = [{ storeId, type: 'order.placed', data: { order } }];
  for (const line of order.lines) {
    const base = { orderId: order.id, lineId: line.id, sku: line.sku };
    if (line.allocatedQuantity > 0) {
      list.push({
        storeId,
        type: 'order.line.allocated',
        data: { ...base, quantity: line.allocatedQuantity, source: 'stock' },
      });
    }
    if (line.backorderedQuantity > 0) {
      list.push({
        storeId,
        type: 'order.line.backordered',
        data: {
          ...base,
          quantity: line.backorderedQuantity,
          queuePosition: line.queuePosition,
          eta: line.eta,
          etaLatest: line.etaLatest,
          etaSource: line.etaSource,
        },
      });
    }
  }
  return list;
}

async function markDuplicateExternalIds(
  tx: Executor,
  requests: readonly PlacementRequest[],
  results: (PlacementResult | undefined)[],
): Promise<void> {
  const wanted = requests.flatMap((r, i) =>
    !results[i] && r.input.externalId !== undefined
      ? [{ storeId: r.store.id, externalId: r.input.externalId, i }]
      : [],
  );
  if (wanted.length === 0) return;
  const taken = await queryRows<{ store_id: string; external_id: string }>(
    tx,
    sql`SELECT o.store_id, o.external_id FROM orders o
          JOIN unnest(${sql.param(wanted.map((w) => w.storeId))}::text[], ${sql.param(wanted.map((w) => w.externalId))}::text[])
               AS k(store_id, external_id)
            ON o.store_id = k.store_id AND o.external_id = k.external_id`,
  );
  const used = new Set(taken.map((t) => `${t.store_id} ${t.external_id}`));
  for (const w of wanted) {
    const key = `${w.storeId} ${w.externalId}`;
    if (used.has(key))
      results[w.i] = { outcome: outcomeOfError(duplicateExternalId(w.externalId)), replayed: false };
    used.add(key);
  }
}
