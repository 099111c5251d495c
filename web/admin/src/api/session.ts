/**
 * The signed-in staff member: GET /v1/session on load (401 = signed out), sign-in with email and
 * password or a one-time link, sign-out. The session itself is an HttpOnly cookie the browser
 * keeps; the console holds only the CSRF token, in memory.
 */
import { queryOptions } from '@tanstack/react-query';
import { ApiError, api, data, setCsrfToken } from './client';
import type { paths } from './schema';

export type Session = paths['/v1/session']['get']['responses'][200]['content']['application/json'];
export type Role = Session['staff']['role'];

function remember(session: Session): Session {
  setCsrfToken(session.csrfToken);
  return session;
}

/** The current session, or null when signed out. */
export async function fetchSession(): Promise<Session | null> {
  try {
    return remember(await data(api.GET('/v1/session')));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      setCsrfToken(null);
      return null;
    }
    throw error;
  }
}

export const sessionQuery = queryOptions({
  queryKey: ['session'],
  queryFn: fetchSession,
  staleTime: 5 * 60_000,
  retry: false,
});

export async function signIn(body: { email: string; password: string; storeId?: string }): Promise<Session> {
  return remember(await data(api.POST('/v1/session', { body })));
}

/** A one-time sign-in link (first owner, invitations): sets the password and signs in. */
export async function signInWithLink(body: { token: string; password: string }): Promise<Session> {
  return remember(await data(api.POST('/v1/session/link', { body })));
}

/** Ends this browser's session (the CSRF token is sent by the client's middleware). */
export async function signOut(): Promise<void> {
  try {
    await data(api.DELETE('/v1/session'));
  } finally {
    setCsrfToken(null);
  }
}
