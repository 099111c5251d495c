import { type SQL, sql } from 'drizzle-orm';
import { type Executor, queryRows } from './client.ts';
import { claimId, type IdempotencyClaim, type StoredOutcome } from './idempotency.models.ts';

/**
 * Claims keys inside the command's transaction. On PostgreSQL a concurrent claim of the same key
 * waits for the first transaction to finish, then finds the row: exactly one request applies.
 * Returns the ids (see `claimId`) of the claims this transaction won.
 */
export async function claimKeys(
  tx: Executor,
  claims: readonly IdempotencyClaim[],
  now: Date,
): Promise<Set<string>> {
  if (claims.length === 0) return new Set();
  const sorted = [...claims].sort((a, b) => (claimId(a) < claimId(b) ? -1 : 1));
  const rows = await queryRows<{ store_id: string; method: string; path: string; key: string }>(
    tx,
    sql`INSERT INTO idempotency_keys (store_id, method, path, key, request_hash, created_at)
        SELECT u.*, ${now}::timestamptz FROM unnest(${sql.param(sorted.map((c) => c.storeId))}::text[],
                             ${sql.param(sorted.map((c) => c.method))}::text[],
                             ${sql.param(sorted.map((c) => c.path))}::text[],
                             ${sql.param(sorted.map((c) => c.key))}::text[],
                             ${sql.param(sorted.map((c) => c.requestHash))}::text[]) AS u
        ON CONFLICT DO NOTHING
        RETURNING store_id, method, path, key`,
  );
  return new Set(
    rows.map((r) => claimId({ storeId: r.store_id, method: r.method, path: r.path, key: r.key })),
  );
}

export async function findStored(
  db: Executor,
  claim: Omit<IdempotencyClaim, 'requestHash'>,
): Promise<{ requestHash: string; outcome: StoredOutcome | null } | undefined> {
  const [row] = await queryRows<{ request_hash: string; response: StoredOutcome | null }>(
    db,
    sql`SELECT request_hash, response FROM idempotency_keys
         WHERE store_id = ${claim.storeId} AND method = ${claim.method} AND path = ${claim.path} AND key = ${claim.key}`,
  );
  return row === undefined ? undefined : { requestHash: row.request_hash, outcome: row.response };
}

export async function saveOutcomes(
  tx: Executor,
  outcomes: readonly { claim: IdempotencyClaim; outcome: StoredOutcome }[],
): Promise<void> {
  const statement = updateOutcomes(outcomes);
  if (statement) await tx.execute(statement);
}

/** The UPDATE for `saveOutcomes`, to combine with other writes (see `executeTogether`). */
export function updateOutcomes(
  outcomes: readonly { claim: IdempotencyClaim; outcome: StoredOutcome }[],
): SQL | null {
  if (outcomes.length === 0) return null;
  return sql`
    UPDATE idempotency_keys AS k SET response = v.response, status_code = v.status_code
      FROM unnest(${sql.param(outcomes.map((o) => o.claim.storeId))}::text[],
                  ${sql.param(outcomes.map((o) => o.claim.method))}::text[],
                  ${sql.param(outcomes.map((o) => o.claim.path))}::text[],
                  ${sql.param(outcomes.map((o) => o.claim.key))}::text[],
                  ${sql.param(outcomes.map((o) => JSON.stringify(o.outcome)))}::jsonb[],
                  ${sql.param(outcomes.map((o) => (o.outcome.ok ? o.outcome.status : null)))}::int[])
           AS v(store_id, method, path, key, response, status_code)
     WHERE k.store_id = v.store_id AND k.method = v.method AND k.path = v.path AND k.key = v.key`;
}
