import { Type } from 'typebox';
import { storeOf } from '../../http/auth.ts';
import { type RouteRegistrar, typed } from '../../http/context.ts';
import { AUTH_ERRORS, idOf, Nullable, problems } from '../../http/schemas.ts';
import { orderTimeline, TIMELINE_LIMIT } from './orders.timeline.ts';

const TimelineMessage = Type.Object({
  kind: Type.String({
    description: 'order_confirmation, status_update, delay_notice, shipped, cancelled, …',
  }),
  channel: Type.Enum(['email', 'sms', 'webhook']),
  recipient: Type.String(),
  state: Type.Enum(['queued', 'sending', 'sent', 'failed', 'suppressed']),
  subject: Nullable(Type.String()),
  body: Nullable(Type.String({ description: 'The text as the shopper got it' })),
  html: Nullable(Type.String({ description: 'The HTML part of an email as sent' })),
  attempts: Type.Integer(),
  lastError: Nullable(Type.String()),
  sentAt: Nullable(Type.String({ format: 'date-time' })),
  eventId: Nullable(Type.String({ description: 'The event that caused it' })),
});

const TimelineEntry = Type.Object({
  at: Type.String({ format: 'date-time' }),
  id: Type.String({
    description: 'The event’s id (evt_…) or the message’s (msg_…: replay it with replayMessage)',
  }),
  kind: Type.Enum(['event', 'message']),
  type: Type.String({ description: 'The event’s type (as in GET /v1/events), or the message’s kind' }),
  data: Nullable(Type.Record(Type.String(), Type.Unknown(), { description: 'The event’s data' })),
  message: Nullable(TimelineMessage),
});

export const orderTimelineRoutes: RouteRegistrar = (app, { deps }) => {
  typed(app).get(
    '/v1/orders/:id/timeline',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'getOrderTimeline',
        tags: ['Orders'],
        summary: 'Everything that happened to an order, oldest first: events, messages, payments and refunds',
        description:
          'One list of the order’s events (placed, backordered, allocated, dates moved, shipments, cancellations, ' +
          '`payment.captured` / `payment.refunded` and the other payment events, incentives, shopper choices) and the ' +
          `messages about it with their rendered subject and body. At most ${TIMELINE_LIMIT} of each (the oldest; ` +
          '`truncated` says when more exist). 404 `not_found`: no such order in this store.',
        params: Type.Object({ id: idOf('ord') }),
        response: {
          200: Type.Object({
            orderId: Type.String(),
            data: Type.Array(TimelineEntry),
            truncated: Type.Boolean(),
          }),
          ...problems(...AUTH_ERRORS, 404, 422),
        },
      },
    },
    async (request) => orderTimeline(deps.db, storeOf(request).id, request.params.id),
  );
};
