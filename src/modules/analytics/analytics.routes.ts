/**
 * `/v1/analytics/…`: what backorders reveal, read-only. Every report answers JSON, or with
 * `format=csv` its rows as text/csv (a header of the row fields).
 */
import type { FastifyReply } from 'fastify';
import { type TSchema, Type } from 'typebox';
import { storeOf } from '../../http/auth.ts';
import { type RouteRegistrar, typed } from '../../http/context.ts';
import { AUTH_ERRORS, DateText, Nullable, problems, Sku } from '../../http/schemas.ts';
import { type CsvValue, csvRow } from '../../shared/csv.ts';
import { requireCalendarDate } from '../../shared/dates.ts';
import { invalid } from '../../shared/errors.ts';
import type { SkuFilter, Split } from './analytics.queries.ts';
import {
  alertReport,
  demandReport,
  latenessReport,
  prepaidReport,
  promiseErrorReport,
  serviceReport,
  toleranceReport,
} from './analytics.usecases.ts';

const Format = Type.Optional(
  Type.Enum(['json', 'csv'], { default: 'json', description: '`csv`: the report’s rows as text/csv' }),
);
const PeriodQuery = {
  from: Type.Optional({ ...DateText, description: 'First day (store time); default 89 days before `to`' }),
  to: Type.Optional({ ...DateText, description: 'Last day (store time), included; default today' }),
};
const FilterQuery = {
  sku: Type.Optional(Sku),
  productId: Type.Optional(
    Type.String({ minLength: 1, maxLength: 200, description: "One product's variants" }),
  ),
  attribute: Type.Optional(
    Type.String({
      pattern: '^[^:]{1,100}:.{1,200}$',
      description: 'Every variant with this attribute value, across products: `name:value` (`color:red`)',
    }),
  ),
};
const Grain = Type.Enum(['day', 'week', 'month'], {
  description: 'Periods of a day, an ISO week (from Monday) or a calendar month, named by their first day',
});

const FILTER_DESCRIPTION =
  'At most one of `sku`, `productId` and `attribute` (`name:value`) narrows the SKUs; none: every SKU. ' +
  'Periods are calendar days in the store’s time zone, `from`/`to` included (at most 1,100 days; default the ' +
  'last 90). Errors: 401/403 authentication, 422 `validation_failed` (a bad date, `from` after `to`, more ' +
  'than one filter, bad buckets), 429 rate limited.';

const Rate = (description: string) => Nullable(Type.Number({ minimum: 0, maximum: 1, description }));
const Count = (description: string) => Type.Integer({ minimum: 0, description });
const PeriodFields = { from: DateText, to: DateText };

function filterOf(query: { sku?: string; productId?: string; attribute?: string }): SkuFilter {
  const given = [query.sku, query.productId, query.attribute].filter((v) => v !== undefined);
  if (given.length > 1)
    throw invalid('validation_failed', 'give at most one of sku, productId and attribute', [
      { path: '/sku', message: 'at most one filter' },
    ]);
  if (query.sku !== undefined) return { kind: 'sku', sku: query.sku };
  if (query.productId !== undefined) return { kind: 'product', productId: query.productId };
  if (query.attribute !== undefined) {
    const at = query.attribute.indexOf(':');
    return { kind: 'attribute', name: query.attribute.slice(0, at), value: query.attribute.slice(at + 1) };
  }
  return { kind: 'all' };
}

function periodQueryOf(query: { from?: string; to?: string }): { from?: string; to?: string } {
  return {
    ...(query.from === undefined ? {} : { from: requireCalendarDate(query.from, '/from') }),
    ...(query.to === undefined ? {} : { to: requireCalendarDate(query.to, '/to') }),
  };
}

function splitOf(splitBy: string | undefined): Split {
  if (splitBy === undefined) return { kind: 'none' };
  if (splitBy === 'sku' || splitBy === 'product') return { kind: splitBy };
  return { kind: 'attribute', name: splitBy.slice('attribute.'.length) };
}

/** The 200 answer of a report: JSON, or its rows as CSV. */
function reportOrCsv(schema: TSchema, columns: readonly string[]): TSchema {
  return {
    description: 'The report (JSON), or its rows as CSV (`format=csv`)',
    content: {
      'application/json': { schema },
      'text/csv': { schema: { type: 'string', description: `Header: ${columns.join(',')}` } },
    },
  } as unknown as TSchema;
}

