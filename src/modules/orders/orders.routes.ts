import { Type } from 'typebox';
import { findStored } from '../../db/idempotency.repository.ts';
import { storeOf } from '../../http/auth.ts';
import { idempotencyClaim, runCommand, sendOutcome } from '../../http/command.ts';
import { type RouteRegistrar, typed } from '../../http/context.ts';
import { type CsvColumn, FormatQuery, listOrCsv, sendCsvList } from '../../http/csv-export.ts';
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
  Text,
  WRITE_ERRORS,
} from '../../http/schemas.ts';
import { ShippingMethodCode } from '../shipping/shipping.routes.ts';
import { requireOfferedMethod } from '../shipping/shipping.settings.ts';
import { ORDER_STATUSES } from '../stock/stock.lines.models.ts';
import { getOrder } from '../stock/stock.orders.ts';
import { cancelOrder } from '../stock/stock.release.ts';
import type { OrderView } from '../stock/stock.views.ts';
import { orderTimelineRoutes } from './orders.timeline.routes.ts';
import { type BackorderView, listBackorders, listOrders } from './orders.usecases.ts';
import { placedOrderResponse, withDeliveries } from './orders.views.ts';

const CustomerSchema = Type.Object(
  {
    email: Type.Optional(Type.String({ format: 'email', maxLength: 320 })),
    name: Type.Optional(Text(200)),
    phone: Type.Optional(Type.String({ pattern: '^\\+?[0-9 ()./-]{3,32}$' })),
  },
  { additionalProperties: false },
);

const OrderStatus = Type.Enum([...ORDER_STATUSES]);

const DateOrNull = (description: string) =>
  Type.Union([Type.String({ format: 'date' }), Type.Null()], { description });

/** A line's promise: when its remaining units should ship, in the store's time zone. */
export const PromiseFields = {
  eta: DateOrNull(
    'Promised ship date (YYYY-MM-DD) of the remaining units; null once nothing is left to ship',
  ),
  etaLatest: DateOrNull("Latest likely ship date, from the supplier's measured lateness"),
  etaSource: Type.Union([Type.Enum(['stock', 'purchase_order', 'lead_time', 'merchant_date']), Type.Null()], {
    description:
      'What the date rests on: units in stock, an open purchase order, the supplier lead time, or a date the merchant set (restock or pre-order release)',
  }),
};

const LineSchema = Type.Object({
  id: Type.String(),
  sku: Type.String(),
  quantity: Type.Integer(),
  unitPrice: Type.Integer(),
  allocatedQuantity: Type.Integer(),
  backorderedQuantity: Type.Integer(),
  shippedQuantity: Type.Integer(),
  cancelledQuantity: Type.Integer(),
  queuePosition: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], {
    description: "1-based place of the line's waiting units in the SKU's queue",
  }),
  ...PromiseFields,
  shippingMethod: Type.Union([Type.String(), Type.Null()], {
    description:
      "The method the line ships with: its order's, an upgrade (a `free_express` delay incentive), or the store's default; null = none",
  }),
  deliveryEta: DateOrNull(
    'Earliest delivery (YYYY-MM-DD) by its method: `eta` plus the shortest transit, in working days; null without a method or once nothing is left to ship',
  ),
  deliveryEtaLatest: DateOrNull(
    'Latest likely delivery: `etaLatest` plus the longest transit, in working days',
  ),
  status: Type.Enum(['backordered', 'allocated', 'shipped', 'cancelled']),
});

export const OrderSchema = Type.Object({
  id: Type.String(),
  externalId: Type.Union([Type.String(), Type.Null()]),
  number: Type.String({
    description:
      'What the shopper is shown as the order number: the externalId, else a short form of the id ("K7Q2M-9XDAB")',
  }),
  shippingMethod: Type.Union([Type.String(), Type.Null()], {
    description: 'The shipping method the order named (null: none; its lines ship by the default)',
  }),
  status: OrderStatus,
  customer: CustomerSchema,
  currency: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  lines: Type.Array(LineSchema),
});

