/** SQL of the payments module: its lines, holds and attempts. Nothing here decides anything. */
import { and, asc, eq, inArray, type SQL, sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../../db/client.ts';
import type { PaymentMode } from '../stores/stores.tables.ts';
import type { HoldView, LineMoney } from './payments.models.ts';
import { type PaymentMethodRef, paymentAttempts, paymentLines, payments } from './payments.tables.ts';

export interface NewPaymentLine {
  lineId: string;
  storeId: string;
  orderId: string;
  provider: 'manual' | 'stripe';
  mode: PaymentMode;
  currency: string;
  amount: number;
  discount: number;
  deposit: number;
  shipComplete: boolean;
  method: PaymentMethodRef;
}

/** The INSERT for placement's single round trip (see `executeTogether`); every line is due at once. */
export function insertPaymentLines(rows: readonly NewPaymentLine[], now: Date): SQL | null {
  if (rows.length === 0) return null;
  const records = rows.map((r) => ({
    line_id: r.lineId,
    store_id: r.storeId,
    order_id: r.orderId,
    provider: r.provider,
    mode: r.mode,
    currency: r.currency,
    amount: r.amount,
    discount: r.discount,
    deposit: r.deposit,
    ship_complete: r.shipComplete,
    method: r.method,
  }));
  return sql`
    INSERT INTO payment_lines (line_id, store_id, order_id, provider, mode, currency, amount, discount, deposit,
                               ship_complete, method, next_attempt_at, updated_at)
    SELECT r.line_id, r.store_id, r.order_id, r.provider, r.mode, r.currency, r.amount, r.discount, r.deposit,
           r.ship_complete, r.method, ${now}::timestamptz, ${now}::timestamptz
      FROM jsonb_to_recordset(${JSON.stringify(records)}::jsonb)
           AS r(line_id text, store_id text, order_id text, provider text, mode text, currency text, amount bigint,
                discount bigint, deposit bigint, ship_complete boolean, method jsonb)`;
}

/**
 * Asks the collector to look at these lines now (their quantities changed), and at every line of
 * their orders that ship complete: one line becoming ready can make the whole order ready. Every
 * row is found through an index (the lines by key, their orders' lines by order), so a store whose
 * payments Backfill does not manage — no payment lines — pays a few index probes, whatever the size
 * of other stores' tables. Being looked at is not being retried: a refused card still waits for
 * its retry time (the collector reads it from the attempts, see `failureStreaks`).
 *
 * Every line is written, even one already due: the write takes the line's lock, which the
 * collector waits for before it reads the line's quantities (readPaymentLines). A line skipped
 * here would let the collector read the quantities from before this transaction while it runs,
 * decide on them and clear the line's time: the change that made it due would then be lost.
 */
export async function markPaymentsDue(
  tx: Executor,
  storeId: string,
  lineIds: readonly string[],
  now: Date,
): Promise<void> {
  if (lineIds.length === 0) return;
  const ids = sql.param([...lineIds]);
  await tx.execute(sql`
    UPDATE payment_lines p SET next_attempt_at = LEAST(coalesce(p.next_attempt_at, ${now}::timestamptz), ${now}::timestamptz)
      FROM (SELECT line_id FROM payment_lines WHERE store_id = ${storeId} AND line_id = ANY(${ids}::text[])
            UNION
            SELECT o.line_id FROM payment_lines s
              JOIN payment_lines o ON o.store_id = s.store_id AND o.order_id = s.order_id AND o.ship_complete
             WHERE s.store_id = ${storeId} AND s.line_id = ANY(${ids}::text[]) AND s.ship_complete) t
     WHERE p.store_id = ${storeId} AND p.line_id = t.line_id`);
}

/** A line's money joined with its quantities and promise date, as the collector and views read it. */
export interface PaymentLineState extends LineMoney {
  lineId: string;
  storeId: string;
  orderId: string;
  sku: string;
  provider: 'manual' | 'stripe';
  currency: string;
  discount: number;
  shipComplete: boolean;
  method: PaymentMethodRef;
  dueSince: Date | null;
  failures: number;
  nextAttemptAt: Date | null;
  eta: string | null;
  /** Every line of the order has all its units allocated, shipped or cancelled. */
  orderReady: boolean;
}

interface StateRow {
  line_id: string;
  store_id: string;
  order_id: string;
  sku: string;
  provider: 'manual' | 'stripe';
  mode: PaymentMode;
  currency: string;
  amount: string | number;
  discount: string | number;
  deposit: string | number;
  captured: string | number;
  refunded: string | number;
  ship_complete: boolean;
  method: PaymentMethodRef;
  due_since: Date | string | null;
  failures: number;
  next_attempt_at: Date | string | null;
  quantity: number;
  allocated: number;
  backordered: number;
  shipped: number;
  cancelled: number;
  eta: string | null;
  order_ready: boolean;
}

const toDate = (value: Date | string | null): Date | null => (value === null ? null : new Date(value));

/**
 * Reads (and with `lock`, locks) payment lines by line ids or by order. Locked lines are read by a
 * second statement, after the lock is granted: a locking read that waited re-reads only the rows it
 * locks, so one statement would pair the payment line a cancellation just committed with the order
 * line as it was before it (its quantities, and the other lines' waiting), and the collector would
 * decide on money that no longer matches the units (test/payments.locking.test.ts). Whoever changes
 * an order line's quantities writes its payment line in the same transaction (markPaymentsDue), so
 * a fresh read once the lock is ours sees both of its writes or neither; and one whose write comes
 * after our lock waits for us, and its mark (look again now) stands over whatever we decided.
 */
export async function readPaymentLines(
  executor: Executor,
  storeId: string,
  where: { lineIds: readonly string[] } | { orderId: string },
  options: { lock: boolean } = { lock: false },
): Promise<PaymentLineState[]> {
  const filter =
    'orderId' in where
      ? sql`p.order_id = ${where.orderId}`
      : sql`p.line_id = ANY(${sql.param([...where.lineIds])}::text[])`;
  if (options.lock) {
    const locked = await queryRows<{ line_id: string }>(
      executor,
      sql`SELECT p.line_id FROM payment_lines p JOIN order_lines l ON l.id = p.line_id
           WHERE p.store_id = ${storeId} AND ${filter}
           ORDER BY p.order_id, l.line_no FOR UPDATE OF p`,
    );
    if (locked.length === 0) return []; // a store whose payments are not managed: nothing to read
  }
  const rows = await queryRows<StateRow>(
    executor,
    sql`SELECT p.*, l.sku, l.quantity, l.allocated, l.backordered, l.shipped, l.cancelled, l.eta::text AS eta,
               NOT EXISTS (SELECT 1 FROM order_lines o WHERE o.order_id = p.order_id AND o.backordered > 0) AS order_ready
          FROM payment_lines p JOIN order_lines l ON l.id = p.line_id
         WHERE p.store_id = ${storeId} AND ${filter}
         ORDER BY p.order_id, l.line_no`,
  );
  return rows.map((r) => ({
    lineId: r.line_id,
    storeId: r.store_id,
    orderId: r.order_id,
    sku: r.sku,
    provider: r.provider,
    mode: r.mode,
    currency: r.currency,
    amount: Number(r.amount),
    discount: Number(r.discount),
    deposit: Number(r.deposit),
    captured: Number(r.captured),
    refunded: Number(r.refunded),
    shipComplete: r.ship_complete,
    method: r.method,
    dueSince: toDate(r.due_since),
    failures: r.failures,
    nextAttemptAt: toDate(r.next_attempt_at),
    quantity: r.quantity,
    allocated: r.allocated,
    backordered: r.backordered,
    shipped: r.shipped,
    cancelled: r.cancelled,
    eta: r.eta,
    orderReady: r.order_ready,
  }));
}

/** Saves the money and bookkeeping columns of a line the caller holds locked. */
export async function saveLineMoney(
  tx: Executor,
  line: Pick<
    PaymentLineState,
    'lineId' | 'captured' | 'refunded' | 'dueSince' | 'failures' | 'nextAttemptAt'
  >,
  now: Date,
): Promise<void> {
  await tx
    .update(paymentLines)
    .set({
      captured: line.captured,
      refunded: line.refunded,
      dueSince: line.dueSince,
      failures: line.failures,
      nextAttemptAt: line.nextAttemptAt,
      updatedAt: now,
    })
    .where(eq(paymentLines.lineId, line.lineId));
}

/** The line pays its whole remaining balance from now on (see `mustPayUpFront`). */
export async function payUpFront(tx: Executor, lineId: string, now: Date): Promise<void> {
  await tx
    .update(paymentLines)
    .set({ mode: 'upfront', updatedAt: now })
    .where(eq(paymentLines.lineId, lineId));
}

export type PaymentRow = typeof payments.$inferSelect;

export async function readHolds(executor: Executor, lineIds: readonly string[]): Promise<PaymentRow[]> {
  if (lineIds.length === 0) return [];
  return executor
    .select()
    .from(payments)
    .where(inArray(payments.lineId, [...lineIds]))
    .orderBy(asc(payments.createdAt), asc(payments.id));
}

export const holdView = (row: PaymentRow): HoldView => ({
  id: row.id,
  state: row.state,
  authorised: row.authorised,
  captured: row.captured,
  refunded: row.refunded,
  expiresAt: row.expiresAt,
});

export type AttemptRow = typeof paymentAttempts.$inferSelect;

export interface FailureStreak {
  /** Refusals since the last call of the same kind that worked. */
  failures: number;
  lastAt: Date | null;
}

/**
 * A line's refusals in a row, per kind: `card` (holds, charges, captures, saved methods; a capture
 * of a hold that had lapsed is not a refusal) and `refund`, counted from the attempts so that a
 * refund or void that works does not end a card's streak. A line's attempts are made one after
 * the other and a refusal ends the collector's turn on the line, so an attempt started at the same
 * instant as a success of its kind came after it. `except` leaves out an attempt being settled, to
 * read the streak before it.
 */
export async function failureStreaks(
  executor: Executor,
  lineId: string,
  except = '',
): Promise<{ card: FailureStreak; refund: FailureStreak }> {
  const rows = await queryRows<{ kind: 'card' | 'refund'; n: number; last_at: Date | string }>(
    executor,
    sql`WITH a AS (
          SELECT status, reason, created_at, coalesce(settled_at, created_at) AS at,
                 CASE WHEN operation = 'refund' THEN 'refund'
                      WHEN operation IN ('authorise', 'capture', 'charge', 'save_method') THEN 'card' END AS kind
            FROM payment_attempts WHERE line_id = ${lineId} AND id <> ${except}),
        worked AS (SELECT kind, max(created_at) AS started FROM a WHERE status = 'succeeded' GROUP BY kind)
        SELECT a.kind, count(*)::int AS n, max(a.at) AS last_at
          FROM a LEFT JOIN worked w ON w.kind = a.kind
         WHERE a.kind IS NOT NULL AND a.status IN ('failed', 'requires_action')
           AND a.reason IS DISTINCT FROM 'authorisation_expired'
           AND (w.started IS NULL OR a.created_at >= w.started)
         GROUP BY a.kind`,
  );
  const streak = (kind: 'card' | 'refund'): FailureStreak => {
    const row = rows.find((r) => r.kind === kind);
    return row ? { failures: row.n, lastAt: new Date(row.last_at) } : { failures: 0, lastAt: null };
  };
  return { card: streak('card'), refund: streak('refund') };
}

export async function readAttempts(
  executor: Executor,
  storeId: string,
  orderId: string,
): Promise<AttemptRow[]> {
  return executor
    .select()
    .from(paymentAttempts)
    .where(and(eq(paymentAttempts.storeId, storeId), eq(paymentAttempts.orderId, orderId)))
    .orderBy(asc(paymentAttempts.createdAt), asc(paymentAttempts.id));
}
