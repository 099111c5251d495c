import { Type } from 'typebox';
import { storeOf } from '../../http/auth.ts';
import { runCommand } from '../../http/command.ts';
import { type RouteRegistrar, typed } from '../../http/context.ts';
import { AUTH_ERRORS, conflicts, IdempotencyHeaders, problems, WRITE_ERRORS } from '../../http/schemas.ts';
import { DepositPercent, PaymentModeSchema, requireDepositPercent } from '../settings/settings.schemas.ts';
import { stripeCurrencyProblem, stripeNotConfigured } from './settings.errors.ts';
import { getSettings, updateSettings } from './settings.usecases.ts';

const Days = (maximum: number, description: string) => Type.Integer({ minimum: 0, maximum, description });

const settingsFields = {
  handlingDays: Days(
    60,
    'Days between units reaching the warehouse and shipping; added to every promise date',
  ),
  defaultLeadTimeDays: Days(365, 'Lead time assumed for SKUs with no supplier of their own'),
  autoLimitBuffer: Type.Integer({
    minimum: 0,
    maximum: 1_000_000_000,
    description:
      'Units an automatic backorder cap (limit "auto") allows beyond the open purchase-order units',
  }),
  paymentProvider: Type.Enum(['none', 'manual', 'stripe'], {
    description:
      'Who takes the money: `none` (Backfill does not manage payments: no payment rules apply), `manual` (the store’s platform takes it and reports it), `stripe`',
  }),
  paymentMode: PaymentModeSchema,
  depositPercent: DepositPercent,
  paymentGraceDays: Days(60, 'Days ready units wait for a failed payment before going to the next in line'),
  authorisationDays: Type.Integer({
    minimum: 1,
    maximum: 30,
    description:
      'Waits up to this many days are held by an authorisation; longer ones save the method and charge it when ready',
  }),
  allowedOrigins: Type.Array(Type.String({ maxLength: 300 }), {
    maxItems: 50,
    description:
      'Web origins (`https://shop.example`) whose pages may call the storefront endpoints from the browser (CORS); replaces the list',
  }),
};

const SettingsSchema = Type.Object({
  storeId: Type.String(),
  name: Type.String(),
  currency: Type.String(),
  timezone: Type.String(),
  ...settingsFields,
});

export const settingsRoutes: RouteRegistrar = (app, { deps }) => {
  const r = typed(app);
  r.get(
    '/v1/settings',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'getSettings',
        tags: ['Settings'],
        summary: "The store's settings",
        response: { 200: SettingsSchema, ...problems(...AUTH_ERRORS) },
      },
    },
    async (request) => getSettings(deps.db, storeOf(request).id),
  );
  r.patch(
    '/v1/settings',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'patchSettings',
        tags: ['Settings'],
        summary: 'Change store settings; promise dates and automatic caps follow at once',
        headers: IdempotencyHeaders,
        body: Type.Object(
          {
            handlingDays: Type.Optional(settingsFields.handlingDays),
            defaultLeadTimeDays: Type.Optional(settingsFields.defaultLeadTimeDays),
            autoLimitBuffer: Type.Optional(settingsFields.autoLimitBuffer),
            paymentProvider: Type.Optional(settingsFields.paymentProvider),
            paymentMode: Type.Optional(settingsFields.paymentMode),
            depositPercent: Type.Optional(settingsFields.depositPercent),
            paymentGraceDays: Type.Optional(settingsFields.paymentGraceDays),
            authorisationDays: Type.Optional(settingsFields.authorisationDays),
            allowedOrigins: Type.Optional(settingsFields.allowedOrigins),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: {
          200: SettingsSchema,
          ...problems(...WRITE_ERRORS),
          ...conflicts('provider_not_configured', 'idempotency_key_in_use'),
        },
      },
    },
    async (request, reply) =>
      runCommand(deps, request, reply, 200, (tx) => {
        requireDepositPercent(request.body.depositPercent, '/depositPercent');
        if (request.body.paymentProvider === 'stripe') {
          if (!deps.providers?.stripe) throw stripeNotConfigured();
          const problem = stripeCurrencyProblem(storeOf(request).currency);
          if (problem) throw problem;
        }
        return updateSettings(tx, deps, storeOf(request), request.body);
      }),
  );
};
