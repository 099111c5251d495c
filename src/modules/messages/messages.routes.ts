import { Type } from 'typebox';
import { inTransaction } from '../../db/client.ts';
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
  WRITE_ERRORS,
} from '../../http/schemas.ts';
import { assertPublicUrl, refuseUrlCredentials } from '../../shared/outbound.ts';
import { SHIPPING_METHOD_CODE } from '../shipping/shipping.routes.ts';
import { queueChannelTest } from './messages.channeltest.ts';
import { listOrderIncentives } from './messages.incentives.ts';
import { getMessagingSettings, updateMessagingSettings } from './messages.settings.ts';
import { getMessage, listMessages, replayMessage } from './messages.usecases.ts';

const Channel = Type.Union([Type.Literal('email'), Type.Literal('sms'), Type.Literal('webhook')]);
const State = Type.Enum(['queued', 'sending', 'sent', 'failed', 'suppressed'], {
  description: 'queued → sending → sent | failed; suppressed = not sent on purpose (opted out, channel off)',
});

const messageFields = {
  id: Type.String(),
  kind: Type.String({
    description:
      'order_confirmation, status_update, delay_notice, ready_to_ship, shipped, cancelled, refunded, payment_needed, stock_alert, merchant_digest, webhook, staff_invite, channel_test, purchase_order',
  }),
  channel: Channel,
  recipient: Type.String({ description: 'An email address, a phone number, or a webhook endpoint id' }),
  state: State,
  eventId: Nullable(Type.String()),
  eventType: Nullable(Type.String()),
  orderId: Nullable(Type.String()),
  transactional: Type.Boolean({ description: 'Transactional messages ignore quiet hours and unsubscribes' }),
  subject: Nullable(Type.String()),
  body: Nullable(Type.String()),
  html: Nullable(Type.String()),
  payload: Nullable(Type.Record(Type.String(), Type.Unknown())),
  attempts: Type.Integer(),
  nextAttemptAt: Nullable(Type.String({ format: 'date-time' })),
  lastError: Nullable(Type.String()),
  sentAt: Nullable(Type.String({ format: 'date-time' })),
  createdAt: Type.String({ format: 'date-time' }),
};
const MessageSchema = Type.Object(messageFields);

const AttemptSchema = Type.Object({
  number: Type.Integer(),
  status: Type.String({ description: 'sending, sent, failed, or in_doubt (the process stopped mid-send)' }),
  responseCode: Nullable(Type.Integer()),
  response: Nullable(Type.String()),
  error: Nullable(Type.String()),
  startedAt: Type.String({ format: 'date-time' }),
  finishedAt: Nullable(Type.String({ format: 'date-time' })),
});

const MessageDetailSchema = Type.Object({ ...messageFields, deliveryAttempts: Type.Array(AttemptSchema) });

const ClockTime = Type.String({
  pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$',
  description: 'HH:MM, store time zone',
});
const Email = Type.String({ format: 'email', maxLength: 320 });
const HttpUrl = Type.String({ pattern: '^https?://[^\\s]+$', maxLength: 2000 });

const IncentiveRule = Type.Object(
  {
    afterDays: Type.Integer({
      minimum: 1,
      maximum: 365,
      description: 'Granted when a line is promised more than this many days later than first promised',
    }),
    kind: Type.Union(
      [Type.Literal('free_shipping'), Type.Literal('percent_off'), Type.Literal('free_express')],
      {
        description:
          '`free_express`: the line ships with a faster method from then on (see `shippingMethod`), and the shopper is told its new delivery window',
      },
    ),
    percent: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: 'percent_off only' })),
    shippingMethod: Type.Optional(
      Type.String({
        pattern: SHIPPING_METHOD_CODE,
        description: "free_express only: the method to upgrade to (default: the store's fastest)",
      }),
    ),
  },
  { additionalProperties: false },
);

/** The built-in outbox channel: messages are kept in the log as delivered, nothing is sent. */
const Outbox = (what: string) =>
  Type.Object(
    { channel: Type.Literal('outbox') },
    {
      additionalProperties: false,
      description:
        `The built-in outbox: ${what} is rendered and kept in the message log (\`GET /v1/messages\`) as ` +
        'sent, and goes nowhere. For trying Backfill without a real channel; setting a real one replaces it',
    },
  );

