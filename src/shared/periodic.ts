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

/**
 * One pass at a time in this process: `tick()` starts a pass, or joins the one in flight, and
 * resolves when it is over (its error goes to `onError`); with `intervalMs` > 0 a timer ticks too.
 * `stop()` clears the timer and waits for the pass in flight.
 */
export interface PassLoop {
  tick(): Promise<void>;
  stop(): Promise<void>;
}

export function startPassLoop(
  pass: () => Promise<void>,
  options: { intervalMs: number; onError(error: unknown): void },
): PassLoop {
  let running: Promise<void> | null = null;
  const tick = async () => {
    running ??= pass()
      .catch(options.onError)
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
    },
  };
}
