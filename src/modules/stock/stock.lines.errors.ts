import { DomainError } from '../../shared/errors.ts';

export const unknownLine = (lineId: string, path: string): DomainError =>
  new DomainError('validation', 'unknown_line', `Line "${lineId}" is not part of this order`, {}, [
    { path, message: `unknown line "${lineId}"` },
  ]);

export const repeatedLine = (lineId: string, path: string): DomainError =>
  new DomainError('validation', 'validation_failed', `Line "${lineId}" is listed more than once`, {}, [
    { path, message: 'each line may appear once' },
  ]);

export const alreadyShipped = (lineId: string, requested: number, cancellable: number): DomainError =>
  new DomainError(
    'conflict',
    'already_shipped',
    `Line "${lineId}" has only ${cancellable} unshipped units left to cancel, not ${requested}`,
    { lineId, requested, cancellable },
  );
