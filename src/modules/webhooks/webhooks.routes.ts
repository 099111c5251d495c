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
import { assertPublicUrl } from '../../shared/outbound.ts';
import {
  createEndpoint,
  deleteEndpoint,
  getEndpoint,
  listEndpoints,
  updateEndpoint,
} from './webhooks.usecases.ts';

const EventType = Type.String({ pattern: '^[a-z_.]{1,100}$' });
const fields = {
  url: Type.String({ maxLength: 2000, description: 'http(s) URL that receives POSTed events' }),
  description: Nullable(Type.String({ maxLength: 500 })),
  eventTypes: Type.Array(EventType, {
    maxItems: 100,
    description: 'Event types to deliver; empty = every type',
  }),
  enabled: Type.Boolean(),
};

const EndpointSchema = Type.Object({
  id: Type.String(),
  ...fields,
  secret: Type.Optional(
    Type.String({
      description:
        'Signing secret (whsec_…): verify webhook-signature per the Standard Webhooks spec. Shown only in the ' +
        'answer that creates the endpoint and in the one that rotates its secret (`rotateSecret: true`): keep it then',
    }),
  ),
  secretHint: Type.String({
    description: 'The secret as `whsec_…` and its last 4 characters, to tell which one you hold',
  }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

const Params = Type.Object({ id: idOf('whe') });

const DESCRIPTION =
  'Each event is POSTed as JSON `{ id, type, timestamp, data }` with the Standard Webhooks headers ' +
  '`webhook-id` (the delivery id, the same on every retry: dedupe by it), `webhook-timestamp` and ' +
  '`webhook-signature` (`v1,` + base64 HMAC-SHA256 of "id.timestamp.body" with the secret). Any 2xx is ' +
  'success; anything else (or no answer within 15 s) is retried with exponential backoff for 24 hours. ' +
  'Every attempt is in `GET /v1/messages/{id}`; `POST /v1/messages/{id}/replay` sends one again.';

export const webhooksRoutes: RouteRegistrar = (app, { deps, config }) => {
  const outbound = { allowPrivate: config.allowPrivateUrls };
  const r = typed(app);
  r.post(
    '/v1/webhook-endpoints',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'createWebhookEndpoint',
        tags: ['Webhooks'],
        summary: 'Subscribe a URL to events',
        description: DESCRIPTION,
        headers: IdempotencyHeaders,
        body: Type.Object(
          {
            url: fields.url,
            description: Type.Optional(fields.description),
            eventTypes: Type.Optional(fields.eventTypes),
            enabled: Type.Optional(fields.enabled),
          },
          { additionalProperties: false },
        ),
        response: {
          201: EndpointSchema,
          ...problems(...WRITE_ERRORS),
          ...conflicts('idempotency_key_in_use'),
        },
      },
    },
    async (request, reply) => {
      await assertPublicUrl(request.body.url, outbound, '/url');
      return runCommand(deps, request, reply, 201, (tx) =>
        createEndpoint(tx, deps, storeOf(request), request.body),
      );
    },
  );
  r.get(
    '/v1/webhook-endpoints',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'listWebhookEndpoints',
        tags: ['Webhooks'],
        summary: 'List webhook endpoints',
        querystring: Type.Object(ListQuery, { additionalProperties: false }),
        response: { 200: pageOf(EndpointSchema), ...problems(...AUTH_ERRORS, 422) },
      },
    },
    async (request) => listEndpoints(deps.db, storeOf(request).id, request.query),
  );
  r.get(
    '/v1/webhook-endpoints/:id',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'getWebhookEndpoint',
        tags: ['Webhooks'],
        summary: 'Get a webhook endpoint',
        params: Params,
        response: { 200: EndpointSchema, ...problems(...AUTH_ERRORS, 404, 422) },
      },
    },
    async (request) => getEndpoint(deps.db, storeOf(request).id, request.params.id),
  );
  r.patch(
    '/v1/webhook-endpoints/:id',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'patchWebhookEndpoint',
        tags: ['Webhooks'],
        summary: 'Change a webhook endpoint (`rotateSecret: true` issues a new secret)',
        params: Params,
        body: Type.Object(
          {
            url: Type.Optional(fields.url),
            description: Type.Optional(fields.description),
            eventTypes: Type.Optional(fields.eventTypes),
            enabled: Type.Optional(fields.enabled),
            rotateSecret: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: EndpointSchema, ...problems(...WRITE_ERRORS, 404) },
      },
    },
    async (request) => {
      if (request.body.url !== undefined) await assertPublicUrl(request.body.url, outbound, '/url');
      return inTransaction(deps.db, (tx) =>
        updateEndpoint(tx, deps, storeOf(request).id, request.params.id, request.body),
      );
    },
  );
  r.delete(
    '/v1/webhook-endpoints/:id',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'deleteWebhookEndpoint',
        tags: ['Webhooks'],
        summary: 'Delete a webhook endpoint (its pending deliveries are dropped)',
        params: Params,
        response: { 204: Type.Null(), ...problems(...AUTH_ERRORS, 404, 422) },
      },
    },
    async (request, reply) => {
      await inTransaction(deps.db, (tx) => deleteEndpoint(tx, storeOf(request).id, request.params.id));
      return reply.status(204).send(null);
    },
  );
};
