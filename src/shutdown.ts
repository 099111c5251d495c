/**
 * Graceful shutdown: on SIGTERM (or SIGINT) the process stops taking new work, lets the work in
 * flight finish (requests, jobs, provider calls and sends with their settlements), closes its
 * database, and exits 0. If that takes longer than `timeoutMs`, or a second signal arrives, it exits
 * 1 at once: what was in flight is then in doubt, which the crash-safe paths settle after a restart.
 */
interface Log {
  info(message: string): void;
  error(object: unknown, message: string): void;
}

export function stopOnSignals(log: Log, what: string, stop: () => Promise<void>, timeoutMs: number): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.info(`${signal} received again: exiting now`);
      process.exit(1);
    }
    stopping = true;
    const started = performance.now();
    log.info(`${signal} received, stopping ${what} (up to ${timeoutMs / 1000} s)`);
    setTimeout(() => {
      log.error({ timeoutMs }, `shutdown took longer than ${timeoutMs / 1000} s: exiting now`);
      process.exit(1);
    }, timeoutMs).unref();
    stop().then(
      () => {
        log.info(`stopped cleanly in ${Math.round(performance.now() - started)} ms`);
        process.exit(0);
      },
      (error) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
