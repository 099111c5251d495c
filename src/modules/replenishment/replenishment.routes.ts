/** `/v1/replenishment/…`: settings, per-variant rules, suppliers' automatic mode, and the run. */
import { type TSchema, Type } from 'typebox';
import { storeOf } from '../../http/auth.ts';
import { runCommand } from '../../http/command.ts';
import { type RouteRegistrar, typed } from '../../http/context.ts';
import {
  AUTH_ERRORS,
  conflicts,
  DateText,
  IdempotencyHeaders,
  Nullable,
  problems,
  Sku,
  WRITE_ERRORS,
} from '../../http/schemas.ts';
import {
  getReplenishmentSettings,
  patchReplenishmentSettings,
  putReplenishmentRule,
  runReplenishment,
  setSupplierMode,
} from './replenishment.usecases.ts';

const tags = ['Replenishment'];
const ServiceLevel = Type.Number({
  minimum: 0.5,
  maximum: 0.9999,
  description: 'Target service level: the chance of not running out before the next delivery (0.95)',
});
const Units = (description: string) =>
  Nullable(Type.Integer({ minimum: 0, maximum: 10_000_000, description }));
const PositiveUnits = (description: string) =>
  Nullable(Type.Integer({ minimum: 1, maximum: 10_000_000, description }));

const SettingsSchema = Type.Object({
  serviceLevel: ServiceLevel,
  reviewDays: Type.Integer({
    minimum: 1,
    maximum: 90,
    description: 'Days an order covers beyond the lead time',
  }),
  historyDays: Type.Integer({
    minimum: 28,
    maximum: 1100,
    description: 'Days of demand history forecasts read',
  }),
});

const RuleBody = Type.Object(
  {
    serviceLevel: Type.Optional(Nullable(ServiceLevel)),
    min: Type.Optional(
      Units('Min/max rule: reorder when the position falls to this (replaces the forecast)'),
    ),
    max: Type.Optional(Units('… and order up to this; given with `min`')),
    moq: Type.Optional(PositiveUnits('Minimum order quantity')),
    packSize: Type.Optional(PositiveUnits('Units per pack: orders are whole packs')),
    maxOrder: Type.Optional(PositiveUnits('Most units one order may hold')),
  },
  { additionalProperties: false },
);
const RuleSchema = Type.Object({
  sku: Type.String(),
  serviceLevel: Nullable(Type.Number()),
  min: Nullable(Type.Integer()),
  max: Nullable(Type.Integer()),
  moq: Nullable(Type.Integer()),
  packSize: Nullable(Type.Integer()),
  maxOrder: Nullable(Type.Integer()),
});

const PlanSchema = Type.Object({
  sku: Type.String(),
  basis: Type.Enum(['forecast', 'min_max'], {
    description: 'min_max: the variant’s rule replaced the forecast',
  }),
  method: Type.String({
    description: 'The forecast method chosen by backtest (`mean` with too little history)',
  }),
  serviceLevel: Type.Number(),
  leadTimeDays: Type.Integer(),
  protectionDays: Type.Integer({ description: 'Lead time plus the supplier’s mean lateness (rounded up)' }),
  forecastOverLeadTime: Type.Number({ description: 'Forecast demand over the protection period' }),
  safetyStock: Type.Number(),
  reorderPoint: Type.Number(),
  orderUpTo: Type.Number(),
  onHand: Type.Integer(),
  allocated: Type.Integer(),
  waiting: Type.Integer({ description: 'Units owed to waiting backorders' }),
  onOrder: Type.Integer({ description: 'Units on ordered purchase orders not yet received' }),
  position: Type.Integer({ description: 'onHand − allocated − waiting + onOrder' }),
  quantity: Type.Integer({ description: 'Units to order now (after MOQ, packs and maximum); 0: none' }),
  lastOrderDate: Nullable({
    ...DateText,
    description: 'Last day to order and still keep the promises made to waiting lines no open PO covers',
  }),
});

const RunSchema = Type.Object({
  runAt: Type.String({ format: 'date-time' }),
  drafts: Type.Array(
    Type.Object({
      purchaseOrderId: Type.String(),
      supplierId: Type.String(),
      status: Type.Enum(['draft', 'ordered'], { description: 'ordered: the supplier is in automatic mode' }),
      expectedDate: DateText,
      emailMessageId: Nullable(Type.String({ description: 'The email to the supplier (automatic mode)' })),
      lines: Type.Array(PlanSchema),
    }),
  ),
  plans: Type.Array(PlanSchema, { description: 'Every SKU with a supplier, ordered or not' }),
  replacedDrafts: Type.Array(Type.String(), {
    description: 'Unordered drafts of earlier runs, now cancelled',
  }),
});

