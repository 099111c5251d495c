/**
 * The connectors' background work, on pg-boss in the same database: a timer enqueues due inbox
 * events as jobs (pg-boss hands them to any worker process and retries a job whose process died),
 * pushes due availability and fulfilments (on a loop of their own), runs requested imports, and
 * reconciles each connection hourly. Every step is safe to run twice or in two processes: events
 * are applied under their row lock, SKUs, fulfilments and imports are leased.
 */

import { sql } from 'drizzle-orm';
import PgBoss from 'pg-boss';
import type { DatabaseHandle } from '../../db/client.ts';
import { queryRows } from '../../db/client.ts';
import { startJobLanes } from '../../shared/job-lanes.ts';
import { startPassLoop } from '../../shared/periodic.ts';
import type { ConnectorDeps } from './connectors.context.ts';
import { pushFulfilmentsDue } from './connectors.fulfilments.ts';
import { dueEvents, inboxBatches, processEventBatch } from './connectors.inbox.ts';
import { pushDue } from './connectors.outbound.ts';
import { reconcile, runImport, runningImports } from './connectors.sync.ts';

const INBOX = 'connectors-inbox';
const RECONCILE_EVERY_MS = 60 * 60_000;
/**
 * Availability and fulfilments are pushed on a loop of their own, at most this far apart: a stock
 * change then reaches the platform within about this long, however long the inbox pass takes.
 */
const PUSH_EVERY_MS = 200;
const INBOX_LANES = 2;

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
  // Two lanes: one batch waits on the database (its SKUs' row locks, a commit) while the other
  // works; batches lock stock rows in SKU order, so lanes touching the same SKUs take turns.
  const lanes = await startJobLanes<{ storeId: string; eventIds: string[] }>(
    boss,
    INBOX,
    INBOX_LANES,
    async (jobs) => {
      for (const job of jobs) await processEventBatch(deps, job.data.storeId, job.data.eventIds);
    },
  );
  const scope = options.storeIds ? { storeIds: options.storeIds } : {};
  const enqueuedAt = new Map<string, number>();
  const pass = async () => {
    const now = deps.clock.now().getTime();
    const due = (await dueEvents(deps, { limit: 5000, ...scope })).filter(
      (e) => (enqueuedAt.get(e.id) ?? 0) < now - 60_000,
    );
    // One job per store and batch: a job's events are applied together (new orders in one transaction).
    for (const event of due) enqueuedAt.set(event.id, now);
    const jobs = inboxBatches(deps, due).map((data) => ({ name: INBOX, data }));
    if (jobs.length > 0) {
      await boss.insert(jobs);
      for (const lane of lanes) boss.notifyWorker(lane);
    }
    for (const [id, at] of enqueuedAt) if (at < now - 10 * 60_000) enqueuedAt.delete(id);
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
  const pushLoop = startPassLoop(
    async () => {
      await pushDue(deps, scope);
      await pushFulfilmentsDue(deps, scope);
    },
    {
      intervalMs: Math.min(options.intervalMs, PUSH_EVERY_MS),
      onError: (error) => log.error({ err: error }, 'connectors push failed'),
    },
  );
  return {
    async tick() {
      await Promise.all([loop.tick(), pushLoop.tick()]);
    },
    async stop() {
      await Promise.all([loop.stop(), pushLoop.stop()]);
      await boss.stop({ graceful: true, wait: true, timeout: 10_000 });
    },
  };
}
