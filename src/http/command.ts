import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Database, inTransaction, type Tx } from '../db/client.ts';
import {
  errorOfOutcome,
  hashRequestBody,
  type IdempotencyClaim,
  keyInUse,
  outcomeOfError,
  replayOf,
  type StoredOutcome,
} from '../db/idempotency.models.ts';
import { claimKeys, findStored, saveOutcomes } from '../db/idempotency.repository.ts';
import type { Clock } from '../shared/clock.ts';
import { DomainError } from '../shared/errors.ts';
import { storeOf } from './auth.ts';
import { problemOfDomainError, sendProblem } from './problem.ts';

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** Reads the Idempotency-Key header into a claim scoped to store + method + path (422 if malformed). */
export function idempotencyClaim(request: FastifyRequest): IdempotencyClaim | null {
  const raw = request.headers['idempotency-key'];
  if (raw === undefined) return null;
  const key = Array.isArray(raw) ? raw[0] : raw;
  if (key === undefined || !KEY_PATTERN.test(key)) {
    throw new DomainError(
      'validation',
      'invalid_idempotency_key',
      'Idempotency-Key must be 1–255 visible ASCII characters',
    );
  }
  return {
    storeId: storeOf(request).id,
    method: request.method,
    path: request.url.split('?')[0]!,
    key,
    requestHash: hashRequestBody(request.body ?? null),
  };
}

export function sendOutcome(reply: FastifyReply, outcome: StoredOutcome, replayed: boolean): FastifyReply {
  if (replayed) reply.header('idempotent-replayed', 'true');
  if (outcome.ok) return reply.status(outcome.status).send(outcome.body);
  return sendProblem(reply, problemOfDomainError(errorOfOutcome(outcome)));
}

/**
 * Runs one command in one transaction and answers with `status` (or the status its result calls
 * for) and its result. With an
 * Idempotency-Key the key is claimed in that same transaction and the outcome (success or a
 * business refusal) stored with it, so a retry replays the first answer and never applies twice.
 */
export async function runCommand<T>(
  deps: { db: Database; clock: Clock },
  request: FastifyRequest,
  reply: FastifyReply,
  status: number | ((result: T) => number),
  work: (tx: Tx) => Promise<T>,
): Promise<FastifyReply> {
  // A command may answer one of two successes (e.g. 201 created, 200 merged into an existing one).
  const statusOf = (result: T) => (typeof status === 'number' ? status : status(result));
  const claim = idempotencyClaim(request);
  if (claim === null) {
    const body = await inTransaction(deps.db, work);
    return reply.status(statusOf(body)).send(body);
  }
  try {
    const result = await inTransaction(deps.db, (tx) =>
      claimAndStore(tx, deps.clock, claim, async () => {
        const body = await work(tx);
        return { ok: true, status: statusOf(body), body };
      }),
    );
    return sendOutcome(reply, result.outcome, result.replayed);
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    // The command was refused and rolled back; remember the refusal under the key as well.
    const result = await inTransaction(deps.db, (tx) =>
      claimAndStore(tx, deps.clock, claim, async () => outcomeOfError(error)),
    );
    return sendOutcome(reply, result.outcome, result.replayed);
  }
}

/** Claims the key in `tx` and stores what `produce` returns; a key already taken replays its outcome. */
async function claimAndStore(
  tx: Tx,
  clock: Clock,
  claim: IdempotencyClaim,
  produce: () => Promise<StoredOutcome>,
): Promise<{ outcome: StoredOutcome; replayed: boolean }> {
  const won = await claimKeys(tx, [claim], clock.now());
  if (won.size === 0) {
    const stored = await findStored(tx, claim);
    // Not found only if the winner rolled back after our insert gave way: ask the client to retry.
    return {
      outcome: stored ? replayOf(stored, claim.requestHash) : outcomeOfError(keyInUse()),
      replayed: true,
    };
  }
  const outcome = await produce();
  await saveOutcomes(tx, [{ claim, outcome }]);
  return { outcome, replayed: false };
}
