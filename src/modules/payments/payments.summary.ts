/** `GET /v1/payments/summary`: where the store's money stands, computed in one pass over its lines. */
import { sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../../db/client.ts';

export interface PaymentsSummary {
  currency: string;
  /** Money captured for units not yet shipped: prepaid cash the store holds for the shopper. */
  prepaidHeld: number;
  /** The part of `prepaidHeld` taken as deposits on units not yet ready. */
  depositsHeld: number;
  /** Still to collect before every unit not cancelled is paid for (deposit balances, unpaid lines). */
  balanceOutstanding: number;
  /** Open authorisations (held on cards, not taken). */
  authorised: number;
  refunds: { count: number; amount: number };
  /** Lines whose ready units wait for money (the shopper was asked to act) and what they owe. */
  failures: { lines: number; amount: number; failedAttempts: number };
  /** Provider calls whose outcome is not known yet; the reconciliation job settles them. */
  inDoubt: { attempts: number; amount: number };
}

// The price of a line's first k units is floor(amount · k / quantity) (payments.models `priceOfUnits`).
const priceOf = (units: string) => sql.raw(`floor(p.amount::numeric * (${units}) / greatest(l.quantity, 1))`);

export async function paymentsSummary(
  db: Executor,
  store: { id: string; currency: string },
): Promise<PaymentsSummary> {
  const [lines] = await queryRows<Record<string, string | number | null>>(
    db,
    sql`SELECT
          coalesce(sum(greatest(0, p.captured - p.refunded - ${priceOf('l.shipped')})), 0) AS prepaid,
          coalesce(sum(CASE WHEN p.mode = 'deposit'
                            THEN least(greatest(0, p.captured - p.refunded - ${priceOf('l.shipped + l.allocated')}),
                                       floor(p.deposit::numeric * (l.quantity - l.cancelled) / greatest(l.quantity, 1))
                                       - floor(p.deposit::numeric * (l.shipped + l.allocated) / greatest(l.quantity, 1)))
                            ELSE 0 END), 0) AS deposits,
          coalesce(sum(greatest(0, ${priceOf('l.quantity - l.cancelled')} - (p.captured - p.refunded))), 0) AS outstanding,
          coalesce(sum(p.refunded), 0) AS refunded,
          count(*) FILTER (WHERE p.due_since IS NOT NULL) AS failing_lines,
          coalesce(sum(greatest(0, ${priceOf('l.shipped + l.allocated')} - (p.captured - p.refunded)))
                   FILTER (WHERE p.due_since IS NOT NULL), 0) AS failing_amount
          FROM payment_lines p JOIN order_lines l ON l.id = p.line_id
         WHERE p.store_id = ${store.id}`,
  );
  const [other] = await queryRows<Record<string, string | number | null>>(
    db,
    sql`SELECT
          (SELECT coalesce(sum(authorised), 0) FROM payments WHERE store_id = ${store.id} AND state = 'authorised') AS authorised,
          (SELECT count(*) FROM payment_attempts WHERE store_id = ${store.id} AND operation = 'refund' AND status = 'succeeded') AS refund_count,
          (SELECT count(*) FROM payment_attempts WHERE store_id = ${store.id} AND status IN ('failed', 'requires_action')) AS failed_attempts,
          (SELECT count(*) FROM payment_attempts WHERE store_id = ${store.id} AND status = 'pending') AS doubt_count,
          (SELECT coalesce(sum(amount), 0) FROM payment_attempts WHERE store_id = ${store.id} AND status = 'pending') AS doubt_amount`,
  );
  const n = (value: string | number | null | undefined) => Number(value ?? 0);
  return {
    currency: store.currency,
    prepaidHeld: n(lines?.prepaid),
    depositsHeld: n(lines?.deposits),
    balanceOutstanding: n(lines?.outstanding),
    authorised: n(other?.authorised),
    refunds: { count: n(other?.refund_count), amount: n(lines?.refunded) },
    failures: {
      lines: n(lines?.failing_lines),
      amount: n(lines?.failing_amount),
      failedAttempts: n(other?.failed_attempts),
    },
    inDoubt: { attempts: n(other?.doubt_count), amount: n(other?.doubt_amount) },
  };
}

/**
 * Money captured for units not yet shipped (`prepaidHeld` above), read from the lines that hold
 * money and still have units to ship only: the console's overview asks it on every visit.
 */
export async function prepaidHeld(db: Executor, storeId: string): Promise<number> {
  const [row] = await queryRows<{ held: string | number | null }>(
    db,
    sql`SELECT coalesce(sum(greatest(0, p.captured - p.refunded - ${priceOf('l.shipped')})), 0) AS held
          FROM payment_lines p JOIN order_lines l ON l.id = p.line_id AND l.store_id = p.store_id
         WHERE p.store_id = ${storeId} AND p.captured > p.refunded AND l.allocated + l.backordered > 0`,
  );
  return Number(row?.held ?? 0);
}

/** `prepaidHeld` per SKU: the money captured for each SKU's units not yet shipped, and the lines holding it. */
export async function prepaidHeldBySku(
  db: Executor,
  storeId: string,
): Promise<{ sku: string; amount: number; lines: number }[]> {
  const rows = await queryRows<{ sku: string; held: string | number; lines: string | number }>(
    db,
    sql`SELECT l.sku, sum(greatest(0, p.captured - p.refunded - ${priceOf('l.shipped')})) AS held, count(*) AS lines
          FROM payment_lines p JOIN order_lines l ON l.id = p.line_id AND l.store_id = p.store_id
         WHERE p.store_id = ${storeId} AND p.captured > p.refunded AND l.allocated + l.backordered > 0
         GROUP BY l.sku ORDER BY held DESC, l.sku`,
  );
  return rows
    .map((r) => ({ sku: r.sku, amount: Number(r.held), lines: Number(r.lines) }))
    .filter((r) => r.amount > 0);
}
