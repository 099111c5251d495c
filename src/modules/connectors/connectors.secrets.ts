/**
 * Platform credentials sealed at rest with AES-256-GCM under the server's BACKFILL_SECRETS_KEY.
 * The connection's id and store are the associated data: a sealed value copied onto another
 * connection does not open.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DomainError } from '../../shared/errors.ts';

const VERSION = 'v1.';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export const secretsKeyMissing = (): DomainError =>
  new DomainError(
    'conflict',
    'secrets_key_not_configured',
    'This server cannot store platform credentials: set BACKFILL_SECRETS_KEY to 32 random bytes in base64 ' +
      '(e.g. `openssl rand -base64 32`) and restart it',
  );

function requireKey(key: Buffer | null): Buffer {
  if (key === null) throw secretsKeyMissing();
  if (key.length !== 32) throw new Error('The secrets key must be 32 bytes');
  return key;
}

export function sealSecret(key: Buffer | null, plaintext: string, boundTo: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', requireKey(key), iv);
  cipher.setAAD(Buffer.from(boundTo));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return VERSION + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
}

export function openSecret(key: Buffer | null, sealed: string, boundTo: string): string {
  if (!sealed.startsWith(VERSION)) throw new Error('Unknown sealed-secret format');
  const raw = Buffer.from(sealed.slice(VERSION.length), 'base64');
  const decipher = createDecipheriv('aes-256-gcm', requireKey(key), raw.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(boundTo));
  decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString(
    'utf8',
  );
}
