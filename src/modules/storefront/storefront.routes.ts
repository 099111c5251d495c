import { Type } from 'typebox';
import { storeOf } from '../../http/auth.ts';
import { type RouteRegistrar, typed } from '../../http/context.ts';
import { AUTH_ERRORS, problems, Sku } from '../../http/schemas.ts';
import { availability } from './storefront.usecases.ts';

export const storefrontRoutes: RouteRegistrar = (app, { deps }) => {
  typed(app).get(
    '/v1/storefront/availability',
    {
      config: { access: 'publishable' },
      schema: {
        tags: ['Storefront'],
        summary: 'What a product page shows: availability, shopper message and expected date',
        security: [{ publishableKey: [] }],
        querystring: Type.Object({ sku: Sku }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            sku: Type.String(),
            status: Type.Enum(['in_stock', 'backorder', 'preorder', 'out_of_stock']),
            message: Type.Union([Type.String(), Type.Null()]),
            expectedDate: Type.Union([Type.String(), Type.Null()]),
          }),
          ...problems(...AUTH_ERRORS, 404, 422),
        },
      },
    },
    async (request) => availability(deps.db, storeOf(request).id, request.query.sku),
  );
};
