import { and, eq, inArray, lte } from 'drizzle-orm';
import { inTransaction } from '../../db/client.ts';
import type { Deps } from '../../shared/context.ts';
import type { Outgoing, Senders, SendResult } from './messages.channels.ts';
import { claimMessages, type DeliveryOutcome, type MessageRow } from './messages.claim.ts';
import {
  DELIVERY_SET_SIZE,
  type DueMessage,
  deliveryJobs,
  deliveryLanes,
  retryDelayMs,
} from './messages.models.ts';
import { messageAttempts, messages } from './messages.tables.ts';

type DeliveryDeps = Pick<Deps, 'db' | 'clock' | 'ids'>;

export type { DeliveryOutcome };

/**
 * Delivers a set of messages, each at most once: their attempts are committed as `sending` before
 * any channel is called and each is settled after its own send, so a process that dies mid-send
 * leaves a trace instead of a duplicate (see `recoverInterrupted`). Several workers may race on a
 * message: the row lock and the state check let exactly one of them send. Returns an outcome per
 * requested id, in order (`skipped` for one another worker holds, one no longer due, or a repeat).
 */
export async function deliverMessages(
  deps: DeliveryDeps,
  senders: Senders,
  messageIds: readonly string[],
): Promise<DeliveryOutcome[]> {
  const claims = await inTransaction(deps.db, (tx) => claimMessages(tx, deps, messageIds));
  const seen = new Set<string>();
  return Promise.all(
    messageIds.map(async (id) => {
      // An id named twice is one claim: the second mention sends nothing.
      const claim = seen.has(id) ? undefined : claims.get(id);
      seen.add(id);
      if (claim?.outcome !== 'claimed') return claim?.outcome ?? 'skipped';
      const { message, attempt, route } = claim;
      let result: SendResult;
      try {
        result = await route(senders, outgoing(message));
      } catch (error) {
        result = {
          ok: false,
          code: null,
          error: error instanceof Error ? error.message : String(error),
          permanent: false,
        };
      }
      return settle(deps, message, attempt, result);
    }),
  );
}

/** Delivers one message at most once (see `deliverMessages`). */
export async function deliverMessage(
  deps: DeliveryDeps,
  senders: Senders,
  messageId: string,
): Promise<DeliveryOutcome> {
  const [outcome] = await deliverMessages(deps, senders, [messageId]);
  return outcome!;
}

const outgoing = (m: MessageRow): Outgoing => ({
  id: m.id,
  recipient: m.recipient,
  subject: m.subject,
  body: m.body,
  html: m.html,
  payload: m.payload,
});

/**
 * Records the attempt's outcome and moves the message on, in one statement (the attempt's update is
 * a data-modifying CTE): as atomic as a transaction, without its BEGIN and COMMIT round trips.
 */
async function settle(
  deps: DeliveryDeps,
  message: MessageRow,
  attempt: { id: string; number: number },
  result: SendResult,
): Promise<DeliveryOutcome> {
  const now = deps.clock.now();
  const recorded = deps.db.$with('recorded').as(
    deps.db
      .update(messageAttempts)
      .set({
        status: result.ok ? 'sent' : 'failed',
        responseCode: result.code,
        response: result.ok ? result.response : null,
        error: result.ok ? null : result.error.slice(0, 2000),
        finishedAt: now,
      })
      // Recovery may have marked it in doubt (and the message failed or due again) meanwhile: the
      // log then keeps saying so, as the message does.
      .where(and(eq(messageAttempts.id, attempt.id), eq(messageAttempts.status, 'sending')))
      .returning({ id: messageAttempts.id }),
  );
  // Only the process that claimed the attempt settles the message; if recovery took it over, not.
  const current = and(
    eq(messages.id, message.id),
    eq(messages.state, 'sending'),
    eq(messages.attempts, attempt.number),
  );
  if (result.ok) {
    await deps.db
      .with(recorded)
      .update(messages)
      .set({ state: 'sent', sentAt: now, nextAttemptAt: null, lastError: null, updatedAt: now })
      .where(current);
    return 'sent';
  }
  const next = new Date(now.getTime() + retryDelayMs(attempt.number, message.id));
  const giveUp = result.permanent || next >= message.giveUpAt;
  await deps.db
    .with(recorded)
    .update(messages)
    .set({
      state: giveUp ? 'failed' : 'queued',
      nextAttemptAt: giveUp ? null : next,
      lastError: result.error.slice(0, 2000),
      updatedAt: now,
    })
    .where(current);
  return giveUp ? 'failed' : 'retrying';
}

