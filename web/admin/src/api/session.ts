/**
 * The signed-in staff member: GET /v1/session on load (401 = signed out), sign-in with email and
 * password or a one-time link, sign-out. The session itself is an HttpOnly cookie the browser
 * keeps; the console holds only the CSRF token in memory.
 */
import { queryOptions } from '@tanstack/react-query';
import { ApiError, problemError, setCsrfToken } from './client';

export type Role = 'owner' | 'ops' | 'support';

export interface Session {
  staff: { id: string; email: string; name: string | null; role: Role };
  store: { id: string; name: string };
  csrfToken: string;
}

async function sessionCall(method: string, path: string, body?: unknown): Promise<Response> {
  try {
    return await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new ApiError(
      0,
      'network',
      'Cannot reach the server. Check that it is running and your connection.',
    );
  }
}

async function sessionOf(response: Response): Promise<Session> {
  const body = await response.json().catch(() => null);
  if (!response.ok) throw problemError(response.status, body);
  const session = body as Session;
  setCsrfToken(session.csrfToken);
  return session;
}

/** The current session, or null when signed out. */
export async function fetchSession(): Promise<Session | null> {
  const response = await sessionCall('GET', '/v1/session');
  if (response.status === 401) {
    setCsrfToken(null);
    return null;
  }
  return sessionOf(response);
}

export const sessionQuery = queryOptions({
  queryKey: ['session'],
  queryFn: fetchSession,
  staleTime: 5 * 60_000,
  retry: false,
});

export async function signIn(input: { email: string; password: string; storeId?: string }): Promise<Session> {
  return sessionOf(await sessionCall('POST', '/v1/session', input));
}

/** A one-time sign-in link (first owner, invitations): sets the password and signs in. */
export async function signInWithLink(input: { token: string; password: string }): Promise<Session> {
  return sessionOf(await sessionCall('POST', '/v1/session/link', input));
}

export async function signOut(csrfToken: string): Promise<void> {
  try {
    await fetch('/v1/session', {
      method: 'DELETE',
      credentials: 'same-origin',
      headers: { 'X-CSRF-Token': csrfToken },
    });
  } finally {
    setCsrfToken(null);
  }
}
