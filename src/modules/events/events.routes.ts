import { Type } from 'typebox';
import { storeOf } from '../../http/auth.ts';
import { type RouteRegistrar, typed } from '../../http/context.ts';
import { AUTH_ERRORS, ListQuery, pageOf, problems } from '../../http/schemas.ts';
import { listEvents } from './events.usecases.ts';

const EventSchema = Type.Object({
  id: Type.String(),
  type: Type.String(),
  data: Type.Record(Type.String(), Type.Unknown()),
  createdAt: Type.String({ format: 'date-time' }),
});

export const eventsRoutes: RouteRegistrar = (app, { deps }) => {
  typed(app).get(
    '/v1/events',
    {
      config: { access: 'secret' },
      schema: {
        tags: ['Events'],
        summary: 'Events written by every state change (newest first; order=asc to follow along)',
        description:
          'Types: order.placed, order.line.allocated, order.line.backordered, order.cancelled, inventory.adjusted, ' +
          'shipment.created, variant.created, variant.updated, backorder.eta_changed ' +
          "({ orderId, lineId, sku, previousEta, eta, etaLatest, etaSource }: a waiting line's promised date moved), " +
          'supplier.created, supplier.updated, purchase_order.created, purchase_order.updated, purchase_order.ordered, ' +
          'purchase_order.cancelled, purchase_order.received, settings.updated.',
        querystring: Type.Object(
          {
            ...ListQuery,
            type: Type.Optional(Type.String({ pattern: '^[a-z_.]{1,100}$' })),
            order: Type.Union([Type.Literal('asc'), Type.Literal('desc')], { default: 'desc' }),
          },
          { additionalProperties: false },
        ),
        response: { 200: pageOf(EventSchema), ...problems(...AUTH_ERRORS, 422) },
      },
    },
    async (request) => listEvents(deps.db, storeOf(request).id, request.query),
  );
};