const settingsFields = {
  email: Nullable(
    Type.Union([
      Type.Object(
        {
          channel: Type.Optional(Type.Literal('smtp')),
          smtpUrl: Type.String({
            maxLength: 2000,
            description: 'smtp://user:pass@host:587 or smtps://… (shown masked)',
          }),
          from: Type.String({
            minLength: 3,
            maxLength: 320,
            description: 'Sender, e.g. "Shop <orders@shop.example>"',
          }),
          replyTo: Type.Optional(Nullable(Email)),
        },
        { additionalProperties: false, description: 'An SMTP server' },
      ),
      Outbox('email'),
    ]),
  ),
  sms: Nullable(
    Type.Union([
      Type.Object(
        {
          channel: Type.Optional(Type.Literal('api')),
          baseUrl: HttpUrl,
          accountSid: Type.String({ minLength: 1, maxLength: 100 }),
          authToken: Type.String({ minLength: 1, maxLength: 200, description: 'Write-only: shown masked' }),
          from: Type.String({ minLength: 1, maxLength: 40 }),
        },
        { additionalProperties: false, description: 'A Twilio-compatible REST API' },
      ),
      Outbox('a text message'),
    ]),
  ),
  quietHours: Nullable(Type.Object({ start: ClockTime, end: ClockTime }, { additionalProperties: false })),
  statusUpdateDays: Type.Integer({
    minimum: 0,
    maximum: 365,
    description: 'Days between status updates to waiting shoppers; 0 = none',
  }),
  delayNoticeDays: Type.Integer({
    minimum: 1,
    maximum: 365,
    description: 'A delay notice goes out when a date moves at least this many days past the date last told',
  }),
  merchantEmail: Nullable(Email),
  publicUrl: Nullable(HttpUrl),
  stockAlertFactor: Type.Number({
    minimum: 0.01,
    maximum: 1000,
    description: 'Back-in-stock alerts sent per free unit in one batch',
  }),
  alertBatchIntervalMinutes: Type.Integer({
    minimum: 1,
    maximum: 10080,
    description:
      'Minutes between two back-in-stock batches of one SKU (each batch sees what the previous left)',
  }),
  delayIncentives: Type.Array(IncentiveRule, { maxItems: 10 }),
  linkLifetimeDays: Type.Integer({
    minimum: 1,
    maximum: 365,
    description: 'Days a self-service link stays valid once sent (default 90)',
  }),
  linkSecretGraceDays: Type.Integer({
    minimum: 0,
    maximum: 365,
    description:
      'After `rotateLinkSecret`, days links signed with the previous secret keep working (default 7; 0 = none)',
  }),
  refundsAutomatic: Type.Boolean({
    description:
      "The store's platform refunds cancellations by itself. Messages and shopper pages promise a refund only " +
      'when this is true or Backfill manages the money (`paymentProvider` other than `none`)',
  }),
};

const SettingsSchema = Type.Object({
  ...settingsFields,
  linkSecretRotatedAt: Nullable(Type.String({ format: 'date-time' })),
  previousLinkSecretValidUntil: Nullable(
    Type.String({
      format: 'date-time',
      description: 'Until when links signed before the last rotation still open; null = none do',
    }),
  ),
});
const SettingsPatch = Type.Partial(
  Type.Object({
    ...settingsFields,
    rotateLinkSecret: Type.Boolean({
      description:
        'A new secret signs self-service links from now on; links already sent keep working for `linkSecretGraceDays`',
    }),
  }),
  { additionalProperties: false, minProperties: 1 },
);

