/**
 * What a shopper can do from a signed link: see an order, cancel it or a line, keep waiting after
 * a delay, switch a waiting line to an alternative that ships sooner, choose how to be contacted.
 * Every command checks nothing about the link: the routes open the link first (`openLink`).
 */

import { and, eq, sql } from 'drizzle-orm';
import { type Database, type Executor, queryRows } from '../../db/client.ts';
import { appendEvents } from '../../db/outbox.ts';
import type { Deps, StoreScope } from '../../shared/context.ts';
import { notFound } from '../../shared/errors.ts';
import {
  checkLink,
  checkShortSignature,
  type LinkClaims,
  linkExpiry,
  readClaims,
  readShortToken,
  selfServiceUrl,
  verifyingSecrets,
} from '../messages/messages.links.ts';
import { shopperChannels } from '../messages/messages.models.ts';
import { loadMessagingSettings } from '../messages/messages.settings.ts';
import { contactPreferences, shortLinks } from '../messages/messages.tables.ts';
import { unshipped } from '../stock/stock.lines.models.ts';
import { findOrder, lockOrder } from '../stock/stock.lines.repository.ts';
import { getOrder, lockOrderForChange } from '../stock/stock.orders.ts';
import { cancelOrder } from '../stock/stock.release.ts';
import { stores } from '../stores/stores.tables.ts';
import type { ContactChoices } from './selfservice.models.ts';
import {
  lineOf,
  type ShopperLine,
  type ShopperOrder,
  shopperOrder,
  toShopperOrder,
} from './selfservice.orders.ts';

export interface ShopperStore extends StoreScope {
  name: string;
  /** Cancellations are refunded without asking: only then do pages say so. */
  refundsAutomatic: boolean;
}

/** What opening a link found: only a valid link says what it grants. */
export type LinkOpening =
  | { check: 'invalid' }
  | { check: 'expired'; store: ShopperStore }
  | { check: 'valid'; store: ShopperStore; claims: LinkClaims; secret: string };

/**
 * Reads and verifies a link's query. An unknown store reads as an invalid link (a forged store id
 * learns nothing, and no settings are created for it); the store's secret decides the rest.
 */
export async function openLink(
  db: Database,
  deps: Pick<Deps, 'clock'>,
  query: Record<string, unknown>,
): Promise<LinkOpening> {
  const claims = readClaims(query);
  if (!claims) return { check: 'invalid' };
  const found = await findShopperStore(db, deps, claims.storeId);
  if (!found) return { check: 'invalid' };
  const { store, linkSecret, secrets } = found;
  const check = checkLink(claims, secrets, deps.clock.now());
  if (check === 'invalid') return { check };
  if (check === 'expired') return { check, store };
  const { sig: _signature, ...granted } = claims;
  return { check, store, claims: granted, secret: linkSecret };
}

/** The store a link names, as its pages show it, and the secret its links are signed with. */
async function findShopperStore(
  db: Database,
  deps: Pick<Deps, 'clock'>,
  storeId: string,
): Promise<{ store: ShopperStore; linkSecret: string; secrets: string[] } | null> {
  const [row] = await db
    .select({
      id: stores.id,
      name: stores.name,
      currency: stores.currency,
      timezone: stores.timezone,
      paymentProvider: stores.paymentProvider,
    })
    .from(stores)
    .where(eq(stores.id, storeId));
  if (!row) return null;
  const settings = await loadMessagingSettings(db, deps, row.id);
  const { paymentProvider, ...store } = row;
  return {
    store: { ...store, refundsAutomatic: paymentProvider !== 'none' || settings.refundsAutomatic },
    linkSecret: settings.linkSecret,
    // Links signed before a rotation keep opening through its grace period.
    secrets: verifyingSecrets(settings, deps.clock.now()),
  };
}

export type ShortLinkOpening =
  | { check: 'invalid' }
  | { check: 'expired'; store: ShopperStore }
  | { check: 'valid'; target: string };

/**
 * Where a text message's short link (`/s/{token}`) leads: the signed link its row holds, once the
 * token's signature checks with the store's secret and the link has not expired.
 */
export async function openShortLink(
  db: Database,
  deps: Pick<Deps, 'clock'>,
  token: string,
): Promise<ShortLinkOpening> {
  const parts = readShortToken(token);
  if (!parts) return { check: 'invalid' };
  const [row] = await db.select().from(shortLinks).where(eq(shortLinks.id, parts.id));
  if (!row) return { check: 'invalid' };
  const found = await findShopperStore(db, deps, row.storeId);
  if (!found) return { check: 'invalid' };
  const { store, secrets } = found;
  if (!secrets.some((secret) => checkShortSignature(parts, row.target, secret))) return { check: 'invalid' };
  if (row.expiresAt.getTime() < deps.clock.now().getTime()) return { check: 'expired', store };
  return { check: 'valid', target: row.target };
}

/**
 * Cancels what is left of the order, or of one line. Cancelling again finds nothing left and
 * changes nothing: `cancelled` is then 0.
 */
export async function cancelFromLink(
  tx: Executor,
  deps: Pick<Deps, 'clock' | 'ids' | 'stock'>,
  store: StoreScope,
  orderId: string,
  lineId: string | undefined,
): Promise<{ order: ShopperOrder; cancelled: number }> {
  // Locked first (stock rows, then the order), so the quantities read are the ones cancelled.
  const { lines } = await lockOrderForChange(tx, store, orderId);
  const targets = lineId === undefined ? lines : lines.filter((l) => l.id === lineId);
  if (lineId !== undefined && targets.length === 0) throw notFound('Line', lineId);
  const wanted = targets
    .filter((l) => unshipped(l) > 0)
    .map((l) => ({ lineId: l.id, quantity: unshipped(l) }));
  const cancelled = wanted.reduce((sum, w) => sum + w.quantity, 0);
  const order =
    wanted.length > 0
      ? await cancelOrder(tx, deps, store, orderId, { lines: wanted, reason: 'cancelled by the shopper' })
      : await getOrder(tx, store.id, orderId);
  return { order: await toShopperOrder(tx, store, order, deps.clock.now()), cancelled };
}

