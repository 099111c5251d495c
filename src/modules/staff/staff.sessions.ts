/**
 * Signing in and out: password sign-in with lock-out, one-time sign-in links, the session behind
 * a cookie. Passwords are checked outside any transaction (scrypt takes tens of milliseconds).
 */
import { and, eq, gt, inArray, isNull, lt, sql } from 'drizzle-orm';
import { type Database, type Executor, inTransaction } from '../../db/client.ts';
import type { Deps } from '../../shared/context.ts';
import { stores } from '../stores/stores.tables.ts';
import { accountLocked, invalidCredentials, invalidLink, storeRequired } from './staff.errors.ts';
import {
  hashPassword,
  hashToken,
  LOCK_MS,
  lockedForSeconds,
  MAX_FAILED_ATTEMPTS,
  newCsrfToken,
  newToken,
  normaliseEmail,
  SESSION_ABSOLUTE_MS,
  sessionIsLive,
  storeOfToken,
  TOUCH_EVERY_MS,
  verifyPassword,
} from './staff.models.ts';
import { type StaffRole, staffAccounts, staffSessions, staffSignInTokens } from './staff.tables.ts';

type SessionDeps = Pick<Deps, 'db' | 'clock' | 'ids'>;
type AccountRow = typeof staffAccounts.$inferSelect;

/** What the console learns about itself: who is signed in, to which store, and the CSRF token. */
export interface SessionView {
  staff: { id: string; email: string; name: string; role: StaffRole };
  store: { id: string; name: string };
  csrfToken: string;
}

/** A live session, as authentication needs it on every request. */
export interface ActiveSession extends SessionView {
  sessionId: string;
  store: { id: string; name: string; currency: string; timezone: string };
}

export interface SignedIn {
  view: SessionView;
  /** The cookie's value: in the Set-Cookie answer only. */
  token: string;
}

/** Signs in with email and password (and the store, when the email works for several). */
export async function signIn(
  deps: SessionDeps,
  input: { email: string; password: string; storeId?: string },
): Promise<SignedIn> {
  const email = normaliseEmail(input.email);
  const accounts = await deps.db
    .select()
    .from(staffAccounts)
    .where(
      and(
        eq(staffAccounts.email, email),
        input.storeId !== undefined ? eq(staffAccounts.storeId, input.storeId) : undefined,
      ),
    );
  const now = deps.clock.now();
  if (accounts.length === 0) {
    await verifyPassword(input.password, null); // the same time as a wrong password
    throw invalidCredentials();
  }
  if (accounts.length > 1) return signInToOneOf(deps, accounts, input.password);
  const account = accounts[0]!;
  const locked = lockedForSeconds(account.lockedUntil, now);
  if (locked > 0) throw accountLocked(locked);
  if (!(await verifyPassword(input.password, account.passwordHash))) {
    await recordFailures(deps.db, [account], deps.clock.now());
    throw invalidCredentials();
  }
  return inTransaction(deps.db, (tx) => startSession(tx, deps, account));
}

/** The email works for several stores: the password must match one, then the caller picks the store. */
async function signInToOneOf(deps: SessionDeps, accounts: AccountRow[], password: string): Promise<never> {
  const now = deps.clock.now();
  const open = accounts.filter((a) => lockedForSeconds(a.lockedUntil, now) === 0);
  const matching: AccountRow[] = [];
  for (const account of open)
    if (await verifyPassword(password, account.passwordHash)) matching.push(account);
  if (matching.length === 0) {
    await recordFailures(deps.db, open, deps.clock.now());
    if (open.length === 0)
      throw accountLocked(Math.min(...accounts.map((a) => lockedForSeconds(a.lockedUntil, now))));
    throw invalidCredentials();
  }
  const names = await deps.db
    .select({ id: stores.id, name: stores.name })
    .from(stores)
    .where(
      inArray(
        stores.id,
        matching.map((a) => a.storeId),
      ),
    );
  throw storeRequired(names);
}

/** One more wrong password each, counted in the database so parallel guesses all count. */
async function recordFailures(db: Executor, accounts: readonly AccountRow[], now: Date): Promise<void> {
  const failures = sql`${staffAccounts.failedAttempts} + 1`;
  for (const account of accounts) {
    await db
      .update(staffAccounts)
      .set({
        failedAttempts: sql`CASE WHEN ${failures} >= ${MAX_FAILED_ATTEMPTS} THEN 0 ELSE ${failures} END`,
        lockedUntil: sql`CASE WHEN ${failures} >= ${MAX_FAILED_ATTEMPTS} THEN ${new Date(now.getTime() + LOCK_MS)}::timestamptz ELSE ${staffAccounts.lockedUntil} END`,
      })
      .where(and(eq(staffAccounts.storeId, account.storeId), eq(staffAccounts.id, account.id)));
  }
}

