/**
 * Growth past one database (docs/deploy.md): the schema can be distributed by store with Citus only
 * if every table keeps `store_id` in its primary key and in every foreign key (a row and every row
 * it points at then live on the same node). This reads the catalog of the migrated database and
 * names each table or key that breaks the rule.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/client.ts';
import { startTestApp, type TestApp } from './support/harness.ts';

/**
 * Tables that are global, not a store's, and why (in Citus: reference tables, copied to every node).
 * Tables outside `public` (drizzle's migration log, pg-boss's jobs) are bookkeeping, not checked.
 */
const GLOBAL: Record<string, string> = {
  stores: 'the stores themselves: their id is what every other table is distributed by',
  api_keys: 'a key is looked up by its hash before its store is known, across all stores',
  relay_cursors: "the message relay's position in the outbox, across all stores",
  rate_limit_counters: 'request counts per client address (and per key), taken before a store is known',
};

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

describe('every table is distributable by store', () => {
  it('keeps store_id in its primary key and in every foreign key', async () => {
    const tables = await queryRows<{ name: string; primary_key: string[] | null }>(
      t.app.deps.db,
      sql`SELECT c.relname AS name,
                 (SELECT array_agg(a.attname::text ORDER BY a.attnum) FROM pg_constraint k
                    JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = ANY (k.conkey)
                   WHERE k.conrelid = c.oid AND k.contype = 'p') AS primary_key
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY 1`,
    );
    expect(tables.map((r) => r.name)).toEqual(expect.arrayContaining(['orders', 'order_lines', 'events']));
    const foreignKeys = await queryRows<{ name: string; source: string; pairs: string[] }>(
      t.app.deps.db,
      sql`SELECT k.conname AS name, s.relname AS source,
                 array_agg(a.attname || '->' || r.relname || '.' || b.attname ORDER BY u.i) AS pairs
            FROM pg_constraint k
            JOIN pg_class s ON s.oid = k.conrelid
            JOIN pg_class r ON r.oid = k.confrelid
            JOIN pg_namespace n ON n.oid = s.relnamespace
            CROSS JOIN LATERAL unnest(k.conkey, k.confkey) WITH ORDINALITY AS u(con, ref, i)
            JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.con
            JOIN pg_attribute b ON b.attrelid = k.confrelid AND b.attnum = u.ref
           WHERE k.contype = 'f' AND n.nspname = current_schema()
           GROUP BY k.conname, s.relname ORDER BY 1`,
    );
    const broken: string[] = [];
    for (const table of tables) {
      if (table.name in GLOBAL) continue;
      if (!table.primary_key?.includes('store_id')) {
        broken.push(`${table.name}: primary key (${table.primary_key?.join(', ') ?? 'none'}) lacks store_id`);
      }
    }
    for (const key of foreignKeys) {
      if (key.source in GLOBAL) continue;
      // store_id must point at the store's id: the referenced table's store_id, or stores.id itself.
      if (
        !key.pairs.some((pair) => pair === `store_id->stores.id` || /^store_id->\w+\.store_id$/.test(pair))
      ) {
        broken.push(
          `${key.source}: foreign key ${key.name} (${key.pairs.join(', ')}) does not carry store_id`,
        );
      }
    }
    expect(broken).toEqual([]);
  });
});
