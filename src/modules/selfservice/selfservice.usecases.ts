/**
 * What a shopper can do from a signed link: see an order, cancel it or a line, keep waiting after
 * a delay, switch a waiting line to an alternative that ships sooner, choose how to be contacted.
 * Every command checks nothing about the link: the routes open the link first (`openLink`).
 */

import { and, eq, sql } from 'drizzle-orm';
import { type Database, type Executor, queryRows } from '../../db/client.ts';
import { appendEvents } from '../../db/outbox.ts';
import type { Deps, StoreScope } from '../../shared/context.ts';
import { dayIn, storeToday } from '../../shared/dates.ts';
import { notFound } from '../../shared/errors.ts';
import { orderNumber } from '../../shared/ids.ts';
import { shopperVariants } from '../catalog/catalog.repository.ts';
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
import { awaitedSupply } from '../promises/promises.models.ts';
import { inputsOf } from '../promises/promises.usecases.ts';
import { deliveriesOf } from '../shipping/shipping.usecases.ts';
import { levelKey, readLevels } from '../stock/stock.levels.repository.ts';
import { unshipped } from '../stock/stock.lines.models.ts';
import { findOrder, loadUnitsAhead, lockOrder } from '../stock/stock.lines.repository.ts';
import { getOrder, lockOrderForChange } from '../stock/stock.orders.ts';
import { cancelOrder } from '../stock/stock.release.ts';
import type { OrderView } from '../stock/stock.views.ts';
import { stores } from '../stores/stores.tables.ts';
import {
  type Awaited,
  type ContactChoices,
  type DateChange,
  dateHistory,
  type HistoryEntry,
  type LineReason,
  lineReason,
} from './selfservice.models.ts';

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

/** A line as the shopper sees it: its item, its state, its place, dates, delivery and why. */
export interface ShopperLine {
  id: string;
  sku: string;
  title: string;
  /** Product page and picture ('' when the merchant gave none). */
  url: string;
  imageUrl: string;
  quantity: number;
  unitPrice: number;
  allocated: number;
  backordered: number;
  shipped: number;
  cancelled: number;
  /** Waiting units of the same SKU ahead of this line's (null when nothing of it waits). */
  unitsAhead: number | null;
  /** Waiting orders (lines) of the same SKU ahead of this one (null when nothing of it waits). */
  ordersAhead: number | null;
  eta: string | null;
  etaLatest: string | null;
  /** What its waiting units wait for (see `lineReason`). */
  awaited: Awaited;
  reason: LineReason;
  /** The shipping method's name (null: none), and when the units should arrive by it. */
  shippingMethod: string | null;
  deliveryEta: string | null;
  deliveryEtaLatest: string | null;
  /** The method's name before a delay incentive upgraded it. */
  upgradedFrom: string | null;
  history: HistoryEntry[];
}

export interface ShopperOrder {
  id: string;
  /** What the shopper knows it by (external id or short number). */
  number: string;
  externalId: string | null;
  createdAt: string;
  /** The store's calendar date it was placed on. */
  placedDay: string;
  customer: OrderView['customer'];
  currency: string;
  lines: ShopperLine[];
}

export async function shopperOrder(
  db: Executor,
  store: StoreScope,
  orderId: string,
  now: Date,
): Promise<ShopperOrder> {
  return toShopperOrder(db, store, await getOrder(db, store.id, orderId), now);
}

/** Most date changes shown per order (a line re-dated daily for months stops at this). */
const MAX_CHANGES = 200;

async function dateChanges(
  db: Executor,
  store: StoreScope,
  orderId: string,
): Promise<Map<string, DateChange[]>> {
  const rows = await queryRows<{
    line_id: string;
    previous_eta: string | null;
    eta: string;
    created_at: Date | string;
  }>(
    db,
    sql`SELECT data->>'lineId' AS line_id, data->>'previousEta' AS previous_eta, data->>'eta' AS eta, created_at
          FROM events
         WHERE store_id = ${store.id} AND type = 'backorder.eta_changed' AND data->>'orderId' = ${orderId}
         ORDER BY seq
         LIMIT ${MAX_CHANGES}`,
  );
  const changes = new Map<string, DateChange[]>();
  for (const row of rows) {
    const list = changes.get(row.line_id) ?? [];
    list.push({
      day: dayIn(store.timezone, new Date(row.created_at)),
      previousEta: row.previous_eta,
      eta: row.eta,
    });
    changes.set(row.line_id, list);
  }
  return changes;
}

