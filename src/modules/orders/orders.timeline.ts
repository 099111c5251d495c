/**
 * An order's timeline: everything that happened to it, oldest first — its events (placed,
 * backordered, allocated, re-dated, shipped, cancelled, payments captured and refunded, incentives,
 * shopper choices) and the messages about it as they were rendered. Read-side SQL over the events
 * (events_order_idx) and the message log (messages_order_idx); it writes nothing.
 */
import { sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../../db/client.ts';
import { EVENT_ORDER_ID } from '../../db/outbox.tables.ts';
import { notFound } from '../../shared/errors.ts';
import { findOrder } from '../stock/stock.lines.repository.ts';

/** The most entries of each kind a timeline holds (an order's story is far shorter). */
export const TIMELINE_LIMIT = 500;

export interface TimelineMessage {
  kind: string;
  channel: 'email' | 'sms' | 'webhook';
  recipient: string;
  state: 'queued' | 'sending' | 'sent' | 'failed' | 'suppressed';
  subject: string | null;
  body: string | null;
  html: string | null;
  attempts: number;
  lastError: string | null;
  sentAt: string | null;
  eventId: string | null;
}

export interface TimelineEntry {
  at: string;
  id: string;
  /** `event`: something changed; `message`: a message about the order. */
  kind: 'event' | 'message';
  /** The event's type, or the message's kind. */
  type: string;
  data: Record<string, unknown> | null;
  message: TimelineMessage | null;
}

export interface OrderTimeline {
  orderId: string;
  data: TimelineEntry[];
  /** More than TIMELINE_LIMIT events or messages: the oldest are shown. */
  truncated: boolean;
}

interface EventRow {
  id: string;
  type: string;
  data: Record<string, unknown>;
  created_at: Date | string;
}

interface MessageRow {
  id: string;
  kind: string;
  channel: TimelineMessage['channel'];
  recipient: string;
  state: TimelineMessage['state'];
  subject: string | null;
  body: string | null;
  html: string | null;
  attempts: number;
  last_error: string | null;
  sent_at: Date | string | null;
  event_id: string | null;
  created_at: Date | string;
}

const iso = (at: Date | string): string => new Date(at).toISOString();

export async function orderTimeline(db: Executor, storeId: string, orderId: string): Promise<OrderTimeline> {
  if (!(await findOrder(db, storeId, orderId))) throw notFound('Order', orderId);
  const events = await queryRows<EventRow>(
    db,
    sql`SELECT id, type, data, created_at FROM events
           WHERE store_id = ${storeId} AND ${sql.raw(EVENT_ORDER_ID)} = ${orderId}
           ORDER BY seq LIMIT ${TIMELINE_LIMIT + 1}`,
  );
  const messages = await queryRows<MessageRow>(
    db,
    sql`SELECT id, kind, channel, recipient, state, subject, body, html, attempts, last_error, sent_at,
                 event_id, created_at
            FROM messages
           WHERE store_id = ${storeId} AND order_id = ${orderId}
           ORDER BY seq LIMIT ${TIMELINE_LIMIT + 1}`,
  );
  const truncated = events.length > TIMELINE_LIMIT || messages.length > TIMELINE_LIMIT;
  const entries: TimelineEntry[] = [
    ...events.slice(0, TIMELINE_LIMIT).map(
      (e): TimelineEntry => ({
        at: iso(e.created_at),
        id: e.id,
        kind: 'event',
        type: e.type,
        data: e.data,
        message: null,
      }),
    ),
    ...messages.slice(0, TIMELINE_LIMIT).map(
      (m): TimelineEntry => ({
        at: iso(m.created_at),
        id: m.id,
        kind: 'message',
        type: m.kind,
        data: null,
        message: {
          kind: m.kind,
          channel: m.channel,
          recipient: m.recipient,
          state: m.state,
          subject: m.subject,
          body: m.body,
          html: m.html,
          attempts: Number(m.attempts),
          lastError: m.last_error,
          sentAt: m.sent_at === null ? null : iso(m.sent_at),
          eventId: m.event_id,
        },
      }),
    ),
  ];
  return { orderId, data: sortTimeline(entries), truncated };
}

/** Oldest first; at the same instant an event comes before the messages it caused. */
export function sortTimeline(entries: TimelineEntry[]): TimelineEntry[] {
  return entries
    .map((entry, i) => ({ entry, i }))
    .sort(
      (a, b) =>
        a.entry.at.localeCompare(b.entry.at) ||
        (a.entry.kind === b.entry.kind ? a.i - b.i : a.entry.kind === 'event' ? -1 : 1),
    )
    .map(({ entry }) => entry);
}
