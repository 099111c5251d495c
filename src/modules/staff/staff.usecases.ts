/**
 * A store's staff: listed, invited (an account without a password, and a one-time sign-in link),
 * given another role or name, removed. The store always keeps an owner.
 */
import { and, asc, count, eq, gt } from 'drizzle-orm';
import type { Executor, Tx } from '../../db/client.ts';
import type { Deps } from '../../shared/context.ts';
import { decodeKeyCursor, type Page, toPage } from '../../shared/cursor.ts';
import { invalid, notFound } from '../../shared/errors.ts';
import { stores } from '../stores/stores.tables.ts';
import { lastOwner, staffActive, staffExists } from './staff.errors.ts';
import { queueInviteEmail } from './staff.invites.ts';
import { hashToken, newToken, normaliseEmail, SIGN_IN_LINK_MS, signInLink } from './staff.models.ts';
import { type StaffRole, staffAccounts, staffSignInTokens } from './staff.tables.ts';

type AccountRow = typeof staffAccounts.$inferSelect;
type StaffDeps = Pick<Deps, 'clock' | 'ids' | 'publicUrl'>;

export interface StaffView {
  id: string;
  email: string;
  name: string;
  role: StaffRole;
  /** `invited`: no password yet (the sign-in link is unused); `active` otherwise. */
  status: 'invited' | 'active';
  lockedUntil: string | null;
  lastSignInAt: string | null;
  createdAt: string;
}

export const toStaffView = (row: AccountRow): StaffView => ({
  id: row.id,
  email: row.email,
  name: row.name,
  role: row.role,
  status: row.passwordHash === null ? 'invited' : 'active',
  lockedUntil: row.lockedUntil?.toISOString() ?? null,
  lastSignInAt: row.lastSignInAt?.toISOString() ?? null,
  createdAt: row.createdAt.toISOString(),
});

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export async function listStaff(
  db: Executor,
  storeId: string,
  query: { limit: number; cursor?: string },
): Promise<Page<StaffView>> {
  const after = decodeKeyCursor(query.cursor);
  const rows = await db
    .select()
    .from(staffAccounts)
    .where(and(eq(staffAccounts.storeId, storeId), after === null ? undefined : gt(staffAccounts.id, after)))
    .orderBy(asc(staffAccounts.id))
    .limit(query.limit + 1);
  return toPage(rows, query.limit, (row) => row.id, toStaffView);
}

async function findStaff(db: Executor, storeId: string, id: string, lock = false): Promise<AccountRow> {
  const query = db
    .select()
    .from(staffAccounts)
    .where(and(eq(staffAccounts.storeId, storeId), eq(staffAccounts.id, id)));
  const [row] = lock ? await query.for('update') : await query;
  if (!row) throw notFound('Staff member', id);
  return row;
}

export const getStaff = async (db: Executor, storeId: string, id: string): Promise<StaffView> =>
  toStaffView(await findStaff(db, storeId, id));

export interface Invited {
  staff: StaffView;
  /** The one-time sign-in link, when it was not sent by email (or always, for `createFirstOwner`). */
  link?: string;
}

/** A new one-time sign-in link (valid 7 days) for a staff account; the link itself is not stored. */
async function issueSignInLink(
  tx: Executor,
  deps: StaffDeps,
  storeId: string,
  staffId: string,
): Promise<{ link: string; tokenId: string }> {
  const now = deps.clock.now();
  const token = newToken(storeId);
  const tokenId = deps.ids.next('sit');
  await tx.insert(staffSignInTokens).values({
    id: tokenId,
    storeId,
    staffId,
    tokenHash: hashToken(token),
    createdAt: now,
    expiresAt: new Date(now.getTime() + SIGN_IN_LINK_MS),
  });
  return { link: signInLink(deps.publicUrl ?? '', token), tokenId };
}

