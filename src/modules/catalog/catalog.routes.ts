import { Type } from 'typebox';
import { inTransaction } from '../../db/client.ts';
import { storeOf } from '../../http/auth.ts';
import { type RouteRegistrar, typed } from '../../http/context.ts';
import {
  AUTH_ERRORS,
  DateText,
  idOf,
  ListQuery,
  pageOf,
  problems,
  Sku,
  Text,
  WRITE_ERRORS,
} from '../../http/schemas.ts';
import { DepositPercent, PaymentModeSchema } from '../settings/settings.schemas.ts';
import { getVariant, listVariants, putVariant } from './catalog.usecases.ts';

const Mode = Type.Union([Type.Literal('deny'), Type.Literal('backorder'), Type.Literal('preorder')]);
const Attributes = Type.Record(Type.String({ maxLength: 100 }), Type.String({ maxLength: 500 }), {
  maxProperties: 50,
  description: 'Variant attributes such as color and size',
});
const TAGS_DESCRIPTION =
  'Free labels such as "vegan" or "running-shoes". A shopper waiting for a backorder is offered, as ' +
  'alternatives that ship sooner, the other variants of the same productId and then variants sharing a tag';
const Tags = Type.Array(
  Type.String({
    minLength: 1,
    maxLength: 50,
    // Lowercase letters (any script) and digits, words joined by one space, dot, colon, plus, dash or underscore.
    pattern: '^[\\p{Ll}\\p{Lo}\\p{Nd}]+(?:[ ._:+-][\\p{Ll}\\p{Lo}\\p{Nd}]+)*$',
  }),
  { maxItems: 20, uniqueItems: true, description: TAGS_DESCRIPTION },
);

const VariantBody = Type.Object(
  {
    title: Text(300),
    productId: Type.Optional(Type.Union([Text(200), Type.Null()])),
    attributes: Type.Optional(Attributes),
    tags: Type.Optional(Tags),
    price: Type.Integer({
      minimum: 0,
      maximum: 1_000_000_000,
      description: 'Minor units of the store currency',
    }),
    supplierId: Type.Optional(
      Type.Union([idOf('sup'), Type.Null()], {
        description: 'Supplier whose lead time dates demand beyond the open purchase orders',
      }),
    ),
    backorder: Type.Object(
      {
        mode: Mode,
        limit: Type.Optional(
          Type.Union(
            [Type.Integer({ minimum: 0, maximum: 1_000_000_000 }), Type.Literal('auto'), Type.Null()],
            {
              description:
                'Most units that may wait at once; null = no cap; "auto" = units on open purchase orders plus the store buffer',
            },
          ),
        ),
        message: Type.Optional(Type.Union([Text(500), Type.Null()])),
        expectedDate: Type.Optional(
          Type.Union([DateText, Type.Null()], {
            description: 'Merchant-given restock date: dates demand beyond the open purchase orders',
          }),
        ),
        releaseDate: Type.Optional(
          Type.Union([DateText, Type.Null()], {
            description: 'Pre-orders only: units may be allocated before it but ship on or after it',
          }),
        ),
        payment: Type.Optional(Type.Union([PaymentModeSchema, Type.Null()])),
        depositPercent: Type.Optional(Type.Union([DepositPercent, Type.Null()])),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export const VariantSchema = Type.Object({
  sku: Type.String(),
  title: Type.String(),
  productId: Type.Union([Type.String(), Type.Null()]),
  attributes: Type.Record(Type.String(), Type.String()),
  tags: Type.Array(Type.String(), { description: TAGS_DESCRIPTION }),
  price: Type.Integer(),
  supplierId: Type.Union([Type.String(), Type.Null()]),
  backorder: Type.Object({
    mode: Mode,
    limit: Type.Union([Type.Integer(), Type.Literal('auto'), Type.Null()]),
    message: Type.Union([Type.String(), Type.Null()]),
    expectedDate: Type.Union([Type.String(), Type.Null()]),
    releaseDate: Type.Union([Type.String(), Type.Null()]),
    payment: Type.Union([PaymentModeSchema, Type.Null()], { description: "null = the store's default" }),
    depositPercent: Type.Union([Type.Number(), Type.Null()], { description: "null = the store's default" }),
  }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

const SkuParams = Type.Object({ sku: Sku });

export const catalogRoutes: RouteRegistrar = (app, { deps }) => {
  const r = typed(app);
  r.put(
    '/v1/variants/:sku',
    {
      config: { access: 'secret' },
      schema: {
        tags: ['Variants'],
        summary: 'Create or replace a variant and its backorder policy',
        description:
          'Replaces every field: one left out takes its default (`tags` left out = no tags). `tags` and ' +
          '`productId` decide which variants a waiting shopper may switch to (see the self-service pages).',
        params: SkuParams,
        body: VariantBody,
        response: { 200: VariantSchema, 201: VariantSchema, ...problems(...WRITE_ERRORS) },
      },
    },
    async (request, reply) => {
      const store = storeOf(request);
      const { variant, created } = await inTransaction(deps.db, (tx) =>
        putVariant(tx, deps, store, request.params.sku, request.body),
      );
      return reply.status(created ? 201 : 200).send(variant);
    },
  );
  r.get(
    '/v1/variants/:sku',
    {
      config: { access: 'secret' },
      schema: {
        tags: ['Variants'],
        summary: 'Get a variant',
        params: SkuParams,
        response: { 200: VariantSchema, ...problems(...AUTH_ERRORS, 404) },
      },
    },
    async (request) => getVariant(deps.db, storeOf(request).id, request.params.sku),
  );
  r.get(
    '/v1/variants',
    {
      config: { access: 'secret' },
      schema: {
        tags: ['Variants'],
        summary: 'List variants by SKU',
        querystring: Type.Object(
          { ...ListQuery, productId: Type.Optional(Text(200)) },
          { additionalProperties: false },
        ),
        response: { 200: pageOf(VariantSchema), ...problems(...AUTH_ERRORS, 422) },
      },
    },
    async (request) => listVariants(deps.db, storeOf(request).id, request.query),
  );
};
