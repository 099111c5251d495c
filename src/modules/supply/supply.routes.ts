import { Type } from 'typebox';
import { inTransaction } from '../../db/client.ts';
import { storeOf } from '../../http/auth.ts';
import { runCommand } from '../../http/command.ts';
import { type RouteRegistrar, typed } from '../../http/context.ts';
import {
  AUTH_ERRORS,
  conflicts,
  DateText,
  IdempotencyHeaders,
  idOf,
  ListQuery,
  pageOf,
  problems,
  Quantity,
  Sku,
  Text,
  WRITE_ERRORS,
} from '../../http/schemas.ts';
import { receiptsRoutes } from './supply.receipts.routes.ts';
import { PurchaseOrderSchema, PurchaseOrderStatusSchema as Status } from './supply.schemas.ts';
import { suppliersRoutes } from './supply.suppliers.routes.ts';
import {
  createPurchaseOrder,
  getPurchaseOrder,
  listPurchaseOrders,
  transitionPurchaseOrder,
  updatePurchaseOrderDetails,
} from './supply.usecases.ts';

const PurchaseOrderLineInput = Type.Object(
  {
    sku: Sku,
    quantity: Quantity,
    unitCost: Type.Integer({ minimum: 0, maximum: 1_000_000_000, description: 'Minor units' }),
  },
  { additionalProperties: false },
);

const PurchaseOrderBody = Type.Object(
  {
    supplierId: idOf('sup'),
    reference: Type.Optional(Text(200, 'Your own PO number; unique per store')),
    expectedDate: DateText,
    status: Type.Optional(
      Type.Enum(['draft', 'ordered'], {
        default: 'ordered',
        description: 'Only ordered (and partially received) POs count as supply',
      }),
    ),
    lines: Type.Array(PurchaseOrderLineInput, {
      minItems: 1,
      maxItems: 500,
      description: 'Each SKU at most once',
    }),
  },
  { additionalProperties: false },
);

const PurchaseOrderPatch = Type.Object(
  {
    expectedDate: Type.Optional(DateText),
    reason: Type.Optional(Text(500, 'Why the date moved (kept in the date history)')),
    reference: Type.Optional(Type.Union([Text(200), Type.Null()])),
    lines: Type.Optional(
      Type.Array(PurchaseOrderLineInput, {
        minItems: 1,
        maxItems: 500,
        description:
          'The lines the order should have, each SKU once: a SKU on the order keeps its line (and what it received), ' +
          'a new SKU is added, a SKU left out is removed. A line cannot go below what it received.',
      }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
);

const PurchaseOrderParams = Type.Object({ id: idOf('po') });

const TRANSITIONS = [
  {
    action: 'order',
    operationId: 'placePurchaseOrder',
    summary: 'Place a draft purchase order with the supplier (draft → ordered)',
  },
  {
    action: 'cancel',
    operationId: 'cancelPurchaseOrder',
    summary:
      'Cancel a purchase order (draft, ordered or partially received); units not received stop counting',
  },
] as const;

const purchaseOrdersRoutes: RouteRegistrar = (app, { deps }) => {
  const r = typed(app);
  r.post(
    '/v1/purchase-orders',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'createPurchaseOrder',
        tags: ['Supply'],
        summary: 'Record a purchase order; ordered units date the waiting lines of its SKUs',
        description:
          'Unknown SKUs → 422 `unknown_sku` (with the line path), unknown supplier → 422 `unknown_supplier`, ' +
          'a reference already used → 409 `duplicate_reference`.',
        headers: IdempotencyHeaders,
        body: PurchaseOrderBody,
        response: {
          201: PurchaseOrderSchema,
          ...problems(...WRITE_ERRORS),
          ...conflicts('duplicate_reference', 'idempotency_key_in_use'),
        },
      },
    },
    async (request, reply) =>
      runCommand(deps, request, reply, 201, (tx) =>
        createPurchaseOrder(tx, deps, storeOf(request), request.body),
      ),
  );
  r.get(
    '/v1/purchase-orders/:id',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'getPurchaseOrder',
        tags: ['Supply'],
        summary: 'Get a purchase order',
        params: PurchaseOrderParams,
        response: { 200: PurchaseOrderSchema, ...problems(...AUTH_ERRORS, 404, 422) },
      },
    },
    async (request) => getPurchaseOrder(deps.db, storeOf(request).id, request.params.id),
  );
  r.get(
    '/v1/purchase-orders',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'listPurchaseOrders',
        tags: ['Supply'],
        summary: 'List purchase orders, newest first (by status, SKU or supplier)',
        querystring: Type.Object(
          {
            ...ListQuery,
            status: Type.Optional(Status),
            sku: Type.Optional(Sku),
            supplierId: Type.Optional(idOf('sup')),
          },
          { additionalProperties: false },
        ),
        response: { 200: pageOf(PurchaseOrderSchema), ...problems(...AUTH_ERRORS, 422) },
      },
    },
    async (request) => listPurchaseOrders(deps.db, storeOf(request).id, request.query),
  );
  r.patch(
    '/v1/purchase-orders/:id',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'patchPurchaseOrder',
        tags: ['Supply'],
        summary: 'Move the expected date (kept in the date history), change the reference or the lines',
        description:
          'A date move or a change of lines re-dates the waiting lines of the PO’s SKUs (`backorder.eta_changed` events). ' +
          '`lines` replaces the lines, matched by SKU. ' +
          'Received or cancelled POs → 409 `purchase_order_closed`; a line cut below (or a line removed with) units ' +
          'already received → 409 `below_received`; an unknown SKU → 422 `unknown_sku`.',
        params: PurchaseOrderParams,
        body: PurchaseOrderPatch,
        response: {
          200: PurchaseOrderSchema,
          ...problems(...WRITE_ERRORS, 404),
          ...conflicts('purchase_order_closed', 'duplicate_reference', 'below_received'),
        },
      },
    },
    async (request) =>
      inTransaction(deps.db, (tx) =>
        updatePurchaseOrderDetails(tx, deps, storeOf(request), request.params.id, request.body),
      ),
  );
  for (const { action, operationId, summary } of TRANSITIONS) {
    r.post(
      `/v1/purchase-orders/:id/${action}`,
      {
        config: { access: 'secret', optionalBody: true },
        schema: {
          operationId,
          tags: ['Supply'],
          summary,
          description: 'Any other starting status → 409 `invalid_transition` (with the current `status`).',
          headers: IdempotencyHeaders,
          params: PurchaseOrderParams,
          body: Type.Object({}, { additionalProperties: false, description: 'Optional; no fields' }),
          response: {
            200: PurchaseOrderSchema,
            ...problems(...WRITE_ERRORS, 404),
            ...conflicts('invalid_transition', 'idempotency_key_in_use'),
          },
        },
        // No body at all is the usual call: treat it as {}.
        preValidation: async (request) => {
          request.body ??= {};
        },
      },
      async (request, reply) =>
        runCommand(deps, request, reply, 200, (tx) =>
          transitionPurchaseOrder(tx, deps, storeOf(request), request.params.id, action),
        ),
    );
  }
};

/** Suppliers, purchase orders and receiving. */
export const supplyRoutes: RouteRegistrar = (app, ctx) => {
  suppliersRoutes(app, ctx);
  purchaseOrdersRoutes(app, ctx);
  receiptsRoutes(app, ctx);
};
