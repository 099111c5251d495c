import { Type } from 'typebox';
import { inTransaction } from '../../db/client.ts';
import { storeOf } from '../../http/auth.ts';
import { type RouteRegistrar, typed } from '../../http/context.ts';
import {
  AUTH_ERRORS,
  conflicts,
  idOf,
  ListQuery,
  Nullable,
  pageOf,
  problems,
  Text,
  WRITE_ERRORS,
} from '../../http/schemas.ts';
import { createKey, listKeys, revokeKey } from './stores.keys.ts';

const Scope = Type.Enum(['full', 'read-only', 'storefront'], {
  description:
    '`full` (`sk_…`): every admin endpoint; `read-only` (`rk_…`): admin reads only; `storefront` (`pk_…`): the storefront endpoints',
});

const keyFields = {
  id: Type.String(),
  name: Type.String(),
  scope: Scope,
  hint: Type.String({ description: 'The key’s prefix and last four characters, to recognise it' }),
  createdAt: Type.String({ format: 'date-time' }),
  lastUsedAt: Nullable(Type.String({ format: 'date-time', description: 'To the minute' })),
  revokedAt: Nullable(Type.String({ format: 'date-time' })),
};
const KeySchema = Type.Object(keyFields);
const CreatedKeySchema = Type.Object({
  ...keyFields,
  key: Type.String({ description: 'The key itself: shown in this answer only' }),
});

export const keysRoutes: RouteRegistrar = (app, { deps }) => {
  const r = typed(app);
  r.get(
    '/v1/keys',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'listKeys',
        tags: ['Keys'],
        summary: "The store's API keys, revoked ones included (never the keys themselves)",
        querystring: Type.Object(ListQuery, { additionalProperties: false }),
        response: { 200: pageOf(KeySchema), ...problems(...AUTH_ERRORS, 422) },
      },
    },
    async (request) => listKeys(deps.db, storeOf(request).id, request.query),
  );
  r.post(
    '/v1/keys',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'createKey',
        tags: ['Keys'],
        summary: 'Create an API key (shown once, in this answer)',
        description:
          'The key is in `key` of this answer only: only its hash is stored. Takes no Idempotency-Key (a replay would have to store the key). At most 50 keys not revoked per store (`422 too_many_keys`).',
        body: Type.Object(
          { name: Text(100, 'What the key is for, e.g. "Warehouse scanner"'), scope: Scope },
          { additionalProperties: false },
        ),
        response: {
          201: CreatedKeySchema,
          ...problems(...WRITE_ERRORS),
        },
      },
    },
    async (request, reply) => {
      const created = await inTransaction(deps.db, (tx) =>
        createKey(tx, deps, storeOf(request).id, request.body),
      );
      return reply.status(201).send(created);
    },
  );
  r.post(
    '/v1/keys/:id/revoke',
    {
      config: { access: 'secret', optionalBody: true },
      schema: {
        operationId: 'revokeKey',
        tags: ['Keys'],
        summary: 'Revoke an API key: it stops working on every server process within a second',
        description:
          'Revoking a revoked key changes nothing. The store’s last full key cannot be revoked (`409 last_full_key`).',
        params: Type.Object({ id: idOf('key') }),
        response: {
          200: KeySchema,
          ...problems(...AUTH_ERRORS, 404, 422),
          ...conflicts('last_full_key'),
        },
      },
    },
    async (request) =>
      inTransaction(deps.db, (tx) => revokeKey(tx, deps, storeOf(request).id, request.params.id)),
  );
};
