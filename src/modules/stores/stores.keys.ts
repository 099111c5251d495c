/**
 * A store's API keys: created (shown once), listed, revoked. Authentication reads a key by its
 * hash on every request (http/auth.ts keeps answers for under a second), so a revoked key stops
 * working on every process within a second.
 */
import { and, asc, count, eq, gt, isNull, lt, or, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import type { Deps } from '../../shared/context.ts';
import { decodeKeyCursor, type Page, toPage } from '../../shared/cursor.ts';
import { DomainError, invalid, notFound } from '../../shared/errors.ts';
import { generateKey, hashKey, KEY_PREFIX } from './stores.models.ts';
import { apiKeys, type KeyScope, stores } from './stores.tables.ts';
import type { StoreView } from './stores.usecases.ts';

type KeyRow = typeof apiKeys.$inferSelect;

export interface ApiKeyView {
  id: string;
  name: string;
  scope: KeyScope;
  /** Enough of the key to recognise it: its prefix and last four characters. */
  hint: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const toView = (row: KeyRow): ApiKeyView => ({
  id: row.id,
  name: row.name,
  scope: row.scope,
  hint: `${KEY_PREFIX[row.scope]}…${row.lastFour}`,
  createdAt: row.createdAt.toISOString(),
  lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
  revokedAt: row.revokedAt?.toISOString() ?? null,
});

export async function insertKey(
  tx: Executor,
  deps: Pick<Deps, 'clock' | 'ids'>,
  storeId: string,
  input: { name: string; scope: KeyScope },
): Promise<{ view: ApiKeyView; key: string }> {
  const key = generateKey(input.scope);
  const [row] = await tx
    .insert(apiKeys)
    .values({
      id: deps.ids.next('key'),
      storeId,
      name: input.name,
      scope: input.scope,
      keyHash: hashKey(key),
      lastFour: key.slice(-4),
      createdAt: deps.clock.now(),
    })
    .returning();
  return { view: toView(row!), key };
}

const MAX_ACTIVE_KEYS = 50;

/** A new key for the store; its text is in the answer only. */
export async function createKey(
  tx: Executor,
  deps: Pick<Deps, 'clock' | 'ids'>,
  storeId: string,
  input: { name: string; scope: KeyScope },
): Promise<ApiKeyView & { key: string }> {
  const name = input.name.trim();
  if (name === '')
    throw invalid('validation_failed', 'name must not be empty', [
      { path: '/name', message: 'must not be empty' },
    ]);
  // Key changes of one store take turns on its row, so two creations cannot both pass the limit.
  await tx.select({ id: stores.id }).from(stores).where(eq(stores.id, storeId)).for('no key update');
  const [{ n } = { n: 0 }] = await tx
    .select({ n: count() })
    .from(apiKeys)
    .where(and(eq(apiKeys.storeId, storeId), isNull(apiKeys.revokedAt)));
  if (n >= MAX_ACTIVE_KEYS)
    throw invalid('too_many_keys', `A store may have at most ${MAX_ACTIVE_KEYS} keys that are not revoked`);
  const created = await insertKey(tx, deps, storeId, { name, scope: input.scope });
  return { ...created.view, key: created.key };
}

export async function listKeys(
  db: Executor,
  storeId: string,
  query: { limit: number; cursor?: string },
): Promise<Page<ApiKeyView>> {
  const after = decodeKeyCursor(query.cursor);
  const rows = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.storeId, storeId), after === null ? undefined : gt(apiKeys.id, after)))
    .orderBy(asc(apiKeys.id))
    .limit(query.limit + 1);
  return toPage(rows, query.limit, (row) => row.id, toView);
}

/**
 * Revokes a key at once (again: nothing changes). The store's last full key is kept: without one,
 * nobody could manage the store's keys any more (409 `last_full_key`).
 */
export async function revokeKey(
  tx: Executor,
  deps: Pick<Deps, 'clock'>,
  storeId: string,
  id: string,
): Promise<ApiKeyView> {
  await tx.select({ id: stores.id }).from(stores).where(eq(stores.id, storeId)).for('no key update');
  const [row] = await tx
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.storeId, storeId), eq(apiKeys.id, id)));
  if (!row) throw notFound('API key', id);
  if (row.revokedAt !== null) return toView(row);
  if (row.scope === 'full') {
    const [{ n } = { n: 0 }] = await tx
      .select({ n: count() })
      .from(apiKeys)
      .where(and(eq(apiKeys.storeId, storeId), eq(apiKeys.scope, 'full'), isNull(apiKeys.revokedAt)));
    if (n <= 1)
      throw new DomainError(
        'conflict',
        'last_full_key',
        'This is the store’s last full key: create another full key before revoking it',
        { keyId: id },
      );
  }
  const [revoked] = await tx
    .update(apiKeys)
    .set({ revokedAt: deps.clock.now() })
    .where(eq(apiKeys.id, id))
    .returning();
  return toView(revoked!);
}

export interface KeyOwner {
  keyId: string;
  scope: KeyScope;
  store: StoreView;
  lastUsedAt: Date | null;
}

/** The store and scope of a key that is not revoked, by the key's text. */
export async function findKeyOwner(db: Executor, key: string): Promise<KeyOwner | undefined> {
  const [row] = await db
    .select({
      keyId: apiKeys.id,
      scope: apiKeys.scope,
      lastUsedAt: apiKeys.lastUsedAt,
      id: stores.id,
      name: stores.name,
      currency: stores.currency,
      timezone: stores.timezone,
    })
    .from(apiKeys)
    .innerJoin(stores, eq(apiKeys.storeId, stores.id))
    .where(and(eq(apiKeys.keyHash, hashKey(key)), isNull(apiKeys.revokedAt)));
  if (!row) return undefined;
  const { keyId, scope, lastUsedAt, ...store } = row;
  return { keyId, scope, store, lastUsedAt };
}

/** Records that a key was used now, at most once a minute (a write per request would cost more than the read). */
export async function touchKey(db: Executor, keyId: string, now: Date): Promise<void> {
  await db
    .update(apiKeys)
    .set({ lastUsedAt: now })
    .where(
      and(
        eq(apiKeys.id, keyId),
        or(
          isNull(apiKeys.lastUsedAt),
          lt(apiKeys.lastUsedAt, sql`${now}::timestamptz - interval '1 minute'`),
        ),
      ),
    );
}
