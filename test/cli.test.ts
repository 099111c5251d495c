/** The `backfill` command, run as a user would (through bin/backfill.js), on a PGlite directory. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import { testConfig } from './support/harness.ts';
import { runCli, runCliWith } from './support/processes.ts';

const dir = mkdtempSync(join(tmpdir(), 'backfill-cli-'));
const databaseUrl = `pglite://${join(dir, 'data')}`;

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const backfill = (...args: string[]) => runCli(databaseUrl, ...args);

const keysIn = (text: string) => ({
  secret: /sk_[A-Za-z0-9_-]+/.exec(text)?.[0],
  publishable: /pk_[A-Za-z0-9_-]+/.exec(text)?.[0],
});

describe('backfill CLI', () => {
  it('creates a store and seeds a demo store whose keys work and whose queue is live', async () => {
    const created = await backfill(
      'store',
      'create',
      '--name',
      'Corner Shop',
      '--currency',
      'EUR',
      '--owner-email',
      'Boss@Corner.example',
    );
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('Corner Shop, EUR, UTC');
    expect(created.stdout).toContain("The console's owner is boss@corner.example");
    const ownerLink = /\S+\/admin\/sign-in#link=(\S+)/.exec(created.stdout)?.[1];
    expect(ownerLink).toBeDefined();
    const storeKeys = keysIn(created.stdout);
    expect(storeKeys.secret).toBeDefined();

    const seeded = await backfill('seed', '--demo');
    expect(seeded.code).toBe(0);
    const demoKeys = keysIn(seeded.stdout);
    expect(seeded.stdout).toContain("The console's owner is owner@example.com");
    const demoLink = /\S+\/admin\/sign-in#link=(\S+)/.exec(seeded.stdout)?.[1];
    expect(demoLink).toBeDefined();

    const app = await createApp(testConfig({ databaseUrl }), { logger: false });
    try {
      const get = (url: string, key: string) =>
        app.server.inject({ method: 'GET', url, headers: { authorization: `Bearer ${key}` } });
      const queue = (await get('/v1/backorders?sku=JACKET-RED-M', demoKeys.secret!)).json();
      expect(queue.data.length).toBeGreaterThan(0);
      expect(queue.data.map((entry: { position: number }) => entry.position)).toEqual(
        queue.data.map((_: unknown, i: number) => i + 1),
      );
      const availability = (
        await get('/v1/storefront/availability?sku=CONSOLE-X', demoKeys.publishable!)
      ).json();
      expect(availability.status).toBe('preorder');
      // The first store is separate and empty.
      expect((await get('/v1/orders', storeKeys.secret!)).json().data).toEqual([]);
      // Each printed link signs its owner in to its own store, once.
      for (const [token, storeName] of [
        [ownerLink!, 'Corner Shop'],
        [demoLink!, 'Demo Outfitters'],
      ]) {
        const signIn = () =>
          app.server.inject({
            method: 'POST',
            url: '/v1/session/link',
            payload: { token, password: 'a long enough password' },
          });
        const first = await signIn();
        expect(first.statusCode, first.body).toBe(200);
        expect(first.json().store.name).toBe(storeName);
        expect(first.json().staff.role).toBe('owner');
        expect((await signIn()).statusCode).toBe(401);
      }
    } finally {
      await app.close();
    }
    // The demo replays two weeks of a shop's life (about 200 orders and their messages): ~25 s of CPU, but a
    // loaded machine stretches the wall time (83 s at load 9).
  }, 240_000);

  it('refuses bad arguments with a message and a non-zero exit', async () => {
    const missing = await backfill('store', 'create');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--name');
    const unknown = await backfill('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown command');
  });

  it('with BACKFILL_MIGRATE_ON_START=false, one-off commands do not migrate and refuse a database left behind', async () => {
    const env = { DATABASE_URL: `pglite://${join(dir, 'unmigrated')}`, BACKFILL_MIGRATE_ON_START: 'false' };
    const early = await runCliWith(env, 'store', 'create', '--name', 'Too early');
    expect(early.code, early.stderr).toBe(2);
    expect(early.stderr.trim()).toMatch(
      /^The database lacks \d+ migration\(s\) of this code and BACKFILL_MIGRATE_ON_START=false: run `backfill migrate` first\.$/,
    );
    // The connectors' commands too.
    const importing = await runCliWith(env, 'connections', 'import', 'con_none');
    expect(importing.code, importing.stderr).toBe(2);
    expect(importing.stderr.trim()).toMatch(/run `backfill migrate` first\.$/);
    expect((await runCliWith(env, 'migrate')).code).toBe(0);
    const created = await runCliWith(env, 'store', 'create', '--name', 'On time');
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain('On time');
  }, 120_000);

  it('runs the background worker alone and stops cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, ['bin/backfill.js', 'worker'], {
      env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    for (let i = 0; i < 600 && !output.includes('worker running'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(output).toContain('Backfill worker running');
    // Like serve, it says where its start-up time went.
    expect(output).toMatch(
      /Worker started \d+\.\d+ s after start: database opened in \d+\.\d+ s, migrations checked in \d+\.\d+ s, the rest/,
    );
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('stopping the worker');
  }, 60_000);
});
