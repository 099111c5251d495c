/** Pure rules of the connectors: no I/O. */

import { available, backorderRemaining, type StockLevel } from '../stock/stock.levels.models.ts';
import type { Availability } from '../storefront/storefront.models.ts';
import type { StateField } from './connectors.platform.ts';
import type { DriftReport, ImportProgress, PushedState } from './connectors.tables.ts';

/** Digits after the decimal point of a currency's minor unit (USD 2, JPY 0, BHD 3). */
export function currencyDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
      .maximumFractionDigits as number;
  } catch {
    return 2;
  }
}

/** A platform's decimal price ("199.00") in minor units (19900); null when it is not a price. */
export function toMinorUnits(price: unknown, digits: number): number | null {
  const text = typeof price === 'number' ? String(price) : typeof price === 'string' ? price.trim() : '';
  if (!/^\d+(\.\d+)?$/.test(text)) return null;
  const [whole, fraction = ''] = text.split('.');
  const padded = (fraction + '0'.repeat(digits)).slice(0, digits);
  const rest = fraction.slice(digits);
  const units = Number(whole) * 10 ** digits + Number(padded || '0');
  return rest !== '' && Number(rest[0]) >= 5 ? units + 1 : units;
}

/**
 * What the platform should show for a SKU: sell on when out of stock (CONTINUE) while units may be
 * backordered or pre-ordered, else DENY; the quantity ready to ship now; and the date a unit
 * ordered beyond the stock would ship (`nextUnit`: the storefront's answer for one unit more than
 * is available; null when such an order would be refused).
 */
export function wantedState(level: StockLevel, nextUnit: Availability | null): PushedState {
  const remaining = backorderRemaining(level);
  const mayWait = level.backorderMode !== 'deny' && (remaining === null || remaining > 0);
  return {
    policy: mayWait ? 'CONTINUE' : 'DENY',
    quantity: Math.max(0, available(level)),
    expectedDate: mayWait ? (nextUnit?.expectedDate ?? null) : null,
    backorderRemaining: mayWait ? remaining : 0,
  };
}

export const DEFAULT_STATE_FIELDS: readonly StateField[] = ['policy', 'quantity', 'expectedDate'];

/** Whether the platform was already told this state, in the fields it shows. */
export const sameState = (
  a: PushedState | null,
  b: PushedState,
  fields: readonly StateField[] = DEFAULT_STATE_FIELDS,
): boolean => a !== null && fields.every((f) => (a[f] ?? null) === (b[f] ?? null));

/** The inbox's de-duplication key: one row per platform event, whichever delivery brought it. */
export const dedupeKeyOf = (topic: string, resourceId: string, version: string): string =>
  `${topic}|${resourceId}|${version}`;

/** How long a failing event waits before its next try; after `MAX_EVENT_ATTEMPTS` it is failed. */
export const MAX_EVENT_ATTEMPTS = 5;
export const retryDelayMs = (attempts: number): number => Math.min(60 * 60_000, 1000 * 4 ** attempts);

export const freshImport = (): ImportProgress => ({
  state: 'idle',
  phase: 'catalogue',
  cursor: null,
  variants: 0,
  orders: 0,
  startedAt: null,
  finishedAt: null,
  error: null,
});

/** The fields where the platform differs from what Backfill wants it to show. */
export function driftOf(
  sku: string,
  platform: {
    policy: string | null;
    quantity: number | null;
    expectedDate: string | null;
    backorderLimit?: number | null;
  },
  wanted: PushedState,
): DriftReport['items'] {
  const items: DriftReport['items'] = [];
  if (
    platform.backorderLimit !== undefined &&
    platform.backorderLimit !== (wanted.backorderRemaining ?? null)
  )
    items.push({
      sku,
      field: 'backorderLimit',
      platform: platform.backorderLimit,
      backfill: wanted.backorderRemaining ?? null,
    });
  if (platform.policy !== wanted.policy)
    items.push({ sku, field: 'policy', platform: platform.policy, backfill: wanted.policy });
  if (platform.quantity !== wanted.quantity)
    items.push({ sku, field: 'quantity', platform: platform.quantity, backfill: wanted.quantity });
  if (platform.expectedDate !== wanted.expectedDate)
    items.push({
      sku,
      field: 'expectedDate',
      platform: platform.expectedDate,
      backfill: wanted.expectedDate,
    });
  return items;
}

/** Normalises a shop domain as merchants type it ("https://Example.myshopify.com/" → "example.myshopify.com"). */
export function normaliseShop(raw: string): string | null {
  const host = raw
    .trim()
    .toLowerCase()
    .replace(/^https?:\/\//, '')
    .replace(/\/+$/, '');
  return /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+(:\d{1,5})?$/.test(host)
    ? host
    : null;
}

/** An order line as the refund rule reads it. */
export interface RefundableLine {
  id: string;
  sku: string;
  cancelled: number;
  /** Units neither shipped nor cancelled (allocated or waiting). */
  open: number;
}

/**
 * The units to cancel so that, per SKU, at least as many are cancelled as the platform has
 * refunded in all (`refunded`): what is missing, up to the units still open, spread over the SKU's
 * lines in line order. Units cancelled in Backfill for any reason count, so a refund of units the
 * merchant cancelled first cancels nothing more, and a total seen again, or an older one arriving
 * late, cancels nothing. Pure.
 */
export function unitsToCancelForRefunds(
  lines: readonly RefundableLine[],
  refunded: readonly { sku: string; quantity: number }[],
): { lineId: string; quantity: number }[] {
  const wanted = new Map<string, number>();
  for (const r of refunded) wanted.set(r.sku, (wanted.get(r.sku) ?? 0) + Math.max(0, r.quantity));
  const result: { lineId: string; quantity: number }[] = [];
  for (const [sku, quantity] of wanted) {
    const ofSku = lines.filter((l) => l.sku === sku);
    let missing = quantity - ofSku.reduce((sum, l) => sum + l.cancelled, 0);
    for (const line of ofSku) {
      if (missing <= 0) break;
      const take = Math.min(missing, line.open);
      if (take > 0) result.push({ lineId: line.id, quantity: take });
      missing -= take;
    }
  }
  return result;
}
