import { Type } from 'typebox';
import { inTransaction } from '../../db/client.ts';
import { storeOf } from '../../http/auth.ts';
import { runCommand } from '../../http/command.ts';
import { type RouteRegistrar, typed } from '../../http/context.ts';
import {
  AUTH_ERRORS,
  conflicts,
  IdempotencyHeaders,
  idOf,
  ListQuery,
  pageOf,
  problems,
  Text,
  WRITE_ERRORS,
} from '../../http/schemas.ts';
import { SupplierSchema } from './supply.schemas.ts';
import { createSupplier, getSupplier, listSuppliers, updateSupplier } from './supply.suppliers.usecases.ts';

const Email = Type.String({ format: 'email', maxLength: 320 });
const LeadTimeDays = Type.Integer({
  minimum: 0,
  maximum: 365,
  description: 'Days from ordering to delivery: dates demand beyond the open purchase orders',
});

const SupplierBody = Type.Object(
  { name: Text(200), email: Type.Optional(Type.Union([Email, Type.Null()])), leadTimeDays: LeadTimeDays },
  { additionalProperties: false },
);

const SupplierPatch = Type.Object(
  {
    name: Type.Optional(Text(200)),
    email: Type.Optional(Type.Union([Email, Type.Null()])),
    leadTimeDays: Type.Optional(LeadTimeDays),
  },
  { additionalProperties: false, minProperties: 1 },
);

const SupplierParams = Type.Object({ id: idOf('sup') });

export const suppliersRoutes: RouteRegistrar = (app, { deps }) => {
  const r = typed(app);
  r.post(
    '/v1/suppliers',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'createSupplier',
        tags: ['Supply'],
        summary: 'Create a supplier',
        headers: IdempotencyHeaders,
        body: SupplierBody,
        response: {
          201: SupplierSchema,
          ...problems(...WRITE_ERRORS),
          ...conflicts('idempotency_key_in_use'),
        },
      },
    },
    async (request, reply) =>
      runCommand(deps, request, reply, 201, (tx) => createSupplier(tx, deps, storeOf(request), request.body)),
  );
  r.get(
    '/v1/suppliers/:id',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'getSupplier',
        tags: ['Supply'],
        summary: 'Get a supplier',
        params: SupplierParams,
        response: { 200: SupplierSchema, ...problems(...AUTH_ERRORS, 404, 422) },
      },
    },
    async (request) => getSupplier(deps.db, storeOf(request).id, request.params.id),
  );
  r.get(
    '/v1/suppliers',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'listSuppliers',
        tags: ['Supply'],
        summary: 'List suppliers, oldest first',
        querystring: Type.Object(ListQuery, { additionalProperties: false }),
        response: { 200: pageOf(SupplierSchema), ...problems(...AUTH_ERRORS, 422) },
      },
    },
    async (request) => listSuppliers(deps.db, storeOf(request).id, request.query),
  );
  r.patch(
    '/v1/suppliers/:id',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'patchSupplier',
        tags: ['Supply'],
        summary: 'Change a supplier; a new lead time re-dates the waiting lines it dates',
        description:
          'A changed `leadTimeDays` refreshes the promises of every SKU this supplier may date: variants naming ' +
          'it and SKUs on its purchase orders that are not cancelled (`backorder.eta_changed` events).',
        params: SupplierParams,
        body: SupplierPatch,
        response: { 200: SupplierSchema, ...problems(...WRITE_ERRORS, 404) },
      },
    },
    async (request) =>
      inTransaction(deps.db, (tx) =>
        updateSupplier(tx, deps, storeOf(request), request.params.id, request.body),
      ),
  );
};
