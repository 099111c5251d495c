import { createHash } from 'node:crypto';
import { DomainError, type ErrorKind, type FieldError } from '../shared/errors.ts';

/** Identifies one idempotent request: the key is scoped to store + method + path. */
export interface IdempotencyClaim {
  storeId: string;
  method: string;
  path: string;
  key: string;
  requestHash: string;
}

/** What a finished command produced, stored so a retry gets exactly the same answer. */
export type StoredOutcome =
  | { ok: true; status: number; body: unknown }
  | {
      ok: false;
      error: {
        kind: ErrorKind;
        code: string;
        message: string;
        extensions: Record<string, unknown>;
        errors?: FieldError[];
      };
    };

export const claimId = (c: Omit<IdempotencyClaim, 'requestHash'>): string =>
  `${c.storeId} ${c.method} ${c.path} ${c.key}`;

/** Hash of the parsed body with keys sorted, so formatting and key order do not matter. */
export function hashRequestBody(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function outcomeOfError(error: DomainError): StoredOutcome {
  return {
    ok: false,
    error: {
      kind: error.kind,
      code: error.code,
      message: error.message,
      extensions: error.extensions,
      ...(error.errors ? { errors: error.errors } : {}),
    },
  };
}

export function errorOfOutcome(outcome: Extract<StoredOutcome, { ok: false }>): DomainError {
  const e = outcome.error;
  return new DomainError(e.kind, e.code, e.message, e.extensions, e.errors);
}

export const keyReused = (): DomainError =>
  new DomainError(
    'validation',
    'idempotency_key_reused',
    'This Idempotency-Key was already used with a different request body',
  );

export const keyInUse = (): DomainError =>
  new DomainError(
    'conflict',
    'idempotency_key_in_use',
    'A request with this Idempotency-Key is still being processed; retry shortly',
  );

/** Decides what a request whose key was already used gets: the stored outcome, or a refusal. */
export function replayOf(
  stored: { requestHash: string; outcome: StoredOutcome | null },
  requestHash: string,
): StoredOutcome {
  if (stored.requestHash !== requestHash) return outcomeOfError(keyReused());
  if (stored.outcome === null) return outcomeOfError(keyInUse());
  return stored.outcome;
}
