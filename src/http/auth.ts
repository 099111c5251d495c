import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { readCookie, SESSION_COOKIE, sessionCookie } from '../modules/staff/staff.models.ts';
import { rolesAllowed } from '../modules/staff/staff.roles.ts';
import { findSession } from '../modules/staff/staff.sessions.ts';
import type { StaffRole } from '../modules/staff/staff.tables.ts';
import { findKeyOwner, type KeyOwner, touchKey } from '../modules/stores/stores.keys.ts';
import { looksLikeKey } from '../modules/stores/stores.models.ts';
import type { StoreView } from '../modules/stores/stores.usecases.ts';
import type { Deps } from '../shared/context.ts';
import { problem, sendProblem } from './problem.ts';

/** Who is calling, as far as the Authorization header (or, without one, the session cookie) says. */
export type Caller =
  | { kind: 'none' }
  /** A key that is not one, or (`session`) a session cookie that has ended. */
  | { kind: 'invalid'; reason?: 'session' }
  | { kind: 'operator' }
  /** A full or read-only key (`sk_…`, `rk_…`): the store's admin endpoints. */
  | { kind: 'secret'; store: StoreView; keyId: string; readOnly: boolean }
  /** A storefront key (`pk_…`). */
  | { kind: 'publishable'; store: StoreView; keyId: string }
  /**
   * A staff member signed in to the console (session cookie, no Authorization header): admitted
   * wherever a full key is, subject to the role (staff.roles.ts) and, on writes, to the CSRF check.
   */
  | {
      kind: 'staff';
      store: StoreView;
      staffId: string;
      email: string;
      name: string;
      role: StaffRole;
      sessionId: string;
      csrfToken: string;
    };

/**
 * Which callers a route admits; `public` needs no key. `secret` admits full keys and signed-in
 * staff; `staff` only signed-in staff (the session endpoints).
 */
export type Access = 'public' | 'operator' | 'secret' | 'publishable' | 'staff';

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller;
  }
  interface FastifyContextConfig {
    access?: Access;
    /** The request body may be omitted (documented as optional in OpenAPI). */
    optionalBody?: boolean;
    /** A POST that changes nothing (a preview, a what-if): read-only keys may call it. */
    readOnly?: boolean;
    /** Staff roles that may call the route (the owner always may); default: staff.roles.ts, else owner only. */
    roles?: readonly StaffRole[];
  }
}

/**
 * How long a key's owner is remembered by a process: a revoked key stops working everywhere within
 * this (under a second), while a busy key is still read about twice a second at most.
 */
const CACHE_TTL_MS = 500;
const CACHE_MAX = 10_000;

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Identifies the caller on every request (onRequest), then enforces the route's `access`.
 * Identification runs before rate limiting so the limiter can tell secret-key traffic apart.
 */
export function registerAuth(
  app: FastifyInstance,
  deps: Pick<Deps, 'db' | 'clock'>,
  operatorToken: string | null,
): void {
  const { db } = deps;
  const cache = new Map<string, { owner: KeyOwner | undefined; at: number }>();

  async function ownerOf(key: string): Promise<KeyOwner | undefined> {
    const hit = cache.get(key);
    if (hit && Date.now() - hit.at < CACHE_TTL_MS) return hit.owner;
    const owner = await findKeyOwner(db, key);
    if (owner) {
      if (cache.size >= CACHE_MAX) cache.clear();
      cache.set(key, { owner, at: Date.now() });
      const now = new Date();
      if (owner.lastUsedAt === null || now.getTime() - owner.lastUsedAt.getTime() >= 60_000) {
        touchKey(db, owner.keyId, now).catch(() => {}); // bookkeeping: never fails the request
      }
    }
    return owner;
  }

  async function identify(request: FastifyRequest): Promise<Caller> {
    const header = request.headers.authorization;
    if (header === undefined || header === '') return identifyStaff(request);
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) return { kind: 'invalid' };
    const token = match[1]!;
    if (operatorToken !== null && sameSecret(token, operatorToken)) return { kind: 'operator' };
    if (!looksLikeKey(token)) return { kind: 'invalid' };
    const owner = await ownerOf(token);
    if (!owner) return { kind: 'invalid' };
    return owner.scope === 'storefront'
      ? { kind: 'publishable', store: owner.store, keyId: owner.keyId }
      : { kind: 'secret', store: owner.store, keyId: owner.keyId, readOnly: owner.scope === 'read-only' };
  }

  /** The session cookie is read only for routes that admit staff (public pages never look it up). */
  async function identifyStaff(request: FastifyRequest): Promise<Caller> {
    const token = readCookie(request.headers.cookie, SESSION_COOKIE);
    if (token === null) return { kind: 'none' };
    const access = request.routeOptions.config?.access;
    if (access !== 'secret' && access !== 'staff') return { kind: 'none' };
    const session = await findSession(deps, token);
    if (session === null) return { kind: 'invalid', reason: 'session' };
    return {
      kind: 'staff',
      store: session.store,
      staffId: session.staff.id,
      email: session.staff.email,
      name: session.staff.name,
      role: session.staff.role,
      sessionId: session.sessionId,
      csrfToken: session.csrfToken,
    };
  }

  app.decorateRequest('caller', null as never);
  app.addHook('onRequest', async (request) => {
    request.caller = await identify(request);
  });
}

