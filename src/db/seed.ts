/**
 * `backfill seed --demo`: a store that shows the whole product, dated relative to today (a
 * month of history is replayed with the clock set back, so waits, late supply and today's fills
 * are real): 20 variants in every mode, three suppliers with one late purchase order, about 200
 * orders with live queues, payments in several modes, and messages kept by the outbox channel.
 * Deterministic apart from ids and dates: the choices come from a seeded generator.
 */
import { sql } from 'drizzle-orm';
import type { VariantInput } from '../modules/catalog/catalog.models.ts';
import { putVariant } from '../modules/catalog/catalog.usecases.ts';
import { createSenders } from '../modules/messages/messages.channels.ts';
import { deliverDue } from '../modules/messages/messages.delivery.ts';
import { relayBacklog, relayEvents, startRelayCursor } from '../modules/messages/messages.relay.ts';
import { updateMessagingSettings } from '../modules/messages/messages.settings.ts';
import { getOrderPayments, reportPayment } from '../modules/payments/payments.usecases.ts';
import { refreshDuePromises } from '../modules/promises/promises.jobs.ts';
import { updateSettings } from '../modules/settings/settings.usecases.ts';
import { createFirstOwner } from '../modules/staff/staff.usecases.ts';
import { adjustStock } from '../modules/stock/stock.adjust.ts';
import { placeBatch } from '../modules/stock/stock.placement.batch.ts';
import type { PlacementRequest } from '../modules/stock/stock.placement.ts';
import { cancelOrder } from '../modules/stock/stock.release.ts';
import { createShipment } from '../modules/stock/stock.ship.ts';
import { createStore } from '../modules/stores/stores.usecases.ts';
import { receivePurchaseOrder } from '../modules/supply/supply.receipts.usecases.ts';
import { createSupplier } from '../modules/supply/supply.suppliers.usecases.ts';
import { createPurchaseOrder } from '../modules/supply/supply.usecases.ts';
import type { Deps, StoreScope } from '../shared/context.ts';
import { addDays, minuteIn, storeToday } from '../shared/dates.ts';
import { DomainError } from '../shared/errors.ts';
import { inTransaction } from './client.ts';

const DAY_MS = 86_400_000;
/** Days of history replayed before today. */
const HISTORY_DAYS = 24;
const ORDER_DAYS = 12;
const ORDERS_PER_DAY = 17;

type Supplier = 'summit' | 'pixel' | 'camp';

interface DemoVariant {
  sku: string;
  /** Backorder policy and the rest, with dates as days from today. */
  input: (day: (offset: number) => string) => VariantInput;
  stock: number;
  supplier: Supplier;
  /** How often shoppers pick it (relative weight). */
  demand: number;
}

const jacket = (color: string, size: string, limit: number | null, message?: string) =>
  ({
    title: `Trail Jacket — ${color} / ${size}`,
    productId: 'trail-jacket',
    attributes: { color: color.toLowerCase(), size },
    price: 12900,
    backorder: { mode: 'backorder', limit, ...(message ? { message } : {}) },
  }) satisfies VariantInput;

