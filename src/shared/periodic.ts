/**
 * Background work on a timer, one run at a time per process. `stop()` clears the timer, signals the
 * run in flight (which may stop between its steps) and waits for it, so a graceful shutdown never
 * closes the database under a running job.
 */
export interface Periodic {
  stop(): Promise<void>;
}

export function startPeriodic(
  work: (signal: AbortSignal) => Promise<unknown>,
  options: { intervalMs: number; runNow?: boolean; onError(error: unknown): void },
): Periodic {
  const stopping = new AbortController();
  let running: Promise<void> | null = null;
  const run = () => {
    if (running || stopping.signal.aborted) return;
    running = work(stopping.signal)
      .then(() => undefined, options.onError)
      .finally(() => {
        running = null;
      });
  };
  if (options.runNow) run();
  const timer = setInterval(run, options.intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      stopping.abort();
      await running;
    },
  };
}
