import { Type } from 'typebox';
import { storeOf } from '../../http/auth.ts';
import { runCommand } from '../../http/command.ts';
import { type RouteRegistrar, typed } from '../../http/context.ts';
import {
  AUTH_ERRORS,
  conflicts,
  IdempotencyHeaders,
  idOf,
  ListQuery,
  Nullable,
  pageOf,
  problems,
  Sku,
  WRITE_ERRORS,
} from '../../http/schemas.ts';
import {
  cancelStockAlert,
  listStockAlerts,
  signUpForStockAlert,
  summariseStockAlerts,
} from './alerts.usecases.ts';

const Channel = Type.Union([Type.Literal('email'), Type.Literal('sms')]);
const State = Type.Enum(['waiting', 'notified', 'cancelled'], {
  description: 'waiting → notified (the message was created) | cancelled',
});

const SignupBody = Type.Object(
  {
    sku: Sku,
    email: Type.Optional(Type.String({ format: 'email', maxLength: 320 })),
    phone: Type.Optional(
      Type.String({
        // 5 to 15 digits (E.164), with the usual separators.
        pattern: '^\\+?(?:[ ().-]*[0-9]){5,15}[ ().-]*$',
        maxLength: 40,
        description: 'International format, e.g. +1 555 010 0000',
      }),
    ),
  },
  { additionalProperties: false, description: 'Exactly one of `email` or `phone`' },
);

const SignupSchema = Type.Object({
  id: Type.String(),
  sku: Type.String(),
  channel: Channel,
  state: Type.Literal('waiting'),
  createdAt: Type.String({ format: 'date-time', description: 'When this contact first asked' }),
});

const AlertSchema = Type.Object({
  id: Type.String(),
  sku: Type.String(),
  channel: Channel,
  contact: Type.String({ description: 'Email address (lower-cased) or phone number (normalised)' }),
  state: State,
  signups: Type.Integer({ description: 'Times this contact asked while the alert waited' }),
  messageId: Nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  notifiedAt: Nullable(Type.String({ format: 'date-time' })),
});

const DemandSchema = Type.Object({
  sku: Type.String(),
  waitingAlerts: Type.Integer(),
  waitingSignups: Type.Integer({ description: 'Sign-ups merged into the waiting alerts' }),
  notifiedAlerts: Type.Integer(),
  lastNotifiedAt: Nullable(Type.String({ format: 'date-time' })),
});

export const alertsRoutes: RouteRegistrar = (app, { deps }) => {
  const r = typed(app);
  r.post(
    '/v1/storefront/stock-alerts',
    {
      config: { access: 'publishable' },
      schema: {
        operationId: 'createStockAlert',
        tags: ['Storefront'],
        summary: 'Ask to be told when a sold-out variant is back in stock',
        description:
          '201 for a new alert; 200 with the same alert when this contact already waits for this SKU. ' +
          '409 `in_stock` or `backorder_available` when it can be ordered now; ' +
          '422 `channel_unavailable` when the store does not send alerts on that channel.',
        security: [{ publishableKey: [] }],
        headers: IdempotencyHeaders,
        body: SignupBody,
        response: {
          200: SignupSchema,
          201: SignupSchema,
          ...problems(...WRITE_ERRORS, 404),
          ...conflicts('in_stock', 'backorder_available', 'idempotency_key_in_use'),
        },
      },
    },
    async (request, reply) =>
      runCommand(
        deps,
        request,
        reply,
        // The response schema leaves `created` out of the body; it only picks the status.
        (result: { created: boolean }) => (result.created ? 201 : 200),
        async (tx) => {
          const { alert, created } = await signUpForStockAlert(tx, deps, storeOf(request), request.body);
          return { ...alert, created };
        },
      ),
  );
  r.get(
    '/v1/stock-alerts',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'listStockAlerts',
        tags: ['Stock alerts'],
        summary: 'Back-in-stock alerts, newest first',
        querystring: Type.Object(
          { ...ListQuery, sku: Type.Optional(Sku), state: Type.Optional(State) },
          { additionalProperties: false },
        ),
        response: { 200: pageOf(AlertSchema), ...problems(...AUTH_ERRORS, 422) },
      },
    },
    async (request) => listStockAlerts(deps.db, storeOf(request).id, request.query),
  );
  r.get(
    '/v1/stock-alerts/summary',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'getStockAlertSummary',
        tags: ['Stock alerts'],
        summary: 'Demand per SKU from back-in-stock sign-ups, in SKU order',
        querystring: Type.Object(ListQuery, { additionalProperties: false }),
        response: { 200: pageOf(DemandSchema), ...problems(...AUTH_ERRORS, 422) },
      },
    },
    async (request) => summariseStockAlerts(deps.db, storeOf(request).id, request.query),
  );
  r.delete(
    '/v1/stock-alerts/:id',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'cancelStockAlert',
        tags: ['Stock alerts'],
        summary: 'Cancel a waiting alert',
        description: '409 `stock_alert_notified` once its message has been created.',
        headers: IdempotencyHeaders,
        params: Type.Object({ id: idOf('sta') }),
        response: {
          200: AlertSchema,
          ...problems(...AUTH_ERRORS, 404, 422),
          ...conflicts('stock_alert_notified', 'idempotency_key_in_use'),
        },
      },
    },
    async (request, reply) =>
      runCommand(deps, request, reply, 200, (tx) =>
        cancelStockAlert(tx, storeOf(request).id, request.params.id),
      ),
  );
};
