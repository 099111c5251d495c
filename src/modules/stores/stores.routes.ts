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

export const storesRoutes: RouteRegistrar = (app, { deps, firstOwner }) => {
  typed(app).post(
    '/v1/stores',
    {
      config: { access: 'operator' },
      schema: {
        operationId: 'createStore',
        tags: ['Stores'],
        summary: 'Create a store and its API keys (operator token)',
        description:
          'The keys are returned once; only their hashes are stored. With `ownerEmail`, the store’s first ' +
          'owner is created too, and `ownerSignInLink` is their one-time link to the console (7 days, used once).',
        security: [{ operatorToken: [] }],
        body: Type.Object(
          {
            name: Text(200),
            currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$', default: undefined })),
            timezone: Type.Optional(Text(64)),
            ownerEmail: Type.Optional(
              Type.String({ minLength: 3, maxLength: 254, description: 'The first owner of the console' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            store: StoreSchema,
            secretKey: Type.String(),
            publishableKey: Type.String(),
            ownerSignInLink: Type.Optional(
              Type.String({ description: 'The first owner’s one-time sign-in link (with `ownerEmail`)' }),
            ),
          }),
          ...problems(400, 401, 403, 413, 422, 429),
        },
      },
    },
    async (request, reply) => {
      const { ownerEmail, ...input } = request.body;
      const created = await inTransaction(deps.db, async (tx) => {
        const store = await createStore(tx, deps, input);
        if (ownerEmail === undefined) return store;
        return { ...store, ownerSignInLink: await firstOwner(tx, store.store.id, ownerEmail) };
      });
      return reply.status(201).header('cache-control', 'no-store').send(created);
    },
  );
};
