/** How a new order's lines are to be paid: pure, decided with the order (see allocation.batch.ts). */

import type { DomainError } from '../../shared/errors.ts';
import type { PaymentMode } from '../stores/stores.tables.ts';
import { amountBelowMinimum } from './payments.errors.ts';
import { minimumCharge } from './payments.minimums.ts';
import { splitDeposit, splitDiscount } from './payments.money.ts';
import type { NewPaymentLine } from './payments.repository.ts';
import type { PaymentMethodRef } from './payments.tables.ts';

/** How a variant is paid for when the store's payments are managed (read with its stock row at placement). */
export interface PaymentPolicy {
  provider: 'manual' | 'stripe';
  mode: PaymentMode;
  depositPercent: number;
}

export interface OrderPaymentInput {
  discount?: number;
  payment?: PaymentMethodRef;
  shipComplete?: boolean;
}

export interface PricedLine {
  lineId: string;
  quantity: number;
  unitPrice: number;
  policy: PaymentPolicy | null | undefined;
}

/**
 * One payment line per order line when the store's payments are managed (none otherwise): the
 * order's discount is shared by line totals and the deposits of deposit-mode lines are rounded
 * once for the order, so every part adds up to the cent (payments.money.ts).
 */
export function planPaymentLines(
  order: { orderId: string; storeId: string; currency: string } & OrderPaymentInput,
  lines: readonly PricedLine[],
): NewPaymentLine[] {
  const first = lines[0]?.policy;
  if (!first) return [];
  const totals = lines.map((l) => l.quantity * l.unitPrice);
  const discounts = splitDiscount(order.discount ?? 0, totals);
  const amounts = totals.map((total, i) => total - discounts[i]!);
  const depositLines = lines.flatMap((l, i) => (l.policy?.mode === 'deposit' ? [i] : []));
  const { lineDeposits } = splitDeposit(
    depositLines.map((i) => ({ lineTotal: amounts[i]!, percent: lines[i]!.policy!.depositPercent })),
  );
  const deposits = new Map(depositLines.map((lineIndex, k) => [lineIndex, lineDeposits[k]!]));
  const minimum = minimumCharge(first.provider, order.currency);
  return lines.map((line, i) => ({
    lineId: line.lineId,
    storeId: order.storeId,
    orderId: order.orderId,
    provider: first.provider,
    mode: line.policy?.mode ?? first.mode,
    currency: order.currency,
    amount: amounts[i]!,
    discount: discounts[i]!,
    deposit: depositWithinMinimum(amounts[i]!, deposits.get(i) ?? 0, minimum),
    shipComplete: order.shipComplete ?? false,
    method: order.payment ?? {},
  }));
}

/** The order's total before its discount, to refuse a discount larger than it before anything is decided. */
export const orderTotal = (lines: readonly { quantity: number; unitPrice: number }[]): number =>
  lines.reduce((sum, l) => sum + l.quantity * l.unitPrice, 0);

/**
 * A deposit is a separate charge, so it must reach the provider's minimum, and so must the balance
 * after it: a deposit below the minimum is folded into the charge made when the units are ready
 * (none is taken now), and a deposit that would leave a balance below the minimum takes the whole
 * line up front.
 */
export function depositWithinMinimum(amount: number, deposit: number, minimum: number): number {
  if (deposit > 0 && deposit < minimum) return 0;
  if (deposit > 0 && amount - deposit > 0 && amount - deposit < minimum) return amount;
  return deposit;
}

/**
 * A line costing less than the provider's minimum charge could never be paid for (every charge is
 * per line), so the order is refused before anything is decided; a free line (0) is fine.
 */
export function refuseBelowMinimum(
  order: { currency: string } & OrderPaymentInput,
  lines: readonly (PricedLine & { sku: string })[],
): DomainError | null {
  const planned = planPaymentLines({ orderId: '', storeId: '', ...order }, lines);
  const minimum = planned[0] ? minimumCharge(planned[0].provider, order.currency) : 1;
  const index = planned.findIndex((line) => line.amount > 0 && line.amount < minimum);
  if (index < 0) return null;
  return amountBelowMinimum(index, lines[index]!.sku, planned[index]!.amount, minimum, order.currency);
}
