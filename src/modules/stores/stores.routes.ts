import { Type } from 'typebox';
import { inTransaction } from '../../db/client.ts';
import type { RouteRegistrar } from '../../http/context.ts';
import { typed } from '../../http/context.ts';
import { problems, Text } from '../../http/schemas.ts';
import { createStore } from './stores.usecases.ts';

export const StoreSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  currency: Type.String(),
  timezone: Type.String(),
});

export const storesRoutes: RouteRegistrar = (app, { deps }) => {
  typed(app).post(
    '/v1/stores',
    {
      config: { access: 'operator' },
      schema: {
        operationId: 'createStore',
        tags: ['Stores'],
        summary: 'Create a store and its API keys (operator token)',
        description: 'The keys are returned once; only their hashes are stored.',
        security: [{ operatorToken: [] }],
        body: Type.Object(
          {
            name: Text(200),
            currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$', default: undefined })),
            timezone: Type.Optional(Text(64)),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({ store: StoreSchema, secretKey: Type.String(), publishableKey: Type.String() }),
          ...problems(400, 401, 403, 413, 422, 429),
        },
      },
    },
    async (request, reply) => {
      const created = await inTransaction(deps.db, (tx) => createStore(tx, deps, request.body));
      return reply.status(201).send(created);
    },
  );
};
