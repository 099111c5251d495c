import { describe, expect, it } from 'vitest';
import {
  hashPassword,
  newToken,
  readCookie,
  SESSION_ABSOLUTE_MS,
  SESSION_IDLE_MS,
  sessionCookie,
  sessionIsLive,
  storeOfToken,
  verifyPassword,
} from './staff.models.ts';

describe('passwords', () => {
  it('hash with a fresh salt each time and verify only the right password', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batterY', a)).toBe(false);
    expect(await verifyPassword('correct horse battery', null)).toBe(false);
    expect(await verifyPassword('x', 'md5$abc')).toBe(false);
  });
});

describe('tokens and cookies', () => {
  it('name their store, and nothing else passes for one', () => {
    const token = newToken('sto_01abc');
    expect(storeOfToken(token)).toBe('sto_01abc');
    expect(storeOfToken(`${token}x`)).toBeNull();
    expect(storeOfToken('sto_01abc.short')).toBeNull();
    expect(storeOfToken(token.replace('sto_', 'key_'))).toBeNull();
  });

  it('reads the session cookie among others and writes its attributes', () => {
    expect(readCookie('a=1; backfill_session=sto_x.y; b=2', 'backfill_session')).toBe('sto_x.y');
    expect(readCookie('xbackfill_session=1', 'backfill_session')).toBeNull();
    expect(readCookie(undefined, 'backfill_session')).toBeNull();
    expect(sessionCookie('v', false)).toBe(
      'backfill_session=v; Max-Age=604800; HttpOnly; SameSite=Lax; Path=/',
    );
    expect(sessionCookie(null, true)).toBe(
      'backfill_session=; Max-Age=0; HttpOnly; SameSite=Lax; Path=/; Secure',
    );
  });
});

describe('session lifetimes', () => {
  const start = new Date('2026-01-01T00:00:00Z');
  const at = (ms: number) => new Date(start.getTime() + ms);
  const session = { lastSeenAt: start, expiresAt: at(SESSION_ABSOLUTE_MS), revokedAt: null };
  it('end 12 hours after the last use, at the absolute end, or when revoked', () => {
    expect(sessionIsLive(session, at(SESSION_IDLE_MS - 1))).toBe(true);
    expect(sessionIsLive(session, at(SESSION_IDLE_MS))).toBe(false);
    expect(
      sessionIsLive({ ...session, lastSeenAt: at(SESSION_ABSOLUTE_MS - 1000) }, at(SESSION_ABSOLUTE_MS)),
    ).toBe(false);
    expect(sessionIsLive({ ...session, revokedAt: start }, at(1))).toBe(false);
  });
});
