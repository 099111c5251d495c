import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Static, Type } from 'typebox';
import { storeOf } from '../../http/auth.ts';
import type { RouteRegistrar } from '../../http/context.ts';
import { problem, sendProblem } from '../../http/problem.ts';
import { AUTH_ERRORS, Nullable, problems, Sku } from '../../http/schemas.ts';
import { invalid, notFound } from '../../shared/errors.ts';
import { storeShippingForPages } from '../shipping/shipping.usecases.ts';
import { StorefrontCache } from './storefront.cache.ts';
import { registerStorefrontCors } from './storefront.cors.ts';
import { etagOf, MAX_SKUS_PER_READ, matchesEtag, parseSkuList } from './storefront.models.ts';
import {
  cachedAvailability,
  readAvailability,
  type ShelfAnswer,
  type StorefrontEntry,
} from './storefront.usecases.ts';
import { widgetRoutes } from './storefront.widget.ts';

/**
 * Browsers may reuse an answer for a few seconds and show it while they re-check it for a minute
 * (re-checks with If-None-Match cost no body). `private`: the answer depends on the key sent in
 * Authorization, so a shared cache must not hand it to another store's page.
 */
export const AVAILABILITY_CACHE_CONTROL = 'private, max-age=5, stale-while-revalidate=60';

const AvailabilityQuery = Type.Object(
  {
    sku: Type.Optional(Sku),
    skus: Type.Optional(
      Type.String({ description: `Up to ${MAX_SKUS_PER_READ} SKUs, comma-separated (instead of \`sku\`)` }),
    ),
    quantity: Type.Integer({
      minimum: 1,
      maximum: 1_000_000,
      default: 1,
      description:
        'Units the shopper would order (of each SKU); the expected date is the one such an order would get',
    }),
  },
  { additionalProperties: false },
);

const Availability = Type.Object({
  sku: Type.String(),
  status: Type.Enum(['in_stock', 'backorder', 'preorder', 'out_of_stock']),
  quantity: Type.Integer(),
  availableNow: Type.Boolean({
    description: 'Every unit of `quantity` can be taken from stock now (none would wait)',
  }),
  message: Nullable(Type.String()),
  expectedDate: Type.Union([Type.String({ format: 'date' }), Type.Null()], {
    description:
      'Ship date an order of `quantity` placed now would be promised; null when it could not be accepted',
  }),
  expectedDateLatest: Type.Union([Type.String({ format: 'date' }), Type.Null()], {
    description: "Latest likely ship date, from the supplier's measured lateness",
  }),
  releaseDate: Type.Union([Type.String({ format: 'date' }), Type.Null()], {
    description: "A pre-order's release date (null for other modes)",
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
});

export const storefrontRoutes: RouteRegistrar = (app, ctx) => {
  const { deps, config } = ctx;
  const cache = new StorefrontCache<StorefrontEntry>(config.storefrontCacheMs, {
    now: () => deps.clock.now().getTime(),
  });
  registerStorefrontCors(app, deps.db, cache);
  widgetRoutes(app, ctx);

  // Not `typed`: the handler sends the cached JSON text itself (see `send`), which TypeBox's
  // provider would not let it return.
  app.get(
    '/v1/storefront/availability',
    {
      config: { access: 'publishable', securityHeaders: 'api' },
      schema: {
        operationId: 'getAvailability',
        tags: ['Storefront'],
        summary: 'What a product page shows: availability, shopper message and expected date',
        description:
          'One SKU (`sku`) answers its availability; a collection page asks for up to 100 at once ' +
          '(`skus=a,b,c`) and gets `{ "data": [...] }` in the order asked, leaving out SKUs the store ' +
          'does not have. Answers carry an `ETag` and `Cache-Control: ' +
          `${AVAILABILITY_CACHE_CONTROL}\`; \`If-None-Match\` with the current ETag → 304. ` +
          'Pages of the origins the store allows (`allowedOrigins`) may call it from the browser (CORS).',
        security: [{ publishableKey: [] }],
        querystring: AvailabilityQuery,
        response: {
          200: Type.Union([Availability, Type.Object({ data: Type.Array(Availability) })]),
          304: Type.Null({ description: 'Not modified: the ETag sent in If-None-Match is still current' }),
          ...problems(400, ...AUTH_ERRORS, 404, 422),
        },
      },
    },
    (request, reply) => {
      const { sku, skus, quantity } = request.query as Static<typeof AvailabilityQuery>;
      if ((sku === undefined) === (skus === undefined)) {
        throw invalid('validation_failed', 'Give either sku (one SKU) or skus (a comma-separated list)', [
          { path: sku === undefined ? '/sku' : '/skus', message: 'give exactly one of sku or skus' },
        ]);
      }
      let wanted: string[];
      if (skus !== undefined) {
        const list = parseSkuList(skus);
        if ('refusal' in list) {
          sendProblem(
            reply,
            problem(400, 'bad_request', list.refusal, { errors: [{ path: '/skus', message: list.refusal }] }),
          );
          return;
        }
        wanted = list.skus;
      } else wanted = [sku!];
      const store = storeOf(request);
      const now = () => deps.clock.now();
      return storeShippingForPages(deps.db, store.id)
        .then((shipping) => {
          const question = { store, quantity, shipping, now };
          // Product pages ask for the same answers over and over: cached ones need no database.
          return (
            cachedAvailability(cache, wanted, question) ?? readAvailability(deps.db, cache, wanted, question)
          );
        })
        .then((found) => {
          send(request, reply, skus === undefined, wanted, found);
          // The reply, not undefined: Fastify would send again while an onSend hook is still running.
          return reply;
        });
    },
  );
};

/** Sends the answers (one SKU's, or the list's) with their validator, or 304 when the page has it. */
function send(
  request: FastifyRequest,
  reply: FastifyReply,
  single: boolean,
  wanted: readonly string[],
  answers: ReadonlyMap<string, ShelfAnswer | null>,
): void {
  let json: string;
  let etag: string;
  if (single) {
    const answer = answers.get(wanted[0]!);
    if (!answer) throw notFound('SKU', wanted[0]!);
    ({ json, etag } = answer);
  } else {
    const found = wanted.flatMap((sku) => answers.get(sku)?.json ?? []);
    json = `{"data":[${found.join(',')}]}`;
    etag = etagOf(json);
  }
  // The JSON text is sent as made (and cached): it matches the 200 schema above.
  reply.header('etag', etag).header('cache-control', AVAILABILITY_CACHE_CONTROL);
  if (matchesEtag(request.headers['if-none-match'], etag)) reply.code(304).send();
  else reply.type('application/json; charset=utf-8').send(json);
}
