import type { Deps } from '../../shared/context.ts';
import { collectPayments } from './payments.collector.ts';

/**
 * Runs the payment collector every `intervalMs` in `serve`. Several processes may run it at once:
 * each step takes its line's lock and a line with a call in flight is left alone.
 */
export function startPaymentCollector(
  deps: Deps,
  log: { error(object: unknown, message: string): void },
  intervalMs: number,
): () => void {
  if (intervalMs === 0 || !deps.providers) return () => {};
  const providers = deps.providers;
  let running = false;
  const run = async () => {
    if (running) return;
    running = true;
    try {
      await collectPayments(deps, providers);
    } catch (error) {
      log.error({ err: error }, 'payment collection failed');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(run, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
