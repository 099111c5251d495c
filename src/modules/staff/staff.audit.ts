/**
 * The audit log: what staff members changed, read by owners. Rows are written by the HTTP layer
 * once a write made with a session has succeeded (src/http/audit.ts), newest read first.
 */
import { and, desc, eq, lt } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import type { Deps } from '../../shared/context.ts';
import { decodeCursor, type Page, toPage } from '../../shared/cursor.ts';
import { auditLog } from './staff.tables.ts';

type AuditRow = typeof auditLog.$inferSelect;

export interface AuditEntry {
  storeId: string;
  staff: { id: string; email: string };
  action: string;
  method: string;
  route: string;
  target: string | null;
  before: unknown;
  after: unknown;
  status: number;
}

export interface AuditView {
  id: string;
  at: string;
  staff: { id: string; email: string };
  action: string;
  method: string;
  route: string;
  target: string | null;
  before: unknown;
  after: unknown;
}

const toView = (row: AuditRow): AuditView => ({
  id: row.id,
  at: row.at.toISOString(),
  staff: { id: row.staffId, email: row.staffEmail },
  action: row.action,
  method: row.method,
  route: row.route,
  target: row.target,
  before: row.before ?? null,
  after: row.after ?? null,
});

export async function recordAudit(
  db: Executor,
  deps: Pick<Deps, 'clock' | 'ids'>,
  entry: AuditEntry,
): Promise<void> {
  await db.insert(auditLog).values({
    id: deps.ids.next('aud'),
    storeId: entry.storeId,
    staffId: entry.staff.id,
    staffEmail: entry.staff.email,
    action: entry.action,
    method: entry.method,
    route: entry.route,
    target: entry.target,
    before: entry.before ?? null,
    after: entry.after ?? null,
    status: entry.status,
    at: deps.clock.now(),
  });
}

/** The store's audit log, newest first, in cursor pages. */
export async function listAuditLog(
  db: Executor,
  storeId: string,
  query: { limit: number; cursor?: string },
): Promise<Page<AuditView>> {
  const after = decodeCursor(query.cursor);
  const rows = await db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.storeId, storeId), after === null ? undefined : lt(auditLog.seq, after)))
    .orderBy(desc(auditLog.seq))
    .limit(query.limit + 1);
  return toPage(rows, query.limit, (row) => row.seq, toView);
}

const SECRET_FIELDS = /password|token|secret|smtpurl|authtoken/i;

/** A copy of a request or response body fit for the log: secrets replaced, size bounded. */
export function auditable(value: unknown, depth = 0): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'object') return value;
  if (depth > 6) return '…';
  if (Array.isArray(value)) {
    const kept = value.slice(0, 200).map((item) => auditable(item, depth + 1));
    return value.length > 200 ? [...kept, `… ${value.length - 200} more`] : kept;
  }
  const result: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    result[key] = SECRET_FIELDS.test(key) && item !== null ? '(withheld)' : auditable(item, depth + 1);
  }
  return result;
}