/**
 * Refuses callers the route does not admit. It runs at preParsing, after every onRequest hook
 * including the rate limiter's (which attaches per route), so failed authentications are counted
 * and throttled too; and before the body is read, so an unauthorised client cannot make us parse it.
 */
export function registerAccessCheck(app: FastifyInstance): void {
  app.addHook('preParsing', async (request, reply) => {
    const access = request.routeOptions.config?.access ?? 'public';
    if (access === 'public') return;
    const caller = request.caller;
    if (caller.kind === 'none') {
      return sendProblem(
        reply.header('www-authenticate', 'Bearer'),
        access === 'staff'
          ? problem(401, 'unauthorized', 'Sign in first (POST /v1/session)')
          : problem(401, 'unauthorized', 'Send an API key as "Authorization: Bearer <key>"'),
      );
    }
    if (caller.kind === 'invalid' && caller.reason === 'session') {
      return sendProblem(
        reply.header('set-cookie', sessionCookie(null, request.protocol === 'https')),
        problem(
          401,
          'unauthorized',
          'The session has ended (signed out, expired or unused for 12 hours): sign in again',
        ),
      );
    }
    if (caller.kind === 'invalid') {
      return sendProblem(
        reply.header('www-authenticate', 'Bearer'),
        problem(401, 'unauthorized', 'The API key is not valid'),
      );
    }
    if (caller.kind !== access && !(caller.kind === 'staff' && access === 'secret')) {
      const needs = {
        operator: 'the operator token',
        secret: 'a secret key (sk_…)',
        publishable: 'a publishable key (pk_…)',
        staff: 'a signed-in staff member (the session cookie)',
      }[access];
      return sendProblem(reply, problem(403, 'forbidden', `This endpoint needs ${needs}`));
    }
    if (caller.kind === 'staff') return checkStaff(request, reply, caller);
    if (caller.kind === 'secret' && caller.readOnly && !readsOnly(request)) {
      return sendProblem(
        reply,
        problem(403, 'forbidden', 'This key is read-only: it may read, not change anything (use a full key)'),
      );
    }
  });
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** This server's own origin, as the browser addressed it (behind a trusted proxy: as forwarded). */
export const ownOrigin = (request: FastifyRequest): string => `${request.protocol}://${request.host}`;

/** A present Origin header must be ours: a page elsewhere may not make a signed-in browser write. */
export const crossOrigin = (request: FastifyRequest): boolean =>
  request.headers.origin !== undefined && request.headers.origin !== ownOrigin(request);

/**
 * A staff member's request: writes must carry the session's CSRF token (a page on another site
 * cannot read it) and no foreign Origin; then the route must admit the staff member's role.
 */
function checkStaff(
  request: FastifyRequest,
  reply: FastifyReply,
  caller: Extract<Caller, { kind: 'staff' }>,
): FastifyReply | undefined {
  if (!SAFE_METHODS.has(request.method)) {
    const sent = request.headers['x-csrf-token'];
    if (typeof sent !== 'string' || !sameSecret(sent, caller.csrfToken)) {
      return sendProblem(
        reply,
        problem(403, 'csrf_failed', 'Writes made with a session need the X-CSRF-Token header of the session'),
      );
    }
    if (crossOrigin(request)) {
      return sendProblem(reply, problem(403, 'csrf_failed', 'The request comes from another origin'));
    }
  }
  const config = request.routeOptions.config;
  if (config?.access !== 'secret') return undefined;
  const allowed = rolesAllowed(request.routeOptions.schema?.operationId, config.roles);
  if (!allowed.includes(caller.role)) {
    return sendProblem(
      reply,
      problem(403, 'forbidden_role', `The ${caller.role} role may not use this endpoint`, {
        role: caller.role,
        allowedRoles: allowed,
      }),
    );
  }
  return undefined;
}

/** GETs, and the few POSTs that change nothing (previews, what-ifs). */
function readsOnly(request: FastifyRequest): boolean {
  return (
    request.method === 'GET' || request.method === 'HEAD' || request.routeOptions.config?.readOnly === true
  );
}

/** The store of the calling key or staff member; routes behind `secret`, `publishable` or `staff` access always have one. */
export function storeOf(request: FastifyRequest): StoreView {
  const caller = request.caller;
  if (caller.kind === 'secret' || caller.kind === 'publishable' || caller.kind === 'staff')
    return caller.store;
  throw new Error('route reached without a store key');
}
