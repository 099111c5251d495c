import { Type } from 'typebox';
import { storeOf } from '../../http/auth.ts';
import { runCommand } from '../../http/command.ts';
import { type RouteRegistrar, typed } from '../../http/context.ts';
import type { CsvBody } from '../../http/csv.ts';
import { type CsvColumn, FormatQuery, listOrCsv, sendCsvList } from '../../http/csv-export.ts';
import {
  AUTH_ERRORS,
  conflicts,
  IdempotencyHeaders,
  ListQuery,
  pageOf,
  problems,
  Sku,
  Text,
  WRITE_ERRORS,
} from '../../http/schemas.ts';
import { adjustStock, adjustStockBatch, countStock } from '../stock/stock.adjust.ts';
import type { LevelView } from '../stock/stock.views.ts';
import { checkAdjustmentRows, listLevels } from './inventory.queries.ts';
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

/** POST /v1/inventory/adjustments/batch as CSV: the adjustment's fields, one adjustment per row. */
export const ADJUSTMENTS_CSV: CsvBody = {
  listField: 'adjustments',
  columns: { sku: 'text', quantity: 'integer', reason: 'text', note: 'text' },
  required: ['sku', 'quantity', 'reason'],
  example:
    'sku,quantity,reason,note\r\nJACKET-RED-M,24,restock,"PO 1017, pallet 2"\r\nJACKET-RED-L,-1,damage,\r\n',
};

const LEVEL_COLUMNS: CsvColumn<LevelView>[] = [
  { name: 'sku', value: (l) => l.sku },
  { name: 'onHand', value: (l) => l.onHand },
  { name: 'allocated', value: (l) => l.allocated },
  { name: 'available', value: (l) => l.available },
  { name: 'backordered', value: (l) => l.backordered },
  { name: 'backorderLimit', value: (l) => l.backorderLimit },
  { name: 'backorderRemaining', value: (l) => l.backorderRemaining },
  { name: 'status', value: (l) => l.status },
];

const LevelListQuery = Type.Object(
  {
    ...ListQuery,
    ...FormatQuery,
    mode: Type.Optional(
      Type.Enum(['deny', 'backorder', 'preorder'], { description: 'Only SKUs with this backorder mode' }),
    ),
    waiting: Type.Optional(
      Type.Boolean({
        description:
          'true: only SKUs with units waiting in their queue (backordered > 0); false: only SKUs with none',
      }),
    ),
    availableAtMost: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 2_000_000_000,
        description: 'Low stock: only SKUs with at most this many units available (onHand − allocated)',
      }),
    ),
    search: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        description: 'Only SKUs containing this text, ignoring case',
      }),
    ),
  },
  { additionalProperties: false },
);

export const inventoryRoutes: RouteRegistrar = (app, { deps }) => {
  const r = typed(app);
  r.post(
    '/v1/inventory/adjustments',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'createAdjustment',
        tags: ['Inventory'],
        summary: 'Adjust on-hand stock; positive adjustments fill the queue first',
        description:
          'A removal below the allocated units is a write-off: the missing units are taken back from the latest ' +
          'accepted allocated lines, which wait again ahead of the queue (`requeued`), are re-dated and told.',
        headers: IdempotencyHeaders,
        body: AdjustmentBody,
        response: {
          201: AdjustmentSchema,
          ...problems(...WRITE_ERRORS),
          ...conflicts('insufficient_stock', 'idempotency_key_in_use'),
        },
      },
    },
    async (request, reply) =>
      runCommand(deps, request, reply, 201, (tx) => adjustStock(tx, deps, storeOf(request), request.body)),
  );
  r.post(
    '/v1/inventory/adjustments/batch',
    {
      config: { access: 'secret', csvBody: ADJUSTMENTS_CSV },
      schema: {
        operationId: 'createAdjustmentBatch',
        tags: ['Inventory'],
        summary: 'Adjust many SKUs at once (e.g. a delivery); every restocked queue is filled head-first',
        description:
          'All or nothing: one unknown SKU or impossible adjustment refuses the whole request. Unknown ' +
          'and repeated SKUs are all listed in `errors` (422 `unknown_sku` or `validation_failed`); a ' +
          'negative adjustment below the allocated units → 409 `insufficient_stock`. Also takes ' +
          '`text/csv`: a header row `sku,quantity,reason,note`, one adjustment per row; errors then ' +
          'name rows as a spreadsheet numbers them (the header is row 1): `/rows/3/quantity`.',
        headers: IdempotencyHeaders,
        body: BatchAdjustmentBody,
        response: {
          201: Type.Object({ data: Type.Array(AdjustmentSchema) }),
          ...problems(...WRITE_ERRORS),
          ...conflicts('insufficient_stock', 'idempotency_key_in_use'),
        },
      },
    },
    async (request, reply) =>
      runCommand(deps, request, reply, 201, async (tx) => {
        const store = storeOf(request);
        await checkAdjustmentRows(tx, store, request.body.adjustments);
        return { data: await adjustStockBatch(tx, deps, store, request.body.adjustments) };
      }),
  );
  r.get(
    '/v1/inventory',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'listInventoryLevels',
        tags: ['Inventory'],
        summary:
          'Stock levels of every SKU, by SKU (filters: mode, waiting, availableAtMost, search; JSON or CSV)',
        description:
          'Each item is what `GET /v1/inventory/{sku}` answers. Filters combine: ' +
          '`?waiting=true&mode=preorder`, `?availableAtMost=5` for low stock, `?search=red` for SKUs containing ' +
          '"red" (any case). `format=csv` answers ' +
          '`text/csv` with a header row (' +
          LEVEL_COLUMNS.map((c) => c.name).join(',') +
          '): every matching row without `limit`; with `limit`, one page and the next cursor in ' +
          '`X-Next-Cursor` and `Link`.',
        querystring: LevelListQuery,
        response: { 200: listOrCsv(pageOf(LevelSchema), LEVEL_COLUMNS), ...problems(...AUTH_ERRORS, 422) },
      },
    },
    async (request, reply) => {
      const storeId = storeOf(request).id;
      const { format, limit, cursor, ...filters } = request.query;
      if (format === 'csv') {
        return sendCsvList(request, reply, {
          filename: 'inventory.csv',
          columns: LEVEL_COLUMNS,
          query: request.query,
          page: (pageLimit, pageCursor) =>
            listLevels(deps.db, storeId, { ...filters, limit: pageLimit, cursor: pageCursor }),
        });
      }
      return reply
        .type('application/json; charset=utf-8')
        .send(await listLevels(deps.db, storeId, { ...filters, limit, cursor }));
    },
  );
  r.post(
    '/v1/inventory/counts',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'createStockCount',
        tags: ['Inventory'],
        summary: 'Record a cycle count: set on-hand to the counted figure for many SKUs at once',
        description:
          "Each difference is written to the ledger as an adjustment with reason `count` (the request's `reason` is kept as its note). " +
          'A count above on-hand fills the queue head first; a count below the allocated units takes them back from the latest ' +
          'accepted allocated lines, which wait again ahead of the queue (`requeued`). All or nothing.',
        headers: IdempotencyHeaders,
        body: CountBody,
        response: {
          201: Type.Object({ data: Type.Array(CountResultSchema) }),
          ...problems(...WRITE_ERRORS),
          ...conflicts('idempotency_key_in_use'),
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
        operationId: 'getInventoryLevel',
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
        operationId: 'listStockMovements',
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
