import { Type } from 'typebox';
import { storeOf } from '../../http/auth.ts';
import { type RouteRegistrar, typed } from '../../http/context.ts';
import { AUTH_ERRORS, Nullable, problems } from '../../http/schemas.ts';
import { readOverview } from './overview.queries.ts';

const Count = (description: string) => Type.Integer({ minimum: 0, description });

const OverviewSchema = Type.Object({
  waitingUnits: Count('Units waiting in every queue of the store'),
  waitingOrders: Count('Orders with at least one waiting line'),
  oldestWaitingSince: Nullable(
    Type.String({
      format: 'date-time',
      description: 'When the longest-waiting line was placed; null: none waits',
    }),
  ),
  atRiskLines: Count(
    'Waiting lines whose promise is at risk: today (store time) is past their `etaLatest`, or their units ' +
      'wait for a purchase order whose expected date has passed',
  ),
  latePurchaseOrders: Count('Purchase orders ordered (or partly received) whose expected date has passed'),
  prepaidHeld: Type.Object(
    {
      amount: Type.Integer({ minimum: 0, description: 'Minor units' }),
      currency: Type.String(),
    },
    { description: 'Money collected for units not shipped yet (stores whose payments Backfill manages)' },
  ),
  messagesFailedToday: Count('Messages given up since midnight, store time'),
  filledToday: Type.Object(
    { units: Count('Units'), lines: Count('Order lines') },
    {
      description:
        'Waiting units that stock reached since midnight, store time (restocks, receipts, releases)',
    },
  ),
  asOf: Type.String({ format: 'date-time' }),
});

export const overviewRoutes: RouteRegistrar = (app, { deps }) => {
  typed(app).get(
    '/v1/overview',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'getOverview',
        tags: ['Overview'],
        summary: "The store's backorders at a glance: what waits, what is late, money held, today's fills",
        response: { 200: OverviewSchema, ...problems(...AUTH_ERRORS) },
      },
    },
    async (request) => readOverview(deps, storeOf(request)),
  );
};
