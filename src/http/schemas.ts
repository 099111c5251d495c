/** Schemas shared by every route module: problems, lists, identifiers. */
import { type TSchema, Type } from 'typebox';

export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String({ description: 'Stable, machine-readable error code' }),
    errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
  },
  { additionalProperties: true, description: 'RFC 9457 problem details' },
);

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed request (e.g. invalid JSON): `malformed_json`',
  401: 'Missing or invalid API key: `unauthorized`',
  403: 'The key may not use this endpoint: `forbidden`',
  404: 'No such resource in this store: `not_found`',
  409: 'The current state forbids it',
  413: 'Body over 1 MiB: `payload_too_large`',
  422: 'The request is well-formed but not acceptable: `validation_failed` and others',
  429: 'Too many requests: `rate_limited`',
};

/** Problem responses for the listed statuses, for the OpenAPI document. */
export function problems(...statuses: number[]): Record<number, TSchema> {
  const result: Record<number, TSchema> = {};
  for (const status of statuses) {
    result[status] = {
      description: ERROR_DESCRIPTIONS[status] ?? 'Error',
      content: { 'application/problem+json': { schema: ProblemSchema } },
    } as unknown as TSchema;
  }
  return result;
}

/** Errors any authenticated endpoint can answer with. */
export const AUTH_ERRORS = [401, 403, 429] as const;
export const WRITE_ERRORS = [400, 401, 403, 413, 422, 429] as const;

export const SKU_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._:+\\-]{0,99}$';
export const Sku = Type.String({ pattern: SKU_PATTERN, description: 'Stock keeping unit, unique per store' });

export const idOf = (prefix: string) =>
  Type.String({ pattern: `^${prefix}_[0-9a-z]{1,40}$`, description: `${prefix}_… identifier` });

export const Quantity = Type.Integer({
  minimum: 1,
  maximum: 1_000_000,
  description: 'A positive number of units',
});

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const Text = (maxLength: number, description?: string) =>
  Type.String({ minLength: 1, maxLength, ...(description ? { description } : {}) });

export const ListQuery = {
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  cursor: Type.Optional(Type.String({ maxLength: 200, pattern: '^[A-Za-z0-9_-]+$' })),
};

export const pageOf = (item: TSchema) =>
  Type.Object({ data: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({ description: 'Makes retries safe: same key + same body replays the first response' }),
  ),
});

/** A calendar date as the API writes it. */
export const DateText = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}$',
  description: 'ISO date YYYY-MM-DD',
});
