import { DomainError, invalid } from '../../shared/errors.ts';

export const unknownShippingMethod = (code: string, offered: readonly string[], path: string): DomainError =>
  invalid(
    'unknown_shipping_method',
    offered.length === 0
      ? `The store offers no shipping methods, so "${code}" cannot be chosen`
      : `The store offers no shipping method "${code}" (it offers ${offered.join(', ')})`,
    [
      {
        path,
        message: offered.length === 0 ? 'no methods are offered' : `must be one of ${offered.join(', ')}`,
      },
    ],
  );

export const defaultShippingMethod = (code: string): DomainError =>
  new DomainError(
    'conflict',
    'default_shipping_method',
    `"${code}" is the store's default shipping method: choose another default (or none) first`,
    { shippingMethod: code },
  );

export const tooManyShippingMethods = (max: number): DomainError =>
  invalid('too_many_shipping_methods', `A store offers at most ${max} shipping methods`);