/** Sends `rows` as CSV with `columns` (field names of the rows) as its header. */
function sendCsv(
  reply: FastifyReply,
  filename: string,
  columns: readonly string[],
  rows: readonly object[],
): FastifyReply {
  const body =
    csvRow(columns) +
    rows.map((row) => csvRow(columns.map((c) => (row as Record<string, CsvValue>)[c]))).join('');
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${filename}"`)
    .send(body);
}

const DEMAND_COLUMNS = [
  'period',
  'key',
  'demandUnits',
  'orderedUnits',
  'orderedLines',
  'allocatedUnits',
  'waitingUnits',
  'refusedUnits',
  'alertSignups',
  'cancelledUnits',
  'shippedUnits',
] as const;
const DemandRowSchema = Type.Object({
  period: Type.String({ description: 'First day of the period' }),
  key: Nullable(
    Type.String({ description: 'The SKU, product or attribute value of the split; null without one' }),
  ),
  demandUnits: Count('Units shoppers asked for: ordered plus refused'),
  orderedUnits: Count('Units ordered (accepted)'),
  orderedLines: Count('Order lines accepted'),
  allocatedUnits: Count('Units allocated from stock at placement'),
  waitingUnits: Count('Units that waited at placement (backordered or pre-ordered)'),
  refusedUnits: Count(
    'Units refused at placement (sold out, not backorderable, cap reached, or with another line)',
  ),
  alertSignups: Count('Back-in-stock sign-ups'),
  cancelledUnits: Count('Units cancelled (on the day of the cancellation)'),
  shippedUnits: Count('Units shipped (on the day of the shipment)'),
});

const SERVICE_COLUMNS = [
  'from',
  'to',
  'orderedUnits',
  'allocatedUnits',
  'waitingUnits',
  'refusedUnits',
  'fillRate',
  'backorderRate',
  'refusalRate',
  'linesShipped',
  'averageWaitDays',
  'p90WaitDays',
  'onTimeFirstPromise',
  'onTimeLatest',
] as const;
const ServiceSchema = Type.Object({
  ...PeriodFields,
  orderedUnits: Count('Units ordered in the period'),
  allocatedUnits: Count('Of them, allocated from stock at placement'),
  waitingUnits: Count('Of them, waiting at placement'),
  refusedUnits: Count('Units refused at placement'),
  fillRate: Rate('allocatedUnits ÷ orderedUnits: units served from stock at order'),
  backorderRate: Rate('waitingUnits ÷ orderedUnits'),
  refusalRate: Rate('refusedUnits ÷ (orderedUnits + refusedUnits)'),
  linesShipped: Count('Lines that waited at placement and shipped in full in the period (the lines below)'),
  averageWaitDays: Nullable(
    Type.Number({ description: 'Mean days from the order to the line’s last shipment' }),
  ),
  p90WaitDays: Nullable(Type.Integer({ description: '90th percentile of that wait (nearest rank)' })),
  onTimeFirstPromise: Rate(
    'Share of those lines shipped on or before the first date promised (`eta` at placement)',
  ),
  onTimeLatest: Rate('Share shipped on or before the first `etaLatest`'),
});

const ERROR_COLUMNS = ['errorDays', 'lines', 'share'] as const;
const ErrorsSchema = Type.Object({
  ...PeriodFields,
  lines: Count('Lines counted'),
  data: Type.Array(
    Type.Object({
      errorDays: Type.Integer({ description: 'Ship day − first promised date: ≤ 0 on time, > 0 days late' }),
      lines: Count('Lines'),
      share: Type.Number({ minimum: 0, maximum: 1 }),
    }),
  ),
});

const TOLERANCE_COLUMNS = [
  'product',
  'fromDays',
  'toDays',
  'waitingLines',
  'cancelledLines',
  'cancelledShare',
] as const;
const ToleranceSchema = Type.Object({
  ...PeriodFields,
  data: Type.Array(
    Type.Object({
      product: Type.String({ description: 'The productId (the SKU for variants without one)' }),
      fromDays: Count('Promised waits from this many days'),
      toDays: Nullable(
        Type.Integer({ minimum: 0, description: 'up to this many (included); null: and longer' }),
      ),
      waitingLines: Count('Lines that waited at placement with a promised wait in the bucket'),
      cancelledLines: Count('Of them, lines whose waiting units were cancelled'),
      cancelledShare: Rate('cancelledLines ÷ waitingLines'),
    }),
  ),
});

const ALERT_COLUMNS = ['sku', 'signups', 'notified', 'converted', 'conversion'] as const;
const AlertsSchema = Type.Object({
  ...PeriodFields,
  data: Type.Array(
    Type.Object({
      sku: Type.String(),
      signups: Count('Back-in-stock sign-ups in the period (repeated ones too)'),
      notified: Count('Email alerts sent in the period'),
      converted: Count('Of them, alerts whose address ordered the SKU within 7 days of the alert'),
      conversion: Rate('converted ÷ notified'),
    }),
  ),
});

