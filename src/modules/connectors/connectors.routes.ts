import type { FastifyInstance } from 'fastify';
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
import { BIGCOMMERCE_SCOPES } from './connectors.bigcommerce.ts';
import { type ConnectorRegistry, connectorDeps } from './connectors.context.ts';
import { receiveWebhook } from './connectors.inbox.ts';
import type { InboundRequest } from './connectors.platform.ts';
import { SHOPIFY_TOPICS } from './connectors.shopify.ts';
import { reconcile, requestImport, runImport } from './connectors.sync.ts';
import type { Platform } from './connectors.tables.ts';
import {
  connectStore,
  deleteConnection,
  getConnection,
  getEvent,
  listConnections,
  retryEvent,
  updateConnection,
} from './connectors.usecases.ts';
import { WOO_TOPICS } from './connectors.woocommerce.ts';

const Progress = Type.Object({
  state: Type.String({ description: 'idle, running, done or failed' }),
  phase: Type.String({ description: 'catalogue, orders or done' }),
  cursor: Nullable(Type.String()),
  variants: Type.Integer(),
  orders: Type.Integer(),
  startedAt: Nullable(Type.String()),
  finishedAt: Nullable(Type.String()),
  error: Nullable(Type.String()),
});

const ConnectionSchema = Type.Object({
  id: Type.String(),
  platform: Type.String(),
  shop: Type.String(),
  apiUrl: Type.String(),
  state: Type.String(),
  lastError: Nullable(Type.String()),
  lastSyncAt: Nullable(Type.String({ format: 'date-time' })),
  webhookPath: Type.String({
    description: 'Where the platform sends its webhooks (append to this server’s origin)',
  }),
  pushFulfilments: Type.Boolean({
    description: 'Backfill’s shipments of the connection’s orders are created on the platform too',
  }),
  import: Progress,
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

const EventSchema = Type.Object({
  id: Type.String(),
  topic: Type.String(),
  resourceId: Type.String(),
  state: Type.String({ description: 'pending, parked (waits for its order), done, skipped or failed' }),
  attempts: Type.Integer(),
  lastError: Nullable(Type.String()),
  orderId: Nullable(Type.String()),
  receivedAt: Type.String({ format: 'date-time' }),
  processedAt: Nullable(Type.String({ format: 'date-time' })),
});

const DriftSchema = Nullable(
  Type.Object({
    checkedAt: Type.String(),
    checked: Type.Integer(),
    found: Type.Integer(),
    repaired: Type.Integer(),
    items: Type.Array(
      Type.Object({
        sku: Type.String(),
        field: Type.String(),
        platform: Type.Unknown(),
        backfill: Type.Unknown(),
      }),
    ),
  }),
);

const DetailSchema = Type.Intersect([
  ConnectionSchema,
  Type.Object({
    counters: Type.Object({
      eventsReceived: Type.Integer(),
      eventsPending: Type.Integer(),
      eventsParked: Type.Integer(),
      eventsDone: Type.Integer(),
      eventsFailed: Type.Integer(),
      skusMapped: Type.Integer(),
      skusToPush: Type.Integer(),
      pushFailures: Type.Integer(),
      fulfilmentsPushed: Type.Integer(),
      fulfilmentsPending: Type.Integer(),
      fulfilmentsFailed: Type.Integer(),
    }),
    failedEvents: Type.Array(EventSchema),
    drift: DriftSchema,
  }),
]);

const Params = Type.Object({ id: idOf('con') });
const EventParams = Type.Object({ id: idOf('con'), eventId: idOf('cev') });

/** The public receiver: its body is read as bytes (the signature covers them), not parsed as the API's JSON. */
function webhookReceiver(
  app: FastifyInstance,
  registry: () => ConnectorRegistry,
  deps: Parameters<RouteRegistrar>[1],
) {
  void app.register(async (child) => {
    child.removeAllContentTypeParsers();
    child.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    // Built once per registry, not per webhook (a busy shop sends hundreds a second).
    let built: { registry: ConnectorRegistry; deps: ReturnType<typeof connectorDeps> } | null = null;
    const receiverDeps = () => {
      const current = registry();
      if (built?.registry !== current)
        built = { registry: current, deps: connectorDeps(deps.deps, deps.config, current) };
      return built.deps;
    };
    const receive = async (
      platform: Platform,
      id: string,
      headers: InboundRequest['headers'],
      body: unknown,
    ) => {
      const rawBody = Buffer.isBuffer(body) ? body : Buffer.alloc(0);
      const received = await receiveWebhook(receiverDeps(), platform, id, {
        headers,
        rawBody,
      });
      return { received: received.topic !== null, duplicate: received.topic !== null && !received.stored };
    };
    typed(child).post(
      '/v1/webhooks/shopify/:id',
      {
        config: { access: 'public', securityHeaders: 'api' },
        schema: {
          operationId: 'receiveShopifyWebhook',
          tags: ['Connections'],
          summary: 'Shopify webhook receiver',
          // No key: Shopify signs the body (X-Shopify-Hmac-Sha256) instead.
          security: [],
          description:
            'Shopify POSTs its webhooks here (topics: ' +
            SHOPIFY_TOPICS.join(', ') +
            '). `X-Shopify-Hmac-Sha256` must be the base64 HMAC-SHA256 of the raw body with the app’s client ' +
            'secret, else 401 and nothing is stored. Each event is stored once (topic, resource id and version) ' +
            'and applied in the background.',
          params: Params,
          response: {
            200: Type.Object({ received: Type.Boolean(), duplicate: Type.Boolean() }),
            ...problems(400, 401, 413, 422, 429),
          },
        },
      },
      async (request) => receive('shopify', request.params.id, request.headers, request.body),
    );
    typed(child).post(
      '/v1/webhooks/bigcommerce/:id',
      {
        config: { access: 'public', securityHeaders: 'api' },
        schema: {
          operationId: 'receiveBigCommerceWebhook',
          tags: ['Connections'],
          summary: 'BigCommerce webhook receiver',
          // No key: the webhooks carry the connection's secret header instead.
          security: [],
          description:
            'BigCommerce POSTs its webhooks here (scopes: ' +
            BIGCOMMERCE_SCOPES.join(', ') +
            '). `X-Backfill-Webhook-Secret` must be the connection’s `webhookSecret` (registered as a header ' +
            'of each webhook), else 401 and nothing is stored. Each event is stored once (scope, resource id ' +
            'and hash) and applied in the background, reading the resource it names from the API.',
          params: Params,
          response: {
            200: Type.Object({ received: Type.Boolean(), duplicate: Type.Boolean() }),
            ...problems(400, 401, 413, 422, 429),
          },
        },
      },
      async (request) => receive('bigcommerce', request.params.id, request.headers, request.body),
    );
    typed(child).post(
      '/v1/webhooks/woocommerce/:id',
      {
        config: { access: 'public', securityHeaders: 'api' },
        schema: {
          operationId: 'receiveWooCommerceWebhook',
          tags: ['Connections'],
          summary: 'WooCommerce webhook receiver',
          // No key: WooCommerce signs the body (X-WC-Webhook-Signature) instead.
          security: [],
          description:
            'WooCommerce POSTs its webhooks here (topics: ' +
            WOO_TOPICS.join(', ') +
            '). `X-WC-Webhook-Signature` must be the base64 HMAC-SHA256 of the raw body with the webhook’s ' +
            'secret, else 401 and nothing is stored; the unsigned `webhook_id=<id>` ping WooCommerce sends when ' +
            'a webhook is saved is answered 200 (`received: false`). Each event is stored once (topic, resource ' +
            'id and version) and applied in the background. 401: bad or missing signature, unknown connection.',
          params: Params,
          response: {
            200: Type.Object({ received: Type.Boolean(), duplicate: Type.Boolean() }),
            ...problems(400, 401, 413, 422, 429),
          },
        },
      },
      async (request) => receive('woocommerce', request.params.id, request.headers, request.body),
    );
  });
}

export function connectorsRoutes(registry: () => ConnectorRegistry): RouteRegistrar {
  return (app, ctx) => {
    const { deps, config } = ctx;
    const cdeps = () => connectorDeps(deps, config, registry());
    const r = typed(app);
    webhookReceiver(app, registry, ctx);

    r.post(
      '/v1/connections',
      {
        config: { access: 'secret' },
        schema: {
          operationId: 'createConnection',
          tags: ['Connections'],
          summary: 'Connect the store’s platform (Shopify, BigCommerce, WooCommerce)',
          description:
            'Credentials are encrypted at rest (BACKFILL_SECRETS_KEY) and never returned. Shopify: `accessToken` ' +
            '(the Admin API access token) and `clientSecret` (the app’s client secret, which signs webhooks). ' +
            'BigCommerce: `storeHash`, `accessToken` (the API account’s token) and `webhookSecret` (the value of ' +
            'the `X-Backfill-Webhook-Secret` header its webhooks are created with). ' +
            'WooCommerce: `consumerKey` and `consumerSecret` (a REST API key with read/write) and ' +
            '`webhookSecret` (the secret given to each webhook). ' +
            'Then subscribe the webhooks to `webhookPath` and start the import. ' +
            '422 `validation_failed`: a shop that is not a domain, a credential the platform needs is missing, ' +
            'or an `apiUrl` that is not a public http(s) origin. 409 `duplicate_connection`: the store is ' +
            'already connected to this shop; `secrets_key_not_configured`: the server has no BACKFILL_SECRETS_KEY.',
          headers: IdempotencyHeaders,
          body: Type.Object(
            {
              platform: Type.Union([
                Type.Literal('shopify'),
                Type.Literal('bigcommerce'),
                Type.Literal('woocommerce'),
              ]),
              shop: Type.String({
                minLength: 3,
                maxLength: 255,
                description:
                  'The shop’s domain: example.myshopify.com, example.mybigcommerce.com, or the WooCommerce site’s (shop.example.com)',
              }),
              apiUrl: Type.Optional(
                Type.String({ maxLength: 500, description: 'API origin if not https://<shop> (a proxy)' }),
              ),
              credentials: Type.Object(
                {
                  accessToken: Type.Optional(
                    Type.String({ minLength: 1, maxLength: 500, description: 'Shopify, BigCommerce' }),
                  ),
                  clientSecret: Type.Optional(
                    Type.String({ minLength: 1, maxLength: 500, description: 'Shopify' }),
                  ),
                  storeHash: Type.Optional(
                    Type.String({ minLength: 1, maxLength: 100, description: 'BigCommerce' }),
                  ),
                  consumerKey: Type.Optional(
                    Type.String({ minLength: 1, maxLength: 500, description: 'WooCommerce' }),
                  ),
                  consumerSecret: Type.Optional(
                    Type.String({ minLength: 1, maxLength: 500, description: 'WooCommerce' }),
                  ),
                  webhookSecret: Type.Optional(
                    Type.String({ minLength: 16, maxLength: 500, description: 'BigCommerce, WooCommerce' }),
                  ),
                },
                { additionalProperties: false, description: 'The fields the platform needs (see above)' },
              ),
              pushFulfilments: Type.Optional(
                Type.Boolean({ description: 'Create Backfill’s shipments on the platform (default false)' }),
              ),
            },
            { additionalProperties: false },
          ),
          response: {
            201: ConnectionSchema,
            ...problems(...WRITE_ERRORS),
            ...conflicts('duplicate_connection', 'secrets_key_not_configured', 'idempotency_key_in_use'),
          },
        },
      },
      async (request, reply) =>
        runCommand(deps, request, reply, 201, (tx) =>
          connectStore(tx, cdeps(), storeOf(request), request.body),
        ),
    );
    r.get(
      '/v1/connections',
      {
        config: { access: 'secret' },
        schema: {
          operationId: 'listConnections',
          tags: ['Connections'],
          summary: 'List the store’s platform connections',
          querystring: Type.Object(ListQuery, { additionalProperties: false }),
          response: { 200: pageOf(ConnectionSchema), ...problems(...AUTH_ERRORS, 422) },
        },
      },
      async (request) => listConnections(deps.db, storeOf(request).id, request.query),
    );
    r.get(
      '/v1/connections/:id',
      {
        config: { access: 'secret' },
        schema: {
          operationId: 'getConnection',
          tags: ['Connections'],
          summary: 'A connection: state, last sync, import progress, counters, failed events, drift found',
          params: Params,
          response: { 200: DetailSchema, ...problems(...AUTH_ERRORS, 404, 422) },
        },
      },
      async (request) => getConnection(deps.db, storeOf(request).id, request.params.id),
    );
    r.patch(
      '/v1/connections/:id',
      {
        config: { access: 'secret' },
        schema: {
          operationId: 'updateConnection',
          tags: ['Connections'],
          summary: 'Change a connection’s settings (the fulfilment push)',
          description:
            '`pushFulfilments`: Backfill’s shipments of orders that came through this connection are created ' +
            'on the platform (Shopify: a fulfilment of the order’s fulfilment orders; BigCommerce: an order ' +
            'shipment; WooCommerce: a private order note per shipment, and the order `completed` once nothing is ' +
            'left to ship). Shipments the platform reported are never sent back. 404: no such connection.',
          params: Params,
          body: Type.Object(
            { pushFulfilments: Type.Optional(Type.Boolean()) },
            { additionalProperties: false },
          ),
          response: { 200: ConnectionSchema, ...problems(...WRITE_ERRORS, 404) },
        },
      },
      async (request) =>
        inTransaction(deps.db, (tx) =>
          updateConnection(tx, deps, storeOf(request).id, request.params.id, request.body),
        ),
    );
    r.delete(
      '/v1/connections/:id',
      {
        config: { access: 'secret' },
        schema: {
          operationId: 'deleteConnection',
          tags: ['Connections'],
          summary: 'Disconnect (its inbox and sync state go; orders placed stay)',
          params: Params,
          response: { 204: Type.Null(), ...problems(...AUTH_ERRORS, 404, 422) },
        },
      },
      async (request, reply) => {
        await inTransaction(deps.db, (tx) => deleteConnection(tx, storeOf(request).id, request.params.id));
        return reply.status(204).send(null);
      },
    );
    r.post(
      '/v1/connections/:id/import',
      {
        config: { access: 'secret', optionalBody: true },
        schema: {
          operationId: 'startConnectionImport',
          tags: ['Connections'],
          summary: 'Import the catalogue and open orders (resumes an interrupted import)',
          description: 'Runs in the background; `import` in GET /v1/connections/{id} shows its progress.',
          params: Params,
          response: { 202: ConnectionSchema, ...problems(...WRITE_ERRORS, 404) },
        },
      },
      async (request, reply) => {
        const storeId = storeOf(request).id;
        const view = await requestImport(cdeps(), storeId, request.params.id);
        // Started here at once; a worker takes it over if this process stops (the import is leased).
        void runImport(cdeps(), storeId, request.params.id).catch((error) =>
          request.log.error({ err: error }, 'import failed'),
        );
        return reply.status(202).send(view);
      },
    );
    r.post(
      '/v1/connections/:id/reconcile',
      {
        config: { access: 'secret', optionalBody: true },
        schema: {
          operationId: 'reconcileConnection',
          tags: ['Connections'],
          summary: 'Compare the platform with Backfill now and repair drift',
          params: Params,
          response: { 200: DriftSchema, ...problems(...WRITE_ERRORS, 404, 503) },
        },
      },
      async (request) => reconcile(cdeps(), storeOf(request).id, request.params.id),
    );
    r.get(
      '/v1/connections/:id/events/:eventId',
      {
        config: { access: 'secret' },
        schema: {
          operationId: 'getConnectionEvent',
          tags: ['Connections'],
          summary: 'An inbound event and what processing it did (a privacy export is its `result`)',
          params: EventParams,
          response: {
            200: Type.Intersect([
              EventSchema,
              Type.Object({ result: Nullable(Type.Record(Type.String(), Type.Unknown())) }),
            ]),
            ...problems(...AUTH_ERRORS, 404, 422),
          },
        },
      },
      async (request) => getEvent(deps.db, storeOf(request).id, request.params.id, request.params.eventId),
    );
    r.post(
      '/v1/connections/:id/events/:eventId/retry',
      {
        config: { access: 'secret', optionalBody: true },
        schema: {
          operationId: 'retryConnectionEvent',
          tags: ['Connections'],
          summary: 'Try a failed inbound event again',
          params: EventParams,
          response: { 200: EventSchema, ...problems(...WRITE_ERRORS, 404), ...conflicts('event_not_failed') },
        },
      },
      async (request) =>
        inTransaction(deps.db, (tx) =>
          retryEvent(tx, deps, storeOf(request).id, request.params.id, request.params.eventId),
        ),
    );
  };
}
