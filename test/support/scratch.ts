/**
 * A database of a test's own, on the engine under test: tests whose processes run the background
 * worker must not share the test database (they would deliver other files' messages). PostgreSQL:
 * `<test database>_<tag>_<pid>` on the same server, dropped by `drop()`; PGlite: a temporary directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { engineUnderTest, testDatabaseUrl } from './harness.ts';

export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function scratchDatabase(tag: string): Promise<ScratchDatabase> {
  if (engineUnderTest() === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), `backfill-${tag}-`));
    return {
      url: `pglite://${join(dir, 'data')}`,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const base = new URL(testDatabaseUrl());
  const name = `${base.pathname.slice(1)}_${tag}_${process.pid}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const admin = new pg.Client({ connectionString: base.toString() });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(base.toString());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: base.toString() });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