const PREPAID_COLUMNS = ['sku', 'amount', 'lines'] as const;
const PrepaidSchema = Type.Object({
  currency: Type.String(),
  total: Count('Minor units'),
  data: Type.Array(
    Type.Object({
      sku: Type.String(),
      amount: Count('Captured for units not yet shipped, minor units'),
      lines: Count('Order lines holding it'),
    }),
  ),
});

const LATENESS_COLUMNS = [
  'supplierId',
  'supplierName',
  'period',
  'receipts',
  'averageLateDays',
  'p90LateDays',
  'onTimeShare',
] as const;
const LatenessSchema = Type.Object({
  ...PeriodFields,
  grain: Grain,
  data: Type.Array(
    Type.Object({
      supplierId: Type.String(),
      supplierName: Type.String(),
      period: Type.String({ description: 'First day of the period' }),
      receipts: Count('Deliveries received in the period'),
      averageLateDays: Type.Number({
        description: 'Mean days past the expected date in force (negative: early)',
      }),
      p90LateDays: Type.Integer({ description: '90th percentile (nearest rank)' }),
      onTimeShare: Type.Number({
        minimum: 0,
        maximum: 1,
        description: 'Deliveries on or before the expected date',
      }),
    }),
  ),
});

export const analyticsRoutes: RouteRegistrar = (app, { deps }) => {
  const r = typed(app);
  const tags = ['Analytics'];
  const errors = problems(...AUTH_ERRORS, 422);

  r.get(
    '/v1/analytics/demand',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'getDemandAnalytics',
        tags,
        summary:
          'Demand by day, week or month: ordered, served from stock, waiting, refused, alerts, cancelled',
        description:
          'Demand as shoppers expressed it, from daily counters written with each change. `splitBy` gives one ' +
          'row per period and `sku`, `product` or attribute value (`attribute.color`: red vs blue). ' +
          FILTER_DESCRIPTION,
        querystring: Type.Object(
          {
            ...PeriodQuery,
            ...FilterQuery,
            grain: Type.Optional({ ...Grain, default: 'day' }),
            splitBy: Type.Optional(
              Type.String({
                pattern: '^(sku|product|attribute\\.[^\\s]{1,100})$',
                description: 'sku, product or attribute.<name>',
              }),
            ),
            format: Format,
          },
          { additionalProperties: false },
        ),
        response: {
          200: reportOrCsv(
            Type.Object({ ...PeriodFields, grain: Grain, data: Type.Array(DemandRowSchema) }),
            DEMAND_COLUMNS,
          ),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const report = await demandReport(deps, storeOf(request), {
        ...periodQueryOf(q),
        filter: filterOf(q),
        grain: q.grain ?? 'day',
        split: splitOf(q.splitBy),
      });
      if (q.format === 'csv') return sendCsv(reply, 'demand.csv', DEMAND_COLUMNS, report.data);
      return reply.type('application/json; charset=utf-8').send(report);
    },
  );

  r.get(
    '/v1/analytics/service',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'getServiceAnalytics',
        tags,
        summary: 'Fill rate, backorder rate, wait (mean, p90) and on-time promise rates',
        description:
          'Units by placement day; waits and promises over the lines that waited at placement and shipped in ' +
          'full in the period (by the day of their last shipment). ' +
          FILTER_DESCRIPTION,
        querystring: Type.Object(
          { ...PeriodQuery, ...FilterQuery, format: Format },
          { additionalProperties: false },
        ),
        response: { 200: reportOrCsv(ServiceSchema, SERVICE_COLUMNS), ...errors },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const report = await serviceReport(deps, storeOf(request), {
        ...periodQueryOf(q),
        filter: filterOf(q),
      });
      if (q.format === 'csv') return sendCsv(reply, 'service.csv', SERVICE_COLUMNS, [report]);
      return reply.type('application/json; charset=utf-8').send(report);
    },
  );

  r.get(
    '/v1/analytics/promise-errors',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'getPromiseErrorAnalytics',
        tags,
        summary: 'How far first promises were off: lines by (ship day − first promised date), in days',
        description: `Lines that waited at placement and shipped in full in the period. ${FILTER_DESCRIPTION}`,
        querystring: Type.Object(
          { ...PeriodQuery, ...FilterQuery, format: Format },
          { additionalProperties: false },
        ),
        response: { 200: reportOrCsv(ErrorsSchema, ERROR_COLUMNS), ...errors },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const report = await promiseErrorReport(deps, storeOf(request), {
        ...periodQueryOf(q),
        filter: filterOf(q),
      });
      if (q.format === 'csv') return sendCsv(reply, 'promise-errors.csv', ERROR_COLUMNS, report.data);
      return reply.type('application/json; charset=utf-8').send(report);
    },
  );

  r.get(
    '/v1/analytics/wait-tolerance',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'getWaitToleranceAnalytics',
        tags,
        summary:
          'The wait tolerance curve: share of waiting lines cancelled against the wait promised, per product',
        description:
          'Lines that waited at placement (placed in the period), by the wait their first promise meant ' +
          '(first eta − order day), in buckets starting at `buckets` (default 0,7,14,21,28,42,56 days). ' +
          FILTER_DESCRIPTION,
        querystring: Type.Object(
          {
            ...PeriodQuery,
            ...FilterQuery,
            buckets: Type.Optional(
              Type.String({ maxLength: 200, description: 'Bucket starts in days: `0,7,14,28`' }),
            ),
            format: Format,
          },
          { additionalProperties: false },
        ),
        response: { 200: reportOrCsv(ToleranceSchema, TOLERANCE_COLUMNS), ...errors },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const report = await toleranceReport(deps, storeOf(request), {
        ...periodQueryOf(q),
        filter: filterOf(q),
        ...(q.buckets === undefined ? {} : { buckets: q.buckets }),
      });
      if (q.format === 'csv') return sendCsv(reply, 'wait-tolerance.csv', TOLERANCE_COLUMNS, report.data);
      return reply.type('application/json; charset=utf-8').send(report);
    },
  );

  r.get(
    '/v1/analytics/alerts',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'getAlertAnalytics',
        tags,
        summary: 'Back-in-stock alerts per SKU: sign-ups, alerts sent, and orders within 7 days of the alert',
        description:
          'Conversion matches email alerts to orders placed with the same address (text-message alerts are ' +
          `not matched). ${FILTER_DESCRIPTION}`,
        querystring: Type.Object(
          { ...PeriodQuery, ...FilterQuery, format: Format },
          { additionalProperties: false },
        ),
        response: { 200: reportOrCsv(AlertsSchema, ALERT_COLUMNS), ...errors },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const report = await alertReport(deps, storeOf(request), { ...periodQueryOf(q), filter: filterOf(q) });
      if (q.format === 'csv') return sendCsv(reply, 'alerts.csv', ALERT_COLUMNS, report.data);
      return reply.type('application/json; charset=utf-8').send(report);
    },
  );

  r.get(
    '/v1/analytics/prepaid',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'getPrepaidAnalytics',
        tags,
        summary: 'Prepaid money held per SKU: captured for units not shipped yet',
        description:
          'Now, not over a period; stores whose payments Backfill manages. Errors: 401/403 authentication, 429.',
        querystring: Type.Object({ format: Format }, { additionalProperties: false }),
        response: { 200: reportOrCsv(PrepaidSchema, PREPAID_COLUMNS), ...problems(...AUTH_ERRORS) },
      },
    },
    async (request, reply) => {
      const report = await prepaidReport(deps, storeOf(request));
      if (request.query.format === 'csv') return sendCsv(reply, 'prepaid.csv', PREPAID_COLUMNS, report.data);
      return reply.type('application/json; charset=utf-8').send(report);
    },
  );

  r.get(
    '/v1/analytics/supplier-lateness',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'getSupplierLatenessAnalytics',
        tags,
        summary: 'Supplier lateness over time: deliveries per supplier and period, mean and p90 days late',
        description:
          'From receipts (days past the expected date in force when they arrived), by the day received. ' +
          'Errors: 401/403 authentication, 422 `validation_failed` (a bad date, `from` after `to`), 429.',
        querystring: Type.Object(
          {
            ...PeriodQuery,
            supplierId: Type.Optional(Type.String({ maxLength: 100 })),
            grain: Type.Optional({ ...Grain, default: 'month' }),
            format: Format,
          },
          { additionalProperties: false },
        ),
        response: { 200: reportOrCsv(LatenessSchema, LATENESS_COLUMNS), ...errors },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const report = await latenessReport(deps, storeOf(request), {
        ...periodQueryOf(q),
        grain: q.grain ?? 'month',
        ...(q.supplierId === undefined ? {} : { supplierId: q.supplierId }),
      });
      if (q.format === 'csv') return sendCsv(reply, 'supplier-lateness.csv', LATENESS_COLUMNS, report.data);
      return reply.type('application/json; charset=utf-8').send(report);
    },
  );
};
