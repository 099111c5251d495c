import type { Deps } from '../../shared/context.ts';
import { type Periodic, startPeriodic } from '../../shared/periodic.ts';
import { collectPayments } from './payments.collector.ts';

/**
 * Runs the payment collector every `intervalMs` in `serve`. Several processes may run it at once:
 * each step takes its line's lock and a line with a call in flight is left alone. `stop()` waits
 * for a run in flight, so no provider call is left without its settlement by a graceful shutdown.
 */
export function startPaymentCollector(
  deps: Deps,
  log: { error(object: unknown, message: string): void },
  intervalMs: number,
): Periodic {
  if (intervalMs === 0 || !deps.providers) return { stop: async () => {} };
  const providers = deps.providers;
  return startPeriodic(() => collectPayments(deps, providers), {
    intervalMs,
    onError: (error) => log.error({ err: error }, 'payment collection failed'),
  });
}
