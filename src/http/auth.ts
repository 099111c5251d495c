import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Database } from '../db/client.ts';
import { findKeyOwner, type KeyOwner, touchKey } from '../modules/stores/stores.keys.ts';
import { looksLikeKey } from '../modules/stores/stores.models.ts';
import type { StoreView } from '../modules/stores/stores.usecases.ts';
import { problem, sendProblem } from './problem.ts';

/** Who is calling, as far as the Authorization header says. */
export type Caller =
  | { kind: 'none' }
  | { kind: 'invalid' }
  | { kind: 'operator' }
  /** A full or read-only key (`sk_…`, `rk_…`): the store's admin endpoints. */
  | { kind: 'secret'; store: StoreView; keyId: string; readOnly: boolean }
  /** A storefront key (`pk_…`). */
  | { kind: 'publishable'; store: StoreView; keyId: string };

/** Which callers a route admits; `public` needs no key. */
export type Access = 'public' | 'operator' | 'secret' | 'publishable';

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
export function registerAuth(app: FastifyInstance, db: Database, operatorToken: string | null): void {
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
    if (header === undefined || header === '') return { kind: 'none' };
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
        problem(401, 'unauthorized', 'Send an API key as "Authorization: Bearer <key>"'),
      );
    }
    if (caller.kind === 'invalid') {
      return sendProblem(
        reply.header('www-authenticate', 'Bearer'),
        problem(401, 'unauthorized', 'The API key is not valid'),
      );
    }
    if (caller.kind !== access) {
      const needs = {
        operator: 'the operator token',
        secret: 'a secret key (sk_…)',
        publishable: 'a publishable key (pk_…)',
      }[access];
      return sendProblem(reply, problem(403, 'forbidden', `This endpoint needs ${needs}`));
    }
    if (caller.kind === 'secret' && caller.readOnly && !readsOnly(request)) {
      return sendProblem(
        reply,
        problem(403, 'forbidden', 'This key is read-only: it may read, not change anything (use a full key)'),
      );
    }
  });
}

/** GETs, and the few POSTs that change nothing (previews, what-ifs). */
function readsOnly(request: FastifyRequest): boolean {
  return (
    request.method === 'GET' || request.method === 'HEAD' || request.routeOptions.config?.readOnly === true
  );
}

/** The store of the calling key; routes behind `secret` or `publishable` access always have one. */
export function storeOf(request: FastifyRequest): StoreView {
  const caller = request.caller;
  if (caller.kind === 'secret' || caller.kind === 'publishable') return caller.store;
  throw new Error('route reached without a store key');
}
