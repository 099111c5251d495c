import type { App } from './app.ts';
import type { Config } from './config.ts';
import { pendingMigrations } from './db/client.ts';
import { releaseStockAlerts } from './modules/alerts/alerts.usecases.ts';
import { connectorDeps } from './modules/connectors/connectors.context.ts';
import { type ConnectorWorker, startConnectorWorker } from './modules/connectors/connectors.jobs.ts';
import { createSenders, type Senders } from './modules/messages/messages.channels.ts';
import type { RelayOptions } from './modules/messages/messages.relay.ts';
import { type MessageWorker, startMessageWorker } from './modules/messages/messages.worker.ts';
import { startPaymentCollector } from './modules/payments/payments.jobs.ts';
import { startDailyRefresh } from './modules/promises/promises.jobs.ts';
import { startStaffCleanup } from './modules/staff/staff.jobs.ts';

interface Log {
  info(message: string): void;
  error(object: unknown, message: string): void;
}

/**
 * Everything Backfill does in the background: messages (relay, back-in-stock alerts and delivery
 * through pg-boss), the payment collector, the daily re-dating, the clean-up of ended staff
 * sessions and the platform connectors (inbox, outbound availability, imports, reconciliation).
 * `serve` runs it in-process by default; `backfill worker` runs it alone. Several processes may run it at once.
 */
export async function startBackgroundWork(
  app: Pick<App, 'deps' | 'database'>,
  config: Config,
  log: Log,
  senders: Senders = createSenders({ allowPrivateUrls: config.allowPrivateUrls }),
  scope?: RelayOptions['scope'],
): Promise<{ messages: MessageWorker; connectors: ConnectorWorker; stop(): Promise<void> }> {
  const refresh = startDailyRefresh(app.deps, log);
  const collector = startPaymentCollector(app.deps, log, config.paymentsIntervalMs);
  const cleanup = startStaffCleanup(app.deps, log);
  const messages = await startMessageWorker(app.deps, app.database, senders, log, {
    intervalMs: config.messagesIntervalMs,
    ...(scope ? { scope } : {}),
    // Alerts sit above messages (they render and queue through it), so they join its pass from here.
    sources: [(storeScope) => releaseStockAlerts(app.deps, storeScope)],
  });
  const connectors = await startConnectorWorker(connectorDeps(app.deps, config), app.database, log, {
    intervalMs: config.connectorsIntervalMs,
    ...(scope ? { storeIds: scope.storeIds } : {}),
  });
  return {
    messages,
    connectors,
    /** Stops every timer and waits for the work in flight (a collector run, a job, a send). */
    async stop() {
      await Promise.all([
        refresh.stop(),
        collector.stop(),
        cleanup.stop(),
        messages.stop(),
        connectors.stop(),
      ]);
      senders.close?.();
    },
  };
}

/** How often a process waiting for its migrations looks at the database again. */
const MIGRATIONS_POLL_MS = 5_000;

/**
 * `startBackgroundWork` once the database has every migration of this code. A process told not to
 * migrate (BACKFILL_MIGRATE_ON_START=false) may start before the release step has run `backfill
 * migrate`; its loops would otherwise fail against missing tables several times a second.
 * `started` settles when the work has started (or rejects if it could not); `stop` also ends the wait.
 */
export function startBackgroundWorkWhenMigrated(
  app: Pick<App, 'deps' | 'database'>,
  config: Config,
  log: Log & { warn(message: string): void },
): { started: Promise<void>; stop(): Promise<void> } {
  let stopping = false;
  let work: { stop(): Promise<void> } | null = null;
  let timer: NodeJS.Timeout | undefined;
  let wake = () => {};
  const started = (async () => {
    for (let attempt = 0; ; attempt++) {
      // null: the database does not answer (readiness says so); look again later.
      const pending = await pendingMigrations(app.deps.db).catch(() => null);
      if (stopping) return;
      if (pending === 0) break;
      if (attempt === 0) {
        log.warn(
          `Background work waits until the database has every migration of this code (${pending ?? 'unknown'} ` +
            'missing): run `backfill migrate`.',
        );
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, MIGRATIONS_POLL_MS);
      });
      if (stopping) return;
    }
    work = await startBackgroundWork(app, config, log);
  })();
  return {
    started,
    async stop() {
      stopping = true;
      clearTimeout(timer);
      wake();
      await started.catch(() => {});
      await work?.stop();
    },
  };
}
