/**
 * The Backorders page's bulk actions, one API call (or two) per order, a few at a time, each with
 * its own outcome: some may fail (already shipped, nothing to resend) while the rest go through.
 */
import { api, data } from '../api/client';
import type { Backorder } from '../api/types';

export interface Outcome {
  orderId: string;
  ok: boolean;
  /** What happened, in words (the server's when it refused). */
  words: string;
}

/** Runs `work` over `items`, `width` at a time; every item gets an outcome. */
export async function eachLimited<T>(
  items: readonly T[],
  width: number,
  work: (item: T) => Promise<Outcome>,
  onOutcome: (outcome: Outcome) => void,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      onOutcome(await work(item));
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, lane));
}

const reason = (error: unknown): string => (error instanceof Error ? error.message : 'Something went wrong.');

/** Selected lines grouped by order: each order's waiting units of those lines. */
export function byOrder(lines: readonly Backorder[]): { orderId: string; lines: Backorder[] }[] {
  const groups = new Map<string, Backorder[]>();
  for (const line of lines) groups.set(line.orderId, [...(groups.get(line.orderId) ?? []), line]);
  return [...groups].map(([orderId, grouped]) => ({ orderId, lines: grouped }));
}

/** Cancels the waiting units of the order's selected lines (refunded where Backfill holds the money). */
export async function cancelWaiting(group: { orderId: string; lines: Backorder[] }, reasonText: string) {
  const units = group.lines.reduce((n, l) => n + l.backorderedQuantity, 0);
  try {
    await data(
      api.POST('/v1/orders/{id}/cancel', {
        params: { path: { id: group.orderId }, header: { 'idempotency-key': crypto.randomUUID() } },
        body: {
          lines: group.lines.map((l) => ({ lineId: l.lineId, quantity: l.backorderedQuantity })),
          ...(reasonText ? { reason: reasonText } : {}),
        },
      }),
    );
    return {
      orderId: group.orderId,
      ok: true,
      words: `Cancelled ${units} waiting unit${units === 1 ? '' : 's'}`,
    };
  } catch (error) {
    return { orderId: group.orderId, ok: false, words: reason(error) };
  }
}

/** Sends the order's latest message again (the newest in its log). */
export async function resendLatest(orderId: string): Promise<Outcome> {
  try {
    const log = await data(api.GET('/v1/messages', { params: { query: { orderId, limit: 1 } } }));
    const latest = log.data[0];
    if (!latest) return { orderId, ok: false, words: 'No message was sent for this order yet' };
    await data(
      api.POST('/v1/messages/{id}/replay', {
        params: { path: { id: latest.id }, header: { 'idempotency-key': crypto.randomUUID() } },
      }),
    );
    return {
      orderId,
      ok: true,
      words: `Resent “${latest.subject ?? latest.kind.replace(/_/g, ' ')}” to ${latest.recipient}`,
    };
  } catch (error) {
    return { orderId, ok: false, words: reason(error) };
  }
}
