/**
 * What a shopper can do from a signed link: see an order, cancel it or a line, keep waiting after
 * a delay, switch a waiting line to an alternative that ships sooner, choose how to be contacted.
 * Every command checks nothing about the link: the routes open the link first (`openLink`).
 */

import { and, eq, sql } from 'drizzle-orm';
import { type Database, type Executor, inTransaction, queryRows } from '../../db/client.ts';
import type { Deps, StoreScope } from '../../shared/context.ts';
import { notFound } from '../../shared/errors.ts';
import { decidePlacement } from '../allocation/allocation.models.ts';
import type { OrderPlacement } from '../allocation/allocation.placement.ts';
import { appendEvents } from '../events/events.usecases.ts';
import { available } from '../inventory/inventory.models.ts';
import { levelKey, readLevels } from '../inventory/inventory.repository.ts';
import { shopperChannels } from '../messages/messages.models.ts';
import { loadMessagingSettings } from '../messages/messages.settings.ts';
import { contactPreferences } from '../messages/messages.tables.ts';
import { unshipped } from '../orders/orders.models.ts';
import { findOrder, lockOrder } from '../orders/orders.repository.ts';
import { orders } from '../orders/orders.tables.ts';
import { cancelOrder, getOrder, lockOrderForChange } from '../orders/orders.usecases.ts';
import type { OrderView } from '../orders/orders.views.ts';
import { readPaymentLines } from '../payments/payments.repository.ts';
import { ScheduleCache } from '../promises/promises.usecases.ts';
import { stores } from '../stores/stores.tables.ts';
import {
  checkLink,
  LINK_LIFETIME_DAYS,
  type LinkClaims,
  readClaims,
  selfServiceUrl,
} from './selfservice.links.ts';
import {
  type AlternativeCandidate,
  type ContactChoices,
  lineStateInWords,
  type RankedAlternative,
  rankAlternatives,
} from './selfservice.models.ts';

export interface ShopperStore extends StoreScope {
  name: string;
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
  const [store] = await db
    .select({ id: stores.id, name: stores.name, currency: stores.currency, timezone: stores.timezone })
    .from(stores)
    .where(eq(stores.id, claims.storeId));
  if (!store) return { check: 'invalid' };
  const { linkSecret } = await loadMessagingSettings(db, deps, store.id);
  const check = checkLink(claims, linkSecret, deps.clock.now());
  if (check === 'invalid') return { check };
  if (check === 'expired') return { check, store };
  const { sig: _signature, ...granted } = claims;
  return { check, store, claims: granted, secret: linkSecret };
}

/** A line as the shopper sees it: its item, its state in words, its place and date. */
export interface ShopperLine {
  id: string;
  sku: string;
  title: string;
  quantity: number;
  unitPrice: number;
  allocated: number;
  backordered: number;
  shipped: number;
  cancelled: number;
  state: string;
  /** Waiting units of the same SKU ahead of this line's (null when nothing of it waits). */
  unitsAhead: number | null;
  eta: string | null;
  etaLatest: string | null;
}

export interface ShopperOrder {
  id: string;
  externalId: string | null;
  createdAt: string;
  customer: OrderView['customer'];
  currency: string;
  lines: ShopperLine[];
}

export async function shopperOrder(db: Executor, storeId: string, orderId: string): Promise<ShopperOrder> {
  return toShopperOrder(db, storeId, await getOrder(db, storeId, orderId));
}

