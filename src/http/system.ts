/** The operator's endpoints: liveness, readiness, Prometheus metrics. */

import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { pendingMigrations } from '../db/client.ts';
import type { Deps } from '../shared/context.ts';
import type { AppMetrics } from './metrics.ts';
import { problem, sendProblem } from './problem.ts';
import { problems } from './schemas.ts';

/** A readiness check that does not answer within this long counts as failed. */
const CHECK_TIMEOUT_MS = 2_000;

type CheckResult = 'ok' | string;

/** Servers that are shutting down (see `startDraining`). */
const draining = new WeakSet<FastifyInstance>();

/**
 * The first step of a graceful stop, before the listener closes: readiness answers 503 so load
 * balancers take the process out of rotation, and every response from now on (the requests in
 * flight included) carries `Connection: close`. Fastify's close only ends the connections idle at
 * that moment; a kept-alive connection whose request was in flight would otherwise stay open for
 * its keep-alive timeout (72 s) and hold the process past its shutdown deadline.
 */
export function startDraining(app: FastifyInstance): void {
  draining.add(app);
}

async function check(run: () => Promise<CheckResult>): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${CHECK_TIMEOUT_MS} ms`), CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([run().catch((error: Error) => `failed: ${error.message}`), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function registerSystemRoutes(
  app: FastifyInstance,
  deps: Pick<Deps, 'db'>,
  metrics: AppMetrics,
): void {
  // On the root instance, so it covers every route, those of plugins registered earlier too.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (draining.has(app)) reply.header('connection', 'close');
    done(null, payload);
  });

  app.get(
    '/health',
    {
      schema: {
        operationId: 'getHealth',
        tags: ['System'],
        summary: 'Liveness: the process is up and answering',
        description: 'Checks nothing else; use `/health/ready` to know whether it can serve traffic.',
        security: [],
        response: { 200: Type.Object({ status: Type.Literal('ok') }), ...problems(429) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/health/ready',
    {
      schema: {
        operationId: 'getReadiness',
        tags: ['System'],
        summary: 'Readiness: the database answers and has every migration this code needs',
        description:
          'Answers 503 (`not_ready`, with `checks`) while the database is unreachable or behind, and while ' +
          'the process is shutting down.',
        security: [],
        response: {
          200: Type.Object({
            status: Type.Literal('ready'),
            checks: Type.Object({ database: Type.Literal('ok'), migrations: Type.Literal('ok') }),
          }),
          ...problems(429, 503),
        },
      },
    },
    async (_request, reply) => {
      if (draining.has(app)) {
        return sendProblem(
          reply,
          problem(503, 'not_ready', 'Not ready: shutting down', { checks: { shutdown: 'in progress' } }),
        );
      }
      const database = await check(async () => {
        await deps.db.execute(sql`SELECT 1`);
        return 'ok';
      });
      const migrations =
        database === 'ok'
          ? await check(async () => {
              const pending = await pendingMigrations(deps.db);
              return pending === 0 ? 'ok' : `${pending} migration(s) not applied`;
            })
          : 'not checked: no database';
      if (database === 'ok' && migrations === 'ok') {
        return { status: 'ready' as const, checks: { database: 'ok' as const, migrations: 'ok' as const } };
      }
      return sendProblem(
        reply,
        problem(503, 'not_ready', `Not ready: database ${database}; migrations ${migrations}`, {
          checks: { database, migrations },
        }),
      );
    },
  );

  // Prometheus text, for the operator's scraper (the same token as store creation).
  app.get('/metrics', { config: { access: 'operator' }, schema: { hide: true } }, async (_request, reply) =>
    reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
}
