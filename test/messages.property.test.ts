/**
 * Invariant 8 under random interleavings, on both engines: whatever mix of failing, succeeding and
 * crashing sends, racing workers, recoveries and clock jumps, every message reaches its recipient
 * at most once (an email never twice; a webhook is accepted at most once), every channel call has
 * its attempt in the log, and nothing stays in flight once recovery has run.
 */
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/client.ts';
import type { Outgoing, Senders, SendResult } from '../src/modules/messages/messages.channels.ts';
import {
  deliverDue,
  deliverMessage,
  dueMessageIds,
  recoverInterrupted,
} from '../src/modules/messages/messages.delivery.ts';
import { startRelayCursor } from '../src/modules/messages/messages.relay.ts';
import { ManualClock } from '../src/shared/clock.ts';
import { startTestApp, type TestApp, variant } from './support/harness.ts';
import { propertyOptions } from './support/property.ts';
import { relayAll } from './support/relay.ts';

const clock = new ManualClock(new Date('2026-05-01T09:00:00Z'));
let t: TestApp;
beforeAll(async () => {
  // Its webhook endpoint is on loopback (BACKFILL_ALLOW_PRIVATE_URLS=true).
  t = await startTestApp({ clock, config: { allowPrivateUrls: true } });
});
afterAll(() => t.close());

type Outcome = 'ok' | 'fail' | 'permanent' | 'crash';

/** A channel that does what the plan says and records what really reached the recipient. */
function plannedSenders(
  plan: Outcome[],
  received: Map<string, number>,
  calls: Map<string, number>,
  acked: Map<string, number>,
): Senders {
  let i = 0;
  const send = async (message: Outgoing): Promise<SendResult> => {
    calls.set(message.id, (calls.get(message.id) ?? 0) + 1);
    const outcome = plan[i++ % plan.length]!;
    if (outcome === 'crash') {
      // The message leaves, then the process dies before it can record anything.
      received.set(message.id, (received.get(message.id) ?? 0) + 1);
      return new Promise(() => {});
    }
    if (outcome === 'ok') {
      received.set(message.id, (received.get(message.id) ?? 0) + 1);
      acked.set(message.id, (acked.get(message.id) ?? 0) + 1);
      return { ok: true, code: 250, response: 'ok' };
    }
    return {
      ok: false,
      code: outcome === 'permanent' ? 550 : 451,
      error: outcome,
      permanent: outcome === 'permanent',
    };
  };
  return { email: (_s, m) => send(m), sms: (_s, m) => send(m), webhook: (_t, m) => send(m) };
}

const step = fc.oneof(
  fc.record({
    kind: fc.constant('pass' as const),
    outcomes: fc.array(fc.constantFrom<Outcome>('ok', 'fail', 'permanent', 'crash'), {
      minLength: 1,
      maxLength: 4,
    }),
  }),
  fc.record({
    kind: fc.constant('race' as const),
    outcomes: fc.array(fc.constantFrom<Outcome>('ok', 'fail', 'crash'), { minLength: 1, maxLength: 3 }),
  }),
  fc.record({ kind: fc.constant('advance' as const), minutes: fc.integer({ min: 1, max: 600 }) }),
  fc.record({ kind: fc.constant('recover' as const) }),
);

describe('messages: at most once (invariant 8)', () => {
  it('holds under random failures, crashes, races and clock jumps', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 3, maxLength: 12 }), async (steps) => {
        const store = await t.createStore('Property shop');
        const scope = { cursor: `prop-${store.id}`, storeIds: [store.id] };
        await startRelayCursor(t.app.deps, scope.cursor);
        await t.request('PATCH', '/v1/settings/messaging', {
          key: store.secretKey,
          body: { email: { smtpUrl: 'smtp://127.0.0.1:9', from: 'p@example.com' } },
        });
        await t.request('POST', '/v1/webhook-endpoints', {
          key: store.secretKey,
          body: { url: 'http://127.0.0.1:9/h', eventTypes: ['order.placed'] },
        });
        await t.request('PUT', '/v1/variants/P-1', { key: store.secretKey, body: variant('backorder') });
        for (let i = 0; i < 3; i++) {
          await t.request('POST', '/v1/orders', {
            key: store.secretKey,
            body: { customer: { email: `p${i}@example.com` }, lines: [{ sku: 'P-1', quantity: 1 }] },
          });
        }
        await relayAll(t.app.deps, scope);
        const received = new Map<string, number>();
        const calls = new Map<string, number>();
        const acked = new Map<string, number>();
        const storeIds = [store.id];
        for (const s of steps) {
          if (s.kind === 'advance') clock.advance(s.minutes * 60_000);
          else if (s.kind === 'recover') await recoverInterrupted(t.app.deps, { storeIds });
          else if (s.kind === 'pass') {
            const senders = plannedSenders(s.outcomes, received, calls, acked);
            // A pass that meets a crash never returns: let it hang, as a dead process would.
            await Promise.race([
              deliverDue(t.app.deps, senders, { storeIds }),
              new Promise((r) => setTimeout(r, 200)),
            ]);
          } else {
            const ids = await dueMessageIds(t.app.deps, { storeIds });
            const senders = plannedSenders(s.outcomes, received, calls, acked);
            await Promise.race([
              Promise.all(
                ids.flatMap((id) => [
                  deliverMessage(t.app.deps, senders, id),
                  deliverMessage(t.app.deps, senders, id),
                ]),
              ),
              new Promise((r) => setTimeout(r, 200)),
            ]);
          }
        }
        // Let every lease run out and recover, as the worker eventually does. A pass cut off above
        // may not be dead, only slow: its claim can commit after a recovery, so recover until
        // nothing is left sending.
        for (let round = 0; round < 50; round++) {
          clock.advance(10 * 60_000);
          await recoverInterrupted(t.app.deps, { storeIds });
          const [left] = await queryRows<{ n: number }>(
            t.app.deps.db,
            sql`SELECT count(*)::int AS n FROM messages WHERE store_id = ${store.id} AND state = 'sending'`,
          );
          if (left?.n === 0) break;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }

        const rows = await queryRows<{
          id: string;
          channel: string;
          state: string;
          attempts: number;
          logged: number;
        }>(
          t.app.deps.db,
          sql`SELECT m.id, m.channel, m.state, m.attempts,
                     (SELECT count(*)::int FROM message_attempts a WHERE a.message_id = m.id) AS logged
                FROM messages m WHERE m.store_id = ${store.id}`,
        );
        expect(rows.length).toBe(6); // 3 confirmations + 3 webhooks
        for (const row of rows) {
          const got = received.get(row.id) ?? 0;
          // Email: never twice, even across crashes. Webhook: repeated only after a crash left it in
          // doubt (same webhook-id, which receivers dedupe by); accepted (2xx) at most once.
          if (row.channel === 'email') expect(got, `email ${row.id}`).toBeLessThanOrEqual(1);
          expect(acked.get(row.id) ?? 0, `accepted ${row.id}`).toBeLessThanOrEqual(1);
          expect(row.state).not.toBe('sending');
          if (row.state === 'sent') expect(got).toBeGreaterThanOrEqual(1);
          // Every call to the channel is an attempt in the log, numbered without gaps.
          expect(row.logged, `attempts of ${row.id}`).toBe(calls.get(row.id) ?? 0);
          expect(row.attempts).toBe(row.logged);
        }
      }),
      propertyOptions(),
    );
  }, 600_000);
});
