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
        operationId: 'getAvailability',
        tags: ['Storefront'],
        summary: 'What a product page shows: availability, shopper message and expected date',
        security: [{ publishableKey: [] }],
        querystring: Type.Object(
          {
            sku: Sku,
            quantity: Type.Integer({
              minimum: 1,
              maximum: 1_000_000,
              default: 1,
              description:
                'Units the shopper would order; the expected date is the one such an order would get',
            }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            sku: Type.String(),
            status: Type.Enum(['in_stock', 'backorder', 'preorder', 'out_of_stock']),
            quantity: Type.Integer(),
            message: Type.Union([Type.String(), Type.Null()]),
            expectedDate: Type.Union([Type.String({ format: 'date' }), Type.Null()], {
              description:
                'Ship date an order of `quantity` placed now would be promised; null when it could not be accepted',
            }),
            expectedDateLatest: Type.Union([Type.String({ format: 'date' }), Type.Null()], {
              description: "Latest likely ship date, from the supplier's measured lateness",
            }),
            shipping: Type.Array(
              Type.Object({
                code: Type.String(),
                name: Type.String(),
                deliveryEta: Type.Union([Type.String({ format: 'date' }), Type.Null()], {
                  description: 'Earliest delivery by this method for `quantity` ordered now (working days)',
                }),
                deliveryEtaLatest: Type.Union([Type.String({ format: 'date' }), Type.Null()], {
                  description: 'Latest likely delivery by this method',
                }),
              }),
              {
                description:
                  'Each shipping method the store offers ("arrives between deliveryEta and deliveryEtaLatest"); dates are null when the quantity cannot be ordered',
              },
            ),
          }),
          ...problems(...AUTH_ERRORS, 404, 422),
        },
      },
    },
    async (request) =>
      availability(deps.db, storeOf(request), request.query.sku, request.query.quantity, deps.clock.now()),
  );
};
