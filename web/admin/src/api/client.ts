/**
 * The console's only way to the API: openapi-fetch over the types generated from the server's
 * OpenAPI document (schema.d.ts, `npm run api:types`). Same-origin cookie session; every write
 * carries the session's CSRF token.
 */
import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

export type Schemas = components['schemas'];

let csrfToken: string | null = null;

/** Set from the session (sign-in, or GET /v1/session on load); cleared on sign-out. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** The session's CSRF header, for the few writes made outside openapi-fetch (an upload with progress). */
export function csrfHeaders(): Record<string, string> {
  return csrfToken === null ? {} : { 'X-CSRF-Token': csrfToken };
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

const sessionHeaders: Middleware = {
  onRequest({ request }) {
    if (!SAFE.has(request.method) && csrfToken !== null) request.headers.set('X-CSRF-Token', csrfToken);
    return request;
  },
};

/** Called when an answer says the session is gone (401), to send the user to sign-in. */
let onSignedOut: (() => void) | null = null;
export function whenSignedOut(handler: () => void): void {
  onSignedOut = handler;
}

const signedOutWatch: Middleware = {
  onResponse({ request, response }) {
    if (response.status === 401 && !new URL(request.url).pathname.startsWith('/v1/session')) onSignedOut?.();
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin' });
api.use(sessionHeaders, signedOutWatch);

/** An API problem (RFC 9457) turned into an Error whose message is the server's words. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: { path?: string; message?: string }[] = [],
  ) {
    super(message);
  }
}

interface ProblemBody {
  code?: string;
  detail?: string;
  title?: string;
  errors?: { path?: string; message?: string }[];
}

const STATUS_WORDS: Record<number, string> = {
  401: 'You are signed out. Sign in again to continue.',
  403: 'Your role does not allow this. Ask the store owner.',
  404: 'Not found: it may have been deleted, or the address is wrong.',
  429: 'Too many attempts. Wait a moment and try again.',
  500: 'The server failed to answer. Try again; if it keeps failing, check the server log.',
  503: 'The server is not ready (starting, or its database is unreachable). Try again shortly.',
};

export function problemError(status: number, body: unknown): ApiError {
  const problem = (typeof body === 'object' && body !== null ? body : {}) as ProblemBody;
  const words = problem.detail || STATUS_WORDS[status] || problem.title || `The server answered ${status}.`;
  return new ApiError(status, problem.code ?? `http_${status}`, words, problem.errors ?? []);
}

/**
 * The data of an openapi-fetch answer, or throws its problem as an ApiError (for TanStack Query).
 * A network failure becomes an error in words too.
 */
export async function data<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let result: Awaited<typeof call>;
  try {
    result = await call;
  } catch {
    throw new ApiError(
      0,
      'network',
      'Cannot reach the server. Check that it is running and your connection.',
    );
  }
  if (!result.response.ok) throw problemError(result.response.status, result.error);
  return result.data as T;
}
