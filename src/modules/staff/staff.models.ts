/**
 * The rules of signing in: passwords (scrypt with a salt per account), opaque tokens stored as
 * hashes, session lifetimes, lock-out after wrong passwords. No database here.
 */
import { createHash, randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

/** A session ends after this long unused… */
export const SESSION_IDLE_MS = 12 * 60 * 60 * 1000;
/** …and this long after signing in, however used. */
export const SESSION_ABSOLUTE_MS = 7 * 24 * 60 * 60 * 1000;
/** A one-time sign-in link (first owner, invitation) works this long. */
export const SIGN_IN_LINK_MS = 7 * 24 * 60 * 60 * 1000;
/** Wrong passwords in a row that lock an account, and for how long. */
export const MAX_FAILED_ATTEMPTS = 5;
export const LOCK_MS = 15 * 60 * 1000;
/** The session's last use is written at most this often. */
export const TOUCH_EVERY_MS = 60 * 1000;

export const SESSION_COOKIE = 'backfill_session';

// N = 2^15 costs ~32 MiB and ~50–100 ms per hash: slow for a guesser, fine for a sign-in.
const SCRYPT = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(
      password.normalize('NFC'),
      salt,
      KEY_LENGTH,
      { ...options, maxmem: 64 * 1024 * 1024 },
      (error, key) => (error ? reject(error) : resolve(key)),
    ),
  );
}

/** `scrypt$N$r$p$salt$hash`, salt and hash in base64url: the parameters travel with the hash. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, SCRYPT);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), key.toString('base64url')].join(
    '$',
  );
}

/** A hash no password matches, checked when the email is unknown so that answer takes as long. */
const DECOY = `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${randomBytes(16).toString('base64url')}$${randomBytes(KEY_LENGTH).toString('base64url')}`;

/** Whether the password matches the stored hash; a missing hash (no password yet) never matches, in the same time. */
export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const parts = (stored ?? DECOY).split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, salt, hash] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(hash, 'base64url');
  const key = await derive(password, Buffer.from(salt, 'base64url'), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return stored !== null && key.length === expected.length && timingSafeEqual(key, expected);
}

/**
 * A session cookie or sign-in link token: `<store id>.<32 random bytes>`. The store id lets the
 * server find the row within its store (the tables are keyed by store); the random part is the secret.
 */
export const newToken = (storeId: string): string => `${storeId}.${randomBytes(32).toString('base64url')}`;

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/** The store a token names, or null when it is not shaped like one of ours. */
export function storeOfToken(token: string): string | null {
  const match = /^(sto_[0-9a-z]{1,40})\.[A-Za-z0-9_-]{43}$/.exec(token);
  return match ? match[1]! : null;
}

export const newCsrfToken = (): string => randomBytes(32).toString('base64url');

/** Emails compare without case (the domain is case-insensitive, and people type both ways). */
export const normaliseEmail = (email: string): string => email.trim().toLowerCase();

export interface SessionTimes {
  lastSeenAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
}

export const sessionIsLive = (session: SessionTimes, now: Date): boolean =>
  session.revokedAt === null &&
  now < session.expiresAt &&
  now.getTime() - session.lastSeenAt.getTime() < SESSION_IDLE_MS;

/** Seconds until a locked account may try again (0: not locked). */
export function lockedForSeconds(lockedUntil: Date | null, now: Date): number {
  if (lockedUntil === null || lockedUntil <= now) return 0;
  return Math.ceil((lockedUntil.getTime() - now.getTime()) / 1000);
}

/** The one-time link for a token: a fragment, which browsers never send to a server or put in logs. */
export const signInLink = (publicBaseUrl: string, token: string): string =>
  `${publicBaseUrl.replace(/\/+$/, '')}/admin/sign-in#link=${token}`;

/** Reads one cookie from a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/** The Set-Cookie value of a session (or of its removal, with `null`). */
export function sessionCookie(value: string | null, secure: boolean): string {
  const attributes = ['HttpOnly', 'SameSite=Lax', 'Path=/', ...(secure ? ['Secure'] : [])];
  const life = value === null ? 'Max-Age=0' : `Max-Age=${SESSION_ABSOLUTE_MS / 1000}`;
  return [`${SESSION_COOKIE}=${value ?? ''}`, life, ...attributes].join('; ');
}
