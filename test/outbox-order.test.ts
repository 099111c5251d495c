/**
 * The outbox is read in transaction-id order, numerically: the relay and the live feed select the
 * id as text (for JSON), and ordering by that text put transaction 1000 before 999, so a full relay
 * batch across a digit boundary moved its cursor past events it had never read.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/client.ts';
import { LiveFeed } from '../src/modules/live/live.feed.ts';
import { relayEvents } from '../src/modules/messages/messages.relay.ts';
import { startTestApp, type TestApp } from './support/harness.ts';

let t: TestApp;
let storeId: string;
const xids = [995, 996, 997, 998, 999, 1000, 1001, 1002, 1003, 1004];
beforeAll(async () => {
  t = await startTestApp();
  storeId = (await t.createStore('Outbox order')).id;
  // A fresh database may not have reached transaction 1004 yet: take ids until it has.
  for (let i = 0; i < 2000; i++) {
    const [row] = await queryRows<{ xid: string }>(
      t.app.deps.db,
      sql`SELECT pg_current_xact_id()::text AS xid`,
    );
    if (Number(row!.xid) > 1010) break;
  }
  // Events of long-committed transactions either side of 1000 (xid is an ordinary column, so the
  // test writes it; any committed id below the oldest running transaction reads the same).
  for (const [i, xid] of xids.entries()) {
    await t.app.deps.db.execute(
      sql`INSERT INTO events (id, store_id, type, data, created_at, xid)
          VALUES (${`evt_order_${storeId}_${i}`}, ${storeId}, 'test.ordered', '{}'::jsonb, now(), ${String(xid)}::xid8)`,
    );
  }
});
afterAll(async () => {
  await t?.close();
});

describe('reading the outbox', () => {
  it('the relay reads every event of a backlog across a digit boundary, batch after batch', async () => {
    const scope = { cursor: `test-order-${storeId}`, storeIds: [storeId] };
    await t.app.deps.db.execute(
      sql`INSERT INTO relay_cursors (name, xid, seq, updated_at) VALUES (${scope.cursor}, '1'::xid8, 0, now())`,
    );
    const result = await relayEvents(t.app.deps, { scope, batchSize: 4, maxBatches: 10 });
    expect(result.events).toBe(xids.length);
    const [cursor] = await queryRows<{ xid: string }>(
      t.app.deps.db,
      sql`SELECT xid::text AS xid FROM relay_cursors WHERE name = ${scope.cursor}`,
    );
    expect(cursor!.xid).toBe('1004');
  });

  it('a live client resuming from before the backlog gets it in transaction order', async () => {
    const feed = new LiveFeed(t.app.deps.db);
    const events = await feed.eventsAfter(storeId, { xid: '1', seq: 0 });
    expect(events.map((e) => Number(e.xid))).toEqual(xids);
  });
});
