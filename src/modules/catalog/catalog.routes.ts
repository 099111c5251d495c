import { Type } from 'typebox';
import { inTransaction } from '../../db/client.ts';
import { storeOf } from '../../http/auth.ts';
import { runCommand } from '../../http/command.ts';
import { type RouteRegistrar, typed } from '../../http/context.ts';
import type { CsvBody } from '../../http/csv.ts';
import {
  AUTH_ERRORS,
  conflicts,
  IdempotencyHeaders,
  ListQuery,
  pageOf,
  problems,
  SKU_PATTERN,
  Sku,
  Text,
  WRITE_ERRORS,
} from '../../http/schemas.ts';
import type { Json } from '../../shared/merge-patch.ts';
import { VariantBatchBody, VariantBody, VariantPatchBody, VariantSchema } from './catalog.schemas.ts';
import { getVariant, listVariants, patchVariant, putVariant, putVariants } from './catalog.usecases.ts';

const SkuParams = Type.Object({ sku: Sku });
/** One SKU's characters, without the anchors (for lists of SKUs). */
const SKU_CHARS = SKU_PATTERN.slice(1, -1);

/** POST /v1/variants/batch as CSV: the fields of a variant, nested ones flattened with dots. */
export const VARIANTS_CSV: CsvBody = {
  listField: 'variants',
  columns: {
    sku: 'text',
    title: 'text',
    price: 'integer',
    productId: 'text',
    supplierId: 'text',
    tags: 'list',
    url: 'text',
    imageUrl: 'text',
    'attributes.*': 'text',
    'backorder.mode': 'text',
    'backorder.limit': 'integer',
    'backorder.message': 'text',
    'backorder.expectedDate': 'text',
    'backorder.releaseDate': 'text',
    'backorder.payment': 'text',
    'backorder.depositPercent': 'number',
  },
  required: ['sku', 'title', 'price', 'backorder.mode'],
  example:
    'sku,title,price,attributes.color,attributes.size,tags,backorder.mode,backorder.limit,backorder.message\r\n' +
    'JACKET-RED-M,"Trail Jacket, Red / M",12900,red,M,"outdoor, jackets",backorder,50,Ships in about 3 weeks\r\n' +
    'JACKET-RED-L,"Trail Jacket, Red / L",12900,red,L,"outdoor, jackets",preorder,,\r\n',
};

const VariantBatchResult = Type.Object({
  data: Type.Array(
    Type.Object({
      created: Type.Boolean({
        description: 'true: the SKU was new; false: an existing variant was replaced',
      }),
      variant: VariantSchema,
    }),
    { description: 'One entry per variant, in request order' },
  ),
});

export const catalogRoutes: RouteRegistrar = (app, { deps }) => {
  const r = typed(app);
  r.put(
    '/v1/variants/:sku',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'putVariant',
        tags: ['Variants'],
        summary: 'Create or replace a variant and its backorder policy',
        description:
          'Replaces every field: one left out takes its default (`tags` left out = no tags; to change ' +
          'some fields only, use PATCH). `tags` and ' +
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
  r.patch(
    '/v1/variants/:sku',
    {
      config: { access: 'secret', mergePatch: true },
      schema: {
        operationId: 'patchVariant',
        tags: ['Variants'],
        summary: 'Change some fields of a variant (JSON Merge Patch)',
        description:
          'RFC 7396: only the fields sent change; `null` clears an optional field; `backorder` and ' +
          '`attributes` merge member by member (`{"backorder": {"limit": 20}}` keeps the mode and ' +
          'message). The result is checked as PUT checks a body (422 `validation_failed`, nothing ' +
          'changes) and saved as PUT saves it: a new mode, limit or date re-dates the waiting lines and ' +
          'writes `variant.updated`. A patch that changes nothing writes nothing. Sent as ' +
          '`application/json` or `application/merge-patch+json`.',
        headers: IdempotencyHeaders,
        params: SkuParams,
        body: VariantPatchBody,
        response: {
          200: VariantSchema,
          ...problems(...WRITE_ERRORS, 404),
          ...conflicts('idempotency_key_in_use'),
        },
      },
    },
    async (request, reply) =>
      runCommand(deps, request, reply, 200, (tx) =>
        patchVariant(tx, deps, storeOf(request), request.params.sku, request.body as Json),
      ),
  );
  r.post(
    '/v1/variants/batch',
    {
      config: { access: 'secret', csvBody: VARIANTS_CSV },
      schema: {
        operationId: 'putVariantBatch',
        tags: ['Variants'],
        summary: 'Create or replace many variants at once (JSON or CSV), all or nothing',
        description:
          'Each variant is created or replaced exactly as `PUT /v1/variants/{sku}` does. All or ' +
          'nothing: every refused variant is listed in `errors` (`/variants/3/price`; for CSV ' +
          '`/rows/5/price`, rows numbered as a spreadsheet shows them, the header being row 1) and ' +
          'nothing is saved. As `text/csv`: a header row, then one variant per row; nested fields ' +
          'flattened with dots (`backorder.mode`, `backorder.limit`, `attributes.color`), `tags` ' +
          'comma-separated in one cell, an empty cell = the field left out.',
        headers: IdempotencyHeaders,
        body: VariantBatchBody,
        response: {
          200: VariantBatchResult,
          ...problems(...WRITE_ERRORS),
          ...conflicts('idempotency_key_in_use'),
        },
      },
    },
    async (request, reply) =>
      runCommand(deps, request, reply, 200, async (tx) => ({
        data: await putVariants(tx, deps, storeOf(request), request.body.variants),
      })),
  );
  r.get(
    '/v1/variants/:sku',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'getVariant',
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
        operationId: 'listVariants',
        tags: ['Variants'],
        summary: "List variants by SKU (all, one product's, or the SKUs named)",
        description:
          '`skus=A,B,C` (up to 500, comma-separated) lists only those variants, by SKU, leaving out SKUs the ' +
          'store does not have: the console reads the variants of a page of stock levels in one call.',
        querystring: Type.Object(
          {
            ...ListQuery,
            productId: Type.Optional(Text(200)),
            skus: Type.Optional(
              Type.String({
                pattern: `^${SKU_CHARS}(?:,${SKU_CHARS}){0,499}$`,
                description: 'Up to 500 SKUs, comma-separated',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: pageOf(VariantSchema), ...problems(...AUTH_ERRORS, 422) },
      },
    },
    async (request) => listVariants(deps.db, storeOf(request).id, request.query),
  );
};
