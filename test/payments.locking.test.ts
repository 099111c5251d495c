/**
 * The collector against a stock command that changes a line's units while the collector runs
 * (PostgreSQL: PGlite runs one transaction at a time). The crash harness once ended with a
 * cancelled line whose charge was never refunded: the collector, queued behind the cancellation
 * for the payment line's lock, got the line's new version but its quantities as they were before
 * the cancellation (a locking read re-reads only the rows it locks), found nothing to do and
 * cleared the line's wake-up. The second way to the same loss: a fill marking a line that is due
 * already skipped it, took no lock, and the collector read the units from before the fill. Both
 * interleavings are made here on purpose with the real commands and the real collector.
 */
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { inTransaction, queryRows } from '../src/db/client.ts';
import { adjustStock } from '../src/modules/stock/stock.adjust.ts';
import { ManualClock } from '../src/shared/clock.ts';
import { engineUnderTest, type StoreKeys, testDatabaseUrl, variant } from './support/harness.ts';
import { stripeTestBed } from './support/stripe-bed.ts';

const clock = new ManualClock(new Date('2026-09-01T09:00:00Z'));
const { bed, ok, call, stripeStore, collect, paymentsOf } = stripeTestBed(clock);
const card = { customerId: 'cus_lock', paymentMethodId: 'pm_card_visa' };

/**
 * Until `count` sessions wait, directly or in a queue, for a lock `holder` holds (other test files
 * share the database: their waits do not count).
 */
async function waitForWaiters(holder: pg.Client, count: number): Promise<void> {
  const { rows: me } = await holder.query('SELECT pg_backend_pid() AS pid');
  for (let i = 0; i < 200; i++) {
    const { rows } = await holder.query<{ pid: number; by: number[] }>(
      `SELECT pid, pg_blocking_pids(pid) AS by FROM pg_stat_activity
        WHERE cardinality(pg_blocking_pids(pid)) > 0`,
    );
    const behind = new Set<number>([me[0].pid]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const row of rows)
        if (!behind.has(row.pid) && row.by.some((pid) => behind.has(pid))) {
          behind.add(row.pid);
          grew = true;
        }
    }
    if (behind.size - 1 >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`fewer than ${count} sessions came to wait for the lock`);
}

/** A Stripe store's upfront order of one waiting unit, charged; its line made due again. */
async function chargedWaitingUnit(
  sku: string,
): Promise<{ store: StoreKeys; orderId: string; lineId: string }> {
  const store = await stripeStore({ paymentMode: 'upfront' });
  await ok('PUT', `/v1/variants/${sku}`, store, variant('backorder', null, { price: 1999 }));
  const order = await ok('POST', '/v1/orders', store, {
    payment: card,
    customer: { email: 'shopper@lock.example' },
    lines: [{ sku, quantity: 1 }],
  });
  await collect(store);
  expect((await paymentsOf(store, order.id)).lines[0]).toMatchObject({ captured: 1999, refunded: 0 });
  const lineId = order.lines[0].id as string;
  // Due (as a fill or a release would leave it), so the collector's run takes the line up.
  await bed.t.app.deps.db.execute(
    sql`UPDATE payment_lines SET next_attempt_at = ${clock.now()}::timestamptz WHERE line_id = ${lineId}`,
  );
  return { store, orderId: order.id, lineId };
}

/** Whatever the runs did, the cancelled unit's money must be given back, not left with nothing due. */
async function expectRefunded(store: StoreKeys, orderId: string, lineId: string): Promise<void> {
  await collect(store);
  const [line] = await queryRows<{ next: Date | null }>(
    bed.t.app.deps.db,
    sql`SELECT next_attempt_at AS next FROM payment_lines WHERE line_id = ${lineId}`,
  );
  const view = await paymentsOf(store, orderId);
  expect(view.lines[0], JSON.stringify({ line, view })).toMatchObject({ captured: 1999, refunded: 1999 });
}

describe.skipIf(engineUnderTest() === 'pglite')(
  'the collector queued behind a cancellation (postgres)',
  () => {
    it('reads the quantities the cancellation left, and refunds the cancelled unit', async () => {
      const { store, orderId, lineId } = await chargedWaitingUnit('LOCK-1');
      const holder = new pg.Client({ connectionString: testDatabaseUrl() });
      await holder.connect();
      try {
        await holder.query('BEGIN');
        await holder.query('SELECT 1 FROM payment_lines WHERE line_id = $1 FOR UPDATE', [lineId]);
        // The cancellation writes the order line, then waits for the payment line (to mark it due)…
        const cancelled = call('POST', `/v1/orders/${orderId}/cancel`, store, {});
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
      await expectRefunded(store, orderId, lineId);
    });

    it('waits for a restock still running on a line already due, and charges the filled unit', async () => {
      // A fill does not lock the payment line up front (a cancellation's payment checks do). The
      // line is due already, so marking it due changes nothing, but must still take its lock: else
      // the collector, running meanwhile, reads the unit as still waiting, finds nothing to do and
      // clears the line — and the unit is not charged until someone ships it.
      const store = await stripeStore({ paymentMode: 'on_ship', defaultLeadTimeDays: 14 });
      await ok('PUT', '/v1/variants/LOCK-2', store, variant('backorder', null, { price: 1999 }));
      const order = await ok('POST', '/v1/orders', store, {
        payment: card,
        customer: { email: 'shopper@lock.example' },
        lines: [{ sku: 'LOCK-2', quantity: 1 }],
      });
      await collect(store); // a long wait: the method is verified and saved, nothing is charged
      const lineId = order.lines[0].id as string;
      const deps = bed.t.app.deps;
      await deps.db.execute(
        sql`UPDATE payment_lines SET next_attempt_at = ${clock.now()}::timestamptz WHERE line_id = ${lineId}`,
      );
      const scope = { id: store.id, currency: 'USD', timezone: 'UTC' };
      let filled!: () => void;
      const inFlight = new Promise<void>((resolve) => {
        filled = resolve;
      });
      let commit!: () => void;
      const gate = new Promise<void>((resolve) => {
        commit = resolve;
      });
      const restock = inTransaction(deps.db, async (tx) => {
        await adjustStock(tx, deps, scope, { sku: 'LOCK-2', quantity: 1, reason: 'restock' });
        filled();
        await gate;
      });
      await inFlight;
      const collected = collect(store);
      const early = await Promise.race([
        collected.then(() => 'finished'),
        new Promise((resolve) => setTimeout(() => resolve('waiting'), 500)),
      ]);
      commit();
      await restock;
      await collected;
      await collect(store);
      const view = await paymentsOf(store, order.id);
      expect(view.lines[0], JSON.stringify(view)).toMatchObject({ captured: 1999, refunded: 0 });
      expect(early, 'the collector waits for the restock that holds the line').toBe('waiting');
    });
  },
);
