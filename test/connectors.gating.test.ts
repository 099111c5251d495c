/**
 * The connectors' stock hook costs stores without a connection nothing: placement reads the
 * `connected` term with the stock row (no statement of its own), and the other hook points issue
 * no statement once the in-process set of connected stores is known; a connected store's changes
 * still mark its SKUs due and reach the platform.
 */
import { randomBytes } from 'node:crypto';
import type { SQL } from 'drizzle-orm';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Executor, inTransaction, queryRows } from '../src/db/client.ts';
import { type ConnectorDeps, connectorDeps } from '../src/modules/connectors/connectors.context.ts';
import { connectorsStockHook, pushDue } from '../src/modules/connectors/connectors.outbound.ts';
import { forgetPresence, storeConnected } from '../src/modules/connectors/connectors.presence.ts';
import { readLevels } from '../src/modules/stock/stock.levels.repository.ts';
import { type FakeBigCommerce, startFakeBigCommerce } from './support/fake-bigcommerce.ts';
import { type StoreKeys, startTestApp, type TestApp, variant, withStoreKey } from './support/harness.ts';

const SECRETS_KEY = randomBytes(32);
let fake: FakeBigCommerce;
let t: TestApp;
let plain: StoreKeys;
let connected: StoreKeys;
let cdeps: ConnectorDeps;
const api = () => withStoreKey(t);

/** An executor that records every statement it is given, then runs it. */
function counting(db: Executor, seen: SQL[]): Executor {
  return new Proxy(db, {
    get(target, prop, receiver) {
      if (prop === 'execute') {
        return (query: SQL) => {
          seen.push(query);
          return target.execute(query);
        };
      }
      return Reflect.get(target, prop, receiver);
    },
  });
}

beforeAll(async () => {
  fake = await startFakeBigCommerce();
  fake.products.push({
    id: 301,
    name: 'Mug',
    sku: 'MUG',
    price: 12,
    inventory_tracking: 'none',
    custom_url: { url: '/mug/', is_customized: false },
    images: [],
    variants: [
      {
        id: 3011,
        product_id: 301,
        sku: 'MUG',
        price: null,
        calculated_price: 12,
        option_values: [],
        image_url: '',
      },
    ],
  });
  t = await startTestApp({ config: { secretsKey: SECRETS_KEY } });
  plain = await t.createStore('No platform', 'USD');
  connected = await t.createStore('On BigCommerce', 'USD');
  cdeps = connectorDeps(t.app.deps, { secretsKey: SECRETS_KEY, allowPrivateUrls: true });
  await api().ok('PUT', '/v1/variants/MUG', plain, variant('backorder'));
  const connection = await api().ok('POST', '/v1/connections', connected, {
    platform: 'bigcommerce',
    shop: 'gating.mybigcommerce.com',
    apiUrl: fake.url,
    credentials: {
      storeHash: fake.storeHash,
      accessToken: fake.token,
      webhookSecret: 'whsec_gating_0123456789',
    },
  });
  await api().ok('POST', `/v1/connections/${connection.id}/import`, connected);
  for (let i = 0; i < 100; i++) {
    const detail = await api().ok('GET', `/v1/connections/${connection.id}`, connected);
    if (detail.import.state === 'done') break;
    await new Promise((r) => setTimeout(r, 50));
  }
  await pushDue(cdeps, { storeIds: [connected.id] });
});
afterAll(async () => {
  await t?.close();
  await fake?.close();
});

describe('the connectors hook and stores without a connection', () => {
  it('placement reads `connected` with the stock row: null without a connection', async () => {
    const levels = await readLevels(
      t.app.deps.db,
      [
        { storeId: plain.id, sku: 'MUG' },
        { storeId: connected.id, sku: 'MUG' },
      ],
      { lock: false, placement: [connectorsStockHook.placementTerms!] },
    );
    const terms = [...levels.values()].map((l) => [l.storeId, l.terms?.connected ?? null]);
    expect(terms).toEqual(
      expect.arrayContaining([
        [plain.id, null],
        [connected.id, true],
      ]),
    );
    const line = {
      lineId: 'line_1',
      sku: 'MUG',
      quantity: 1,
      unitPrice: 1200,
      allocated: 0,
      backordered: 1,
      eta: null,
      etaLatest: null,
    };
    const order = (storeId: string, isConnected: boolean | null) => ({
      orderId: 'ord_1',
      storeId,
      currency: 'USD',
      timezone: 'UTC',
      input: {},
      lines: [{ ...line, terms: { connected: isConnected } }],
    });
    expect(connectorsStockHook.placed!([order(plain.id, null)], new Date())).toBeNull();
    expect(connectorsStockHook.placed!([order(connected.id, true)], new Date())).not.toBeNull();
  });

  it('other hook points issue no statement for a store without a connection', async () => {
    forgetPresence();
    const seen: SQL[] = [];
    const ctx = { clock: t.app.deps.clock, ids: t.app.deps.ids };
    const scope = { id: plain.id, currency: 'USD', timezone: 'UTC' };
    await inTransaction(t.app.deps.db, async (tx) => {
      // The first check of the process reads the connected stores once.
      await storeConnected(tx, plain.id);
      const db = counting(tx, seen);
      await connectorsStockHook.stockChanged!(db, ctx, scope, ['MUG']);
      await connectorsStockHook.queuesChanged!(db, ctx, scope, [], {});
      await connectorsStockHook.linesChanged!(db, ctx, scope, [
        {
          storeId: plain.id,
          orderId: 'ord_x',
          lineId: 'line_x',
          sku: 'MUG',
          cause: 'shipped',
          quantity: 1,
          shipmentId: 'shp_x',
        },
      ]);
    });
    expect(seen).toHaveLength(0);

    const forConnected: SQL[] = [];
    await inTransaction(t.app.deps.db, async (tx) => {
      await connectorsStockHook.stockChanged!(
        counting(tx, forConnected),
        ctx,
        { ...scope, id: connected.id },
        ['MUG'],
      );
    });
    expect(forConnected).toHaveLength(1);
  });

  it('stock commands of the unconnected store go on; the connected store still syncs', async () => {
    const before = (
      await queryRows<{ v: number }>(
        t.app.deps.db,
        sql`SELECT wanted_version::int AS v FROM connector_skus WHERE store_id = ${connected.id} AND sku = 'MUG'`,
      )
    )[0]!.v;
    await api().ok('POST', '/v1/orders', plain, { lines: [{ sku: 'MUG', quantity: 1 }] });
    await api().ok('POST', '/v1/inventory/adjustments', plain, {
      sku: 'MUG',
      quantity: 3,
      reason: 'restock',
    });
    await api().ok('POST', '/v1/orders', connected, { lines: [{ sku: 'MUG', quantity: 2 }] });
    const after = (
      await queryRows<{ v: number }>(
        t.app.deps.db,
        sql`SELECT wanted_version::int AS v FROM connector_skus WHERE store_id = ${connected.id} AND sku = 'MUG'`,
      )
    )[0]!.v;
    expect(after).toBeGreaterThan(before);
    await api().ok('POST', '/v1/inventory/adjustments', connected, {
      sku: 'MUG',
      quantity: 5,
      reason: 'restock',
    });
    expect(await pushDue(cdeps, { storeIds: [connected.id] })).toMatchObject({ pushed: 1, failed: 0 });
    expect(fake.onHand.get(3011)).toBe(3);
    const rows = await queryRows<{ n: number }>(
      t.app.deps.db,
      sql`SELECT count(*)::int AS n FROM connector_skus WHERE store_id = ${plain.id}`,
    );
    expect(rows[0]!.n).toBe(0);
  });
});
