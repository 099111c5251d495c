/**
 * The audit trail of the console: every successful write made with a staff session (not with an
 * API key) is logged with who, which operation, its target (the path parameters), what was sent
 * and, where the resource has a GET at the same path (or, for an action such as
 * `/orders/{id}/cancel`, at its parent), what it looked like just before.
 *
 * Written by hooks around the route rather than inside its transaction: the entry is added right
 * after the answer is sent, so a process dying in between loses the entry (never the change), and
 * `before` is read just before the command, not under its locks.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { auditable, recordAudit } from '../modules/staff/staff.audit.ts';
import type { Deps } from '../shared/context.ts';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

const audited = (request: FastifyRequest): boolean =>
  request.caller?.kind === 'staff' &&
  !READS.has(request.method) &&
  request.routeOptions.config?.readOnly !== true &&
  request.routeOptions.url !== undefined;

/** The GET that shows what a write changes: the same path for PUT/PATCH/DELETE, the parent for an action. */
function beforeUrl(app: FastifyInstance, request: FastifyRequest): string | null {
  const pattern = request.routeOptions.url!;
  const path = request.url.split('?')[0]!;
  if (request.method !== 'POST') return app.hasRoute({ method: 'GET', url: pattern }) ? path : null;
  const parent = pattern.replace(/\/[^/:]+$/, '');
  if (parent === pattern || !/\/:[A-Za-z]+$/.test(parent)) return null;
  return app.hasRoute({ method: 'GET', url: parent }) ? path.replace(/\/[^/]+$/, '') : null;
}

export function registerAuditTrail(app: FastifyInstance, deps: Pick<Deps, 'db' | 'clock' | 'ids'>): void {
  const before = new WeakMap<FastifyRequest, unknown>();

  app.addHook('preHandler', async (request) => {
    if (!audited(request)) return;
    const url = beforeUrl(app, request);
    if (url === null) return;
    const res = await app.inject({ method: 'GET', url, headers: { cookie: request.headers.cookie ?? '' } });
    if (res.statusCode === 200) before.set(request, auditable(res.json()));
  });

  app.addHook('onResponse', async (request, reply) => {
    if (!audited(request) || reply.statusCode >= 400) return;
    const caller = request.caller;
    if (caller.kind !== 'staff') return;
    const params = Object.values((request.params ?? {}) as Record<string, string>);
    try {
      await recordAudit(deps.db, deps, {
        storeId: caller.store.id,
        staff: { id: caller.staffId, email: caller.email },
        action: request.routeOptions.schema?.operationId ?? `${request.method} ${request.routeOptions.url}`,
        method: request.method,
        route: request.routeOptions.url!,
        target: params.length > 0 ? params.join('/') : null,
        before: before.get(request) ?? null,
        after: auditable(request.body),
        status: reply.statusCode,
      });
    } catch (error) {
      request.log.error({ err: error }, 'the audit entry of a staff write could not be written');
    }
  });
}
