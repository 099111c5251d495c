import { Type } from 'typebox';
import { storeOf } from '../../http/auth.ts';
import { runCommand } from '../../http/command.ts';
import { type RouteRegistrar, typed } from '../../http/context.ts';
import {
  AUTH_ERRORS,
  IdempotencyHeaders,
  ListQuery,
  pageOf,
  problems,
  Sku,
  Text,
  WRITE_ERRORS,
} from '../../http/schemas.ts';
import { adjustStock, adjustStockBatch, countStock } from '../stock/stock.adjust.ts';
import { getLevel, listMovements } from './inventory.usecases.ts';

export const LevelSchema = Type.Object({
  sku: Type.String(),
  onHand: Type.Integer(),
  allocated: Type.Integer(),
  available: Type.Integer({ description: 'onHand − allocated, never negative' }),
  backordered: Type.Integer({ description: 'Units waiting in the queue' }),
  backorderLimit: Type.Union([Type.Integer(), Type.Null()]),
  backorderRemaining: Type.Union([Type.Integer(), Type.Null()]),
  status: Type.Union([
    Type.Literal('in_stock'),
    Type.Literal('backorder'),
    Type.Literal('preorder'),
    Type.Literal('out_of_stock'),
  ]),
});

export const FillSchema = Type.Object({
  orderId: Type.String(),
  lineId: Type.String(),
  quantity: Type.Integer(),
});

const Reason = Type.Enum(['restock', 'count', 'damage', 'return', 'other']);

const AdjustmentBody = Type.Object(
  {
    sku: Sku,
    quantity: Type.Integer({
      minimum: -10_000_000,
      maximum: 10_000_000,
      not: { const: 0 },
      description: 'Signed, non-zero change to onHand',
    }),
    reason: Reason,
    note: Type.Optional(Text(1000)),
  },
  { additionalProperties: false },
);

const AdjustmentSchema = Type.Object({
  adjustment: Type.Object({
    id: Type.String(),
    sku: Type.String(),
    quantity: Type.Integer(),
    reason: Type.String(),
    note: Type.Union([Type.String(), Type.Null()]),
    createdAt: Type.String({ format: 'date-time' }),
  }),
  level: LevelSchema,
  filled: Type.Array(FillSchema, { description: 'Waiting lines that received units, in queue order' }),
  requeued: Type.Array(FillSchema, {
    description:
      'Lines whose allocated units a write-off took back (latest accepted first), now waiting ahead of the queue; in their new queue order',
  }),
});

const CountBody = Type.Object(
  {
    counts: Type.Array(
      Type.Object(
        {
          sku: Sku,
          onHand: Type.Integer({
            minimum: 0,
            maximum: 2_000_000_000,
            description: 'The units counted on the shelf',
          }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 500, description: 'One entry per SKU; applied together, all or nothing' },
    ),
    reason: Type.Optional(Text(1000)),
  },
  { additionalProperties: false },
);

const CountResultSchema = Type.Object({
  sku: Type.String(),
  counted: Type.Integer(),
  previousOnHand: Type.Integer(),
  difference: Type.Integer({
    description: 'counted − previousOnHand, written to the ledger with reason `count`',
  }),
  adjustment: Type.Union([AdjustmentSchema.properties.adjustment, Type.Null()], {
    description: 'null when the count matched',
  }),
  level: LevelSchema,
  filled: AdjustmentSchema.properties.filled,
  requeued: AdjustmentSchema.properties.requeued,
});

const BatchAdjustmentBody = Type.Object(
  {
    adjustments: Type.Array(AdjustmentBody, {
      minItems: 1,
      maxItems: 500,
      description: 'One entry per SKU; applied together, all or nothing',
    }),
  },
  { additionalProperties: false },
);

const MovementSchema = Type.Object({
  id: Type.String(),
  type: Type.String({ description: 'adjustment, receipt or shipment' }),
  quantity: Type.Integer({ description: 'Signed change to onHand' }),
  orderId: Type.Optional(Type.String()),
  lineId: Type.Optional(Type.String()),
  adjustmentId: Type.Optional(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
});

const SkuParams = Type.Object({ sku: Sku });

export const inventoryRoutes: RouteRegistrar = (app, { deps }) => {
  const r = typed(app);
  r.post(
    '/v1/inventory/adjustments',
    {
      config: { access: 'secret' },
      schema: {
        tags: ['Inventory'],
        summary: 'Adjust on-hand stock; positive adjustments fill the queue first',
        headers: IdempotencyHeaders,
        body: AdjustmentBody,
        response: { 201: AdjustmentSchema, ...problems(...WRITE_ERRORS, 409) },
      },
    },
    async (request, reply) =>
      runCommand(deps, request, reply, 201, (tx) => adjustStock(tx, deps, storeOf(request), request.body)),
  );
  r.post(
    '/v1/inventory/adjustments/batch',
    {
      config: { access: 'secret' },
      schema: {
        tags: ['Inventory'],
        summary: 'Adjust many SKUs at once (e.g. a delivery); every restocked queue is filled head-first',
        description: 'All or nothing: one unknown SKU or impossible adjustment refuses the whole request.',
        headers: IdempotencyHeaders,
        body: BatchAdjustmentBody,
        response: {
          201: Type.Object({ data: Type.Array(AdjustmentSchema) }),
          ...problems(...WRITE_ERRORS, 409),
        },
      },
    },
    async (request, reply) =>
      runCommand(deps, request, reply, 201, async (tx) => ({
        data: await adjustStockBatch(tx, deps, storeOf(request), request.body.adjustments),
      })),
  );
  r.post(
    '/v1/inventory/counts',
    {
      config: { access: 'secret' },
      schema: {
        tags: ['Inventory'],
        summary: 'Record a cycle count: set on-hand to the counted figure for many SKUs at once',
        description:
          "Each difference is written to the ledger as an adjustment with reason `count` (the request's `reason` is kept as its note). " +
          'A count above on-hand fills the queue head first; a count below the allocated units takes them back from the latest ' +
          'accepted allocated lines, which wait again ahead of the queue (`requeued`). All or nothing. ' +
          '409 `insufficient_stock` cannot occur here (counts are never negative).',
        headers: IdempotencyHeaders,
        body: CountBody,
        response: {
          201: Type.Object({ data: Type.Array(CountResultSchema) }),
          ...problems(...WRITE_ERRORS),
        },
      },
    },
    async (request, reply) =>
      runCommand(deps, request, reply, 201, async (tx) => ({
        data: await countStock(tx, deps, storeOf(request), request.body),
      })),
  );
  r.get(
    '/v1/inventory/:sku',
    {
      config: { access: 'secret' },
      schema: {
        tags: ['Inventory'],
        summary: 'Stock level of a SKU',
        params: SkuParams,
        response: { 200: LevelSchema, ...problems(...AUTH_ERRORS, 404) },
      },
    },
    async (request) => getLevel(deps.db, storeOf(request).id, request.params.sku),
  );
  r.get(
    '/v1/inventory/:sku/movements',
    {
      config: { access: 'secret' },
      schema: {
        tags: ['Inventory'],
        summary: 'The append-only stock ledger of a SKU, oldest first',
        params: SkuParams,
        querystring: Type.Object(ListQuery, { additionalProperties: false }),
        response: { 200: pageOf(MovementSchema), ...problems(...AUTH_ERRORS, 404, 422) },
      },
    },
    async (request) => listMovements(deps.db, storeOf(request).id, request.params.sku, request.query),
  );
};
