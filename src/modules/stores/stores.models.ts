import { createHash, randomBytes } from 'node:crypto';

import type { KeyScope } from './stores.tables.ts';

export const KEY_PREFIX: Record<KeyScope, string> = { full: 'sk_', 'read-only': 'rk_', storefront: 'pk_' };

/** A key's text: its scope's prefix, then 192 random bits. */
export function generateKey(scope: KeyScope): string {
  return KEY_PREFIX[scope] + randomBytes(24).toString('base64url');
}

/** Whether a bearer token is shaped like one of our keys (anything else is not looked up). */
export const looksLikeKey = (token: string): boolean => /^(sk|rk|pk)_[A-Za-z0-9_-]{20,64}$/.test(token);

/** Keys are high-entropy random strings, so a plain SHA-256 is a sufficient one-way hash. */
export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function isValidTimezone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

export function isValidCurrency(currency: string): boolean {
  return /^[A-Z]{3}$/.test(currency) && Intl.supportedValuesOf('currency').includes(currency);
}
