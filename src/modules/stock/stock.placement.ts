import {
  claimId,
  type IdempotencyClaim,
  outcomeOfError,
  type StoredOutcome,
} from '../../db/idempotency.models.ts';
import type { Deps, StoreScope } from '../../shared/context.ts';
import type { OrderPaymentInput } from '../payments/payments.placement.ts';
import { currencyMismatch } from './stock.errors.ts';
import type { Customer } from './stock.orders.tables.ts';
import { placeBatch } from './stock.placement.batch.ts';

export interface PlaceOrderInput extends OrderPaymentInput {
  externalId?: string;
  customer?: Customer;
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
 * Places orders. Requests that arrive while a batch is being written wait and are then placed
 * together in the next batch (group commit): each SKU's row is written once per batch instead of
 * once per order, and the batch is decided in arrival order by the pure `decidePlacement`, so
 * acceptance order, limits and all-or-nothing orders hold exactly as if the orders came one by
 * one. Across processes the stock rows (re-checked or locked by each write) order the batches.
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
    // Two requests with one key must never share a batch (both would win the claim in one
    // INSERT): a retry racing its original inside this process waits for it, then claims in a
    // later batch, where the stored outcome is replayed. No read ahead: the claim itself decides.
    const id = claimId(claim);
    const earlier = this.inflight.get(id);
    const run = (async (): Promise<PlacementResult> => {
      if (earlier) await earlier.catch(() => undefined);
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

  /**
   * Runs a lane's batches one after another, except that the next batch may start as soon as the
   * previous one holds its stock locks: its BEGIN and lock request then wait inside PostgreSQL
   * (granted in request order) instead of after the previous COMMIT's round trip.
   */
  private async drain(lane: number): Promise<void> {
    this.running[lane] = true;
    const inFlight = new Set<Promise<void>>();
    try {
      const queue = this.lanes[lane]!;
      while (queue.length > 0 || inFlight.size > 0) {
        // Let the event loop read the requests already waiting on sockets first: with PGlite a whole
        // batch can otherwise run inside one tick and every batch would hold a single order.
        await yieldToIo();
        if (queue.length === 0) {
          if (inFlight.size > 0) await Promise.race(inFlight);
          continue;
        }
        const batch = queue.splice(0, this.options.maxBatch);
        let locked!: () => void;
        const holdsLocks = new Promise<void>((resolve) => {
          locked = resolve;
        });
        const done = this.runBatch(batch, locked).finally(() => {
          locked();
          inFlight.delete(done);
        });
        inFlight.add(done);
        await Promise.race([holdsLocks, done]);
        if (inFlight.size >= 2) await Promise.race(inFlight);
      }
    } finally {
      this.running[lane] = false;
    }
  }

  private async runBatch(batch: Pending[], onLocked: () => void = () => {}): Promise<void> {
    try {
      const results = await placeBatch(
        this.deps,
        batch.map((p) => p.request),
        onLocked,
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

const yieldToIo = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}
