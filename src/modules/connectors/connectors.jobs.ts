/**
 * The connectors' background work, on pg-boss in the same database: a timer enqueues due inbox
 * events as jobs (pg-boss hands them to any worker process and retries a job whose process died),
 * pushes due availability, runs requested imports, and reconciles each connection hourly. Every
 * step is safe to run twice or in two processes: events are applied under their row lock, SKUs
 * and imports are leased.
 */

import { sql } from 'drizzle-orm';
import PgBoss from 'pg-boss';
import type { DatabaseHandle } from '../../db/client.ts';
import { queryRows } from '../../db/client.ts';
import { startPassLoop } from '../../shared/periodic.ts';
import type { ConnectorDeps } from './connectors.context.ts';
import { pushFulfilments } from './connectors.fulfilments.ts';
import { dueEvents, processEvent } from './connectors.inbox.ts';
import { pushDue } from './connectors.outbound.ts';
import { reconcile, runImport, runningImports } from './connectors.sync.ts';

const INBOX = 'connectors-inbox';
const RECONCILE_EVERY_MS = 60 * 60_000;

interface Log {
  error(object: unknown, message: string): void;
}

export interface ConnectorWorker {
  tick(): Promise<void>;
  stop(): Promise<void>;
}

export async function startConnectorWorker(
  deps: ConnectorDeps,
  database: Pick<DatabaseHandle, 'executeSql'>,
  log: Log,
  options: { intervalMs: number; storeIds?: readonly string[] },
): Promise<ConnectorWorker> {
  const boss = new PgBoss({
    db: { executeSql: (text, values) => database.executeSql(text, values) as Promise<{ rows: never[] }> },
    schema: 'pgboss',
    deleteAfterHours: 24,
  });
  boss.on('error', (error) => log.error({ err: error }, 'pg-boss error'));
  await boss.start();
  await boss.createQueue(INBOX, { name: INBOX, policy: 'standard', retryLimit: 5, expireInSeconds: 120 });
  const lane = await boss.work<{ storeId: string; eventIds: string[] }>(
    INBOX,
    { batchSize: 1, pollingIntervalSeconds: 1 },
    async (jobs) => {
      for (const job of jobs) {
        for (const id of job.data.eventIds) await processEvent(deps, job.data.storeId, id);
      }
    },
  );
  const scope = options.storeIds ? { storeIds: options.storeIds } : {};
  const enqueuedAt = new Map<string, number>();
  const pass = async () => {
    const now = deps.clock.now().getTime();
    const due = (await dueEvents(deps, { limit: 500, ...scope })).filter(
      (e) => (enqueuedAt.get(e.id) ?? 0) < now - 60_000,
    );
    const byStore = new Map<string, string[]>();
    for (const event of due) {
      byStore.set(event.storeId, [...(byStore.get(event.storeId) ?? []), event.id]);
      enqueuedAt.set(event.id, now);
    }
    if (byStore.size > 0) {
      await boss.insert(
        [...byStore].map(([storeId, eventIds]) => ({ name: INBOX, data: { storeId, eventIds } })),
      );
      boss.notifyWorker(lane);
    }
    for (const [id, at] of enqueuedAt) if (at < now - 10 * 60_000) enqueuedAt.delete(id);
    await pushDue(deps, scope);
    await pushFulfilments(deps, scope);
    for (const job of await runningImports(deps, options.storeIds))
      await runImport(deps, job.store_id, job.id);
    const stale = await queryRows<{ store_id: string; id: string }>(
      deps.db,
      sql`SELECT store_id, id FROM connections
           WHERE state = 'active' AND import_progress->>'state' = 'done'
             AND (drift IS NULL OR (drift->>'checkedAt')::timestamptz < ${new Date(now - RECONCILE_EVERY_MS)})
           ${options.storeIds ? sql`AND store_id = ANY(${sql.param([...options.storeIds])}::text[])` : sql``}
           LIMIT 10`,
    );
    for (const connection of stale) {
      await reconcile(deps, connection.store_id, connection.id).catch((error) =>
        log.error({ err: error, connectionId: connection.id }, 'reconciliation failed'),
      );
    }
  };
  const loop = startPassLoop(pass, {
    intervalMs: options.intervalMs,
    onError: (error) => log.error({ err: error }, 'connectors pass failed'),
  });
  return {
    tick: loop.tick,
    async stop() {
      await loop.stop();
      await boss.stop({ graceful: true, wait: true, timeout: 10_000 });
    },
  };
}
