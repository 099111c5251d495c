import type PgBoss from 'pg-boss';

/**
 * Starts `count` pg-boss workers ("lanes") on a queue, each taking one job at a time. pg-boss waits
 * out the polling interval after every fetch unless the worker is notified, so a lane that found a
 * job notifies itself and fetches again at once: the interval then only matters while the queue is
 * idle. (Without it a lane takes one job per interval: 16 messages/s in the messages bench, and 100
 * inbox events/s per lane in the connector bench.) Returns the lanes'
 * worker ids, for `boss.notifyWorker` when jobs are enqueued.
 */
export async function startJobLanes<T extends object>(
  boss: PgBoss,
  queue: string,
  count: number,
  handler: (jobs: PgBoss.Job<T>[]) => Promise<void>,
): Promise<string[]> {
  const lanes: string[] = [];
  for (let i = 0; i < count; i++) {
    let lane: string | undefined;
    lane = await boss.work<T>(queue, { batchSize: 1, pollingIntervalSeconds: 1 }, async (jobs) => {
      if (lane !== undefined) boss.notifyWorker(lane);
      await handler(jobs);
    });
    lanes.push(lane);
  }
  return lanes;
}
