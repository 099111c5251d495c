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
        operationId: 'listEvents',
        tags: ['Events'],
        summary: 'Events written by every state change (newest first; order=asc to follow along)',
        description:
          'Types: order.placed, order.line.allocated, order.line.backordered, order.cancelled, inventory.adjusted, ' +
          'shipment.created, variant.created, variant.updated, backorder.eta_changed ' +
          "({ orderId, lineId, sku, previousEta, eta, etaLatest, etaSource }: a waiting line's promised date moved), " +
          'supplier.created, supplier.updated, purchase_order.created, purchase_order.updated, purchase_order.ordered, ' +
          'purchase_order.cancelled, purchase_order.received, settings.updated; payments (stores whose payments ' +
          'Backfill manages; all carry { orderId, lineId, sku, currency }): payment.authorised { paymentId, amount, expiresAt, renews }, ' +
          'payment.captured { paymentId, amount }, payment.refunded { paymentId, amount, reason }, payment.authorisation_expired, ' +
          'payment.action_required { amount, reason, message, clientSecret, attempt, payBy, retryAt } (the shopper must pay: send a pay link), ' +
          'payment.failed { cancelledQuantity } (the grace period ended: the line was cancelled and its units went to the next in line), ' +
          'payment.refund_failed { amount, reason }; messages and self-service: ' +
          'order.incentive_granted { orderId, lineId, sku, incentiveId, kind, percent, code, afterDays, delayDays } ' +
          '(a delay passed a store rule: the platform honours the code), backorder.kept { orderId, lineId, sku, quantity, eta } ' +
          '(the shopper chose to keep waiting), order.line.switched { orderId, lineId, sku, newOrderId, newSku, quantity }, ' +
          'stock_alert.released { sku, alerts, freeUnits }.',
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
