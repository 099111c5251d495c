import { Type } from 'typebox';
import { invalid } from '../../shared/errors.ts';

export const PaymentModeSchema = Type.Enum(['upfront', 'on_ship', 'deposit'], {
  description:
    '`upfront`: paid in full when ordered; `on_ship`: paid when the units are ready to ship; `deposit`: a deposit when ordered, the balance when ready',
});

export const DepositPercent = Type.Number({
  minimum: 0,
  maximum: 100,
  description: 'Share of the line taken as the deposit (deposit mode), 0–100 with two decimals at most',
});

/** A percentage finer than basis points would be rounded when charged: refuse it where it is set. */
export function requireDepositPercent(value: number | null | undefined, path: string): void {
  if (value === null || value === undefined) return;
  if (Math.abs(value * 100 - Math.round(value * 100)) > 1e-6) {
    throw invalid('validation_failed', 'A deposit percentage has two decimals at most', [
      { path, message: 'use at most two decimals (12.5, 33.33)' },
    ]);
  }
}
