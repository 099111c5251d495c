/** The staff module's refusals, with stable codes (mapped to HTTP once, in src/http/problem.ts). */
import { DomainError } from '../../shared/errors.ts';

/** One answer whether the email is unknown or the password wrong: it tells a guesser nothing. */
export const invalidCredentials = (): DomainError =>
  new DomainError('unauthorized', 'invalid_credentials', 'The email or the password is not right');

export const accountLocked = (retryAfterSeconds: number): DomainError =>
  new DomainError(
    'throttled',
    'account_locked',
    `Too many wrong passwords: this account is locked for ${Math.ceil(retryAfterSeconds / 60)} more minute(s)`,
    { retryAfter: retryAfterSeconds },
  );

export const storeRequired = (stores: { id: string; name: string }[]): DomainError =>
  new DomainError(
    'bad_request',
    'store_required',
    'This email signs in to several stores: send storeId with one of them',
    { stores },
  );

export const invalidLink = (): DomainError =>
  new DomainError(
    'unauthorized',
    'invalid_link',
    'This sign-in link is not valid: it was used already, has expired, or was replaced. Ask an owner for a new one',
  );

export const staffExists = (staffId: string): DomainError =>
  new DomainError('conflict', 'staff_exists', 'A staff member of this store already has this email', {
    staffId,
  });

export const lastOwner = (): DomainError =>
  new DomainError(
    'conflict',
    'last_owner',
    "The store's last owner cannot be removed or given another role: make someone else owner first",
  );

export const staffActive = (): DomainError =>
  new DomainError(
    'conflict',
    'staff_active',
    'This staff member has already chosen a password: there is no invitation to send again',
  );
