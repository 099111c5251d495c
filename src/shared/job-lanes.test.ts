import type PgBoss from 'pg-boss';
import { describe, expect, it } from 'vitest';
import { startJobLanes } from './job-lanes.ts';

/** pg-boss's work/notifyWorker, recorded: a lane's handler is called by hand. */
function fakeBoss() {
  const handlers = new Map<string, (jobs: PgBoss.Job<object>[]) => Promise<void>>();
  const notified: string[] = [];
  const boss = {
    async work(_queue: string, _options: unknown, handler: (jobs: PgBoss.Job<object>[]) => Promise<void>) {
      const id = `w${handlers.size}`;
      handlers.set(id, handler);
      return id;
    },
    notifyWorker(id: string) {
      notified.push(id);
    },
  };
  return { boss: boss as unknown as PgBoss, handlers, notified };
}

describe('startJobLanes', () => {
  it('starts one worker per lane, and a lane that got a job wakes itself instead of waiting out the polling interval', async () => {
    const { boss, handlers, notified } = fakeBoss();
    const seen: number[] = [];
    const lanes = await startJobLanes<{ n: number }>(boss, 'q', 3, async (jobs) => {
      seen.push(...jobs.map((j) => j.data.n));
    });
    expect(lanes).toEqual(['w0', 'w1', 'w2']);
    await handlers.get('w1')!([{ data: { n: 7 } } as PgBoss.Job<{ n: number }>]);
    expect(seen).toEqual([7]);
    expect(notified).toEqual(['w1']);
  });

  it('a failing handler still fails the job (pg-boss retries it)', async () => {
    const { boss, handlers } = fakeBoss();
    await startJobLanes(boss, 'q', 1, async () => {
      throw new Error('boom');
    });
    await expect(handlers.get('w0')!([])).rejects.toThrow('boom');
  });
});
