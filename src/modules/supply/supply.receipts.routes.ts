import { type TSchema, Type } from 'typebox';
import { storeOf } from '../../http/auth.ts';
import { runCommand } from '../../http/command.ts';
import { type RouteRegistrar, typed } from '../../http/context.ts';
import {
  AUTH_ERRORS,
  conflicts,
  IdempotencyHeaders,
  idOf,
  ListQuery,
  pageOf,
  problems,
  Quantity,
  Sku,
  WRITE_ERRORS,
} from '../../http/schemas.ts';
import { PICK_LIST_COLUMNS, SHELF } from './supply.models.ts';
import {
  getReceipt,
  listReceipts,
  receiptPickList,
  receiptPickListCsv,
  receivePurchaseOrder,
} from './supply.receipts.usecases.ts';
import { PickListSchema, ReceiptSchema } from './supply.schemas.ts';

const ReceiptBody = Type.Object(
  {
    lines: Type.Array(Type.Object({ sku: Sku, quantity: Quantity }, { additionalProperties: false }), {
      minItems: 1,
      maxItems: 500,
      description: 'Each SKU at most once; partial deliveries are fine',
    }),
    allowOverReceipt: Type.Optional(
      Type.Boolean({ default: false, description: "Accept more than a line's open quantity" }),
    ),
  },
  { additionalProperties: false },
);

const CSV_DESCRIPTION =
  `With \`format=csv\`: the dock's pick list as \`text/csv\` — a header (${PICK_LIST_COLUMNS.join(',')}), one row per ` +
  `cross-docked line sorted by order id then SKU, then the units for the shelf with order_id "${SHELF}". ` +
  'Fields starting with = + - or @ are prefixed with a single quote (spreadsheet formula injection).';

export const receiptsRoutes: RouteRegistrar = (app, { deps }) => {
  const r = typed(app);
  r.post(
    '/v1/purchase-orders/:id/receipts',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'createReceipt',
        tags: ['Supply'],
        summary: 'Receive a delivery: units fill the waiting queues first (cross-dock), the rest is put away',
        description:
          'Only on ordered or partially received POs (else 409 `invalid_transition`). A SKU not on the PO → 422 ' +
          "`sku_not_on_purchase_order`; more than a line's open quantity → 409 `over_receipt` unless " +
          '`allowOverReceipt`. Stock is added exactly as a restock adds it (ledger type `receipt`).',
        headers: IdempotencyHeaders,
        params: Type.Object({ id: idOf('po') }),
        body: ReceiptBody,
        response: {
          201: ReceiptSchema,
          ...problems(...WRITE_ERRORS, 404),
          ...conflicts('invalid_transition', 'over_receipt', 'idempotency_key_in_use'),
        },
      },
    },
    async (request, reply) =>
      runCommand(deps, request, reply, 201, (tx) =>
        receivePurchaseOrder(tx, deps, storeOf(request), request.params.id, request.body),
      ),
  );
  r.get(
    '/v1/purchase-orders/:id/receipts',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'listReceipts',
        tags: ['Supply'],
        summary: 'Receipts of a purchase order, oldest first',
        params: Type.Object({ id: idOf('po') }),
        querystring: Type.Object(ListQuery, { additionalProperties: false }),
        response: { 200: pageOf(ReceiptSchema), ...problems(...AUTH_ERRORS, 404, 422) },
      },
    },
    async (request) => listReceipts(deps.db, storeOf(request).id, request.params.id, request.query),
  );
  r.get(
    '/v1/receipts/:id',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'getReceipt',
        tags: ['Supply'],
        summary: 'Get a receipt (JSON, without the PO), or its printable pick list (format=csv)',
        description: CSV_DESCRIPTION,
        params: Type.Object({ id: idOf('rcp') }),
        querystring: Type.Object(
          { format: Type.Enum(['json', 'csv'], { default: 'json' }) },
          { additionalProperties: false },
        ),
        response: {
          200: {
            description: 'The receipt, or its pick list',
            content: {
              'application/json': { schema: ReceiptSchema },
              'text/csv': { schema: Type.String() },
            },
          } as unknown as TSchema,
          ...problems(...AUTH_ERRORS, 404, 422),
        },
      },
    },
    async (request, reply) => {
      const storeId = storeOf(request).id;
      if (request.query.format === 'csv') {
        const csv = await receiptPickListCsv(deps.db, storeId, request.params.id);
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `inline; filename="${request.params.id}.csv"`)
          .send(csv);
      }
      return reply
        .type('application/json; charset=utf-8')
        .send(await getReceipt(deps.db, storeId, request.params.id));
    },
  );
  r.get(
    '/v1/receipts/:id/pick-list',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'getReceiptPickList',
        tags: ['Supply'],
        summary: "A receipt's cross-dock pick list, grouped by outbound order (JSON, for printing)",
        description:
          'Which waiting orders the delivery filled and with which units: one entry per order (by order id), ' +
          'its lines by SKU, the order number and customer; then what goes to the shelf. The same rows as ' +
          '`GET /v1/receipts/{id}?format=csv`. Unknown receipt → 404.',
        params: Type.Object({ id: idOf('rcp') }),
        response: { 200: PickListSchema, ...problems(...AUTH_ERRORS, 404, 422) },
      },
    },
    async (request) => receiptPickList(deps.db, storeOf(request).id, request.params.id),
  );
};
