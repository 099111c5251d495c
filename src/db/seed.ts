import type { VariantInput } from '../modules/catalog/catalog.models.ts';
import { putVariant } from '../modules/catalog/catalog.usecases.ts';
import { createFirstOwner } from '../modules/staff/staff.usecases.ts';
import { adjustStock } from '../modules/stock/stock.adjust.ts';
import { placeBatch } from '../modules/stock/stock.placement.batch.ts';
import { createStore } from '../modules/stores/stores.usecases.ts';
import { createSupplier } from '../modules/supply/supply.suppliers.usecases.ts';
import { createPurchaseOrder } from '../modules/supply/supply.usecases.ts';
import type { Deps } from '../shared/context.ts';
import { addDays, storeToday } from '../shared/dates.ts';
import { inTransaction } from './client.ts';

const VARIANTS: [string, VariantInput, number][] = [
  [
    'JACKET-RED-M',
    {
      title: 'Trail Jacket — Red / M',
      productId: 'trail-jacket',
      attributes: { color: 'red', size: 'M' },
      price: 12900,
      backorder: {
        mode: 'backorder',
        limit: 50,
        message: 'Ships in about 3 weeks',
        expectedDate: '2026-12-15',
      },
    },
    2,
  ],
  [
    'JACKET-BLUE-L',
    {
      title: 'Trail Jacket — Blue / L',
      productId: 'trail-jacket',
      attributes: { color: 'blue', size: 'L' },
      price: 12900,
      backorder: { mode: 'backorder', limit: null, message: 'Back in stock soon' },
    },
    25,
  ],
  [
    'CONSOLE-X',
    {
      title: 'Console X (pre-order)',
      productId: 'console-x',
      attributes: { edition: 'standard' },
      price: 49900,
      backorder: {
        mode: 'preorder',
        limit: 500,
        message: 'Releases in the spring',
        expectedDate: '2027-03-01',
      },
    },
    0,
  ],
  ['MUG-CLASSIC', { title: 'Classic Mug', productId: 'mug', price: 1500, backorder: { mode: 'deny' } }, 40],
];

const SHOPPERS = [
  'ada@example.com',
  'grace@example.com',
  'alan@example.com',
  'edsger@example.com',
  'barbara@example.com',
];

/** The demo store's owner, when no other email is given. */
export const DEMO_OWNER_EMAIL = 'owner@example.com';

/**
 * A demo store with a variant in each mode, some stock and a queue that is already waiting, and
 * its owner (with a one-time sign-in link to the console).
 */
export async function seedDemo(
  deps: Deps,
  options: { ownerEmail?: string } = {},
): Promise<{ summary: string; ownerSignInLink: string }> {
  const { created, owner } = await inTransaction(deps.db, async (tx) => {
    const created = await createStore(tx, deps, { name: 'Demo Outfitters' });
    const owner = await createFirstOwner(tx, deps, created.store.id, options.ownerEmail ?? DEMO_OWNER_EMAIL);
    return { created, owner };
  });
  const store = created.store;
  for (const [sku, input, stock] of VARIANTS) {
    await inTransaction(deps.db, async (tx) => {
      await putVariant(tx, deps, store, sku, input);
      if (stock > 0)
        await adjustStock(tx, deps, store, { sku, quantity: stock, reason: 'restock', note: 'demo stock' });
    });
  }
  const orders = SHOPPERS.map((email, i) => ({
    store,
    idempotency: null,
    input: {
      externalId: `demo-${1001 + i}`,
      customer: { email, name: email.split('@')[0]! },
      lines: [
        { sku: 'JACKET-RED-M', quantity: 1 + (i % 2) },
        ...(i % 2 === 0 ? [{ sku: 'CONSOLE-X', quantity: 1 }] : []),
      ],
    },
  }));
  // A supplier with a purchase order on its way: the first jackets in line are dated by it, the
  // rest by the supplier's lead time.
  await inTransaction(deps.db, async (tx) => {
    const supplier = await createSupplier(tx, deps, store, {
      name: 'Summit Apparel',
      email: 'orders@summit.example',
      leadTimeDays: 21,
    });
    await createPurchaseOrder(tx, deps, store, {
      supplierId: supplier.id,
      reference: 'PO-DEMO-1',
      expectedDate: addDays(storeToday(store, deps.clock.now()), 10),
      lines: [{ sku: 'JACKET-RED-M', quantity: 3, unitCost: 5200 }],
    });
  });
  for (const order of orders) await placeBatch(deps, [order]);
  const summary = [
    `Demo store ${store.id} (${store.name}) with 4 variants, a purchase order on its way and ${orders.length} orders, some waiting in line.`,
    'Keep these keys now: they are shown only once.',
    `  secret key       ${created.secretKey}`,
    `  publishable key  ${created.publishableKey}`,
    `The console's owner is ${owner.staff.email}: open this one-time link (7 days) to choose a password and sign in:`,
    `  ${owner.link}`,
    'Try:',
    `  curl -H "Authorization: Bearer ${created.secretKey}" http://127.0.0.1:3000/v1/backorders?sku=JACKET-RED-M`,
  ].join('\n');
  return { summary, ownerSignInLink: owner.link };
}
