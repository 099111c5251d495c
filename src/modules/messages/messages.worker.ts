import PgBoss from 'pg-boss';
import type { DatabaseHandle } from '../../db/client.ts';
import type { Deps } from '../../shared/context.ts';
import { releaseStockAlerts } from '../alerts/alerts.usecases.ts';
import { planStatusUpdates } from './messages.cadence.ts';
import type { Senders } from './messages.channels.ts';
import { deliverMessage, dueMessageIds, recoverInterrupted } from './messages.delivery.ts';
import { planMerchantDigests } from './messages.digest.ts';
import { type RelayOptions, relayEvents } from './messages.relay.ts';

const DELIVER = 'messages-deliver';
const HOURLY = 'messages-hourly';
/** Jobs a delivery lane fetches at a time. */
const LANE_BATCH = 2;

interface Log {
  info(message: string): void;
  error(object: unknown, message: string): void;
}

export interface MessageWorker {
  /** One relay + enqueue pass (the timer runs it every interval). */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The background side of messaging, on pg-boss in the same database: a timer moves committed
 * outbox events into messages (`relayEvents`), releases back-in-stock alerts for SKUs with free
 * units (`releaseStockAlerts`), and enqueues a delivery job for every message due
 * (new ones, retries whose time has come, ones released from quiet hours); pg-boss hands the jobs
 * to this process's workers and to any other worker process. Each job delivers at most once (see
 * `deliverMessage`), so a job run twice, or a message enqueued twice, sends nothing twice.
 */
export async function startMessageWorker(
  deps: Deps,
  database: Pick<DatabaseHandle, 'executeSql'>,
  senders: Senders,
  log: Log,
  options: { intervalMs: number; concurrency?: number; scope?: RelayOptions['scope'] },
): Promise<MessageWorker> {
  const boss = new PgBoss({
    db: { executeSql: (text, values) => database.executeSql(text, values) as Promise<{ rows: never[] }> },
    schema: 'pgboss',
    // Jobs only point at messages; the messages table is the record, so job history is kept short.
    deleteAfterHours: 24,
  });
  boss.on('error', (error) => log.error({ err: error }, 'pg-boss error'));
  await boss.start();
  // stately: at most one queued job per message (its id is the singleton key).
  await boss.createQueue(DELIVER, { name: DELIVER, policy: 'stately', retryLimit: 5, expireInSeconds: 120 });
  // Delivery lanes: each fetches a few jobs and sends them at once; a stalled endpoint holds up only
  // its own lane. A lane that found a full batch fetches again at once, and the pass below wakes
  // every lane when it enqueues, so the polling interval only matters when the queue is idle
  // (pg-boss waits it out between fetches otherwise: 16 messages/s in the bench before lanes).
  const lanes: string[] = [];
  for (let i = 0; i < Math.max(1, Math.ceil((options.concurrency ?? 8) / LANE_BATCH)); i++) {
    let lane: string | undefined;
    lane = await boss.work<{ messageId: string }>(
      DELIVER,
      { batchSize: LANE_BATCH, pollingIntervalSeconds: 1 },
      async (jobs) => {
        await Promise.all(jobs.map((job) => deliverMessage(deps, senders, job.data.messageId)));
        if (jobs.length === LANE_BATCH && lane) boss.notifyWorker(lane);
      },
    );
    lanes.push(lane);
  }

  // Scheduled work runs once per slot across every worker process (pg-boss's cron).
  await boss.createQueue(HOURLY, { name: HOURLY, policy: 'singleton' });
  await boss.schedule(HOURLY, '0 * * * *');
  await boss.work(HOURLY, { pollingIntervalSeconds: 30 }, async () => {
    const scoped = options.scope ? { storeIds: options.scope.storeIds } : {};
    await planStatusUpdates(deps, scoped);
    await planMerchantDigests(deps, scoped);
  });

  let running: Promise<void> | null = null;
  const pass = async () => {
    const storeIds = options.scope ? [...options.scope.storeIds] : undefined;
    await relayEvents(deps, options.scope ? { scope: options.scope } : {});
    await releaseStockAlerts(deps, storeIds ? { storeIds } : {});
    await recoverInterrupted(deps, storeIds ? { storeIds } : {});
    const due = await dueMessageIds(deps, { limit: 1000, ...(storeIds ? { storeIds } : {}) });
    if (due.length > 0) {
      await boss.insert(
        due.map((messageId) => ({ name: DELIVER, data: { messageId }, singletonKey: messageId })),
      );
      for (const lane of lanes) boss.notifyWorker(lane);
    }
  };
  const tick = async () => {
    // One pass at a time in this process; another process's pass is serialised by the relay cursor.
    running ??= pass()
      .catch((error) => log.error({ err: error }, 'message relay failed'))
      .finally(() => {
        running = null;
      });
    await running;
  };
  const timer = options.intervalMs > 0 ? setInterval(tick, options.intervalMs) : null;
  timer?.unref();
  return {
    tick,
    async stop() {
      if (timer) clearInterval(timer);
      await running;
      await boss.stop({ graceful: true, wait: true, timeout: 10_000 });
    },
  };
}
