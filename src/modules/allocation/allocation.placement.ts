import { and, eq, inArray, sql } from 'drizzle-orm';
import { type Executor, inTransaction, queryRows } from '../../db/client.ts';
import type { Deps, StoreScope } from '../../shared/context.ts';
import type { DomainError } from '../../shared/errors.ts';
import { variants } from '../catalog/catalog.tables.ts';
import { appendEvents, type NewEvent } from '../events/events.usecases.ts';
import {
  claimId,
  type IdempotencyClaim,
  keyInUse,
  outcomeOfError,
  replayOf,
  type StoredOutcome,
} from '../idempotency/idempotency.models.ts';
import { claimKeys, findStored, saveOutcomes } from '../idempotency/idempotency.repository.ts';
import type { StockLevel } from '../inventory/inventory.models.ts';
import { levelKey, lockLevels, type SkuLevel, saveLevels } from '../inventory/inventory.repository.ts';
import { orderStatus } from '../orders/orders.models.ts';
import { type Customer, orderLines, orders } from '../orders/orders.tables.ts';
import { type OrderView, toOrderView } from '../orders/orders.views.ts';
import {
  currencyMismatch,
  duplicateExternalId,
  insufficientStock,
  tooManyUnits,
  unknownSku,
} from './allocation.errors.ts';
import { decidePlacement } from './allocation.models.ts';

export interface PlaceOrderInput {
  externalId?: string;
  customer: Customer;
  currency?: string;
  lines: { sku: string; quantity: number; unitPrice?: number }[];
}

export interface PlacementRequest {
  store: StoreScope;
  input: PlaceOrderInput;
  idempotency: IdempotencyClaim | null;
}

/** `replayed` outcomes come from an earlier request with the same Idempotency-Key. */
export type PlacementResult = { outcome: StoredOutcome; replayed: boolean };

interface Pending {
  request: PlacementRequest;
  resolve: (result: PlacementResult) => void;
  reject: (error: unknown) => void;
}

export interface PlacementOptions {
  /** Independent batch runners per process; orders for the same SKU set always share one. */
  lanes: number;
  /** Most orders placed in one transaction. */
  maxBatch: number;
}

/**
 * Places orders. Requests that arrive while a transaction is running wait and are then placed
 * together in the next one (group commit): each SKU's row is locked once per batch instead of once
 * per order, and the batch is decided in arrival order by the pure `decidePlacement`, so acceptance
 * order, limits and all-or-nothing orders hold exactly as if the orders came one by one. Across
 * processes the row locks order the batches.
 */
export class OrderPlacement {
  private readonly lanes: Pending[][];
  private readonly running: boolean[];
  private readonly inflight = new Map<string, Promise<unknown>>();

  constructor(
    private readonly deps: Deps,
    private readonly options: PlacementOptions = { lanes: 4, maxBatch: 200 },
  ) {
    this.lanes = Array.from({ length: options.lanes }, () => []);
    this.running = Array.from({ length: options.lanes }, () => false);
  }

  async place(request: PlacementRequest): Promise<PlacementResult> {
    const claim = request.idempotency;
    if (claim === null) return this.enqueue(request);
    // A retry racing its original inside this process waits for it, then replays its outcome.
    const id = claimId(claim);
    const earlier = this.inflight.get(id);
    const run = (async (): Promise<PlacementResult> => {
      if (earlier) await earlier.catch(() => undefined);
      const stored = await findStored(this.deps.db, claim);
      if (stored) return { outcome: replayOf(stored, claim.requestHash), replayed: true };
      return this.enqueue(request);
    })();
    this.inflight.set(id, run);
    try {
      return await run;
    } finally {
      if (this.inflight.get(id) === run) this.inflight.delete(id);
    }
  }

  private enqueue(request: PlacementRequest): Promise<PlacementResult> {
    const currency = request.input.currency ?? request.store.currency;
    if (currency !== request.store.currency) {
      return Promise.resolve({
        outcome: outcomeOfError(currencyMismatch(currency, request.store.currency)),
        replayed: false,
      });
    }
    const skus = [...new Set(request.input.lines.map((l) => l.sku))].sort().join(',');
    const lane = hash(`${request.store.id}:${skus}`) % this.lanes.length;
    return new Promise((resolve, reject) => {
      this.lanes[lane]!.push({ request, resolve, reject });
      if (!this.running[lane]) void this.drain(lane);
    });
  }

  private async drain(lane: number): Promise<void> {
    this.running[lane] = true;
    try {
      const queue = this.lanes[lane]!;
      while (queue.length > 0) {
        const batch = queue.splice(0, this.options.maxBatch);
        await this.runBatch(batch);
      }
    } finally {
      this.running[lane] = false;
    }
  }

  private async runBatch(batch: Pending[]): Promise<void> {
    try {
      const results = await placeBatch(
        this.deps,
        batch.map((p) => p.request),
      );
      for (const [i, p] of batch.entries()) p.resolve(results[i]!);
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
      // An unexpected failure must not sink the other orders: place each on its own.
      for (const pending of batch) await this.runBatch([pending]);
    }
  }
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

const isExternalIdRace = (error: unknown): boolean => {
  const e = error as { code?: string; constraint?: string; cause?: { code?: string; constraint?: string } };
  const inner = e.cause ?? e;
  return inner.code === '23505' && inner.constraint === 'orders_external_id_idx';
};

/** Places a batch of orders in one transaction; one result per request, in order. */
export async function placeBatch(
  deps: Deps,
  requests: readonly PlacementRequest[],
): Promise<PlacementResult[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await inTransaction(deps.db, (tx) => decideAndWrite(tx, deps, requests));
    } catch (error) {
      // Another process inserted the same externalId meanwhile: the retry sees it and refuses.
      if (attempt < 3 && isExternalIdRace(error)) continue;
      throw error;
    }
  }
}

