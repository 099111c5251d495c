/**
 * Clearing away what no longer opens anything: sessions that ended (expired, unused too long, or
 * signed out) and sign-in links that were used or have expired. Nothing reads them once they are
 * over, and the tables would otherwise grow with every sign-in.
 */
import { isNotNull, lte, or } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import type { Deps } from '../../shared/context.ts';
import { type Periodic, startPeriodic } from '../../shared/periodic.ts';
import { SESSION_IDLE_MS } from './staff.models.ts';
import { staffSessions, staffSignInTokens } from './staff.tables.ts';

/** Deletes ended sessions and spent links of every store (the same rule as `sessionIsLive`, reversed). */
export async function deleteEndedSessions(
  db: Executor,
  now: Date,
): Promise<{ sessions: number; links: number }> {
  const sessions = await db
    .delete(staffSessions)
    .where(
      or(
        isNotNull(staffSessions.revokedAt),
        lte(staffSessions.expiresAt, now),
        lte(staffSessions.lastSeenAt, new Date(now.getTime() - SESSION_IDLE_MS)),
      ),
    )
    .returning({ id: staffSessions.id });
  const links = await db
    .delete(staffSignInTokens)
    .where(or(isNotNull(staffSignInTokens.usedAt), lte(staffSignInTokens.expiresAt, now)))
    .returning({ id: staffSignInTokens.id });
  return { sessions: sessions.length, links: links.length };
}

/**
 * Runs the clean-up now and then every `intervalMs` (hourly). Several processes may run it at
 * once: a row deleted by one is simply not there for the other.
 */
export function startStaffCleanup(
  deps: Pick<Deps, 'db' | 'clock'>,
  log: { error(object: unknown, message: string): void },
  intervalMs = 3_600_000,
): Periodic {
  return startPeriodic(() => deleteEndedSessions(deps.db, deps.clock.now()), {
    intervalMs,
    runNow: true,
    onError: (error) => log.error({ err: error }, 'staff session clean-up failed'),
  });
}