const VARIANTS: DemoVariant[] = [
  { sku: 'JACKET-RED-S', input: () => jacket('Red', 'S', 40), stock: 3, supplier: 'summit', demand: 5 },
  {
    sku: 'JACKET-RED-M',
    input: () => jacket('Red', 'M', 50, 'Ships in about 3 weeks'),
    stock: 2,
    supplier: 'summit',
    demand: 9,
  },
  { sku: 'JACKET-RED-L', input: () => jacket('Red', 'L', null), stock: 0, supplier: 'summit', demand: 5 },
  { sku: 'JACKET-BLUE-S', input: () => jacket('Blue', 'S', 30), stock: 0, supplier: 'summit', demand: 3 },
  { sku: 'JACKET-BLUE-M', input: () => jacket('Blue', 'M', 10), stock: 5, supplier: 'summit', demand: 6 },
  {
    sku: 'JACKET-BLUE-L',
    input: () => jacket('Blue', 'L', null, 'Back in stock soon'),
    stock: 25,
    supplier: 'summit',
    demand: 3,
  },
  {
    sku: 'BOOTS-38',
    input: (day) => ({
      title: 'Hiking Boots — 38',
      productId: 'hiking-boots',
      attributes: { size: '38' },
      price: 15900,
      backorder: { mode: 'backorder', limit: null, expectedDate: day(12), message: 'New batch on its way' },
    }),
    stock: 0,
    supplier: 'summit',
    demand: 4,
  },
  {
    sku: 'BOOTS-40',
    input: () => ({
      title: 'Hiking Boots — 40',
      productId: 'hiking-boots',
      attributes: { size: '40' },
      price: 15900,
      backorder: { mode: 'backorder', limit: 20 },
    }),
    stock: 1,
    supplier: 'summit',
    demand: 4,
  },
  {
    sku: 'BOOTS-42',
    input: () => ({
      title: 'Hiking Boots — 42',
      productId: 'hiking-boots',
      attributes: { size: '42' },
      price: 15900,
      backorder: { mode: 'deny' },
    }),
    stock: 12,
    supplier: 'summit',
    demand: 2,
  },
  {
    sku: 'CONSOLE-X',
    input: (day) => ({
      title: 'Console X (pre-order)',
      productId: 'console-x',
      attributes: { edition: 'standard' },
      price: 49900,
      backorder: {
        mode: 'preorder',
        limit: 500,
        message: 'Releases in the spring',
        releaseDate: day(45),
        payment: 'deposit',
      },
    }),
    stock: 0,
    supplier: 'pixel',
    demand: 7,
  },
  {
    sku: 'CONSOLE-X-PRO',
    input: (day) => ({
      title: 'Console X Pro (pre-order)',
      productId: 'console-x',
      attributes: { edition: 'pro' },
      price: 69900,
      backorder: {
        mode: 'preorder',
        limit: 60,
        releaseDate: day(60),
        payment: 'deposit',
        depositPercent: 30,
      },
    }),
    stock: 0,
    supplier: 'pixel',
    demand: 3,
  },
  {
    sku: 'GAME-ALPHA',
    input: (day) => ({
      title: 'Alpha Quest (game, pre-order)',
      productId: 'alpha-quest',
      price: 5900,
      backorder: { mode: 'preorder', limit: null, releaseDate: day(20), payment: 'on_ship' },
    }),
    stock: 0,
    supplier: 'pixel',
    demand: 6,
  },
  {
    sku: 'MUG-CLASSIC',
    input: () => ({ title: 'Classic Mug', productId: 'mug', price: 1500, backorder: { mode: 'deny' } }),
    stock: 40,
    supplier: 'camp',
    demand: 6,
  },
  {
    sku: 'MUG-ESPRESSO',
    input: () => ({ title: 'Espresso Mug', productId: 'mug', price: 1200, backorder: { mode: 'deny' } }),
    stock: 0,
    supplier: 'camp',
    demand: 0,
  },
  {
    sku: 'TENT-2P',
    input: () => ({
      title: 'Tent, 2 people',
      productId: 'tent',
      attributes: { size: '2p' },
      price: 29900,
      backorder: { mode: 'backorder', limit: 15, payment: 'deposit' },
    }),
    stock: 0,
    supplier: 'camp',
    demand: 3,
  },
  {
    sku: 'TENT-4P',
    input: () => ({
      title: 'Tent, 4 people',
      productId: 'tent',
      attributes: { size: '4p' },
      price: 44900,
      backorder: { mode: 'backorder', limit: 8 },
    }),
    stock: 1,
    supplier: 'camp',
    demand: 2,
  },
  {
    sku: 'LAMP-BRASS',
    input: () => ({
      title: 'Brass Camp Lamp',
      price: 3900,
      backorder: { mode: 'backorder', limit: null, payment: 'on_ship' },
    }),
    stock: 0,
    supplier: 'camp',
    demand: 4,
  },
  {
    sku: 'SOCKS-WOOL',
    input: () => ({ title: 'Wool Socks', price: 1900, backorder: { mode: 'deny' } }),
    stock: 120,
    supplier: 'camp',
    demand: 5,
  },
  {
    sku: 'BOTTLE-STEEL',
    input: () => ({ title: 'Steel Bottle', price: 2900, backorder: { mode: 'backorder', limit: 30 } }),
    stock: 10,
    supplier: 'camp',
    demand: 4,
  },
  {
    sku: 'GLOVES-M',
    input: () => ({
      title: 'Trail Gloves — M',
      price: 3400,
      backorder: { mode: 'backorder', limit: 5, message: 'Only a few more can be ordered' },
    }),
    stock: 0,
    supplier: 'summit',
    demand: 3,
  },
];

