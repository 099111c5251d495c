import { Type } from 'typebox';
import { inTransaction } from '../../db/client.ts';
import { storeOf } from '../../http/auth.ts';
import { type RouteRegistrar, typed } from '../../http/context.ts';
import { AUTH_ERRORS, Nullable, pageOf, problems, WRITE_ERRORS } from '../../http/schemas.ts';
import { TEMPLATE_KINDS } from './templates.context.ts';
import {
  listTemplates,
  previewTemplate,
  resetTemplate,
  saveTemplate,
  templateFor,
} from './templates.usecases.ts';

const Kind = Type.Enum([...TEMPLATE_KINDS], {
  description: 'What the message is about (merchant_digest has an email template only)',
});
const Channel = Type.Enum(['email', 'sms']);
const Params = Type.Object({ kind: Kind, channel: Channel });

// Generous transport limits; the exact per-channel limits are the template checks' (template_invalid).
const Subject = Nullable(
  Type.String({
    maxLength: 10_000,
    description: 'Liquid; email only (required there), one line once rendered',
  }),
);
const Body = Type.String({
  maxLength: 100_000,
  description: 'Liquid, plain text (email: ≤ 20 000 characters; SMS: ≤ 1 600, rendered too)',
});
const Html = Nullable(
  Type.String({
    maxLength: 200_000,
    description: 'Liquid, HTML with every output escaped; email only. Absent: derived from the text',
  }),
);

const TemplateSchema = Type.Object({
  kind: Kind,
  channel: Channel,
  source: Type.Enum(['default', 'custom'], { description: '`custom` when the store saved its own' }),
  subject: Nullable(Type.String()),
  body: Type.String(),
  html: Nullable(Type.String()),
  variables: Type.Array(Type.String(), {
    description:
      'What the kind’s templates may use; `[]` is each item of a list (`{% for line in order.lines %}`)',
  }),
  updatedAt: Nullable(Type.String({ format: 'date-time' })),
});

const RenderedSchema = Type.Object({
  subject: Nullable(Type.String()),
  body: Type.String(),
  html: Nullable(Type.String()),
  sample: Type.Object(
    {},
    { additionalProperties: true, description: 'The sample data it was rendered with' },
  ),
});

const TAGS = ['Message templates'];

export const templatesRoutes: RouteRegistrar = (app, { deps }) => {
  const r = typed(app);
  r.get(
    '/v1/message-templates',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'listMessageTemplates',
        tags: TAGS,
        summary: 'Every message template, the store’s own or the default',
        description: 'One page holds every kind × channel (a fixed set), so `nextCursor` is always null.',
        response: { 200: pageOf(TemplateSchema), ...problems(...AUTH_ERRORS) },
      },
    },
    async (request) => ({ data: await listTemplates(deps.db, storeOf(request).id), nextCursor: null }),
  );
  r.get(
    '/v1/message-templates/:kind/:channel',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'getMessageTemplate',
        tags: TAGS,
        summary: 'One message template',
        params: Params,
        response: { 200: TemplateSchema, ...problems(...AUTH_ERRORS, 404, 422) },
      },
    },
    async (request) => templateFor(deps.db, storeOf(request).id, request.params.kind, request.params.channel),
  );
  r.put(
    '/v1/message-templates/:kind/:channel',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'putMessageTemplate',
        tags: TAGS,
        summary: 'Save the store’s own template (checked first: `template_invalid` lists every problem)',
        description:
          'Templates are Liquid. They may use only the variables of their kind (see `variables`); ' +
          'status_update and stock_alert templates must contain `{{ links.unsubscribe }}`; include, ' +
          'render and layout are refused. The template is trial-rendered with the preview sample data.',
        params: Params,
        body: Type.Object(
          { subject: Type.Optional(Subject), body: Body, html: Type.Optional(Html) },
          { additionalProperties: false },
        ),
        response: { 200: TemplateSchema, ...problems(...WRITE_ERRORS, 404) },
      },
    },
    async (request) =>
      inTransaction(deps.db, (tx) =>
        saveTemplate(
          tx,
          deps,
          storeOf(request).id,
          request.params.kind,
          request.params.channel,
          request.body,
        ),
      ),
  );
  r.delete(
    '/v1/message-templates/:kind/:channel',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'deleteMessageTemplate',
        tags: TAGS,
        summary: 'Go back to the default template',
        params: Params,
        response: {
          204: Type.Null({ description: 'The default applies from now on' }),
          ...problems(...AUTH_ERRORS, 404, 422),
        },
      },
    },
    async (request, reply) => {
      await resetTemplate(deps.db, storeOf(request).id, request.params.kind, request.params.channel);
      return reply.status(204).send(null);
    },
  );
  r.post(
    '/v1/message-templates/preview',
    {
      config: { access: 'secret', readOnly: true },
      schema: {
        operationId: 'previewMessageTemplate',
        tags: TAGS,
        summary: 'Render a draft, or the current template, with sample data',
        description:
          'With `body`, renders that draft (checked like a save: 422 `template_invalid`); without, the ' +
          'store’s current template for the kind and channel. Nothing is saved.',
        body: Type.Object(
          {
            kind: Kind,
            channel: Channel,
            subject: Type.Optional(Subject),
            body: Type.Optional(Body),
            html: Type.Optional(Html),
          },
          { additionalProperties: false },
        ),
        response: { 200: RenderedSchema, ...problems(...WRITE_ERRORS, 404) },
      },
    },
    async (request) => previewTemplate(deps.db, storeOf(request).id, request.body),
  );
};
