/**
 * The collector against a cancellation committed while it waits for the line's lock (PostgreSQL:
 * PGlite runs one transaction at a time). The crash harness once ended with a cancelled line whose
 * charge was never refunded: the collector, queued behind the cancellation for the payment line's
 * lock, got the line's new version but its quantities as they were before the cancellation (a
 * locking read re-reads only the rows it locks), found nothing to do and cleared the line's
 * wake-up — the cancellation's "refund this" was lost. Here the same interleaving is made on
 * purpose with the real commands: the line's lock is held, the cancellation and then the collector
 * queue for it, the lock is let go.
 */
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/client.ts';
import { ManualClock } from '../src/shared/clock.ts';
import { engineUnderTest, testDatabaseUrl, variant } from './support/harness.ts';
import { stripeTestBed } from './support/stripe-bed.ts';

const clock = new ManualClock(new Date('2026-09-01T09:00:00Z'));
const { bed, ok, call, stripeStore, collect, paymentsOf } = stripeTestBed(clock);
const card = { customerId: 'cus_lock', paymentMethodId: 'pm_card_visa' };

/** Until `count` sessions of the test database wait for a lock (the ones queued behind ours). */
async function waitForWaiters(client: pg.Client, count: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const { rows } = await client.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    if (rows[0].n >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`fewer than ${count} sessions came to wait for the lock`);
}

describe.skipIf(engineUnderTest() === 'pglite')(
  'the collector queued behind a cancellation (postgres)',
  () => {
    it('reads the quantities the cancellation left, and refunds the cancelled unit', async () => {
      const store = await stripeStore({ paymentMode: 'upfront' });
      await ok('PUT', '/v1/variants/LOCK', store, variant('backorder', null, { price: 1999 }));
      const order = await ok('POST', '/v1/orders', store, {
        payment: card,
        customer: { email: 'shopper@lock.example' },
        lines: [{ sku: 'LOCK', quantity: 1 }],
      });
      await collect(store);
      expect((await paymentsOf(store, order.id)).lines[0]).toMatchObject({ captured: 1999, refunded: 0 });
      const lineId = order.lines[0].id as string;
      // Due again (as a fill or a release would leave it), so the collector's run takes the line up.
      await bed.t.app.deps.db.execute(
        sql`UPDATE payment_lines SET next_attempt_at = ${clock.now()}::timestamptz WHERE line_id = ${lineId}`,
      );

      const holder = new pg.Client({ connectionString: testDatabaseUrl() });
      await holder.connect();
      try {
        await holder.query('BEGIN');
        await holder.query('SELECT 1 FROM payment_lines WHERE line_id = $1 FOR UPDATE', [lineId]);
        // The cancellation writes the order line, then waits for the payment line (to mark it due)…
        const cancelled = call('POST', `/v1/orders/${order.id}/cancel`, store, {});
        await waitForWaiters(holder, 1);
        // …and the collector, whose statement starts now (before the cancellation commits), queues behind it.
        const collected = collect(store);
        await waitForWaiters(holder, 2);
        await holder.query('COMMIT');
        expect((await cancelled).statusCode).toBe(200);
        await collected;
      } finally {
        await holder.end();
      }
      // Whatever the run above did, the line must not be left with the money and nothing due.
      await collect(store);
      const [line] = await queryRows<{ next: Date | null }>(
        bed.t.app.deps.db,
        sql`SELECT next_attempt_at AS next FROM payment_lines WHERE line_id = ${lineId}`,
      );
      const view = await paymentsOf(store, order.id);
      expect(view.lines[0], JSON.stringify({ line, view })).toMatchObject({ captured: 1999, refunded: 1999 });
    });
  },
);