/** A new session for the account (the wrong-password count starts again). */
async function startSession(tx: Executor, deps: SessionDeps, account: AccountRow): Promise<SignedIn> {
  const now = deps.clock.now();
  const token = newToken(account.storeId);
  const csrfToken = newCsrfToken();
  await tx.insert(staffSessions).values({
    id: deps.ids.next('ses'),
    storeId: account.storeId,
    staffId: account.id,
    tokenHash: hashToken(token),
    csrfToken,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: new Date(now.getTime() + SESSION_ABSOLUTE_MS),
  });
  await tx
    .update(staffAccounts)
    .set({ failedAttempts: 0, lockedUntil: null, lastSignInAt: now })
    .where(and(eq(staffAccounts.storeId, account.storeId), eq(staffAccounts.id, account.id)));
  const [store] = await tx
    .select({ id: stores.id, name: stores.name })
    .from(stores)
    .where(eq(stores.id, account.storeId));
  return {
    token,
    view: {
      staff: { id: account.id, email: account.email, name: account.name, role: account.role },
      store: store!,
      csrfToken,
    },
  };
}

/**
 * Uses a one-time sign-in link: sets the account's password, spends the link and signs in. A link
 * used, expired or unknown gets one answer.
 */
export async function signInWithLink(
  deps: SessionDeps,
  input: { token: string; password: string },
): Promise<SignedIn> {
  const storeId = storeOfToken(input.token);
  if (storeId === null) throw invalidLink();
  const passwordHash = await hashPassword(input.password);
  return inTransaction(deps.db, async (tx) => {
    const now = deps.clock.now();
    const [spent] = await tx
      .update(staffSignInTokens)
      .set({ usedAt: now })
      .where(
        and(
          eq(staffSignInTokens.storeId, storeId),
          eq(staffSignInTokens.tokenHash, hashToken(input.token)),
          isNull(staffSignInTokens.usedAt),
          gt(staffSignInTokens.expiresAt, now),
        ),
      )
      .returning({ staffId: staffSignInTokens.staffId });
    if (!spent) throw invalidLink();
    const [account] = await tx
      .update(staffAccounts)
      .set({ passwordHash, updatedAt: now })
      .where(and(eq(staffAccounts.storeId, storeId), eq(staffAccounts.id, spent.staffId)))
      .returning();
    if (!account) throw invalidLink();
    return startSession(tx, deps, account);
  });
}

/** The live session a cookie names, or null (unknown, revoked, expired, unused too long). */
export async function findSession(
  deps: Pick<Deps, 'db' | 'clock'>,
  token: string,
): Promise<ActiveSession | null> {
  const storeId = storeOfToken(token);
  if (storeId === null) return null;
  const [row] = await deps.db
    .select({
      sessionId: staffSessions.id,
      csrfToken: staffSessions.csrfToken,
      lastSeenAt: staffSessions.lastSeenAt,
      expiresAt: staffSessions.expiresAt,
      revokedAt: staffSessions.revokedAt,
      staffId: staffAccounts.id,
      email: staffAccounts.email,
      name: staffAccounts.name,
      role: staffAccounts.role,
      store: { id: stores.id, name: stores.name, currency: stores.currency, timezone: stores.timezone },
    })
    .from(staffSessions)
    .innerJoin(
      staffAccounts,
      and(eq(staffAccounts.storeId, staffSessions.storeId), eq(staffAccounts.id, staffSessions.staffId)),
    )
    .innerJoin(stores, eq(stores.id, staffSessions.storeId))
    .where(and(eq(staffSessions.storeId, storeId), eq(staffSessions.tokenHash, hashToken(token))));
  const now = deps.clock.now();
  if (!row || !sessionIsLive(row, now)) return null;
  if (now.getTime() - row.lastSeenAt.getTime() >= TOUCH_EVERY_MS) {
    await deps.db
      .update(staffSessions)
      .set({ lastSeenAt: now })
      .where(
        and(
          eq(staffSessions.storeId, storeId),
          eq(staffSessions.id, row.sessionId),
          lt(staffSessions.lastSeenAt, now),
        ),
      );
  }
  return {
    sessionId: row.sessionId,
    staff: { id: row.staffId, email: row.email, name: row.name, role: row.role },
    store: row.store,
    csrfToken: row.csrfToken,
  };
}

/** Ends one session. */
export async function signOut(
  deps: Pick<Deps, 'db' | 'clock'>,
  session: { storeId: string; sessionId: string },
): Promise<void> {
  await deps.db
    .update(staffSessions)
    .set({ revokedAt: deps.clock.now() })
    .where(
      and(
        eq(staffSessions.storeId, session.storeId),
        eq(staffSessions.id, session.sessionId),
        isNull(staffSessions.revokedAt),
      ),
    );
}

/** Ends every session of a staff member (a lost laptop, a changed password). */
export async function signOutEverywhere(
  db: Database | Executor,
  now: Date,
  staff: { storeId: string; staffId: string },
): Promise<void> {
  await db
    .update(staffSessions)
    .set({ revokedAt: now })
    .where(
      and(
        eq(staffSessions.storeId, staff.storeId),
        eq(staffSessions.staffId, staff.staffId),
        isNull(staffSessions.revokedAt),
      ),
    );
}