const PlaceOrderBody = Type.Object(
  {
    externalId: Type.Optional(Text(200, 'Your platform’s order id; unique per store')),
    customer: Type.Optional(CustomerSchema),
    currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })),
    lines: Type.Array(
      Type.Object(
        {
          sku: Sku,
          quantity: Quantity,
          unitPrice: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000_000 })),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 100 },
    ),
    discount: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 100_000_000_000,
        description: 'Order-level discount in minor units, shared by the lines in proportion to their totals',
      }),
    ),
    payment: Type.Optional(
      Type.Object(
        {
          customerId: Type.Optional(Text(255, 'The shopper at the payment provider (Stripe: `cus_…`)')),
          paymentMethodId: Type.Optional(
            Text(255, 'The saved method to authorise or charge (Stripe: `pm_…`)'),
          ),
        },
        {
          additionalProperties: false,
          description: 'How the shopper pays, for stores whose payments Backfill manages',
        },
      ),
    ),
    shipComplete: Type.Optional(
      Type.Boolean({
        description: 'Ship the order in one shipment: no line is charged as ready until every unit is',
      }),
    ),
    shippingMethod: Type.Optional(ShippingMethodCode),
  },
  { additionalProperties: false },
);

const LineQuantities = Type.Array(
  Type.Object({ lineId: idOf('line'), quantity: Quantity }, { additionalProperties: false }),
  { minItems: 1, maxItems: 100 },
);

const OrderParams = Type.Object({ id: idOf('ord') });

const BackorderSchema = Type.Object({
  orderId: Type.String(),
  lineId: Type.String(),
  sku: Type.String(),
  quantity: Type.Integer({ description: "The line's ordered quantity (as on the order)" }),
  backorderedQuantity: Type.Integer({ description: 'Units of the line still waiting in the queue' }),
  position: Type.Integer({ minimum: 1 }),
  placedAt: Type.String({ format: 'date-time' }),
  customer: CustomerSchema,
  ...PromiseFields,
});

const BACKORDER_COLUMNS: CsvColumn<BackorderView>[] = [
  { name: 'orderId', value: (b) => b.orderId },
  { name: 'lineId', value: (b) => b.lineId },
  { name: 'sku', value: (b) => b.sku },
  { name: 'quantity', value: (b) => b.quantity },
  { name: 'backorderedQuantity', value: (b) => b.backorderedQuantity },
  { name: 'position', value: (b) => b.position },
  { name: 'placedAt', value: (b) => b.placedAt },
  { name: 'customer.email', value: (b) => b.customer.email },
  { name: 'customer.name', value: (b) => b.customer.name },
  { name: 'customer.phone', value: (b) => b.customer.phone },
  { name: 'eta', value: (b) => b.eta },
  { name: 'etaLatest', value: (b) => b.etaLatest },
  { name: 'etaSource', value: (b) => b.etaSource },
];

