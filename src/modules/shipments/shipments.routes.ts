import { Type } from 'typebox';
import { storeOf } from '../../http/auth.ts';
import { runCommand } from '../../http/command.ts';
import { type RouteRegistrar, typed } from '../../http/context.ts';
import { AUTH_ERRORS, IdempotencyHeaders, idOf, problems, Text, WRITE_ERRORS } from '../../http/schemas.ts';
import { LineQuantities } from '../orders/orders.routes.ts';
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
      config: { access: 'secret' },
      schema: {
        tags: ['Shipments'],
        summary: 'Ship allocated units of an order (all or nothing)',
        headers: IdempotencyHeaders,
        params: Type.Object({ id: idOf('ord') }),
        body: Type.Object(
          {
            lines: LineQuantities,
            carrier: Type.Optional(Text(100)),
            trackingNumber: Type.Optional(Text(200)),
          },
          { additionalProperties: false },
        ),
        response: { 201: ShipmentSchema, ...problems(...WRITE_ERRORS, 404, 409) },
      },
    },
    async (request, reply) =>
      runCommand(deps, request, reply, 201, (tx) =>
        createShipment(tx, deps, storeOf(request), request.params.id, request.body),
      ),
  );
  r.get(
    '/v1/shipments/:id',
    {
      config: { access: 'secret' },
      schema: {
        tags: ['Shipments'],
        summary: 'Get a shipment',
        params: Type.Object({ id: idOf('shp') }),
        response: { 200: ShipmentSchema, ...problems(...AUTH_ERRORS, 404) },
      },
    },
    async (request) => getShipment(deps.db, storeOf(request).id, request.params.id),
  );
};
