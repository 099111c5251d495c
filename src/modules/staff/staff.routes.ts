import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { inTransaction } from '../../db/client.ts';
import { crossOrigin, storeOf } from '../../http/auth.ts';
import { type RouteRegistrar, typed } from '../../http/context.ts';
import { problem, sendProblem } from '../../http/problem.ts';
import {
  AUTH_ERRORS,
  conflicts,
  idOf,
  ListQuery,
  Nullable,
  pageOf,
  problems,
  Text,
  WRITE_ERRORS,
} from '../../http/schemas.ts';
import { DomainError } from '../../shared/errors.ts';
import { listAuditLog } from './staff.audit.ts';
import { sessionCookie } from './staff.models.ts';
import { type SignedIn, signIn, signInWithLink, signOut, signOutEverywhere } from './staff.sessions.ts';
import {
  getStaff,
  inviteStaff,
  listStaff,
  removeStaff,
  resendInvite,
  updateStaff,
} from './staff.usecases.ts';

const Role = Type.Enum(['owner', 'ops', 'support'], {
  description:
    '`owner`: everything, staff and settings included; `ops`: stock, variants, suppliers, purchase orders, ' +
    'receiving, orders, shipments; `support`: orders, customers, messages, templates (read); no settings, no stock changes',
});

const SessionSchema = Type.Object({
  staff: Type.Object({ id: Type.String(), email: Type.String(), name: Type.String(), role: Role }),
  store: Type.Object({ id: Type.String(), name: Type.String() }),
  csrfToken: Type.String({
    description: 'Send it as `X-CSRF-Token` on every write made with the session (POST, PUT, PATCH, DELETE)',
  }),
});

const StaffSchema = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.String(),
  role: Role,
  status: Type.Enum(['invited', 'active'], {
    description: '`invited`: the one-time sign-in link is not used yet (no password)',
  }),
  lockedUntil: Nullable(Type.String({ format: 'date-time', description: 'Locked after 5 wrong passwords' })),
  lastSignInAt: Nullable(Type.String({ format: 'date-time' })),
  createdAt: Type.String({ format: 'date-time' }),
});

const AuditSchema = Type.Object({
  id: Type.String(),
  at: Type.String({ format: 'date-time' }),
  staff: Type.Object({ id: Type.String(), email: Type.String() }),
  action: Type.String({ description: 'The operation (its operationId, e.g. `cancelOrder`)' }),
  method: Type.String(),
  route: Type.String({ description: 'The path pattern, e.g. `/v1/orders/:id/cancel`' }),
  target: Nullable(Type.String({ description: 'The path parameters (an order id, a SKU…)' })),
  before: Type.Unknown({
    description: 'The resource as read just before the change, where a GET of it exists; else null',
  }),
  after: Type.Unknown({ description: 'What was sent (passwords and secrets withheld)' }),
});

const SESSION_DESCRIPTION =
  'Sets the `backfill_session` cookie (HttpOnly, SameSite=Lax, Path=/, Secure over HTTPS). With it, the ' +
  'browser may call every endpoint a secret key may, as far as the staff member’s role allows (`403 ' +
  'forbidden_role`); writes also need `X-CSRF-Token` (`403 csrf_failed`).';

const StaffParams = Type.Object({ id: idOf('stf') });

const InvitedSchema = Type.Object({
  staff: StaffSchema,
  link: Type.Optional(
    Type.String({ description: 'The one-time sign-in link, when no email channel sent it' }),
  ),
});

/** Answers a sign-in: the cookie, and the session's view. */
function sendSignedIn(request: FastifyRequest, reply: FastifyReply, signedIn: SignedIn): FastifyReply {
  return reply
    .header('set-cookie', sessionCookie(signedIn.token, request.protocol === 'https'))
    .header('cache-control', 'no-store')
    .status(200)
    .send(signedIn.view);
}

/** A locked account's answer says when to try again. */
async function answeringLocks<T>(reply: FastifyReply, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DomainError && error.code === 'account_locked') {
      reply.header('retry-after', String(error.extensions.retryAfter));
    }
    throw error;
  }
}

const foreignOrigin = (reply: FastifyReply) =>
  sendProblem(reply, problem(403, 'csrf_failed', 'The request comes from another origin'));

const signOutCookie = (request: FastifyRequest) => sessionCookie(null, request.protocol === 'https');

function staffCaller(request: FastifyRequest) {
  const caller = request.caller;
  if (caller.kind !== 'staff') throw new Error('route reached without a staff session');
  return caller;
}