export const ordersRoutes: RouteRegistrar = (app, ctx) => {
  const { deps, placement, beforePlacement } = ctx;
  const r = typed(app);
  orderTimelineRoutes(app, ctx);
  r.post(
    '/v1/orders',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'createOrder',
        tags: ['Orders'],
        summary: 'Place an order: each line is allocated from stock, the rest waits in the SKU queue',
        description:
          'All or nothing: if any line cannot be accepted the order is refused with 409 `insufficient_stock` ' +
          '(extension members `sku`, `available`, `backorderRemaining`).',
        headers: IdempotencyHeaders,
        body: PlaceOrderBody,
        response: {
          201: OrderSchema,
          ...problems(...WRITE_ERRORS, 503),
          ...conflicts('insufficient_stock', 'duplicate_external_id', 'idempotency_key_in_use'),
        },
      },
    },
    async (request, reply) => {
      const store = storeOf(request);
      const idempotency = idempotencyClaim(request);
      // A retry of an order already placed replays it; only a new one is checked (its payment
      // method, its shipping method).
      const named = request.body.shippingMethod ?? null;
      if (!idempotency || !(await findStored(deps.db, idempotency))) {
        for (const check of beforePlacement) await check(store, request.body);
        if (named !== null) {
          await requireOfferedMethod(deps.db, store.id, named, '/shippingMethod', { cached: true });
        }
      }
      const result = await placement.place({ store, input: request.body, idempotency });
      const outcome = result.outcome.ok
        ? {
            ...result.outcome,
            body: await placedOrderResponse(
              deps.db,
              store,
              result.outcome.body as OrderView,
              named,
              deps.clock.now(),
            ),
          }
        : result.outcome;
      return sendOutcome(reply, outcome, result.replayed);
    },
  );
  r.get(
    '/v1/orders/:id',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'getOrder',
        tags: ['Orders'],
        summary: 'Get an order',
        params: OrderParams,
        response: { 200: OrderSchema, ...problems(...AUTH_ERRORS, 404) },
      },
    },
    async (request) => {
      const store = storeOf(request);
      const order = await getOrder(deps.db, store.id, request.params.id);
      return (await withDeliveries(deps.db, store, [order], deps.clock.now()))[0]!;
    },
  );
  r.get(
    '/v1/orders',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'listOrders',
        tags: ['Orders'],
        summary: 'List orders, newest first (by status; a customer by email or name; by external id)',
        description:
          '`email` finds a customer’s orders: an exact match, ignoring case (`Ada@Example.com` finds ' +
          '`ada@example.com`). `name` finds orders whose customer name starts with it, ignoring case ' +
          '(`ada lo` finds “Ada Lovelace”; `%` and `_` match themselves). `externalId` finds the order ' +
          'your platform knows by that id (exact). All combine with each other, `status` and cursor pages.',
        querystring: Type.Object(
          {
            ...ListQuery,
            status: Type.Optional(OrderStatus),
            email: Type.Optional(
              Type.String({
                minLength: 1,
                maxLength: 320,
                description: "The customer's email address, compared ignoring case",
              }),
            ),
            name: Type.Optional(
              Type.String({
                minLength: 1,
                maxLength: 200,
                description: "The start of the customer's name, compared ignoring case",
              }),
            ),
            externalId: Type.Optional(
              Type.String({ minLength: 1, maxLength: 200, description: 'Your platform’s order id, exactly' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: pageOf(OrderSchema), ...problems(...AUTH_ERRORS, 422) },
      },
    },
    async (request) => {
      const store = storeOf(request);
      const page = await listOrders(deps.db, store.id, request.query);
      return { ...page, data: await withDeliveries(deps.db, store, page.data, deps.clock.now()) };
    },
  );
  r.post(
    '/v1/orders/:id/cancel',
    {
      config: { access: 'secret', optionalBody: true },
      schema: {
        operationId: 'cancelOrder',
        tags: ['Orders'],
        summary: 'Cancel units (no lines = everything not yet shipped); released units go to the queue head',
        headers: IdempotencyHeaders,
        params: OrderParams,
        body: Type.Object(
          { lines: Type.Optional(LineQuantities), reason: Type.Optional(Text(500)) },
          {
            additionalProperties: false,
            description: 'Optional: an empty body cancels everything not yet shipped',
          },
        ),
        response: {
          200: OrderSchema,
          ...problems(...WRITE_ERRORS, 404),
          ...conflicts('already_shipped', 'balance_below_minimum', 'idempotency_key_in_use'),
        },
      },
      // No body at all means "cancel everything": treat it as {}.
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request, reply) =>
      runCommand(deps, request, reply, 200, async (tx) => {
        const store = storeOf(request);
        const order = await cancelOrder(tx, deps, store, request.params.id, request.body);
        return (await withDeliveries(tx, store, [order], deps.clock.now()))[0]!;
      }),
  );
  r.get(
    '/v1/backorders',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'listBackorders',
        tags: ['Orders'],
        summary: 'Waiting lines in queue order (one SKU, or all SKUs by SKU; JSON or CSV)',
        description:
          '`quantity` is the line’s ordered quantity, `backorderedQuantity` its units still waiting. ' +
          '`format=csv` answers `text/csv` with a header row (' +
          BACKORDER_COLUMNS.map((c) => c.name).join(',') +
          '): every waiting line without `limit`; with `limit`, one page and the next cursor in ' +
          '`X-Next-Cursor` and `Link`.',
        querystring: Type.Object(
          { ...ListQuery, ...FormatQuery, sku: Type.Optional(Sku) },
          { additionalProperties: false },
        ),
        response: {
          200: listOrCsv(pageOf(BackorderSchema), BACKORDER_COLUMNS),
          ...problems(...AUTH_ERRORS, 422),
        },
      },
    },
    async (request, reply) => {
      const storeId = storeOf(request).id;
      const { format, sku, limit, cursor } = request.query;
      if (format === 'csv') {
        return sendCsvList(request, reply, {
          filename: sku === undefined ? 'backorders.csv' : `backorders-${sku}.csv`,
          columns: BACKORDER_COLUMNS,
          query: request.query,
          page: (pageLimit, pageCursor) =>
            listBackorders(deps.db, storeId, { sku, limit: pageLimit, cursor: pageCursor }),
        });
      }
      return reply
        .type('application/json; charset=utf-8')
        .send(await listBackorders(deps.db, storeId, { sku, limit, cursor }));
    },
  );
};

export { LineQuantities };