/** A new staff account and its one-time sign-in link. */
async function createAccount(
  tx: Executor,
  deps: StaffDeps,
  storeId: string,
  input: { email: string; name?: string; role: StaffRole },
): Promise<{ row: AccountRow; link: string; tokenId: string }> {
  const email = normaliseEmail(input.email);
  if (!EMAIL.test(email) || email.length > 254) {
    throw invalid('validation_failed', `"${input.email}" is not an email address`, [
      { path: '/email', message: 'must be an email address' },
    ]);
  }
  const now = deps.clock.now();
  const [row] = await tx
    .insert(staffAccounts)
    .values({
      id: deps.ids.next('stf'),
      storeId,
      email,
      name: input.name?.trim() ?? '',
      role: input.role,
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoNothing({ target: [staffAccounts.storeId, staffAccounts.email] })
    .returning();
  if (!row) {
    const [existing] = await tx
      .select({ id: staffAccounts.id })
      .from(staffAccounts)
      .where(and(eq(staffAccounts.storeId, storeId), eq(staffAccounts.email, email)));
    throw staffExists(existing?.id ?? '');
  }
  return { row, ...(await issueSignInLink(tx, deps, storeId, row.id)) };
}

/**
 * Sends the invitation: by email when the store has an email channel set up (queued in this
 * transaction, sent by the message worker), otherwise the link is in the answer.
 */
async function sendInvitation(
  tx: Tx,
  deps: StaffDeps,
  storeId: string,
  row: AccountRow,
  invitation: { link: string; tokenId: string },
): Promise<Invited> {
  const [store] = await tx.select({ name: stores.name }).from(stores).where(eq(stores.id, storeId));
  const sent = await queueInviteEmail(tx, deps, storeId, {
    inviteId: invitation.tokenId,
    email: row.email,
    name: row.name,
    role: row.role,
    storeName: store?.name ?? '',
    link: invitation.link,
  });
  return sent ? { staff: toStaffView(row) } : { staff: toStaffView(row), link: invitation.link };
}

/** Invites a staff member: a new account without a password, and its one-time sign-in link. */
export async function inviteStaff(
  tx: Tx,
  deps: StaffDeps,
  storeId: string,
  input: { email: string; name?: string; role: StaffRole },
): Promise<Invited> {
  const { row, ...invitation } = await createAccount(tx, deps, storeId, input);
  return sendInvitation(tx, deps, storeId, row, invitation);
}

/**
 * Invites again a staff member who has not used their link yet (lost, expired): a new link,
 * sent like the first, and the links sent before stop working, so only the newest opens the account.
 */
export async function resendInvite(tx: Tx, deps: StaffDeps, storeId: string, id: string): Promise<Invited> {
  const row = await findStaff(tx, storeId, id, true);
  if (row.passwordHash !== null) throw staffActive();
  await tx
    .delete(staffSignInTokens)
    .where(and(eq(staffSignInTokens.storeId, storeId), eq(staffSignInTokens.staffId, id)));
  return sendInvitation(tx, deps, storeId, row, await issueSignInLink(tx, deps, storeId, id));
}

/** The store's first owner (store creation, the demo): the link is always given back, to be printed. */
export async function createFirstOwner(
  tx: Executor,
  deps: StaffDeps,
  storeId: string,
  email: string,
): Promise<{ staff: StaffView; link: string }> {
  const { row, link } = await createAccount(tx, deps, storeId, { email, role: 'owner' });
  return { staff: toStaffView(row), link };
}

/** Refuses to leave the store without an owner; the owners' rows stay locked until the transaction ends. */
async function keepAnOwner(tx: Executor, storeId: string): Promise<void> {
  const owners = await tx
    .select({ id: staffAccounts.id })
    .from(staffAccounts)
    .where(and(eq(staffAccounts.storeId, storeId), eq(staffAccounts.role, 'owner')))
    .for('update');
  if (owners.length <= 1) throw lastOwner();
}

export async function updateStaff(
  tx: Executor,
  deps: Pick<Deps, 'clock'>,
  storeId: string,
  id: string,
  input: { role?: StaffRole; name?: string },
): Promise<StaffView> {
  const current = await findStaff(tx, storeId, id, true);
  if (current.role === 'owner' && input.role !== undefined && input.role !== 'owner') {
    await keepAnOwner(tx, storeId);
  }
  const [row] = await tx
    .update(staffAccounts)
    .set({
      ...(input.role !== undefined ? { role: input.role } : {}),
      ...(input.name !== undefined ? { name: input.name.trim() } : {}),
      updatedAt: deps.clock.now(),
    })
    .where(and(eq(staffAccounts.storeId, storeId), eq(staffAccounts.id, id)))
    .returning();
  return toStaffView(row!);
}

/** Removes a staff member: their sessions and sign-in links go with the account (at once). */
export async function removeStaff(tx: Executor, storeId: string, id: string): Promise<void> {
  const current = await findStaff(tx, storeId, id, true);
  if (current.role === 'owner') await keepAnOwner(tx, storeId);
  await tx.delete(staffAccounts).where(and(eq(staffAccounts.storeId, storeId), eq(staffAccounts.id, id)));
}

export async function countStaff(db: Executor, storeId: string): Promise<number> {
  const [row] = await db.select({ n: count() }).from(staffAccounts).where(eq(staffAccounts.storeId, storeId));
  return row?.n ?? 0;
}
