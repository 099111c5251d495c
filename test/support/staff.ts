/**
 * Staff sessions in tests: a store with its first owner, signing in by link or password, and
 * requests made as a signed-in browser would make them (cookie, and X-CSRF-Token on writes).
 */
import { expect } from 'vitest';
import { OPERATOR_TOKEN, type TestApp } from './harness.ts';

export const PASSWORD = 'correct horse battery';

export interface Session {
  cookie: string;
  csrfToken: string;
  staffId: string;
  role: string;
}

export interface StoreWithOwner {
  id: string;
  secretKey: string;
  owner: Session;
}

/** The session cookie a Set-Cookie header gives (`name=value`), with its attributes. */
export function setCookie(res: { headers: Record<string, unknown> }): { pair: string; attributes: string[] } {
  const raw = res.headers['set-cookie'];
  const header = Array.isArray(raw) ? raw.find((c) => String(c).startsWith('backfill_session=')) : raw;
  expect(header, 'a Set-Cookie header').toBeTypeOf('string');
  const [pair, ...attributes] = String(header)
    .split(';')
    .map((part) => part.trim());
  return { pair: pair!, attributes };
}

export const tokenOfLink = (link: string): string => link.split('#link=')[1]!;

export async function useLink(t: TestApp, link: string, password = PASSWORD): Promise<Session> {
  const res = await t.request('POST', '/v1/session/link', { body: { token: tokenOfLink(link), password } });
  expect(res.statusCode, res.body).toBe(200);
  return sessionOf(res);
}

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely
export function sessionOf(res: { headers: Record<string, unknown>; json: <T = any>() => T }): Session {
  const body = res.json();
  return {
    cookie: setCookie(res).pair,
    csrfToken: body.csrfToken,
    staffId: body.staff.id,
    role: body.staff.role,
  };
}

export async function signIn(
  t: TestApp,
  email: string,
  password = PASSWORD,
  storeId?: string,
): Promise<Session> {
  const res = await t.request('POST', '/v1/session', {
    body: { email, password, ...(storeId ? { storeId } : {}) },
  });
  expect(res.statusCode, res.body).toBe(200);
  return sessionOf(res);
}

/** A store made by the operator with its first owner, signed in through the owner's one-time link. */
export async function storeWithOwner(
  t: TestApp,
  ownerEmail: string,
  name = 'Staff shop',
): Promise<StoreWithOwner> {
  const res = await t.request('POST', '/v1/stores', { key: OPERATOR_TOKEN, body: { name, ownerEmail } });
  expect(res.statusCode, res.body).toBe(201);
  const body = res.json();
  return { id: body.store.id, secretKey: body.secretKey, owner: await useLink(t, body.ownerSignInLink) };
}

/** Invites a staff member as the owner (no email channel: the link is in the answer) and signs them in. */
export async function invite(t: TestApp, owner: Session, email: string, role: string): Promise<Session> {
  const res = await as(t, owner, 'POST', '/v1/staff', { email, role });
  expect(res.statusCode, res.body).toBe(201);
  return useLink(t, res.json().link);
}

/** A request as the signed-in browser of `session` makes it. */
export function as(
  t: TestApp,
  session: Session,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  return t.request(method, url, {
    body,
    headers: { cookie: session.cookie, 'x-csrf-token': session.csrfToken, ...headers },
  });
}