/** What each waiting line's units wait for, from its SKU's supply (see `awaitedSupply`). */
async function awaitedByLine(
  db: Executor,
  store: StoreScope,
  order: OrderView,
  ahead: ReadonlyMap<string, number>,
  today: string,
): Promise<Map<string, Awaited>> {
  const waiting = order.lines.filter((l) => l.backorderedQuantity > 0);
  const levels = await readLevels(
    db,
    waiting.map((l) => ({ storeId: store.id, sku: l.sku })),
    { lock: false },
  );
  const out = new Map<string, Awaited>();
  for (const line of waiting) {
    const level = levels.get(levelKey(store.id, line.sku));
    const inputs = level ? inputsOf(level) : null;
    if (!inputs || line.eta === null) {
      out.set(line.id, { kind: 'unknown' });
    } else if (
      inputs.releaseDate !== null &&
      line.eta === inputs.releaseDate &&
      line.etaSource === 'merchant_date'
    ) {
      out.set(line.id, { kind: 'release', date: inputs.releaseDate });
    } else {
      const supply = awaitedSupply(inputs, today, (ahead.get(line.id) ?? 0) + line.backorderedQuantity);
      out.set(line.id, { kind: supply.kind, date: supply.arrival });
    }
  }
  return out;
}

async function toShopperOrder(
  db: Executor,
  store: StoreScope,
  order: OrderView,
  now: Date,
): Promise<ShopperOrder> {
  const today = storeToday(store, now);
  const variants = await shopperVariants(
    db,
    store.id,
    order.lines.map((l) => l.sku),
  );
  // Units ahead, not lines ahead: what stock must arrive before this line's turn.
  const ahead = await loadUnitsAhead(
    db,
    store.id,
    order.lines.filter((l) => l.backorderedQuantity > 0).map((l) => l.id),
  );
  const open = (l: OrderView['lines'][number]) => l.allocatedQuantity + l.backorderedQuantity > 0;
  const deliveries = await deliveriesOf(
    db,
    store,
    order.lines.map((l) => ({
      id: l.id,
      eta: open(l) ? l.eta : null,
      etaLatest: open(l) ? l.etaLatest : null,
    })),
    now,
  );
  const awaited = await awaitedByLine(db, store, order, ahead, today);
  const changes = await dateChanges(db, store, order.id);
  const placedDay = dayIn(store.timezone, new Date(order.createdAt));
  return {
    id: order.id,
    number: orderNumber(order),
    externalId: order.externalId,
    createdAt: order.createdAt,
    placedDay,
    customer: order.customer,
    currency: order.currency,
    lines: order.lines.map((line) => {
      const variant = variants.get(line.sku)!;
      const delivery = deliveries.get(line.id);
      const waiting = line.backorderedQuantity > 0;
      const fields = {
        quantity: line.quantity,
        allocated: line.allocatedQuantity,
        backordered: line.backorderedQuantity,
        shipped: line.shippedQuantity,
        cancelled: line.cancelledQuantity,
        ordersAhead: waiting && line.queuePosition !== null ? line.queuePosition - 1 : null,
        eta: open(line) ? line.eta : null,
        awaited: awaited.get(line.id) ?? ({ kind: 'unknown' } as const),
      };
      const upgradedFrom = delivery?.upgradedFrom ?? null;
      return {
        id: line.id,
        sku: line.sku,
        title: variant.title,
        url: variant.url,
        imageUrl: variant.imageUrl,
        unitPrice: line.unitPrice,
        ...fields,
        unitsAhead: waiting ? (ahead.get(line.id) ?? 0) : null,
        etaLatest: open(line) ? line.etaLatest : null,
        reason: lineReason(fields, today),
        shippingMethod: delivery?.method?.name ?? null,
        deliveryEta: delivery?.deliveryEta ?? null,
        deliveryEtaLatest: delivery?.deliveryEtaLatest ?? null,
        upgradedFrom,
        history: dateHistory(placedDay, line.eta, changes.get(line.id) ?? []),
      };
    }),
  };
}

export function lineOf(order: ShopperOrder, lineId: string): ShopperLine {
  const line = order.lines.find((l) => l.id === lineId);
  if (!line) throw notFound('Line', lineId);
  return line;
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
