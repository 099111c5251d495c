import PgBoss from 'pg-boss';
import type { DatabaseHandle } from '../../db/client.ts';
import type { Deps } from '../../shared/context.ts';
import { startJobLanes } from '../../shared/job-lanes.ts';
import { startPassLoop } from '../../shared/periodic.ts';
import { planStatusUpdates } from './messages.cadence.ts';
import type { Senders } from './messages.channels.ts';
import { deliverMessages, dueMessages, recoverInterrupted } from './messages.delivery.ts';
import { planMerchantDigests } from './messages.digest.ts';
import {
  DELIVERY_SET_SIZE,
  deliveryJobs,
  deliveryLanes,
  type Enqueued,
  messagesToEnqueue,
} from './messages.models.ts';
import { type RelayOptions, relayEvents } from './messages.relay.ts';

/**
 * Delivery jobs, a set of messages each (claimed together). pg-boss's fetch sorts every waiting job
 * of the queue, so its cost grows with the queue's depth: one job per message made a sale's
 * confirmations cost ~4 ms of PostgreSQL CPU each.
 */
const SEND = 'messages-send';
const HOURLY = 'messages-hourly';
/**
 * A due message is enqueued again after this long if it is still due (its job lost). Longer than
 * a large backlog takes to drain, so a slow queue does not fill up with duplicate jobs.
 */
const ENQUEUE_AGAIN_AFTER_MS = 10 * 60_000;

interface Log {
  info(message: string): void;
  error(object: unknown, message: string): void;
}

/**
 * Other work that makes messages, run on every pass after the relay so that what it makes is
 * enqueued in the same pass (back-in-stock alerts, registered by the app's assembly in
 * src/worker.ts). `storeIds`, when given, is the worker's scope.
 */
export type MessageSource = (scope: { storeIds?: readonly string[] }) => Promise<unknown>;

export interface MessageWorker {
  /** One relay + enqueue pass (the timer runs it every interval). */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The background side of messaging, on pg-boss in the same database: a timer moves committed
 * outbox events into messages (`relayEvents`), runs the other `sources` of messages (the
 * back-in-stock alerts of SKUs with free units), and enqueues a delivery job for every message due
 * (new ones, retries whose time has come, ones released from quiet hours); pg-boss hands the jobs
 * to this process's workers and to any other worker process. Each job delivers at most once (see
 * `deliverMessages`), so a job run twice, or a message enqueued twice, sends nothing twice.
 */
export async function startMessageWorker(
  deps: Deps,
  database: Pick<DatabaseHandle, 'executeSql'>,
  senders: Senders,
  log: Log,
  options: {
    intervalMs: number;
    concurrency?: number;
    scope?: RelayOptions['scope'];
    sources?: readonly MessageSource[];
  },
): Promise<MessageWorker> {
  const boss = new PgBoss({
    db: { executeSql: (text, values) => database.executeSql(text, values) as Promise<{ rows: never[] }> },
    schema: 'pgboss',
    // Jobs only point at messages; the messages table is the record, so job history is kept short.
    deleteAfterHours: 24,
  });
  boss.on('error', (error) => log.error({ err: error }, 'pg-boss error'));
  await boss.start();
  await boss.createQueue(SEND, { name: SEND, policy: 'standard', retryLimit: 5, expireInSeconds: 120 });
  // Delivery lanes: each takes one job (a few messages) and sends its messages at once; a stalled
  // endpoint holds up only its own lane. The pass below wakes every lane when it enqueues.
  const laneCount = deliveryLanes(options.concurrency ?? 8);
  const lanes = await startJobLanes<{ messageIds: string[] }>(boss, SEND, laneCount, async (jobs) => {
    // If this throws, pg-boss retries the job; messages already settled are skipped by the claim.
    await deliverMessages(
      deps,
      senders,
      jobs.flatMap((job) => job.data.messageIds),
    );
  });

  // Scheduled work runs once per slot across every worker process (pg-boss's cron).
  await boss.createQueue(HOURLY, { name: HOURLY, policy: 'singleton' });
  await boss.schedule(HOURLY, '0 * * * *');
  await boss.work(HOURLY, { pollingIntervalSeconds: 30 }, async () => {
    const scoped = options.scope ? { storeIds: options.scope.storeIds } : {};
    await planStatusUpdates(deps, scoped);
    await planMerchantDigests(deps, scoped);
  });

  let enqueued: Enqueued = new Map();
  const pass = async () => {
    const storeIds = options.scope ? [...options.scope.storeIds] : undefined;
    await relayEvents(deps, options.scope ? { scope: options.scope } : {});
    for (const source of options.sources ?? []) await source(storeIds ? { storeIds } : {});
    await recoverInterrupted(deps, storeIds ? { storeIds } : {});
    const due = await dueMessages(deps, { limit: 1000, ...(storeIds ? { storeIds } : {}) });
    const pick = messagesToEnqueue(due, enqueued, deps.clock.now().getTime(), ENQUEUE_AGAIN_AFTER_MS);
    if (pick.ids.length > 0) {
      await boss.insert(
        deliveryJobs(pick.ids, laneCount, DELIVERY_SET_SIZE).map((messageIds) => ({
          name: SEND,
          data: { messageIds },
        })),
      );
      for (const lane of lanes) boss.notifyWorker(lane);
    }
    enqueued = pick.enqueued;
  };
  // One pass at a time in this process; another process's pass is serialised by the relay cursor.
  const loop = startPassLoop(pass, {
    intervalMs: options.intervalMs,
    onError: (error) => log.error({ err: error }, 'message relay failed'),
  });
  return {
    tick: loop.tick,
    async stop() {
      await loop.stop();
      await boss.stop({ graceful: true, wait: true, timeout: 10_000 });
    },
  };
}
