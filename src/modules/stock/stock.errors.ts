import { DomainError, type FieldError } from '../../shared/errors.ts';
import type { BackorderMode } from './stock.levels.models.ts';

/**
 * An order line that cannot be accepted. The words follow the reason: a variant in mode `deny`
 * is not backorderable at all; otherwise its backorder limit (the cap) leaves too little room.
 */
export const insufficientStock = (
  sku: string,
  available: number,
  backorderRemaining: number | null,
  mode?: BackorderMode,
): DomainError =>
  new DomainError(
    'conflict',
    'insufficient_stock',
    mode === 'deny'
      ? `SKU "${sku}" has ${available} available; this item cannot be backordered`
      : backorderRemaining === 0
        ? `SKU "${sku}" has ${available} available and its backorder limit is reached: no more units may wait`
        : `SKU "${sku}" has ${available} available and its backorder limit lets only ${backorderRemaining} more wait`,
    { sku, available, backorderRemaining },
  );

/** The rows of a stock request that name a SKU an earlier row already named, with their errors. */
export function repeatedSkus(
  rows: readonly { sku: string }[],
  pathOf: (index: number) => string,
): { index: number; error: FieldError }[] {
  const seen = new Set<string>();
  return rows.flatMap((row, index) => {
    if (!seen.has(row.sku)) {
      seen.add(row.sku);
      return [];
    }
    return [
      {
        index,
        error: {
          path: pathOf(index),
          message: `SKU "${row.sku}" appears more than once; each SKU may appear once`,
        },
      },
    ];
  });
}

export const unknownSku = (sku: string, path: string): DomainError =>
  new DomainError('validation', 'unknown_sku', `SKU "${sku}" does not exist in this store`, {}, [
    { path, message: `unknown SKU "${sku}"` },
  ]);

export const duplicateExternalId = (externalId: string): DomainError =>
  new DomainError(
    'conflict',
    'duplicate_external_id',
    `An order with externalId "${externalId}" already exists`,
    {
      externalId,
    },
  );

export const currencyMismatch = (given: string, expected: string): DomainError =>
  new DomainError(
    'validation',
    'currency_mismatch',
    `Orders in this store are in ${expected}, not ${given}`,
    {},
    [{ path: '/currency', message: `must be ${expected}` }],
  );

export const tooManyUnits = (sku: string): DomainError =>
  new DomainError('validation', 'quantity_too_large', `SKU "${sku}" cannot hold that many units`, { sku });

export const notOnHand = (sku: string, onHand: number, removing: number): DomainError =>
  new DomainError(
    'conflict',
    'insufficient_stock',
    `SKU "${sku}" has ${onHand} on hand; ${removing} cannot be removed`,
    { sku, onHand, requested: removing },
  );