const FIRST_NAMES = [
  'Ada',
  'Grace',
  'Alan',
  'Edsger',
  'Barbara',
  'Donald',
  'Frances',
  'John',
  'Radia',
  'Ken',
];
const LAST_NAMES = [
  'Lovelace',
  'Hopper',
  'Turing',
  'Dijkstra',
  'Liskov',
  'Knuth',
  'Allen',
  'Backus',
  'Perlman',
];

/** A small seeded generator (mulberry32): the same demo every time. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = Math.imul(state ^ (state >>> 15), 1 | state);
    x ^= x + Math.imul(x ^ (x >>> 7), 61 | x);
    return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The demo store's owner, when no other email is given. */
export const DEMO_OWNER_EMAIL = 'owner@example.com';

export interface DemoResult {
  summary: string;
  /** The owner's one-time link to choose a password and sign in to the console. */
  ownerSignInLink: string;
  store: StoreScope & { name: string };
  secretKey: string;
  publishableKey: string;
  orders: number;
}

/** A demo store showing every part of the product (see the top of this file). */
export async function seedDemo(deps: Deps, options: { ownerEmail?: string } = {}): Promise<DemoResult> {
  const now = deps.clock.now();
  // The history is replayed with the clock set back: `on(-3)` is three days ago, this time of day.
  const on = (day: number, minutesBefore = 0): Deps => {
    const at = new Date(now.getTime() + day * DAY_MS - minutesBefore * 60_000);
    return { ...deps, clock: { now: () => at } };
  };
  const start = on(-HISTORY_DAYS);
  const { created, owner } = await inTransaction(deps.db, async (tx) => {
    const created = await createStore(tx, start, { name: 'Demo Outfitters' });
    // Today's clock: the owner's link lasts 7 days from now.
    const owner = await createFirstOwner(tx, deps, created.store.id, options.ownerEmail ?? DEMO_OWNER_EMAIL);
    return { created, owner };
  });
  const store = created.store;
  // The demo's messages are relayed under a cursor of its own, so seeding a shared database relays
  // nothing of other stores (the worker's relay later finds them made: one per event and recipient).
  const relay = { cursor: `seed-${store.id}`, storeIds: [store.id] };
  await startRelayCursor(deps, relay.cursor);
  const today = storeToday(store, now);
  const day = (offset: number) => addDays(today, offset);
  const random = generator(20_240_601);

  await inTransaction(deps.db, async (tx) => {
    await updateSettings(tx, start, store, {
      paymentProvider: 'manual',
      paymentMode: 'upfront',
      depositPercent: 20,
    });
    await updateMessagingSettings(tx, start, store.id, {
      email: { channel: 'outbox' },
      sms: { channel: 'outbox' },
      merchantEmail: 'owner@demo-outfitters.example',
    });
  });
  const suppliers = await inTransaction(deps.db, async (tx) => {
    const make = (name: string, email: string, leadTimeDays: number) =>
      createSupplier(tx, start, store, { name, email, leadTimeDays });
    return {
      summit: (await make('Summit Apparel', 'orders@summit.example', 21)).id,
      pixel: (await make('Pixel Works', 'trade@pixelworks.example', 30)).id,
      camp: (await make('Camp & Co', 'sales@campco.example', 14)).id,
    } satisfies Record<Supplier, string>;
  });
  await inTransaction(deps.db, async (tx) => {
    for (const v of VARIANTS) {
      await putVariant(tx, start, store, v.sku, { ...v.input(day), supplierId: suppliers[v.supplier] });
      if (v.stock > 0)
        await adjustStock(tx, start, store, {
          sku: v.sku,
          quantity: v.stock,
          reason: 'restock',
          note: 'opening stock',
        });
    }
  });

  // Purchase orders: one late (due four days ago, still not here), two on their way, one received
  // last week (its units went straight to waiting orders), one draft.
  const purchaseOrders = await inTransaction(deps.db, async (tx) => {
    const po = (
      supplier: Supplier,
      reference: string,
      expected: number,
      lines: [string, number, number][],
      status: 'draft' | 'ordered' = 'ordered',
    ) =>
      createPurchaseOrder(tx, start, store, {
        supplierId: suppliers[supplier],
        reference,
        expectedDate: day(expected),
        status,
        lines: lines.map(([sku, quantity, unitCost]) => ({ sku, quantity, unitCost })),
      });
    return {
      late: await po('summit', 'PO-DEMO-1', -4, [
        ['JACKET-RED-M', 6, 5200],
        ['JACKET-RED-L', 4, 5200],
        ['BOOTS-40', 3, 7100],
      ]),
      soon: await po('summit', 'PO-DEMO-2', 10, [
        ['JACKET-RED-M', 10, 5200],
        ['JACKET-BLUE-S', 8, 5200],
        ['GLOVES-M', 10, 1400],
      ]),
      camp: await po('camp', 'PO-DEMO-3', 6, [
        ['TENT-2P', 5, 14000],
        ['LAMP-BRASS', 12, 1500],
      ]),
      received: await po('camp', 'PO-DEMO-4', -8, [
        ['TENT-4P', 4, 21000],
        ['BOTTLE-STEEL', 12, 900],
      ]),
      draft: await po('pixel', 'PO-DEMO-5', 40, [['CONSOLE-X', 150, 31000]], 'draft'),
    };
  });

  // Shoppers order over the last two weeks; three in four pay at once what is due.
  const weights = VARIANTS.map((v) => v.demand);
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  const pick = (): DemoVariant => {
    let r = random() * totalWeight;
    for (const v of VARIANTS) {
      r -= v.demand;
      if (r < 0) return v;
    }
    return VARIANTS[0]!;
  };
  const placed: { id: string; day: number }[] = [];
  let customer = 0;
  // Today's orders and restocks come "this morning", an hour or so ago, but never before the store's
  // midnight: just after it, an hour ago is yesterday, and the overview would show no fills today.
  const earlierToday = (minutes: number) => Math.min(minutes, Math.max(0, minuteIn(store.timezone, now) - 1));
  for (let d = -ORDER_DAYS; d <= 0; d++) {
    const dayDeps = on(d, d === 0 ? earlierToday(70) : 0);
    if (d === -7) {
      await inTransaction(deps.db, (tx) =>
        receivePurchaseOrder(tx, on(d, 700), store, purchaseOrders.received.id, {
          lines: [
            { sku: 'TENT-4P', quantity: 4 },
            { sku: 'BOTTLE-STEEL', quantity: 12 },
          ],
        }),
      );
    }
    const requests: PlacementRequest[] = [];
    for (let i = 0; i < ORDERS_PER_DAY; i++) {
      const lines = new Map<string, number>();
      const count = random() < 0.7 ? 1 : random() < 0.7 ? 2 : 3;
      for (let l = 0; l < count; l++) {
        const v = pick();
        lines.set(v.sku, Math.min(3, (lines.get(v.sku) ?? 0) + (random() < 0.8 ? 1 : 2)));
      }
      customer += 1;
      const first = FIRST_NAMES[customer % FIRST_NAMES.length]!;
      const last = LAST_NAMES[Math.floor(customer / FIRST_NAMES.length) % LAST_NAMES.length]!;
      requests.push({
        store,
        idempotency: null,
        input: {
          externalId: `demo-${1000 + customer}`,
          customer: {
            email: `${first}.${last}${customer > 90 ? customer : ''}@example.com`.toLowerCase(),
            name: `${first} ${last}`,
            ...(random() < 0.4 ? { phone: `+1555010${String(customer).padStart(4, '0')}` } : {}),
          },
          lines: [...lines].map(([sku, quantity]) => ({ sku, quantity })),
        },
      });
    }
    // Placed in four rounds over the day (each round one transaction, as the batcher does).
    const paying: string[] = [];
    for (let round = 0; round < 4; round++) {
      const batch = requests.filter((_, i) => i % 4 === round);
      const results = await placeBatch(on(d, d === 0 ? 200 - round * 40 : 600 - round * 120), batch);
      for (const result of results) {
        if (!result.outcome.ok) continue; // a limit reached or a denied SKU sold out: the shop refused it
        const order = result.outcome.body as { id: string };
        placed.push({ id: order.id, day: d });
        if (random() < 0.75) paying.push(order.id);
      }
    }
    await payWhatIsDue(dayDeps, store, paying);
    // Restocks: fills of waiting lines, last week and this morning.
    if (d === -5 || d === 0) {
      await inTransaction(deps.db, async (tx) => {
        for (const [sku, quantity] of d === 0
          ? ([
              ['JACKET-BLUE-M', 4],
              ['JACKET-RED-S', 3],
            ] as const)
          : ([
              ['JACKET-RED-S', 4],
              ['BOOTS-40', 3],
            ] as const)) {
          await adjustStock(tx, on(d, d === 0 ? earlierToday(60) : 0), store, {
            sku,
            quantity,
            reason: 'restock',
          });
        }
      });
    }
    // Some shoppers change their minds; paid, ready orders ship.
    if (d === -3 || d === -1) {
      for (const order of placed.filter((o) => o.day === d - 2).slice(0, 3)) {
        await attempt(() => inTransaction(deps.db, (tx) => cancelOrder(tx, dayDeps, store, order.id, {})));
      }
      for (const order of placed.filter((o) => o.day < d).slice(0, 40)) {
        await attempt(() => inTransaction(deps.db, (tx) => createShipment(tx, dayDeps, store, order.id, {})));
      }
    }
  }

  // Today's dates for every waiting line, then the messages all this caused, kept by the outbox.
  await refreshDuePromises(deps, { storeIds: [store.id] });
  // The relay reads only below the oldest running transaction: on a busy server it may wait a little.
  for (let i = 0; i < 500; i++) {
    await relayEvents(deps, { scope: relay });
    if ((await relayBacklog(deps, relay)) === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await deliverDue(deps, createSenders(), { storeIds: [store.id], limit: 5000 });
  await deps.db.execute(sql`DELETE FROM relay_cursors WHERE name = ${relay.cursor}`);

  // The server's own address, as in the sign-in link (BACKFILL_PUBLIC_URL, or HOST and PORT).
  const origin = new URL(owner.link).origin;
  const summary = [
    `Demo store ${store.id} (${store.name}) with ${VARIANTS.length} variants in every mode, 3 suppliers ` +
      `(one purchase order is late), ${placed.length} orders with live queues, payments and messages in its outbox.`,
    'Keep these keys now: they are shown only once.',
    `  secret key       ${created.secretKey}`,
    `  publishable key  ${created.publishableKey}`,
    `The console's owner is ${owner.staff.email}: open this one-time link (7 days) to choose a password and sign in:`,
    `  ${owner.link}`,
    'Try:',
    `  curl -H "Authorization: Bearer ${created.secretKey}" ${origin}/v1/overview`,
    `  curl -H "Authorization: Bearer ${created.secretKey}" ${origin}/v1/backorders?sku=JACKET-RED-M`,
  ].join('\n');
  return {
    summary,
    ownerSignInLink: owner.link,
    store,
    secretKey: created.secretKey,
    publishableKey: created.publishableKey,
    orders: placed.length,
  };
}

/** Reports the payment of what each order owes now (the store's platform took it). */
async function payWhatIsDue(deps: Deps, store: StoreScope, orderIds: readonly string[]): Promise<void> {
  await inTransaction(deps.db, async (tx) => {
    for (const orderId of orderIds) {
      const { due } = await getOrderPayments(tx, store.id, orderId);
      if (due > 0)
        await reportPayment(tx, deps, store, orderId, { amount: due, reference: `demo-pay-${orderId}` });
    }
  });
}

/** Runs a step the shop's state may refuse (nothing allocated, not paid): then it did not happen. */
async function attempt(step: () => Promise<unknown>): Promise<void> {
  try {
    await step();
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
  }
}