const ok200 = (schema: TSchema) => ({ 200: schema });

export const replenishmentRoutes: RouteRegistrar = (app, { deps }) => {
  const r = typed(app);
  r.get(
    '/v1/replenishment/settings',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'getReplenishmentSettings',
        tags,
        summary: 'Replenishment defaults: service level, review period, history read',
        description: 'Errors: 401/403 authentication, 429.',
        response: { ...ok200(SettingsSchema), ...problems(...AUTH_ERRORS) },
      },
    },
    async (request) => getReplenishmentSettings(deps.db, storeOf(request).id),
  );
  r.patch(
    '/v1/replenishment/settings',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'patchReplenishmentSettings',
        tags,
        summary: 'Change the replenishment defaults',
        description: 'Errors: 400 malformed, 401/403 authentication, 413, 422 `validation_failed`, 429.',
        headers: IdempotencyHeaders,
        body: Type.Partial(SettingsSchema, { additionalProperties: false, minProperties: 1 }),
        response: {
          ...ok200(SettingsSchema),
          ...problems(...WRITE_ERRORS),
          ...conflicts('idempotency_key_in_use'),
        },
      },
    },
    async (request, reply) =>
      runCommand(deps, request, reply, 200, (tx) =>
        patchReplenishmentSettings(tx, deps, storeOf(request).id, request.body),
      ),
  );
  r.put(
    '/v1/replenishment/rules/:sku',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'putReplenishmentRule',
        tags,
        summary: "Set a variant's replenishment rule (service level, min/max, MOQ, pack size, maximum)",
        description:
          'Replaces the rule; fields left out are cleared. Errors: 400 malformed, 401/403 authentication, 404 ' +
          '`not_found` (unknown SKU), 413, 422 `validation_failed` (min without max, max below min), 429.',
        headers: IdempotencyHeaders,
        params: Type.Object({ sku: Sku }),
        body: RuleBody,
        response: {
          ...ok200(RuleSchema),
          ...problems(...WRITE_ERRORS, 404),
          ...conflicts('idempotency_key_in_use'),
        },
      },
    },
    async (request, reply) =>
      runCommand(deps, request, reply, 200, (tx) =>
        putReplenishmentRule(tx, deps, storeOf(request).id, request.params.sku, request.body),
      ),
  );
  r.put(
    '/v1/replenishment/suppliers/:supplierId',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'putReplenishmentSupplier',
        tags,
        summary: 'Automatic mode for a supplier: runs order its drafts and email them (CSV attached)',
        description:
          'Errors: 400 malformed, 401/403 authentication, 404 `not_found` (unknown supplier), 413, 422, 429.',
        headers: IdempotencyHeaders,
        params: Type.Object({ supplierId: Type.String({ minLength: 1, maxLength: 100 }) }),
        body: Type.Object({ automatic: Type.Boolean() }, { additionalProperties: false }),
        response: {
          ...ok200(Type.Object({ supplierId: Type.String(), automatic: Type.Boolean() })),
          ...problems(...WRITE_ERRORS, 404),
          ...conflicts('idempotency_key_in_use'),
        },
      },
    },
    async (request, reply) =>
      runCommand(deps, request, reply, 200, (tx) =>
        setSupplierMode(tx, deps, storeOf(request).id, request.params.supplierId, request.body.automatic),
      ),
  );
  r.post(
    '/v1/replenishment/run',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'runReplenishment',
        tags,
        summary: 'Plan every SKU with a supplier and draft purchase orders by supplier, each line explained',
        description:
          'Forecasts each SKU’s daily demand (orders and refusals) with the automatic method choice, sets safety ' +
          'stock for the service level over the supplier’s lead time and lateness, a reorder point counting ' +
          'waiting backorders and open purchase orders, and an order quantity within MOQ, packs and maximum ' +
          '(min/max rules replace the forecast). Drafts from earlier runs not yet ordered are cancelled. Order a ' +
          'draft with `POST /v1/purchase-orders/{id}/order`; suppliers in automatic mode are ordered and emailed ' +
          'at once. Errors: 400 malformed, 401/403 authentication, 413, 422, 429; 409 `idempotency_key_in_use`.',
        headers: IdempotencyHeaders,
        response: {
          ...ok200(RunSchema),
          ...problems(...WRITE_ERRORS),
          ...conflicts('idempotency_key_in_use'),
        },
      },
    },
    async (request, reply) =>
      runCommand(deps, request, reply, 200, (tx) => runReplenishment(tx, deps, storeOf(request))),
  );
};
