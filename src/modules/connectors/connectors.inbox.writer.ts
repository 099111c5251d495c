/**
 * Group commit of the inbox: webhooks that arrive together are stored with one statement. A row
 * handed to `storeInboxRow` is written at once when no write is under way; rows that arrive while
 * one is are queued and go together as soon as a write slot frees up (one multi-row
 * `INSERT … ON CONFLICT DO NOTHING RETURNING`, itself one transaction). Each caller's promise
 * settles only after the statement holding its row has committed, so a webhook is still answered
 * only once its event is durably stored.
 *
 * De-duplication stays the unique index's: a row whose key is already stored — or is taken by an
 * earlier row of the same statement — is not returned, and its caller learns `false` (a duplicate).
 * When a grouped statement fails (say a connection deleted meanwhile: its foreign key), its rows are
 * written again one at a time, so each caller gets its own row's answer or error.
 */
import { sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../../db/client.ts';

export interface InboxRow {
  id: string;
  storeId: string;
  connectionId: string;
  topic: string;
  resourceId: string;
  version: string;
  dedupeKey: string;
  webhookId: string | null;
  /** The payload as JSON text (the webhook's body): stored as jsonb without re-serialising it. */
  payloadJson: string;
  receivedAt: Date;
}

/** Rows in one statement at most (13 array parameters whatever the count). */
const MAX_ROWS = 500;
/** Statements under way at once (the pool's other connections stay free for the rest). */
const MAX_IN_FLIGHT = 2;

interface Waiting {
  row: InboxRow;
  resolve: (stored: boolean) => void;
  reject: (error: unknown) => void;
}

/** Writes the rows as one statement; returns the ids that were inserted (the others were duplicates). */
async function insertRows(db: Executor, rows: readonly InboxRow[]): Promise<Set<string>> {
  const column = <K extends keyof InboxRow>(key: K) => sql.param(rows.map((r) => r[key]));
  const inserted = await queryRows<{ id: string }>(
    db,
    sql`INSERT INTO connector_events
          (id, store_id, connection_id, topic, resource_id, version, dedupe_key, webhook_id, payload,
           state, next_attempt_at, received_at)
        SELECT r.id, r.store_id, r.connection_id, r.topic, r.resource_id, r.version, r.dedupe_key,
               r.webhook_id, r.payload::jsonb, 'pending', r.received_at::timestamptz, r.received_at::timestamptz
          FROM unnest(${column('id')}::text[], ${column('storeId')}::text[], ${column('connectionId')}::text[],
                      ${column('topic')}::text[], ${column('resourceId')}::text[], ${column('version')}::text[],
                      ${column('dedupeKey')}::text[], ${column('webhookId')}::text[],
                      ${column('payloadJson')}::text[],
                      ${sql.param(rows.map((r) => r.receivedAt.toISOString()))}::text[])
               WITH ORDINALITY
               AS r(id, store_id, connection_id, topic, resource_id, version, dedupe_key, webhook_id, payload,
                    received_at, n)
         ORDER BY r.n
        ON CONFLICT DO NOTHING
        RETURNING id`,
  );
  return new Set(inserted.map((r) => r.id));
}

class InboxWriter {
  private readonly queue: Waiting[] = [];
  private inFlight = 0;

  constructor(private readonly db: Executor) {}

  store(row: InboxRow): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.queue.push({ row, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < MAX_IN_FLIGHT && this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_ROWS);
      this.inFlight++;
      void this.write(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async write(batch: readonly Waiting[]): Promise<void> {
    try {
      const stored = await insertRows(
        this.db,
        batch.map((w) => w.row),
      );
      for (const w of batch) w.resolve(stored.has(w.row.id));
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
      // One row spoilt the statement: each row on its own, in order (an earlier one keeps its key).
      for (const w of batch) {
        try {
          w.resolve((await insertRows(this.db, [w.row])).has(w.row.id));
        } catch (rowError) {
          w.reject(rowError);
        }
      }
    }
  }
}

const writers = new WeakMap<object, InboxWriter>();

/**
 * Stores one inbox row with whatever other rows are waiting (group commit); resolves once it is
 * committed: true when stored, false when its event was already there.
 */
export function storeInboxRow(db: Executor, row: InboxRow): Promise<boolean> {
  let writer = writers.get(db);
  if (!writer) {
    writer = new InboxWriter(db);
    writers.set(db, writer);
  }
  return writer.store(row);
}
