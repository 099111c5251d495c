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
  Nullable,
  problems,
  Text,
  WRITE_ERRORS,
} from '../../http/schemas.ts';
import { WEEKDAYS } from '../../shared/dates.ts';
import { forgetStoreShipping } from './shipping.repository.ts';
import {
  getShippingMethod,
  getShippingSettings,
  putShippingMethod,
  retireShippingMethod,
  updateShippingSettings,
} from './shipping.settings.ts';

export const SHIPPING_METHOD_CODE = '^[a-z0-9][a-z0-9_-]{0,39}$';
export const ShippingMethodCode = Type.String({
  pattern: SHIPPING_METHOD_CODE,
  description: 'A shipping method of the store (`GET /v1/settings/shipping`), e.g. `standard`, `express`',
});

const TransitDays = (description: string) => Type.Integer({ minimum: 0, maximum: 60, description });
const CutoffTime = Type.String({
  pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$',
  description:
    'HH:MM, store time: a parcel ready after it leaves the next working day; null = ready parcels leave the same day',
});

const methodFields = {
  name: Text(100, 'What shoppers read, e.g. "Express (DHL)"'),
  transitDaysMin: TransitDays('Working days in transit at best'),
  transitDaysMax: TransitDays('Working days in transit at worst (at least transitDaysMin)'),
};

const MethodSchema = Type.Object({
  code: Type.String(),
  ...methodFields,
  cutoffTime: Nullable(Type.String()),
});

const Weekday = Type.Enum([...WEEKDAYS]);
const WorkingDays = Type.Array(Weekday, {
  minItems: 1,
  maxItems: 7,
  uniqueItems: true,
  description: 'Weekdays parcels leave and travel (transit days count only these); default mon–fri',
});
const ClosedDates = Type.Array(DateText, {
  maxItems: 400,
  description: 'Dates nothing leaves or travels (public holidays), YYYY-MM-DD',
});
const DefaultMethod = Nullable(
  Type.String({
    pattern: SHIPPING_METHOD_CODE,
    description: "The method of orders that name none; null = such orders' lines get no delivery window",
  }),
);

const SettingsSchema = Type.Object({
  workingDays: WorkingDays,
  closedDates: ClosedDates,
  defaultMethod: DefaultMethod,
  methods: Type.Array(MethodSchema, { description: 'The methods offered, in the order they were added' }),
});

const CodeParams = Type.Object({ code: Type.String({ pattern: SHIPPING_METHOD_CODE }) });

const WINDOW_HELP =
  'Every order line gets `deliveryEta` / `deliveryEtaLatest` for its method: its promised ship date ' +
  '(moved to today at the earliest, to the next working day after the cut-off, and to a working day) ' +
  'plus the transit days at best, and its latest likely ship date plus the transit days at worst, ' +
  'counting working days only.';

export const shippingRoutes: RouteRegistrar = (app, { deps }) => {
  const r = typed(app);
  r.get(
    '/v1/settings/shipping',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'getShippingSettings',
        tags: ['Shipping'],
        summary: "The store's shipping methods, working days and default method",
        description: WINDOW_HELP,
        response: { 200: SettingsSchema, ...problems(...AUTH_ERRORS) },
      },
    },
    async (request) => getShippingSettings(deps.db, storeOf(request).id),
  );
  r.patch(
    '/v1/settings/shipping',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'patchShippingSettings',
        tags: ['Shipping'],
        summary: 'Change the working days, closed dates or default method (delivery windows follow at once)',
        headers: IdempotencyHeaders,
        body: Type.Object(
          {
            workingDays: Type.Optional(WorkingDays),
            closedDates: Type.Optional(ClosedDates),
            defaultMethod: Type.Optional(DefaultMethod),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: {
          200: SettingsSchema,
          ...problems(...WRITE_ERRORS),
          ...conflicts('idempotency_key_in_use'),
        },
      },
    },
    async (request, reply) => {
      const storeId = storeOf(request).id;
      await runCommand(deps, request, reply, 200, (tx) =>
        updateShippingSettings(tx, deps, storeId, request.body),
      );
      forgetStoreShipping(storeId);
      return reply;
    },
  );
  r.put(
    '/v1/settings/shipping/methods/:code',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'putShippingMethod',
        tags: ['Shipping'],
        summary: 'Create or replace a shipping method (201 created, 200 replaced)',
        description: `At most 20 methods. ${WINDOW_HELP}`,
        headers: IdempotencyHeaders,
        params: CodeParams,
        body: Type.Object(
          { ...methodFields, cutoffTime: Type.Optional(Nullable(CutoffTime)) },
          { additionalProperties: false },
        ),
        response: {
          200: MethodSchema,
          201: MethodSchema,
          ...problems(...WRITE_ERRORS),
          ...conflicts('idempotency_key_in_use'),
        },
      },
    },
    async (request, reply) => {
      const storeId = storeOf(request).id;
      let created = false;
      await runCommand(
        deps,
        request,
        reply,
        () => (created ? 201 : 200),
        async (tx) => {
          const result = await putShippingMethod(tx, deps, storeId, request.params.code, request.body);
          created = result.created;
          return result.method;
        },
      );
      forgetStoreShipping(storeId);
      return reply;
    },
  );
  r.get(
    '/v1/settings/shipping/methods/:code',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'getShippingMethod',
        tags: ['Shipping'],
        summary: 'A shipping method the store offers',
        params: CodeParams,
        response: { 200: MethodSchema, ...problems(...AUTH_ERRORS, 404, 422) },
      },
    },
    async (request) => getShippingMethod(deps.db, storeOf(request).id, request.params.code),
  );
  r.delete(
    '/v1/settings/shipping/methods/:code',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'deleteShippingMethod',
        tags: ['Shipping'],
        summary: 'Stop offering a shipping method (lines already shipping with it keep it)',
        description:
          'New orders and product pages no longer see it; order lines that ship with it keep it and their ' +
          'delivery window. 409 `default_shipping_method` while it is the default.',
        params: CodeParams,
        response: {
          204: Type.Null(),
          ...problems(...AUTH_ERRORS, 404, 422),
          ...conflicts('default_shipping_method'),
        },
      },
    },
    async (request, reply) => {
      const storeId = storeOf(request).id;
      await inTransaction(deps.db, (tx) => retireShippingMethod(tx, deps, storeId, request.params.code));
      forgetStoreShipping(storeId);
      return reply.status(204).send(null);
    },
  );
};