async function decideAndWrite(
  tx: Executor,
  deps: Deps,
  requests: readonly PlacementRequest[],
): Promise<PlacementResult[]> {
  const now = deps.clock.now();
  const results: (PlacementResult | undefined)[] = new Array(requests.length);
  const fail = (i: number, error: DomainError) => {
    results[i] = { outcome: outcomeOfError(error), replayed: false };
  };

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
  await markDuplicateExternalIds(tx, requests, results, fail);

  // 3. Lock every SKU the batch touches, then decide order by order in arrival order.
  const open = requests.flatMap((r, i) => (results[i] ? [] : [{ r, i }]));
  const levels = await lockLevels(
    tx,
    open.flatMap(({ r }) => r.input.lines.map((l) => ({ storeId: r.store.id, sku: l.sku }))),
  );
  const prices = await defaultPrices(
    tx,
    open.map(({ r }) => r),
  );
  const changed = new Set<string>();
  const orderRows: (typeof orders.$inferInsert)[] = [];
  const lineRows: (typeof orderLines.$inferInsert)[] = [];
  const newEvents: NewEvent[] = [];

  for (const { r, i } of open) {
    const storeId = r.store.id;
    const own = new Map<string, StockLevel>();
    const missing = r.input.lines.findIndex((l) => !levels.has(levelKey(storeId, l.sku)));
    if (missing >= 0) {
      fail(i, unknownSku(r.input.lines[missing]!.sku, `/lines/${missing}/sku`));
      continue;
    }
    for (const l of r.input.lines) own.set(l.sku, levels.get(levelKey(storeId, l.sku))!);
    const decision = decidePlacement(own, r.input.lines);
    if (!decision.accepted) {
      fail(
        i,
        decision.reason === 'too_many_units'
          ? tooManyUnits(decision.sku)
          : insufficientStock(decision.sku, decision.available, decision.backorderRemaining),
      );
      continue;
    }
    for (const [sku, level] of decision.levels) {
      const key = levelKey(storeId, sku);
      levels.set(key, { ...(level as SkuLevel), storeId, sku });
      changed.add(key);
    }
    const orderId = deps.ids.next('ord');
    const lines = decision.lines.map((placed, lineNo) => ({
      id: deps.ids.next('line'),
      orderId,
      sku: placed.sku,
      quantity: placed.quantity,
      unitPrice: r.input.lines[lineNo]!.unitPrice ?? prices.get(levelKey(storeId, placed.sku)) ?? 0,
      allocated: placed.allocate,
      backordered: placed.wait,
      shipped: 0,
      cancelled: 0,
      queuePosition: placed.position,
      ticket: placed.ticket,
    }));
    const order = {
      id: orderId,
      externalId: r.input.externalId ?? null,
      status: orderStatus(lines),
      customer: r.input.customer,
      currency: r.store.currency,
      createdAt: now,
      updatedAt: now,
    };
    const view = toOrderView(order, lines);
    orderRows.push({ ...order, storeId });
    for (const [lineNo, line] of lines.entries()) {
      lineRows.push({
        ...line,
        storeId,
        lineNo,
        queueTicket: line.ticket,
        status: view.lines[lineNo]!.status,
        createdAt: now,
      });
    }
    newEvents.push(...placementEvents(storeId, view));
    results[i] = { outcome: { ok: true, status: 201, body: view }, replayed: false };
  }

  // 4. Write everything the batch decided.
  if (orderRows.length > 0) {
    await tx.insert(orders).values(orderRows);
    await tx.insert(orderLines).values(lineRows);
  }
  await appendEvents(tx, deps, newEvents);
  await saveLevels(
    tx,
    [...changed].map((k) => levels.get(k)!),
    now,
  );
  await saveOutcomes(
    tx,
    requests.flatMap((r, i) =>
      r.idempotency && won.has(claimId(r.idempotency))
        ? [{ claim: r.idempotency, outcome: results[i]!.outcome }]
        : [],
    ),
  );
  return results as PlacementResult[];
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
        data: { ...base, quantity: line.backorderedQuantity, queuePosition: line.queuePosition },
      });
    }
  }
  return list;
}

async function markDuplicateExternalIds(
  tx: Executor,
  requests: readonly PlacementRequest[],
  results: (PlacementResult | undefined)[],
  fail: (i: number, error: DomainError) => void,
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
    if (used.has(key)) fail(w.i, duplicateExternalId(w.externalId));
    used.add(key);
  }
}

/** Variant prices for lines that did not give a unitPrice. */
async function defaultPrices(
  tx: Executor,
  requests: readonly PlacementRequest[],
): Promise<Map<string, number>> {
  const needed = requests.flatMap((r) =>
    r.input.lines.filter((l) => l.unitPrice === undefined).map((l) => ({ storeId: r.store.id, sku: l.sku })),
  );
  const prices = new Map<string, number>();
  const byStore = new Map<string, string[]>();
  for (const n of needed) byStore.set(n.storeId, [...(byStore.get(n.storeId) ?? []), n.sku]);
  for (const [storeId, skus] of byStore) {
    const rows = await tx
      .select({ sku: variants.sku, price: variants.price })
      .from(variants)
      .where(and(eq(variants.storeId, storeId), inArray(variants.sku, skus)));
    for (const row of rows) prices.set(levelKey(storeId, row.sku), row.price);
  }
  return prices;
}