async function toShopperOrder(db: Executor, storeId: string, order: OrderView): Promise<ShopperOrder> {
  // Units ahead, not lines ahead: what stock must arrive before this line's turn.
  const extras = await queryRows<{ id: string; title: string | null; units_ahead: number | null }>(
    db,
    sql`SELECT l.id, v.title,
               CASE WHEN l.backordered > 0 THEN (
                 SELECT coalesce(sum(q.backordered), 0)::int FROM order_lines q
                  WHERE q.store_id = l.store_id AND q.sku = l.sku AND q.backordered > 0
                    AND q.queue_ticket < l.queue_ticket) END AS units_ahead
          FROM order_lines l LEFT JOIN variants v ON v.store_id = l.store_id AND v.sku = l.sku
         WHERE l.store_id = ${storeId} AND l.order_id = ${order.id}`,
  );
  const byId = new Map(extras.map((e) => [e.id, e]));
  return {
    id: order.id,
    externalId: order.externalId,
    createdAt: order.createdAt,
    customer: order.customer,
    currency: order.currency,
    lines: order.lines.map((line) => {
      const quantities = {
        quantity: line.quantity,
        allocated: line.allocatedQuantity,
        backordered: line.backorderedQuantity,
        shipped: line.shippedQuantity,
        cancelled: line.cancelledQuantity,
      };
      return {
        id: line.id,
        sku: line.sku,
        title: byId.get(line.id)?.title ?? line.sku,
        unitPrice: line.unitPrice,
        ...quantities,
        state: lineStateInWords(quantities),
        unitsAhead: line.backorderedQuantity > 0 ? (byId.get(line.id)?.units_ahead ?? 0) : null,
        eta: line.eta,
        etaLatest: line.etaLatest,
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
  deps: Pick<Deps, 'clock' | 'ids'>,
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
  return { order: await toShopperOrder(tx, store.id, order), cancelled };
}

export type KeepOutcome = { kept: true; line: ShopperLine } | { kept: false; line: ShopperLine };

/**
 * The shopper keeps waiting after a delay notice: one `backorder.kept` event per line and promised
 * date, so the merchant sees the choice once however often the form is sent. A line no longer
 * waiting (`kept: false`) records nothing.
 */
export async function keepWaiting(
  tx: Executor,
  deps: Pick<Deps, 'clock' | 'ids'>,
  store: StoreScope,
  orderId: string,
  lineId: string,
): Promise<KeepOutcome> {
  // The order row serialises two submissions of the same form.
  if (!(await lockOrder(tx, store.id, orderId))) throw notFound('Order', orderId);
  const line = lineOf(await shopperOrder(tx, store.id, orderId), lineId);
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

/** Most variants looked at as alternatives (same product first, then shared tags). */
const MAX_CANDIDATES = 100;

/** The alternatives to a waiting line that ship sooner, best first (see `rankAlternatives`). */
export async function alternativesFor(
  db: Executor,
  store: StoreScope,
  line: ShopperLine,
  now: Date,
): Promise<RankedAlternative[]> {
  if (line.backordered === 0) return [];
  const rows = await queryRows<{ sku: string; title: string; price: number; same_product: boolean }>(
    db,
    sql`SELECT v.sku, v.title, v.price, (v.product_id IS NOT NULL AND v.product_id = o.product_id) AS same_product
          FROM variants v
          JOIN variants o ON o.store_id = v.store_id AND o.sku = ${line.sku}
         WHERE v.store_id = ${store.id} AND v.sku <> o.sku
           AND (v.product_id = o.product_id OR v.tags && o.tags)
         ORDER BY same_product DESC, v.sku
         LIMIT ${MAX_CANDIDATES}`,
  );
  const levels = await readLevels(
    db,
    rows.map((r) => ({ storeId: store.id, sku: r.sku })),
    { lock: false },
  );
  // The date each would be promised is the one placement would give an order of the waiting units.
  const schedules = new ScheduleCache(now);
  const candidates: AlternativeCandidate[] = [];
  for (const row of rows) {
    const level = levels.get(levelKey(store.id, row.sku));
    if (!level) continue;
    const decision = decidePlacement(new Map([[row.sku, level]]), [
      { sku: row.sku, quantity: line.backordered },
    ]);
    const eta = decision.accepted
      ? schedules.promiseFor(store, row.sku, level, decision.lines[0]!.waitingThrough).eta
      : null;
    candidates.push({
      sku: row.sku,
      title: row.title,
      price: row.price,
      relation: row.same_product ? 'same_product' : 'same_tag',
      available: available(level),
      eta,
    });
  }
  return rankAlternatives(
    { waiting: line.backordered, unitPrice: line.unitPrice, eta: line.eta },
    candidates,
  );
}

/** What a switch did; `switched` is also the answer to a repeated submission. */
export type SwitchOutcome =
  | { kind: 'switched'; newOrder: ShopperOrder; newSku: string; quantity: number }
  | { kind: 'not_waiting'; line: ShopperLine }
  | { kind: 'not_offered'; line: ShopperLine }
  | { kind: 'refused'; line: ShopperLine; code: string };

interface SwitchRecord {
  newOrderId: string;
  newSku: string;
  quantity: number;
}

/**
 * Moves a waiting line to an alternative: first the new order is placed (through the same
 * placement service as the API, so limits and the queue apply), then the old line's units are
 * cancelled. A refused placement therefore changes nothing. The new order's externalId is derived
 * from the line, so a second submission (or a retry after a crash between the two steps) finds
 * the order already placed and only completes the cancellation, once.
 */
export async function switchLine(
  deps: Deps,
  placement: OrderPlacement,
  store: StoreScope,
  orderId: string,
  lineId: string,
  sku: string,
): Promise<SwitchOutcome> {
  const order = await findOrder(deps.db, store.id, orderId);
  if (!order) throw notFound('Order', orderId);
  const done = await findSwitch(deps.db, store.id, orderId, lineId);
  if (done) return switched(deps.db, store, done);
  const externalId = `${order.externalId ?? order.id}-switch-${lineId}`;
  let placed = await findOrderByExternalId(deps.db, store.id, externalId);
  if (!placed) {
    const line = lineOf(await shopperOrder(deps.db, store.id, orderId), lineId);
    if (line.backordered === 0) return { kind: 'not_waiting', line };
    const offered = await alternativesFor(deps.db, store, line, deps.clock.now());
    if (!offered.some((a) => a.sku === sku)) return { kind: 'not_offered', line };
    const [payment] = await readPaymentLines(deps.db, store.id, { lineIds: [lineId] });
    const result = await placement.place({
      store,
      input: {
        externalId,
        customer: order.customer,
        lines: [{ sku, quantity: line.backordered }],
        ...(payment && Object.keys(payment.method).length > 0 ? { payment: payment.method } : {}),
      },
      idempotency: null,
    });
    if (result.outcome.ok) placed = result.outcome.body as OrderView;
    else if (result.outcome.error.code === 'duplicate_external_id') {
      // A submission racing this one placed it first.
      placed = await findOrderByExternalId(deps.db, store.id, externalId);
    }
    if (!placed)
      return { kind: 'refused', line, code: result.outcome.ok ? 'unknown' : result.outcome.error.code };
  }
  const newLine = placed.lines[0]!;
  const record = { newOrderId: placed.id, newSku: newLine.sku, quantity: newLine.quantity };
  await inTransaction(deps.db, async (tx) => {
    const { lines } = await lockOrderForChange(tx, store, orderId);
    if (await findSwitch(tx, store.id, orderId, lineId)) return;
    const line = lines.find((l) => l.id === lineId);
    if (!line) throw notFound('Line', lineId);
    const quantity = Math.min(record.quantity, unshipped(line));
    if (quantity > 0) {
      await cancelOrder(tx, deps, store, orderId, {
        lines: [{ lineId, quantity }],
        reason: `switched to ${record.newSku}`,
      });
    }
    await appendEvents(tx, deps, [
      {
        storeId: store.id,
        type: 'order.line.switched',
        data: { orderId, lineId, sku: line.sku, ...record },
      },
    ]);
  });
  return switched(deps.db, store, record);
}

async function switched(db: Executor, store: StoreScope, record: SwitchRecord): Promise<SwitchOutcome> {
  return {
    kind: 'switched',
    newOrder: await shopperOrder(db, store.id, record.newOrderId),
    newSku: record.newSku,
    quantity: record.quantity,
  };
}

async function findSwitch(
  db: Executor,
  storeId: string,
  orderId: string,
  lineId: string,
): Promise<SwitchRecord | undefined> {
  const [row] = await queryRows<{ data: SwitchRecord }>(
    db,
    sql`SELECT data FROM events
         WHERE store_id = ${storeId} AND type = 'order.line.switched'
           AND data->>'orderId' = ${orderId} AND data->>'lineId' = ${lineId}
         LIMIT 1`,
  );
  return row?.data;
}

async function findOrderByExternalId(
  db: Executor,
  storeId: string,
  externalId: string,
): Promise<OrderView | undefined> {
  const [row] = await db
    .select({ id: orders.id })
    .from(orders)
    .where(and(eq(orders.storeId, storeId), eq(orders.externalId, externalId)));
  return row ? getOrder(db, storeId, row.id) : undefined;
}

/** The order's contacts (its customer's email and phone): whom its preferences apply to. */
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
 * Links customer service can send for an order, valid for LINK_LIFETIME_DAYS. `origin` is used
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
  const expiresAt = Math.floor(deps.clock.now().getTime() / 1000) + LINK_LIFETIME_DAYS * 86_400;
  const url = (action: LinkClaims['action']) =>
    selfServiceUrl(base, { storeId: store.id, action, subject: orderId, expiresAt }, settings.linkSecret);
  return {
    status: url('status'),
    cancel: url('cancel'),
    preferences: url('preferences'),
    expiresAt: new Date(expiresAt * 1000).toISOString(),
  };
}
