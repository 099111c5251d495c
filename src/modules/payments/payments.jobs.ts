import type { Deps } from '../../shared/context.ts';
import { type Periodic, startPeriodic } from '../../shared/periodic.ts';
import { collectPayments } from './payments.collector.ts';

/**
 * Runs the payment collector every `intervalMs` in `serve`. Several processes may run it at once:
 * each step takes its line's lock and a line with a call in flight is left alone. `stop()` signals
 * the run in flight, which starts no new provider call, and waits for it: the call in flight is
 * settled, so a graceful shutdown leaves no call without its settlement.
 */
export function startPaymentCollector(
  deps: Deps,
  log: { error(object: unknown, message: string): void },
  intervalMs: number,
): Periodic {
  if (intervalMs === 0 || !deps.providers) return { stop: async () => {} };
  const providers = deps.providers;
  // The signal stops a run between provider calls, so a shutdown waits for one call at most.
  return startPeriodic((signal) => collectPayments(deps, providers, { signal }), {
    intervalMs,
    onError: (error) => log.error({ err: error }, 'payment collection failed'),
  });
}