export const staffRoutes: RouteRegistrar = (app, { deps }) => {
  const r = typed(app);

  r.post(
    '/v1/session',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'createSession',
        tags: ['Session'],
        summary: 'Sign in to the console with email and password',
        description:
          `${SESSION_DESCRIPTION} A wrong email or password gets one answer (\`401 invalid_credentials\`); ` +
          'five wrong passwords in a row lock the account for 15 minutes (`429 account_locked`, with ' +
          'Retry-After). An email that works for several stores needs `storeId` (`400 store_required`, ' +
          'listing the stores the password opens).',
        security: [],
        body: Type.Object(
          {
            email: Type.String({ minLength: 3, maxLength: 254 }),
            password: Type.String({ minLength: 1, maxLength: 200 }),
            storeId: Type.Optional(idOf('sto')),
          },
          { additionalProperties: false },
        ),
        response: { 200: SessionSchema, ...problems(400, 401, 403, 413, 422, 429) },
      },
    },
    async (request, reply) => {
      if (crossOrigin(request)) return foreignOrigin(reply);
      const signedIn = await answeringLocks(reply, () => signIn(deps, request.body));
      return sendSignedIn(request, reply, signedIn);
    },
  );

  r.post(
    '/v1/session/link',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'createSessionFromLink',
        tags: ['Session'],
        summary: 'Use a one-time sign-in link: choose the password and sign in',
        description:
          'The token is what follows `#link=` in the link (`<base>/admin/sign-in#link=<token>`) that store ' +
          'creation printed or an invitation sent. It works once, for 7 days (`401 invalid_link` otherwise). ' +
          SESSION_DESCRIPTION,
        security: [],
        body: Type.Object(
          {
            token: Type.String({ minLength: 1, maxLength: 200 }),
            password: Type.String({
              minLength: 10,
              maxLength: 200,
              description: 'The new password: at least 10 characters',
            }),
          },
          { additionalProperties: false },
        ),
        response: { 200: SessionSchema, ...problems(400, 401, 403, 413, 422, 429) },
      },
    },
    async (request, reply) => {
      if (crossOrigin(request)) return foreignOrigin(reply);
      return sendSignedIn(request, reply, await signInWithLink(deps, request.body));
    },
  );

  r.get(
    '/v1/session',
    {
      config: { access: 'staff' },
      schema: {
        operationId: 'getSession',
        tags: ['Session'],
        summary: 'Who is signed in, to which store, and the CSRF token for writes',
        security: [{ sessionCookie: [] }],
        response: { 200: SessionSchema, ...problems(...AUTH_ERRORS) },
      },
    },
    async (request, reply) => {
      const caller = staffCaller(request);
      return reply.header('cache-control', 'no-store').send({
        staff: { id: caller.staffId, email: caller.email, name: caller.name, role: caller.role },
        store: { id: caller.store.id, name: caller.store.name },
        csrfToken: caller.csrfToken,
      });
    },
  );

  r.delete(
    '/v1/session',
    {
      config: { access: 'staff' },
      schema: {
        operationId: 'deleteSession',
        tags: ['Session'],
        summary: 'Sign out (this session)',
        description: 'Needs `X-CSRF-Token`. The cookie is cleared.',
        security: [{ sessionCookie: [] }],
        response: { 204: Type.Null({ description: 'Signed out' }), ...problems(...AUTH_ERRORS) },
      },
    },
    async (request, reply) => {
      const caller = staffCaller(request);
      await signOut(deps, { storeId: caller.store.id, sessionId: caller.sessionId });
      return reply.header('set-cookie', signOutCookie(request)).status(204).send(null);
    },
  );

  r.post(
    '/v1/session/sign-out-everywhere',
    {
      config: { access: 'staff', optionalBody: true },
      schema: {
        operationId: 'signOutEverywhere',
        tags: ['Session'],
        summary: 'Sign out every session of the signed-in staff member (this one included)',
        description: 'For a lost laptop or a shared computer. Needs `X-CSRF-Token`.',
        security: [{ sessionCookie: [] }],
        response: { 204: Type.Null({ description: 'Every session ended' }), ...problems(...AUTH_ERRORS) },
      },
    },
    async (request, reply) => {
      const caller = staffCaller(request);
      await signOutEverywhere(deps.db, deps.clock.now(), {
        storeId: caller.store.id,
        staffId: caller.staffId,
      });
      return reply.header('set-cookie', signOutCookie(request)).status(204).send(null);
    },
  );

  r.get(
    '/v1/staff',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'listStaff',
        tags: ['Staff'],
        summary: "The store's staff members, invited ones included (owner only)",
        querystring: Type.Object(ListQuery, { additionalProperties: false }),
        response: { 200: pageOf(StaffSchema), ...problems(...AUTH_ERRORS, 422) },
      },
    },
    async (request) => listStaff(deps.db, storeOf(request).id, request.query),
  );

  r.get(
    '/v1/staff/:id',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'getStaff',
        tags: ['Staff'],
        summary: 'One staff member (owner only)',
        params: StaffParams,
        response: { 200: StaffSchema, ...problems(...AUTH_ERRORS, 404) },
      },
    },
    async (request) => getStaff(deps.db, storeOf(request).id, request.params.id),
  );

  r.post(
    '/v1/staff',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'inviteStaff',
        tags: ['Staff'],
        summary: 'Invite a staff member: an account and a one-time sign-in link (owner only)',
        description:
          'The link (valid 7 days, used once to choose a password) is emailed through the store’s email ' +
          'channel when one is set up; otherwise it is in `link` of this answer, to pass on. `409 ' +
          'staff_exists` when the email already has an account in this store.',
        body: Type.Object(
          {
            email: Type.String({ minLength: 3, maxLength: 254 }),
            name: Type.Optional(Type.String({ maxLength: 200 })),
            role: Role,
          },
          { additionalProperties: false },
        ),
        response: {
          201: InvitedSchema,
          ...problems(...WRITE_ERRORS),
          ...conflicts('staff_exists'),
        },
      },
    },
    async (request, reply) => {
      const invited = await inTransaction(deps.db, (tx) =>
        inviteStaff(tx, deps, storeOf(request).id, request.body),
      );
      return reply.status(201).header('cache-control', 'no-store').send(invited);
    },
  );

  r.post(
    '/v1/staff/:id/invite',
    {
      config: { access: 'secret', optionalBody: true },
      schema: {
        operationId: 'resendStaffInvite',
        tags: ['Staff'],
        summary: 'Send an invited staff member a new one-time sign-in link (owner only)',
        description:
          'For a link that was lost or has expired. The links sent before stop working. The new link goes ' +
          'like the first: by email when the store’s email channel is set up, otherwise in `link`. `409 ' +
          'staff_active` when they have already chosen a password.',
        params: StaffParams,
        response: {
          200: InvitedSchema,
          ...problems(...AUTH_ERRORS, 404, 422),
          ...conflicts('staff_active'),
        },
      },
    },
    async (request, reply) => {
      const invited = await inTransaction(deps.db, (tx) =>
        resendInvite(tx, deps, storeOf(request).id, request.params.id),
      );
      return reply.header('cache-control', 'no-store').send(invited);
    },
  );

  r.patch(
    '/v1/staff/:id',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'updateStaff',
        tags: ['Staff'],
        summary: "Change a staff member's role or name (owner only)",
        description:
          'The new role applies to their next request. The last owner keeps the role (`409 last_owner`).',
        params: StaffParams,
        body: Type.Object(
          { role: Type.Optional(Role), name: Type.Optional(Text(200)) },
          { additionalProperties: false },
        ),
        response: { 200: StaffSchema, ...problems(...WRITE_ERRORS, 404), ...conflicts('last_owner') },
      },
    },
    async (request) =>
      inTransaction(deps.db, (tx) =>
        updateStaff(tx, deps, storeOf(request).id, request.params.id, request.body),
      ),
  );

  r.delete(
    '/v1/staff/:id',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'removeStaff',
        tags: ['Staff'],
        summary: 'Remove a staff member: their sessions end at once (owner only)',
        description: 'The audit log keeps their email. The last owner stays (`409 last_owner`).',
        params: StaffParams,
        response: {
          204: Type.Null({ description: 'Removed' }),
          ...problems(...AUTH_ERRORS, 404),
          ...conflicts('last_owner'),
        },
      },
    },
    async (request, reply) => {
      await inTransaction(deps.db, (tx) => removeStaff(tx, storeOf(request).id, request.params.id));
      return reply.status(204).send(null);
    },
  );

  r.get(
    '/v1/audit-log',
    {
      config: { access: 'secret' },
      schema: {
        operationId: 'listAuditLog',
        tags: ['Audit log'],
        summary: 'What staff members changed, newest first (owner only)',
        description:
          'One entry per successful write made in the console (with a session); calls made with API keys ' +
          'are not in it. Entries are written right after the change commits.',
        querystring: Type.Object(ListQuery, { additionalProperties: false }),
        response: { 200: pageOf(AuditSchema), ...problems(...AUTH_ERRORS, 422) },
      },
    },
    async (request) => listAuditLog(deps.db, storeOf(request).id, request.query),
  );
};
