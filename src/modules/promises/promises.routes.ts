import { Type } from 'typebox';
import { storeOf } from '../../http/auth.ts';
import { type RouteRegistrar, typed } from '../../http/context.ts';
import { DateText, problems, Quantity, Sku, WRITE_ERRORS } from '../../http/schemas.ts';
import { PromiseFields } from '../orders/orders.routes.ts';
import { simulateRestock } from './promises.simulation.ts';

/** Who the line is for: the order number the shopper knows and the order's customer. */
const Who = {
  number: Type.String({ description: 'The order number the shopper knows' }),
  customer: Type.Object({
    name: Type.Union([Type.String(), Type.Null()]),
    email: Type.Union([Type.String(), Type.Null()]),
  }),
};

const SimulationSchema = Type.Object({
  sku: Type.String(),
  quantity: Type.Integer(),
  date: Type.String({ format: 'date' }),
  filled: Type.Array(
    Type.Object({
      orderId: Type.String(),
      lineId: Type.String(),
      position: Type.Integer({ minimum: 1, description: 'Place in the queue today' }),
      quantity: Type.Integer({ description: 'Units this line would receive' }),
      previousEta: Type.Union([Type.String(), Type.Null()], { description: "The line's promise date now" }),
      ...Who,
    }),
    { description: 'Lines the arriving units would reach, in queue order' },
  ),
  putaway: Type.Integer({ description: 'Units left for the shelf' }),
  rescheduled: Type.Array(
    Type.Object({
      orderId: Type.String(),
      lineId: Type.String(),
      position: Type.Integer({ minimum: 1 }),
      waitingQuantity: Type.Integer(),
      previousEta: Type.Union([Type.String(), Type.Null()]),
      ...PromiseFields,
      ...Who,
    }),
    { description: 'Waiting lines whose promise would change, head first (at most `show`)' },
  ),
  rescheduledCount: Type.Integer({ description: 'How many waiting lines would get a new promise' }),
});

export const promisesRoutes: RouteRegistrar = (app, { deps }) => {
  typed(app).post(
    '/v1/simulations/restock',
    {
      config: { access: 'secret', readOnly: true },
      schema: {
        operationId: 'simulateRestock',
        tags: ['Promises'],
        summary: 'What-if: which lines a restock would fill, and the new dates of the rest (changes nothing)',
        description:
          'Units arriving today (or without a date) go to the head of the queue at once, as a restock does; ' +
          'a later date adds them to the known supply in date order. Nothing is written.',
        body: Type.Object(
          {
            sku: Sku,
            quantity: Quantity,
            date: Type.Optional(DateText),
            show: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000, default: 100 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: SimulationSchema, ...problems(...WRITE_ERRORS, 404) },
      },
    },
    async (request) => simulateRestock(deps.db, storeOf(request), request.body, deps.clock.now()),
  );
};
