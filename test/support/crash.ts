/**
 * The crash harness's tools: clients that keep retrying their requests with the same
 * Idempotency-Key across server kills and remember every answer, a loop that SIGKILLs processes at
 * random moments and restarts them, and the product brief's invariants read from the database.
 */
import { sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../../src/db/client.ts';
import { type Child, killNow, type startServer, waitHealthy } from './processes.ts';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are read loosely
type Json = any;

export interface Answer {
  status: number;
  body: Json;
}

/** One intended change: its key and body never change, however often it is sent. */
export interface Op {
  kind: string;
  key: string;
  method: 'POST' | 'PUT' | 'PATCH';
  path: string;
  body: unknown;
  /** The latest answer; none while every try was cut off by a kill. */
  answer?: Answer;
}

export async function send(base: string, secretKey: string, op: Op, timeoutMs = 15_000): Promise<Answer> {
  const res = await fetch(`${base}${op.path}`, {
    method: op.method,
    headers: {
      authorization: `Bearer ${secretKey}`,
      'content-type': 'application/json',
      'idempotency-key': op.key,
    },
    body: JSON.stringify(op.body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  return { status: res.status, body: await res.json() };
}

export async function call(
  base: string,
  key: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<Json> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/**
 * Traffic for one store: `clients` loops, each sending the oldest unanswered op (a retry with the
 * same key) or a new one from `next`, until `signal` aborts. A connection cut by a kill leaves the
 * op unanswered; `409 idempotency_key_in_use` (the first try still running when the server died) is
 * retried too.
 */
export class Traffic {
  readonly ops: Op[] = [];
  private readonly unanswered: Op[] = [];
  private count = 0;

  constructor(
    private readonly secretKey: string,
    private readonly next: (traffic: Traffic) => Omit<Op, 'key'> | null,
  ) {}

  answered(kind: string, status?: number): Op[] {
    return this.ops.filter(
      (op) => op.kind === kind && op.answer && (status === undefined || op.answer.status === status),
    );
  }

  async run(base: string, signal: AbortSignal, clients = 4): Promise<void> {
    const client = async () => {
      while (!signal.aborted) {
        let op = this.unanswered.shift();
        if (!op) {
          const made = this.next(this);
          if (!made) {
            await new Promise((resolve) => setTimeout(resolve, 20));
            continue;
          }
          op = { ...made, key: `crash-${made.kind}-${++this.count}` };
          this.ops.push(op);
        }
        try {
          const answer = await send(base, this.secretKey, op);
          if (answer.status >= 500 && answer.status !== 503) throw new ServerError(op, answer);
          if (answer.status === 503 || answer.body?.code === 'idempotency_key_in_use')
            this.unanswered.push(op);
          else if (op.answer && JSON.stringify(op.answer) !== JSON.stringify(answer)) {
            throw new ReplayMismatch(op, answer);
          } else op.answer = answer;
        } catch (error) {
          if (error instanceof ServerError || error instanceof ReplayMismatch) throw error;
          // Cut off by the kill: the outcome is unknown until the retry after the restart.
          this.unanswered.push(op);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    };
    await Promise.all(Array.from({ length: clients }, client));
  }

  /** After the last restart: every op without an answer is sent again until it has one. */
  async finish(base: string): Promise<void> {
    for (let round = 0; this.unanswered.length > 0; round++) {
      if (round > 50) throw new Error(`${this.unanswered.length} requests never answered`);
      const batch = this.unanswered.splice(0);
      for (const op of batch) {
        const answer = await send(base, this.secretKey, op);
        if (answer.status >= 500) throw new ServerError(op, answer);
        if (answer.body?.code === 'idempotency_key_in_use') this.unanswered.push(op);
        else op.answer = answer;
      }
      if (this.unanswered.length > 0) await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  /** Sends answered ops again: each must replay its first answer (invariant 6: applied once). */
  async replay(base: string, ops: readonly Op[]): Promise<void> {
    for (const op of ops) {
      const again = await send(base, this.secretKey, op);
      if (
        JSON.stringify(again.body) !== JSON.stringify(op.answer?.body) ||
        again.status !== op.answer?.status
      ) {
        throw new ReplayMismatch(op, again);
      }
    }
  }
}

class ServerError extends Error {
  constructor(op: Op, answer: Answer) {
    super(`${op.method} ${op.path} (${op.key}) → ${answer.status} ${JSON.stringify(answer.body)}`);
  }
}

class ReplayMismatch extends Error {
  constructor(op: Op, answer: Answer) {
    super(
      `${op.method} ${op.path} (${op.key}) answered ${JSON.stringify(op.answer)} first, then ${JSON.stringify(answer)}`,
    );
  }
}

export const randomInt = (min: number, max: number): number =>
  min + Math.floor(Math.random() * (max - min + 1));
export const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)]!;
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface KillLog {
  kills: number;
  /** Milliseconds between a process answering (or starting) and its SIGKILL, one per kill. */
  after: number[];
}

/**
 * `kills` times: start the processes, run `during` against them for a random time within
 * `windowMs`, SIGKILL every one of them at once, wait until they are gone, and let `between` look
 * at (or prepare) the database while nothing runs.
 */
export async function killRepeatedly(options: {
  kills: number;
  start: () => Promise<Child[]>;
  healthy?: boolean;
  /** A process that finishes its work before its kill may exit by itself (a CLI command). */
  mayExit?: boolean;
  /** The kill comes a random time in this window after the start (or after `healthy`)… */
  windowMs?: [number, number];
  /** …or when this resolves (on a line of output, say). */
  killWhen?: (children: Child[]) => Promise<void>;
  during?: (children: Child[], signal: AbortSignal) => Promise<void>;
  between?: (round: number) => Promise<void>;
}): Promise<KillLog> {
  const log: KillLog = { kills: 0, after: [] };
  for (let round = 0; round < options.kills; round++) {
    const children = await options.start();
    try {
      if (options.healthy !== false)
        for (const child of children) await waitHealthy(child, { timeoutMs: 60_000 });
      const stop = new AbortController();
      const load = options.during?.(children, stop.signal);
      const failed = load?.then(
        () => null,
        (error: unknown) => error,
      );
      const started = performance.now();
      if (options.killWhen) await options.killWhen(children);
      else if (options.windowMs) await sleep(randomInt(...options.windowMs));
      else throw new Error('killRepeatedly needs windowMs or killWhen');
      const wait = Math.round(performance.now() - started);
      for (const child of children) child.process.kill('SIGKILL');
      const ends = await Promise.all(children.map((child) => child.exited));
      stop.abort();
      // A process that ended before the kill (a failed listen, say) was not killed: its round proves nothing.
      ends.forEach((end, i) => {
        if (end.signal !== 'SIGKILL' && !(options.mayExit && end.code === 0))
          throw new Error(
            `a process exited by itself (${end.code}) before the kill: ${children[i]!.output.join('')}`,
          );
      });
      const error = await failed;
      if (error) throw error;
      log.kills += 1;
      log.after.push(wait);
    } finally {
      await Promise.all(children.map(killNow));
    }
    await options.between?.(round);
  }
  return log;
}

export type StartProcess = typeof startServer;

/**
 * Invariants 1 to 5 of the product brief for one store, from its tables: each broken rule is one
 * line of the answer (empty when all hold).
 */
export async function stockViolations(db: Executor, storeId: string): Promise<string[]> {
  const problems: string[] = [];
  const levels = await queryRows<{
    sku: string;
    on_hand: number;
    allocated: number;
    backordered: number;
    waiting_lines: number;
    backorder_limit: number | null;
    ledger: string;
    line_allocated: string;
    line_backordered: string;
    waiting: string;
  }>(
    db,
    sql`SELECT l.sku, l.on_hand, l.allocated, l.backordered, l.waiting_lines, l.backorder_limit,
               (SELECT coalesce(sum(quantity), 0) FROM stock_movements m WHERE m.store_id = l.store_id AND m.sku = l.sku)::text AS ledger,
               (SELECT coalesce(sum(allocated), 0) FROM order_lines o WHERE o.store_id = l.store_id AND o.sku = l.sku)::text AS line_allocated,
               (SELECT coalesce(sum(backordered), 0) FROM order_lines o WHERE o.store_id = l.store_id AND o.sku = l.sku)::text AS line_backordered,
               (SELECT count(*) FROM order_lines o WHERE o.store_id = l.store_id AND o.sku = l.sku AND o.backordered > 0)::text AS waiting
          FROM inventory_levels l WHERE l.store_id = ${storeId} ORDER BY l.sku`,
  );
  for (const l of levels) {
    const at = `${l.sku}: ${JSON.stringify(l)}`;
    // 1. available = onHand − allocated ≥ 0, and onHand is the ledger's sum.
    if (l.on_hand - l.allocated < 0) problems.push(`1. available below zero, ${at}`);
    if (Number(l.ledger) !== l.on_hand) problems.push(`1. onHand is not the ledger's sum, ${at}`);
    if (Number(l.line_allocated) !== l.allocated) problems.push(`1. allocated is not the lines' sum, ${at}`);
    if (Number(l.line_backordered) !== l.backordered || Number(l.waiting) !== l.waiting_lines) {
      problems.push(`waiting counters are not the lines' sums, ${at}`);
    }
    // 3. No order made the queue longer than the limit (the harness lowers no cap, writes nothing off).
    if (l.backorder_limit !== null && l.backordered > l.backorder_limit)
      problems.push(`3. over the limit, ${at}`);
    // 4. While units wait, nothing is free.
    if (l.backordered > 0 && l.on_hand - l.allocated > 0)
      problems.push(`4. free units while a queue waits, ${at}`);
  }
  // 2. Every line adds up.
  const broken = await queryRows<{ id: string }>(
    db,
    sql`SELECT id FROM order_lines WHERE store_id = ${storeId}
         AND quantity <> allocated + backordered + shipped + cancelled`,
  );
  for (const line of broken) problems.push(`2. line ${line.id} does not add up`);
  // 5. FIFO: a line accepted later than one still waiting was given nothing (no write-offs here, so
  // a waiting line has waited since it was accepted), and waiting lines keep their order.
  const overtaken = await queryRows<{ early: string; late: string }>(
    db,
    sql`SELECT a.id AS early, b.id AS late FROM order_lines a JOIN order_lines b
          ON b.store_id = a.store_id AND b.sku = a.sku AND b.created_at > a.created_at
         WHERE a.store_id = ${storeId} AND a.backordered > 0
           AND (b.allocated + b.shipped > 0 OR (b.backordered > 0 AND b.queue_ticket < a.queue_ticket))
         LIMIT 20`,
  );
  for (const pair of overtaken)
    problems.push(`5. line ${pair.late} was served before ${pair.early}, which waits`);
  return problems;
}

/** Invariant 6 for orders: the store holds exactly the orders whose placement was answered 201, each once. */
export async function orderViolations(db: Executor, storeId: string, traffic: Traffic): Promise<string[]> {
  const problems: string[] = [];
  const stored = await queryRows<{ id: string }>(db, sql`SELECT id FROM orders WHERE store_id = ${storeId}`);
  const acknowledged = traffic.answered('order', 201).map((op) => op.answer!.body.id as string);
  if (new Set(acknowledged).size !== acknowledged.length)
    problems.push('6. two keys answered with one order');
  const storedIds = new Set(stored.map((o) => o.id));
  for (const id of acknowledged)
    if (!storedIds.has(id)) problems.push(`6. order ${id} was answered 201 and lost`);
  const known = new Set(acknowledged);
  for (const id of storedIds)
    if (!known.has(id)) problems.push(`6. order ${id} exists without an answer for it`);
  return problems;
}
