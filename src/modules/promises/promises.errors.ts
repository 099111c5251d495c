import { DomainError } from '../../shared/errors.ts';

export const notReleased = (lineId: string, sku: string, releaseDate: string): DomainError =>
  new DomainError(
    'conflict',
    'not_released',
    `"${sku}" is a pre-order released on ${releaseDate}; line "${lineId}" cannot ship before then`,
    { lineId, sku, releaseDate },
  );
