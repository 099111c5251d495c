/** How a new order's lines are to be paid: pure, decided with the order (see allocation.batch.ts). */

import type { PaymentMode } from '../stores/stores.tables.ts';
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
  return lines.map((line, i) => ({
    lineId: line.lineId,
    storeId: order.storeId,
    orderId: order.orderId,
    provider: first.provider,
    mode: line.policy?.mode ?? first.mode,
    currency: order.currency,
    amount: amounts[i]!,
    discount: discounts[i]!,
    deposit: deposits.get(i) ?? 0,
    shipComplete: order.shipComplete ?? false,
    method: order.payment ?? {},
  }));
}

/** The order's total before its discount, to refuse a discount larger than it before anything is decided. */
export const orderTotal = (lines: readonly { quantity: number; unitPrice: number }[]): number =>
  lines.reduce((sum, l) => sum + l.quantity * l.unitPrice, 0);