/**
 * Settles sends a process never came back from (it died mid-send): the attempt is marked
 * `in_doubt`. A webhook goes again (receivers dedupe by webhook-id, which does not change); an
 * email or SMS is not sent again — it may have left, and twice is worse than a logged gap.
 */
export async function recoverInterrupted(
  deps: DeliveryDeps,
  options: { storeIds?: string[] } = {},
): Promise<number> {
  const now = deps.clock.now();
  return inTransaction(deps.db, async (tx) => {
    const stuck = await tx
      .select({
        id: messages.id,
        channel: messages.channel,
        attempts: messages.attempts,
        giveUpAt: messages.giveUpAt,
      })
      .from(messages)
      .where(
        and(
          eq(messages.state, 'sending'),
          lte(messages.nextAttemptAt, now),
          options.storeIds ? inArray(messages.storeId, options.storeIds) : undefined,
        ),
      )
      .limit(500)
      .for('update', { skipLocked: true });
    for (const row of stuck) {
      await tx
        .update(messageAttempts)
        .set({
          status: 'in_doubt',
          error: 'the sending process stopped before it recorded the outcome',
          finishedAt: now,
        })
        .where(and(eq(messageAttempts.messageId, row.id), eq(messageAttempts.number, row.attempts)));
      const retry = row.channel === 'webhook' && row.giveUpAt > now;
      await tx
        .update(messages)
        .set({
          state: retry ? 'queued' : 'failed',
          nextAttemptAt: retry ? now : null,
          lastError: retry
            ? 'interrupted mid-send; sent again with the same webhook-id'
            : 'interrupted mid-send; not sent again, so it is never sent twice',
          updatedAt: now,
        })
        .where(eq(messages.id, row.id));
    }
    return stuck.length;
  });
}

/** Messages due now (new, retries, released from quiet hours), oldest first, with when each came due. */
export async function dueMessages(
  deps: Pick<Deps, 'db' | 'clock'>,
  options: { storeIds?: string[]; limit?: number } = {},
): Promise<DueMessage[]> {
  const rows = await deps.db
    .select({ id: messages.id, dueAt: messages.nextAttemptAt })
    .from(messages)
    .where(
      and(
        eq(messages.state, 'queued'),
        lte(messages.nextAttemptAt, deps.clock.now()),
        options.storeIds ? inArray(messages.storeId, options.storeIds) : undefined,
      ),
    )
    .orderBy(messages.nextAttemptAt)
    .limit(options.limit ?? 500);
  return rows.map((r) => ({ id: r.id, dueAt: r.dueAt!.getTime() }));
}

export const dueMessageIds = async (
  deps: Pick<Deps, 'db' | 'clock'>,
  options: { storeIds?: string[]; limit?: number } = {},
): Promise<string[]> => (await dueMessages(deps, options)).map((m) => m.id);

/** One pass of delivery in this process: recover interrupted sends, then deliver what is due. */
export async function deliverDue(
  deps: DeliveryDeps,
  senders: Senders,
  options: { storeIds?: string[]; limit?: number; concurrency?: number } = {},
): Promise<Record<DeliveryOutcome, number>> {
  await recoverInterrupted(deps, options);
  const ids = await dueMessageIds(deps, options);
  const counts: Record<DeliveryOutcome, number> = {
    sent: 0,
    retrying: 0,
    failed: 0,
    suppressed: 0,
    held: 0,
    skipped: 0,
  };
  // Sets of messages claimed together, about `concurrency` sends at a time in all.
  const laneCount = deliveryLanes(options.concurrency ?? 8);
  const queue = deliveryJobs(ids, laneCount, DELIVERY_SET_SIZE);
  const lanes = Array.from({ length: Math.min(laneCount, queue.length) }, async () => {
    for (let set = queue.shift(); set !== undefined; set = queue.shift()) {
      for (const outcome of await deliverMessages(deps, senders, set)) counts[outcome] += 1;
    }
  });
  await Promise.all(lanes);
  return counts;
}
