import { Type } from 'typebox';
import { storeOf } from '../../http/auth.ts';
import { runCommand } from '../../http/command.ts';
import { type RouteRegistrar, typed } from '../../http/context.ts';
import {
  AUTH_ERRORS,
  conflicts,
  IdempotencyHeaders,
  idOf,
  problems,
  Text,
  WRITE_ERRORS,
} from '../../http/schemas.ts';
import { LineQuantities } from '../orders/orders.routes.ts';
import { collectBeforeShipping } from '../payments/payments.gates.ts';
import { createShipment } from '../stock/stock.ship.ts';
import { getShipment } from './shipments.usecases.ts';

const ShipmentSchema = Type.Object({
  id: Type.String(),
  orderId: Type.String(),
  carrier: Type.Union([Type.String(), Type.Null()]),
  trackingNumber: Type.Union([Type.String(), Type.Null()]),
  lines: Type.Array(Type.Object({ lineId: Type.String(), sku: Type.String(), quantity: Type.Integer() })),
  createdAt: Type.String({ format: 'date-time' }),
});

export const shipmentsRoutes: RouteRegistrar = (app, { deps }) => {
  const r = typed(app);
  r.post(
    '/v1/orders/:id/shipments',
    {
      config: { access: 'secret', optionalBody: true },
      schema: {
        operationId: 'createShipment',
        tags: ['Shipments'],
        summary: 'Ship allocated units of an order (no lines = every allocated unit; all or nothing)',
        description:
          'Only allocated units ship: more than a line holds → 409 `not_allocated` and nothing ships. ' +
          'Without `lines` (an empty body, `{}` or carrier details only) every allocated unit of the ' +
          'order ships; if none is allocated → 409 `not_allocated`.',
        headers: IdempotencyHeaders,
        params: Type.Object({ id: idOf('ord') }),
        body: Type.Object(
          {
            lines: Type.Optional(LineQuantities),
            carrier: Type.Optional(Text(100)),
            trackingNumber: Type.Optional(Text(200)),
          },
          {
            additionalProperties: false,
            description: 'Optional: an empty body ships every allocated unit',
          },
        ),
        response: {
          201: ShipmentSchema,
          ...problems(...WRITE_ERRORS, 404),
          ...conflicts('not_allocated', 'not_released', 'payment_required', 'idempotency_key_in_use'),
        },
      },
      // No body at all means "ship everything allocated": treat it as {}.
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request, reply) => {
      // Units that just became ready have their money taken now, not on the collector's next run.
      await collectBeforeShipping(deps, storeOf(request), request.params.id);
      return runCommand(deps, request, reply, 201, (tx) =>
        createShipment(tx, deps, storeOf(request), request.params.id, request.body),
      );
    },
  );
  r.get(
    '/v1/shipments/:id',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'getShipment',
        tags: ['Shipments'],
        summary: 'Get a shipment',
        params: Type.Object({ id: idOf('shp') }),
        response: { 200: ShipmentSchema, ...problems(...AUTH_ERRORS, 404) },
      },
    },
    async (request) => getShipment(deps.db, storeOf(request).id, request.params.id),
  );
};
