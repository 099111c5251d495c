import { createHash, randomBytes } from 'node:crypto';

export type KeyKind = 'secret' | 'publishable';

export const KEY_PREFIX: Record<KeyKind, string> = { secret: 'sk_', publishable: 'pk_' };

export function generateKey(kind: KeyKind): string {
  return KEY_PREFIX[kind] + randomBytes(24).toString('base64url');
}

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
