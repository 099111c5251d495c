import { and, asc, desc, eq, lt, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import type { Deps } from '../../shared/context.ts';
import { decodeCursor, type Page, toPage } from '../../shared/cursor.ts';
import { DomainError, notFound } from '../../shared/errors.ts';
import { GIVE_UP_AFTER_MS } from './messages.models.ts';
import { type Channel, type MessageState, messageAttempts, messages } from './messages.tables.ts';

type MessageRow = typeof messages.$inferSelect;
type AttemptRow = typeof messageAttempts.$inferSelect;

export interface MessageView {
  id: string;
  kind: string;
  channel: Channel;
  recipient: string;
  state: MessageState;
  eventId: string | null;
  eventType: string | null;
  orderId: string | null;
  transactional: boolean;
  subject: string | null;
  body: string | null;
  html: string | null;
  payload: Record<string, unknown> | null;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  sentAt: string | null;
  createdAt: string;
}

export interface AttemptView {
  number: number;
  status: string;
  responseCode: number | null;
  response: string | null;
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * One-time sign-in links (staff invitations) are withheld from the log: anyone who may read
 * messages could otherwise sign in as the invited person before they do.
 */
const withholdSignInLinks = (text: string | null): string | null =>
  text === null ? null : text.replace(/#link=[A-Za-z0-9._-]+/g, '#link=(withheld)');

const toView = (m: MessageRow): MessageView => ({
  id: m.id,
  kind: m.kind,
  channel: m.channel,
  recipient: m.recipient,
  state: m.state,
  eventId: m.eventId,
  eventType: m.eventType,
  orderId: m.orderId,
  transactional: m.transactional,
  subject: m.subject,
  body: withholdSignInLinks(m.body),
  html: withholdSignInLinks(m.html),
  payload: m.payload,
  attempts: m.attempts,
  nextAttemptAt: iso(m.nextAttemptAt),
  lastError: m.lastError,
  sentAt: iso(m.sentAt),
  createdAt: m.createdAt.toISOString(),
});

const toAttemptView = (a: AttemptRow): AttemptView => ({
  number: a.number,
  status: a.status,
  responseCode: a.responseCode,
  response: a.response,
  error: a.error,
  startedAt: a.startedAt.toISOString(),
  finishedAt: iso(a.finishedAt),
});

export interface MessageQuery {
  limit: number;
  cursor?: string;
  orderId?: string;
  channel?: Channel;
  state?: MessageState;
  kind?: string;
  recipient?: string;
}

/** The message log, newest first. */
export async function listMessages(
  db: Executor,
  storeId: string,
  query: MessageQuery,
): Promise<Page<MessageView>> {
  const after = decodeCursor(query.cursor);
  const conditions: (SQL | undefined)[] = [
    eq(messages.storeId, storeId),
    query.orderId ? eq(messages.orderId, query.orderId) : undefined,
    query.channel ? eq(messages.channel, query.channel) : undefined,
    query.state ? eq(messages.state, query.state) : undefined,
    query.kind ? eq(messages.kind, query.kind as MessageRow['kind']) : undefined,
    query.recipient ? eq(messages.recipient, query.recipient) : undefined,
    after !== null ? lt(messages.seq, after) : undefined,
  ];
  const rows = await db
    .select()
    .from(messages)
    .where(and(...conditions))
    .orderBy(desc(messages.seq))
    .limit(query.limit + 1);
  return toPage(rows, query.limit, (row) => row.seq, toView);
}

async function findMessage(db: Executor, storeId: string, id: string, lock = false): Promise<MessageRow> {
  const query = db
    .select()
    .from(messages)
    .where(and(eq(messages.storeId, storeId), eq(messages.id, id)));
  const [row] = lock ? await query.for('update') : await query;
  if (!row) throw notFound('Message', id);
  return row;
}

/** One message with every delivery attempt, oldest first. */
export async function getMessage(
  db: Executor,
  storeId: string,
  id: string,
): Promise<MessageView & { deliveryAttempts: AttemptView[] }> {
  const message = await findMessage(db, storeId, id);
  const attempts = await db
    .select()
    .from(messageAttempts)
    .where(eq(messageAttempts.messageId, id))
    .orderBy(asc(messageAttempts.number));
  return { ...toView(message), deliveryAttempts: attempts.map(toAttemptView) };
}

/**
 * Sends a message again on request (customer service resending an email, a developer replaying a
 * webhook after fixing the receiver): the same message, with the same webhook-id, queued now with
 * a fresh day of retries. A message still on its way cannot be replayed.
 */
export async function replayMessage(
  tx: Executor,
  deps: Pick<Deps, 'clock'>,
  storeId: string,
  id: string,
): Promise<MessageView> {
  const message = await findMessage(tx, storeId, id, true);
  if (message.state === 'queued' || message.state === 'sending') {
    throw new DomainError(
      'conflict',
      'message_in_flight',
      `Message "${id}" is already on its way (${message.state})`,
    );
  }
  if (message.body === null && message.payload === null) {
    throw new DomainError('conflict', 'message_not_rendered', `Message "${id}" has no content to send`);
  }
  const now = deps.clock.now();
  const [row] = await tx
    .update(messages)
    .set({
      state: 'queued',
      nextAttemptAt: now,
      giveUpAt: new Date(now.getTime() + GIVE_UP_AFTER_MS),
      updatedAt: now,
    })
    .where(eq(messages.id, id))
    .returning();
  return toView(row!);
}