export type KeepOutcome = { kept: true; line: ShopperLine } | { kept: false; line: ShopperLine };

/**
 * The shopper keeps waiting after a delay notice: one `backorder.kept` event per line and promised
 * date, so the merchant sees the choice once however often the form is sent. A line no longer
 * waiting (`kept: false`) records nothing.
 */
export async function keepWaiting(
  tx: Executor,
  deps: Pick<Deps, 'clock' | 'ids' | 'stock'>,
  store: StoreScope,
  orderId: string,
  lineId: string,
): Promise<KeepOutcome> {
  // The order row serialises two submissions of the same form.
  if (!(await lockOrder(tx, store.id, orderId))) throw notFound('Order', orderId);
  const line = lineOf(await shopperOrder(tx, store, orderId, deps.clock.now()), lineId);
  if (line.backordered === 0) return { kept: false, line };
  const [already] = await queryRows<{ id: string }>(
    tx,
    sql`SELECT id FROM events
         WHERE store_id = ${store.id} AND type = 'backorder.kept'
           AND data->>'orderId' = ${orderId} AND data->>'lineId' = ${lineId}
           AND data->>'eta' IS NOT DISTINCT FROM ${line.eta}
         LIMIT 1`,
  );
  if (!already) {
    await appendEvents(tx, deps, [
      {
        storeId: store.id,
        type: 'backorder.kept',
        data: { orderId, lineId, sku: line.sku, quantity: line.backordered, eta: line.eta },
      },
    ]);
  }
  return { kept: true, line };
}

/** Who placed the order (the preferences pages need nothing else of it). */
export async function orderCustomer(
  db: Executor,
  storeId: string,
  orderId: string,
): Promise<Pick<ShopperOrder, 'customer'>> {
  const order = await findOrder(db, storeId, orderId);
  if (!order) throw notFound('Order', orderId);
  return { customer: order.customer };
}

/** The order's contacts, spelled as messages address them (so preferences match the messages). */
export const contactsOf = (order: Pick<ShopperOrder, 'customer'>): string[] =>
  shopperChannels({ email: true, sms: true }, order.customer).map((c) => c.recipient);

const DEFAULT_CHOICES: ContactChoices = { email: true, sms: true, unsubscribed: false };

/** The choices saved for the first of `contacts` that has any, or the defaults. */
export async function readChoices(
  db: Executor,
  storeId: string,
  contacts: readonly string[],
): Promise<ContactChoices> {
  if (contacts.length === 0) return DEFAULT_CHOICES;
  const rows = await db
    .select()
    .from(contactPreferences)
    .where(
      and(
        eq(contactPreferences.storeId, storeId),
        sql`${contactPreferences.contact} = ANY(${sql.param([...contacts])}::text[])`,
      ),
    );
  for (const contact of contacts) {
    const row = rows.find((r) => r.contact === contact);
    if (row) return { email: row.email, sms: row.sms, unsubscribed: row.unsubscribed };
  }
  return DEFAULT_CHOICES;
}

/** Saves the same choices for every contact of the order. */
export async function saveChoices(
  tx: Executor,
  deps: Pick<Deps, 'clock'>,
  storeId: string,
  contacts: readonly string[],
  choices: ContactChoices,
): Promise<void> {
  if (contacts.length === 0) return;
  const now = deps.clock.now();
  await tx
    .insert(contactPreferences)
    .values(contacts.map((contact) => ({ storeId, contact, ...choices, updatedAt: now })))
    .onConflictDoUpdate({
      target: [contactPreferences.storeId, contactPreferences.contact],
      set: {
        email: sql`excluded.email`,
        sms: sql`excluded.sms`,
        unsubscribed: sql`excluded.unsubscribed`,
        updatedAt: now,
      },
    });
}

/** No more status updates or other non-transactional messages to this contact. */
export async function unsubscribe(
  tx: Executor,
  deps: Pick<Deps, 'clock'>,
  storeId: string,
  contact: string,
): Promise<void> {
  const now = deps.clock.now();
  await tx
    .insert(contactPreferences)
    .values({ storeId, contact, unsubscribed: true, updatedAt: now })
    .onConflictDoUpdate({
      target: [contactPreferences.storeId, contactPreferences.contact],
      set: { unsubscribed: true, updatedAt: now },
    });
}

export interface OrderLinks {
  status: string;
  cancel: string;
  preferences: string;
  expiresAt: string;
}

/**
 * Links customer service can send for an order, valid for the store's `linkLifetimeDays`. `origin` is used
 * when the store has no public URL of its own.
 */
export async function orderLinks(
  tx: Executor,
  deps: Pick<Deps, 'clock'>,
  store: StoreScope,
  orderId: string,
  origin: string,
): Promise<OrderLinks> {
  if (!(await findOrder(tx, store.id, orderId))) throw notFound('Order', orderId);
  const settings = await loadMessagingSettings(tx, deps, store.id);
  const base = settings.publicUrl ?? origin;
  const expiresAt = linkExpiry(settings, deps.clock.now());
  const url = (action: LinkClaims['action']) =>
    selfServiceUrl(base, { storeId: store.id, action, subject: orderId, expiresAt }, settings.linkSecret);
  return {
    status: url('status'),
    cancel: url('cancel'),
    preferences: url('preferences'),
    expiresAt: new Date(expiresAt * 1000).toISOString(),
  };
}
