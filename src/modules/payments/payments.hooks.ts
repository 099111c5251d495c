/**
 * Payments' part in stock commands (registered in src/assembly.ts): at placement it reads each
 * variant's payment policy, refuses a discount larger than the order and writes the payment lines
 * in the placement's round trip; when units become ready, are released or go back to wait it marks
 * the lines due (and refunds a manual store's excess at once); a shipment of units not paid for is
 * refused, and so is a partial cancellation that would leave a line owing less than the provider
 * can charge. Stores whose payments Backfill does not manage have no payment lines, so every step
 * finds nothing to do.
 */

import { sql } from 'drizzle-orm';
import { groupBy } from '../../shared/collections.ts';
import type { StockHook } from '../stock/stock.hooks.ts';
import { discountTooLarge } from './payments.errors.ts';
import {
  type OrderPaymentInput,
  orderTotal,
  type PaymentPolicy,
  planPaymentLines,
  refuseBelowMinimum,
} from './payments.placement.ts';
import { insertPaymentLines, markPaymentsDue } from './payments.repository.ts';
import {
  afterQuantitiesChanged,
  assertCancelLeavesChargeable,
  assertPaidToShip,
} from './payments.usecases.ts';

/** The variant's payment policy, null unless the store's payments are managed. */
const policyTerm = sql`
  SELECT jsonb_build_object('provider', s.payment_provider, 'mode', COALESCE(v.payment_mode, s.payment_mode),
                            'depositPercent', COALESCE(v.deposit_percent, s.deposit_percent))
    FROM stores s LEFT JOIN variants v ON v.store_id = s.id AND v.sku = l.sku
   WHERE s.id = l.store_id AND s.payment_provider <> 'none'`;

function policyOf(terms: Readonly<Record<string, unknown>>): PaymentPolicy | null {
  const policy = terms.payment as PaymentPolicy | null | undefined;
  return policy ? { ...policy, depositPercent: Number(policy.depositPercent) } : null;
}

export const paymentsStockHook: StockHook = {
  name: 'payments',
  placementTerms: { name: 'payment', sql: policyTerm },

  checkOrder(order) {
    const input = order.input as OrderPaymentInput;
    const discount = input.discount ?? 0;
    const total = orderTotal(order.lines);
    if (discount > 0 && discount > total) return discountTooLarge(discount, total);
    return refuseBelowMinimum(
      { ...input, currency: order.currency },
      order.lines.map((line, i) => ({ ...line, lineId: String(i), policy: policyOf(line.terms) })),
    );
  },

  placed(orders, at) {
    return insertPaymentLines(
      orders.flatMap((order) =>
        planPaymentLines(
          { ...(order.input as OrderPaymentInput), ...order },
          order.lines.map((line) => ({ ...line, policy: policyOf(line.terms) })),
        ),
      ),
      at,
    );
  },

  async linesChanged(tx, ctx, store, changes) {
    // Units just became ready, or shipped (the deposit of the units left may now be short): due.
    const due = changes.filter((c) => c.cause === 'filled' || c.cause === 'shipped').map((c) => c.lineId);
    await markPaymentsDue(tx, store.id, due, ctx.clock.now());
    // Units left (released) or went back to wait (requeued): what the line may hold fell.
    const lessReady = changes.filter((c) => c.cause === 'released' || c.cause === 'requeued');
    for (const [reason, group] of groupBy(lessReady, (c) => c.reason ?? c.cause)) {
      await afterQuantitiesChanged(
        tx,
        ctx,
        store.id,
        group.map((c) => c.lineId),
        reason,
      );
    }
  },

  async beforeShip(tx, _ctx, store, plan) {
    await assertPaidToShip(tx, store.id, plan);
  },

  async beforeCancel(tx, _ctx, store, plan) {
    await assertCancelLeavesChargeable(tx, store.id, plan);
  },
};
