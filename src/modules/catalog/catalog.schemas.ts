/**
 * The variant's shapes: the PUT body, the JSON Merge Patch of PATCH, the batch of POST
 * /v1/variants/batch and the stored variant. The patched result is checked against the PUT body.
 */
import { type TSchema, Type } from 'typebox';
import { DateText, idOf, Sku, Text } from '../../http/schemas.ts';
import { compileCheck } from '../../shared/schema-check.ts';
import { DepositPercent, PaymentModeSchema } from '../settings/settings.schemas.ts';

const Price = Type.Integer({
  minimum: 0,
  maximum: 1_000_000_000,
  description: 'Minor units of the store currency',
});
const SupplierId = Type.Union([idOf('sup'), Type.Null()], {
  description: 'Supplier whose lead time dates demand beyond the open purchase orders',
});
const Limit = Type.Union(
  [Type.Integer({ minimum: 0, maximum: 1_000_000_000 }), Type.Literal('auto'), Type.Null()],
  {
    description:
      'Most units that may wait at once; null = no cap; "auto" = units on open purchase orders plus the store buffer',
  },
);

export const Mode = Type.Union([Type.Literal('deny'), Type.Literal('backorder'), Type.Literal('preorder')]);
const ExpectedDate = Type.Union([DateText, Type.Null()], {
  description: 'Merchant-given restock date: dates demand beyond the open purchase orders',
});
const ReleaseDate = Type.Union([DateText, Type.Null()], {
  description: 'Pre-orders only: units may be allocated before it but ship on or after it',
});
export const Attributes = Type.Record(Type.String({ maxLength: 100 }), Type.String({ maxLength: 500 }), {
  maxProperties: 50,
  description: 'Variant attributes such as color and size',
});
const TAGS_DESCRIPTION =
  'Free labels such as "vegan" or "running-shoes". A shopper waiting for a backorder is offered, as ' +
  'alternatives that ship sooner, the other variants of the same productId and then variants sharing a tag';
export const Tags = Type.Array(
  Type.String({
    minLength: 1,
    maxLength: 50,
    // Lowercase letters (any script) and digits, words joined by one space, dot, colon, plus, dash or underscore.
    pattern: '^[\\p{Ll}\\p{Lo}\\p{Nd}]+(?:[ ._:+-][\\p{Ll}\\p{Lo}\\p{Nd}]+)*$',
  }),
  { maxItems: 20, uniqueItems: true, description: TAGS_DESCRIPTION },
);

/** Links shoppers follow from messages and pages: absolute http(s) only (never `javascript:`). */
const WebUrl = (description: string) =>
  Type.String({ maxLength: 2000, pattern: '^https?://[^\\s<>"]+$', description });
const ProductUrl = WebUrl('The product page on the store: messages and the order page link to it');
const ImageUrl = WebUrl('A picture of the variant: messages show it beside the title');

export const VariantBody = Type.Object(
  {
    title: Text(300),
    productId: Type.Optional(Type.Union([Text(200), Type.Null()])),
    attributes: Type.Optional(Attributes),
    tags: Type.Optional(Tags),
    url: Type.Optional(Type.Union([ProductUrl, Type.Null()])),
    imageUrl: Type.Optional(Type.Union([ImageUrl, Type.Null()])),
    price: Price,
    supplierId: Type.Optional(SupplierId),
    backorder: Type.Object(
      {
        mode: Mode,
        limit: Type.Optional(Limit),
        message: Type.Optional(Type.Union([Text(500), Type.Null()])),
        expectedDate: Type.Optional(ExpectedDate),
        releaseDate: Type.Optional(ReleaseDate),
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
  url: Type.Union([Type.String(), Type.Null()], { description: 'The product page on the store' }),
  imageUrl: Type.Union([Type.String(), Type.Null()], { description: 'A picture of the variant' }),
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

/** Whether a value is a valid PUT body (the field errors; none = valid). */
export const checkVariantBody = compileCheck(VariantBody);

/** A field a patch may set or (null) clear. */
const clearable = <T extends TSchema>(schema: T) => Type.Optional(Type.Union([schema, Type.Null()]));

export const VariantPatchBody = Type.Object(
  {
    title: Type.Optional(Text(300)),
    productId: clearable(Text(200)),
    attributes: clearable(
      Type.Record(
        Type.String({ maxLength: 100 }),
        Type.Union([Type.String({ maxLength: 500 }), Type.Null()]),
        {
          maxProperties: 50,
          description:
            'Merged name by name: null removes one attribute; null for the whole object removes all',
        },
      ),
    ),
    tags: clearable(Tags),
    url: clearable(ProductUrl),
    imageUrl: clearable(ImageUrl),
    price: Type.Optional(Price),
    supplierId: Type.Optional(SupplierId),
    backorder: Type.Optional(
      Type.Object(
        {
          mode: Type.Optional(Mode),
          limit: Type.Optional(Limit),
          message: clearable(Text(500)),
          expectedDate: Type.Optional(ExpectedDate),
          releaseDate: Type.Optional(ReleaseDate),
          payment: clearable(PaymentModeSchema),
          depositPercent: clearable(DepositPercent),
        },
        { additionalProperties: false, description: 'Merged field by field' },
      ),
    ),
  },
  {
    additionalProperties: false,
    description:
      'A JSON Merge Patch (RFC 7396) of the variant: fields left out keep their value, null clears an ' +
      'optional field (title, price and backorder.mode cannot be cleared), `backorder` and `attributes` ' +
      'merge member by member, `tags` is replaced whole.',
  },
);

export const VariantBatchItem = Type.Object(
  { sku: Sku, ...VariantBody.properties },
  {
    additionalProperties: false,
    description: 'One variant, as PUT /v1/variants/{sku} takes it, with its sku',
  },
);

export const VariantBatchBody = Type.Object(
  {
    variants: Type.Array(VariantBatchItem, {
      minItems: 1,
      maxItems: 500,
      description: 'Each SKU once; every variant is created or replaced as PUT does, all or nothing',
    }),
  },
  { additionalProperties: false },
);
