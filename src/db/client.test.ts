import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseUrl } from '../../test/support/harness.ts';
import { type DatabaseHandle, executeIfGateHolds, openDatabase, queryRows } from './client.ts';

let database: DatabaseHandle;
const table = `gate_probe_${process.pid}`;

beforeAll(async () => {
  database = await openDatabase(testDatabaseUrl());
  await database.db.execute(
    sql.raw(`CREATE TABLE IF NOT EXISTS ${table} (id int PRIMARY KEY, n int NOT NULL)`),
  );
  await database.db.execute(sql.raw(`CREATE TABLE IF NOT EXISTS ${table}_log (id int NOT NULL)`));
  await database.db.execute(
    sql.raw(`INSERT INTO ${table} VALUES (1, 10) ON CONFLICT (id) DO UPDATE SET n = 10`),
  );
});
afterAll(async () => {
  await database.db.execute(sql.raw(`DROP TABLE IF EXISTS ${table}, ${table}_log`));
  await database.close();
});

/** The optimistic placement's write: a guarded UPDATE plus writes that must not outlive a miss. */
const write = (expected: number, next: number, logId: number) =>
  executeIfGateHolds(
    database.db,
    sql`UPDATE ${sql.raw(table)} SET n = ${next} WHERE id = 1 AND n = ${expected} RETURNING 1`,
    1,
    [sql`INSERT INTO ${sql.raw(`${table}_log`)} (id) VALUES (${logId})`],
  );

const state = async () => ({
  n: (await queryRows<{ n: number }>(database.db, sql`SELECT n FROM ${sql.raw(table)} WHERE id = 1`))[0]?.n,
  log: (
    await queryRows<{ id: number }>(database.db, sql`SELECT id FROM ${sql.raw(`${table}_log`)} ORDER BY id`)
  ).map((r) => r.id),
});

describe('executeIfGateHolds', () => {
  it('writes everything when the gate holds', async () => {
    expect(await write(10, 11, 1)).toBe(true);
    expect(await state()).toEqual({ n: 11, log: [1] });
  });

  it('writes nothing, not even the other statements, when the row moved', async () => {
    expect(await write(10, 12, 2)).toBe(false);
    expect(await state()).toEqual({ n: 11, log: [1] });
  });

  it('undoes the rows the gate did change when one of several moved', async () => {
    await database.db.execute(
      sql.raw(`INSERT INTO ${table} VALUES (2, 20) ON CONFLICT (id) DO UPDATE SET n = 20`),
    );
    const passed = await executeIfGateHolds(
      database.db,
      sql`UPDATE ${sql.raw(table)} SET n = n + 1 WHERE (id = 1 AND n = 11) OR (id = 2 AND n = 999) RETURNING 1`,
      2,
      [],
    );
    expect(passed).toBe(false);
    expect((await state()).n).toBe(11);
  });
});