export const messagesRoutes: RouteRegistrar = (app, { deps, config }) => {
  const outbound = { allowPrivate: config.allowPrivateUrls };
  const r = typed(app);
  r.get(
    '/v1/messages',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'listMessages',
        tags: ['Messages'],
        summary: 'The message log (email, SMS, webhooks), newest first',
        querystring: Type.Object(
          {
            ...ListQuery,
            orderId: Type.Optional(idOf('ord')),
            channel: Type.Optional(Channel),
            state: Type.Optional(State),
            kind: Type.Optional(Type.String({ pattern: '^[a-z_]{1,40}$' })),
            recipient: Type.Optional(Type.String({ maxLength: 320 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: pageOf(MessageSchema), ...problems(...AUTH_ERRORS, 422) },
      },
    },
    async (request) => listMessages(deps.db, storeOf(request).id, request.query),
  );
  r.get(
    '/v1/messages/:id',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'getMessage',
        tags: ['Messages'],
        summary: 'A message with every delivery attempt',
        params: Type.Object({ id: idOf('msg') }),
        response: {
          200: MessageDetailSchema,
          ...problems(...AUTH_ERRORS, 404, 422),
        },
      },
    },
    async (request) => getMessage(deps.db, storeOf(request).id, request.params.id),
  );
  r.post(
    '/v1/messages/:id/replay',
    {
      config: { access: 'secret', optionalBody: true },
      schema: {
        operationId: 'replayMessage',
        tags: ['Messages'],
        summary: 'Send a message again (resend an email, replay a webhook with the same webhook-id)',
        description: '409 `message_in_flight` while it is queued or sending.',
        headers: IdempotencyHeaders,
        params: Type.Object({ id: idOf('msg') }),
        response: {
          200: MessageSchema,
          ...problems(...WRITE_ERRORS, 404),
          ...conflicts('message_in_flight', 'message_not_rendered', 'idempotency_key_in_use'),
        },
      },
    },
    async (request, reply) =>
      runCommand(deps, request, reply, 200, (tx) =>
        replayMessage(tx, deps, storeOf(request).id, request.params.id),
      ),
  );
  r.get(
    '/v1/orders/:id/incentives',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'listOrderIncentives',
        tags: ['Messages'],
        summary: "Delay incentives the order's lines have earned (codes for the store's platform to honour)",
        params: Type.Object({ id: idOf('ord') }),
        response: {
          200: Type.Object({
            data: Type.Array(
              Type.Object({
                id: Type.String(),
                lineId: Type.String(),
                kind: Type.Enum(['free_shipping', 'percent_off', 'free_express']),
                percent: Nullable(Type.Integer()),
                code: Type.String(),
                afterDays: Type.Integer(),
                description: Type.String(),
                createdAt: Type.String({ format: 'date-time' }),
              }),
            ),
          }),
          ...problems(...AUTH_ERRORS, 404, 422),
        },
      },
    },
    async (request) => listOrderIncentives(deps.db, storeOf(request).id, request.params.id),
  );
  r.get(
    '/v1/settings/messaging',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'getMessagingSettings',
        tags: ['Messages'],
        summary:
          "The store's channels (email, SMS: a real one or the built-in outbox), quiet hours, cadences and delay incentives",
        response: { 200: SettingsSchema, ...problems(...AUTH_ERRORS) },
      },
    },
    async (request) => getMessagingSettings(deps.db, deps, storeOf(request).id),
  );
  r.patch(
    '/v1/settings/messaging',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'patchMessagingSettings',
        tags: ['Messages'],
        summary: 'Change messaging settings (null turns a channel or quiet hours off)',
        body: SettingsPatch,
        response: { 200: SettingsSchema, ...problems(...WRITE_ERRORS) },
      },
    },
    async (request) => {
      const { sms, email } = request.body;
      if (sms && 'baseUrl' in sms) {
        refuseUrlCredentials(sms.baseUrl, '/sms/baseUrl');
        await assertPublicUrl(sms.baseUrl, outbound, '/sms/baseUrl');
      }
      if (email && 'smtpUrl' in email && typeof email.smtpUrl === 'string')
        await assertPublicUrl(email.smtpUrl, outbound, '/email/smtpUrl');
      return inTransaction(deps.db, (tx) =>
        updateMessagingSettings(tx, deps, storeOf(request).id, request.body as never),
      );
    },
  );
  r.post(
    '/v1/settings/messaging/test',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'sendTestMessage',
        tags: ['Messages'],
        summary: 'Send a test email or SMS through the store’s channel as it is set up now',
        description:
          'Queues one short transactional message to `to` (an email address, or a phone number) and answers ' +
          'it at once (`202`, state `queued`); the message worker sends it within seconds through the SMTP ' +
          'server, the SMS account or the built-in outbox. Follow it with `GET /v1/messages/{id}`: `sent`, ' +
          'or `failed`/queued for a retry with the channel’s error in `lastError`. `409 channel_not_set_up` ' +
          'when the store has no such channel; `422 validation_failed` for an address that is not one.',
        body: Type.Object(
          {
            channel: Type.Union([Type.Literal('email'), Type.Literal('sms')]),
            to: Type.String({ minLength: 3, maxLength: 320, description: 'Where the test goes' }),
          },
          { additionalProperties: false },
        ),
        response: {
          202: MessageDetailSchema,
          ...problems(...WRITE_ERRORS),
          ...conflicts('channel_not_set_up'),
        },
      },
    },
    async (request, reply) => {
      const message = await inTransaction(deps.db, (tx) =>
        queueChannelTest(tx, deps, storeOf(request), request.body),
      );
      return reply.status(202).send(message);
    },
  );
};
