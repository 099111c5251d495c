import {
  bigserial,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

/** What a staff member may do in the console and the API (src/modules/staff/staff.roles.ts). */
export type StaffRole = 'owner' | 'ops' | 'support';

/**
 * The people who sign in to a store's console. The email is kept lower-case, unique per store
 * (the same person may work for several stores, one account each). An invited account has no
 * password until its one-time sign-in link is used.
 */
export const staffAccounts = pgTable(
  'staff_accounts',
  {
    id: text('id').notNull(),
    storeId: text('store_id').notNull(),
    email: text('email').notNull(),
    name: text('name').notNull().default(''),
    role: text('role').$type<StaffRole>().notNull(),
    /** `scrypt$N$r$p$salt$hash` (staff.passwords.ts); null until the account's first sign-in link. */
    passwordHash: text('password_hash'),
    /** Wrong passwords in a row; the fifth locks the account for a while and starts the count again. */
    failedAttempts: integer('failed_attempts').notNull().default(0),
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    lastSignInAt: timestamp('last_sign_in_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ name: 'staff_accounts_pkey', columns: [t.id, t.storeId] }),
    uniqueIndex('staff_accounts_email_idx').on(t.storeId, t.email),
    // Signing in starts from the email alone (the store is known only when it has several).
    index('staff_accounts_email_any_store_idx').on(t.email),
  ],
);

/**
 * Signed-in sessions. The cookie holds `<store id>.<random>`; only its SHA-256 is stored, so a
 * copy of the table opens nothing. A session ends after 12 h unused or 7 days in all, on sign-out,
 * or when its staff member is removed.
 */
export const staffSessions = pgTable(
  'staff_sessions',
  {
    id: text('id').notNull(),
    storeId: text('store_id').notNull(),
    staffId: text('staff_id').notNull(),
    tokenHash: text('token_hash').notNull(),
    /** Sent back by the console in X-CSRF-Token on every write (the cookie alone is not enough). */
    csrfToken: text('csrf_token').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    /** To the minute: written at most once a minute per session. */
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull(),
    /** The absolute end of the session, whatever its use. */
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ name: 'staff_sessions_pkey', columns: [t.id, t.storeId] }),
    uniqueIndex('staff_sessions_token_idx').on(t.storeId, t.tokenHash),
    index('staff_sessions_staff_idx').on(t.storeId, t.staffId),
    foreignKey({
      name: 'staff_sessions_staff_fk',
      columns: [t.staffId, t.storeId],
      foreignColumns: [staffAccounts.id, staffAccounts.storeId],
    }).onDelete('cascade'),
  ],
);

/**
 * One-time sign-in links (the first owner's, invitations): `<store id>.<random>`, stored as a
 * SHA-256 hash, valid 7 days, used once (it sets the password and signs in).
 */
export const staffSignInTokens = pgTable(
  'staff_sign_in_tokens',
  {
    id: text('id').notNull(),
    storeId: text('store_id').notNull(),
    staffId: text('staff_id').notNull(),
    tokenHash: text('token_hash').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ name: 'staff_sign_in_tokens_pkey', columns: [t.id, t.storeId] }),
    uniqueIndex('staff_sign_in_tokens_token_idx').on(t.storeId, t.tokenHash),
    foreignKey({
      name: 'staff_sign_in_tokens_staff_fk',
      columns: [t.staffId, t.storeId],
      foreignColumns: [staffAccounts.id, staffAccounts.storeId],
    }).onDelete('cascade'),
  ],
);

/**
 * What staff members changed, newest last: one row per successful write made with a session
 * (keys are machines: their calls are not audited here). The staff member's email is copied so
 * the row still says who it was after the account is removed.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: text('id').notNull(),
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    storeId: text('store_id').notNull(),
    staffId: text('staff_id').notNull(),
    staffEmail: text('staff_email').notNull(),
    /** The operation, by its OpenAPI operationId (e.g. `cancelOrder`). */
    action: text('action').notNull(),
    method: text('method').notNull(),
    /** The route's path pattern, e.g. `/v1/orders/:id/cancel`. */
    route: text('route').notNull(),
    /** The path parameters joined by `/` (an order id, a SKU…), or null. */
    target: text('target'),
    /** The resource as its GET answered just before the change, where one exists (else null). */
    before: jsonb('before'),
    /** What the staff member sent (secrets removed). */
    after: jsonb('after'),
    status: integer('status').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ name: 'audit_log_pkey', columns: [t.id, t.storeId] }),
    index('audit_log_store_seq_idx').on(t.storeId, t.seq),
  ],
);
