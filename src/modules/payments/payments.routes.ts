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
import { collectPayments } from './payments.collector.ts';
import { paymentsSummary } from './payments.summary.ts';
import { getOrderPayments, reportPayment } from './payments.usecases.ts';

const Money = (description: string) => Type.Integer({ description: `${description} (minor units)` });

const LinePaymentSchema = Type.Object({
  lineId: Type.String(),
  sku: Type.String(),
  mode: Type.Enum(['upfront', 'on_ship', 'deposit']),
  amount: Money("The line's price after its share of the discount"),
  discount: Money('Its share of the order discount'),
  deposit: Money('Deposit on the whole line (deposit mode)'),
  captured: Money('Taken so far'),
  refunded: Money('Given back so far'),
  paid: Money('captured − refunded'),
  due: Money('Due now: ready units, a deposit, or an upfront line'),
  balance: Money('Still to come before every unit not cancelled is paid for'),
  authorised: Money('Held on the card by open authorisations'),
  status: Type.Enum(['paid', 'due', 'action_required', 'awaiting', 'refund_due', 'settled'], {
    description:
      '`due`: money is due and being collected; `action_required`: a collection failed and the shopper was asked to act; `awaiting`: nothing due until units are ready; `refund_due`: a refund is on its way',
  }),
  payBy: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
    description: 'When the grace period ends and unpaid units go to the next in line',
  }),
});

const OrderPaymentsSchema = Type.Object({
  orderId: Type.String(),
  provider: Type.Enum(['manual', 'stripe']),
  currency: Type.String(),
  total: Type.Integer(),
  paid: Type.Integer(),
  due: Type.Integer(),
  balance: Type.Integer(),
  lines: Type.Array(LinePaymentSchema),
  holds: Type.Array(
    Type.Object({
      id: Type.String(),
      lineId: Type.String(),
      state: Type.Enum(['authorised', 'captured', 'voided', 'expired']),
      authorised: Type.Integer(),
      captured: Type.Integer(),
      refunded: Type.Integer(),
      expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    }),
  ),
  attempts: Type.Array(
    Type.Object(
      {
        id: Type.String(),
        lineId: Type.String(),
        operation: Type.Enum(['authorise', 'capture', 'charge', 'refund', 'void', 'save_method', 'report']),
        amount: Type.Integer(),
        status: Type.Enum(['pending', 'succeeded', 'requires_action', 'failed']),
        reason: Type.Union([Type.String(), Type.Null()]),
        message: Type.Union([Type.String(), Type.Null()]),
        idempotencyKey: Type.String({ description: 'Sent to the provider with the call' }),
        createdAt: Type.String({ format: 'date-time' }),
        settledAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
      },
      { description: 'Every provider call (and every reported payment); `pending` = outcome not known yet' },
    ),
  ),
});

const SummarySchema = Type.Object({
  currency: Type.String(),
  prepaidHeld: Money('Captured for units not yet shipped'),
  depositsHeld: Money('Deposits held on units not yet ready'),
  balanceOutstanding: Money('Still to collect on units not cancelled'),
  authorised: Money('Held by open authorisations'),
  refunds: Type.Object({ count: Type.Integer(), amount: Type.Integer() }),
  failures: Type.Object({
    lines: Type.Integer({ description: 'Lines waiting for the shopper to pay' }),
    amount: Type.Integer(),
    failedAttempts: Type.Integer(),
  }),
  inDoubt: Type.Object({ attempts: Type.Integer(), amount: Type.Integer() }),
});

const OrderParams = Type.Object({ id: idOf('ord') });

export const paymentsRoutes: RouteRegistrar = (app, { deps }) => {
  const r = typed(app);
  r.get(
    '/v1/orders/:id/payments',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'getOrderPayments',
        tags: ['Payments'],
        summary: "An order's money: per line, its holds, and every provider call",
        params: OrderParams,
        response: {
          200: OrderPaymentsSchema,
          ...problems(...AUTH_ERRORS, 404),
          ...conflicts('payments_not_managed'),
        },
      },
    },
    async (request) => getOrderPayments(deps.db, storeOf(request).id, request.params.id),
  );
  r.post(
    '/v1/orders/:id/payments',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'reportPayment',
        tags: ['Payments'],
        summary: 'Report money the store’s platform took (provider `manual`)',
        description:
          'Books the amount against the line named, or spreads it over the order’s lines in order, each up to what it is due now. More than is due → 409 `overpayment`; nothing is booked.',
        headers: IdempotencyHeaders,
        params: OrderParams,
        body: Type.Object(
          {
            amount: Type.Integer({ minimum: 1, maximum: 100_000_000_000 }),
            currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })),
            lineId: Type.Optional(idOf('line')),
            reference: Type.Optional(Text(255, 'The platform’s payment id')),
          },
          { additionalProperties: false },
        ),
        response: {
          201: OrderPaymentsSchema,
          ...problems(...WRITE_ERRORS, 404),
          ...conflicts('provider_mismatch', 'overpayment', 'payments_not_managed', 'idempotency_key_in_use'),
        },
      },
    },
    async (request, reply) =>
      runCommand(deps, request, reply, 201, (tx) =>
        reportPayment(tx, deps, storeOf(request), request.params.id, request.body),
      ),
  );
  r.post(
    '/v1/orders/:id/payments/collect',
    {
      config: { access: 'secret', optionalBody: true },
      schema: {
        operationId: 'collectOrderPayments',
        tags: ['Payments'],
        summary: 'Move the order’s money now instead of waiting for the collector',
        description:
          'Captures what is due, refunds what is owed and settles calls left in doubt, as the background collector would; safe to repeat. ' +
          'A card that was declined is retried on its schedule (1 h, 6 h, then daily): before then it is left alone unless `force` is true.',
        params: OrderParams,
        body: Type.Object(
          {
            force: Type.Optional(
              Type.Boolean({ description: 'Retry a declined card now, before its retry is due' }),
            ),
          },
          { additionalProperties: false, description: 'Optional' },
        ),
        response: {
          200: OrderPaymentsSchema,
          ...problems(...WRITE_ERRORS, 404),
          ...conflicts('payments_not_managed'),
        },
      },
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request) => {
      const store = storeOf(request);
      await getOrderPayments(deps.db, store.id, request.params.id); // 404 / 409 before any call
      if (deps.providers) {
        await collectPayments(deps, deps.providers, {
          storeIds: [store.id],
          orderId: request.params.id,
          everyLine: true,
          ignoreRetrySchedule: request.body.force === true,
        });
      }
      return getOrderPayments(deps.db, store.id, request.params.id);
    },
  );
  r.get(
    '/v1/payments/summary',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'getPaymentsSummary',
        tags: ['Payments'],
        summary: 'Prepaid cash held, deposits, balances outstanding, refunds, failures and calls in doubt',
        response: { 200: SummarySchema, ...problems(...AUTH_ERRORS) },
      },
    },
    async (request) => paymentsSummary(deps.db, storeOf(request)),
  );
};
