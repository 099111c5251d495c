/**
 * A name search reads the newest orders first, then the name index, then (a broad prefix whose
 * matches are all old) walks the store: each way must give what a plain newest-first query gives,
 * page after page. The store is written set-wise (3,200 orders) so that every way is taken.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/client.ts';
import {
  likePrefix,
  listOrderRows,
  NAME_MATCHES,
  NAME_WALK,
} from '../src/modules/orders/orders.repository.ts';
import { startTestApp, type TestApp } from './support/harness.ts';

let t: TestApp;
let storeId: string;

beforeAll(async () => {
  t = await startTestApp();
  storeId = (await t.createStore('Names')).id;
  // Oldest first: 2,100 shoppers called Zed, then Amys, with every 50th a Zed (20 among the newest 1,000).
  await t.app.deps.db.execute(sql`
    INSERT INTO orders (id, store_id, status, customer, currency, line_count, created_at, updated_at)
    SELECT 'ord_names' || lpad(n::text, 6, '0'), ${storeId}, 'backordered',
           jsonb_build_object('name', CASE WHEN n <= 2100 OR n % 50 = 0 THEN 'Zed ' ELSE 'Amy ' END || n),
           'USD', 1, now(), now()
      FROM generate_series(1, 3200) AS n ORDER BY n`);
}, 120_000);
afterAll(async () => {
  await t.close();
});

async function plain(name: string, limit: number, before: number | null): Promise<number[]> {
  const rows = await queryRows<{ seq: string | number }>(
    t.app.deps.db,
    sql`SELECT seq FROM orders WHERE store_id = ${storeId} AND lower(customer->>'name') LIKE ${likePrefix(name)}
          ${before === null ? sql`` : sql`AND seq < ${before}`}
        ORDER BY seq DESC LIMIT ${limit + 1}`,
  );
  return rows.map((r) => Number(r.seq));
}

describe('listOrderRows by name', () => {
  it('pages like a plain newest-first query, whichever way it reads', async () => {
    // The set-up takes every way only with these bounds.
    expect(NAME_WALK).toBeLessThanOrEqual(1000);
    expect(NAME_MATCHES).toBeGreaterThanOrEqual(1111);
    expect(NAME_MATCHES).toBeLessThan(2122);
    // amy: many recent matches (the newest orders); zed: 2,122 matches, 20 among the newest 1,000
    // (a page of 50: the walk of the store); zed 1: 1,111 old matches (the name index); zed 29: a
    // few; nobody: none.
    for (const name of ['amy', 'zed', 'zed 1', 'zed 29', 'ZED 2', 'nobody']) {
      for (const limit of [1, 50]) {
        let before: number | null = null;
        for (let page = 0; page < 4; page++) {
          const got: number[] = (await listOrderRows(t.app.deps.db, storeId, { name, limit, before })).map(
            (r) => r.seq,
          );
          const want = await plain(name, limit, before);
          expect(got, `${name}, limit ${limit}, before ${before}`).toEqual(want);
          if (got.length <= limit) break;
          before = got[limit - 1]!;
        }
      }
    }
  });
});
