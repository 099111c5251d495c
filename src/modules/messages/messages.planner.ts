import { eq } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import { appendEvents, type NewEvent } from '../../db/outbox.ts';
import { groupBy } from '../../shared/collections.ts';
import type { Deps } from '../../shared/context.ts';
import { daysBetween } from '../../shared/dates.ts';
import { stores } from '../stores/stores.tables.ts';
import { isTransactional, type MessageContext } from '../templates/templates.context.ts';
import { renderMessage } from '../templates/templates.usecases.ts';
import {
  baseContext,
  deliveryContext,
  formatMoney,
  linksFor,
  loadOrderFacts,
  type OrderFacts,
  type StoreContext,
} from './messages.contexts.ts';
import { grantIncentives } from './messages.incentives.ts';
import { type ShortLink, shortLink } from './messages.links.ts';
import {
  channelsSetUp,
  delayIsNews,
  delayThresholdDays,
  shopperChannels,
  shopperKindOf,
} from './messages.models.ts';
import { messageDefaults, type NewMessage, orderIdOf } from './messages.relay.ts';
import { loadMessagingSettings, type MessagingSettingsRow } from './messages.settings.ts';
import { fitSms } from './messages.sms.ts';
import { linePromisesTold, type MessageKind, shortLinks } from './messages.tables.ts';

export interface OutboxEvent {
  id: string;
  storeId: string;
  type: string;
  data: Record<string, unknown>;
  createdAt: Date;
}

type PlanDeps = Pick<Deps, 'clock' | 'ids' | 'publicUrl'>;

/** A message to render: its kind, the order it concerns, and what the kind adds to the context. */
export interface Intent {
  /** The event it answers; null for messages on a schedule (status updates), keyed by `dedupeKey`. */
  event: OutboxEvent | null;
  dedupeKey?: string;
  kind: MessageKind;
  orderId: string;
  lineId?: string;
  extra: Partial<MessageContext>;
}

/**
 * The shopper messages a batch of outbox events makes, for stores that send them (`active`).
 * Delay notices are rationed: one goes out only when a line's date moves past the date the
 * shopper was last told by the store's threshold, so a date re-computed every day does not
 * become a message every day; the same step grants delay incentives.
 */
export async function planShopperMessages(
  tx: Tx,
  deps: PlanDeps,
  events: readonly OutboxEvent[],
  active: ReadonlySet<string>,
): Promise<NewMessage[]> {
  const byStore = groupBy(
    events.filter(
      (e) => active.has(e.storeId) && shopperKindOf(e.type, e.data) !== null && orderIdOf(e.data) !== null,
    ),
    (e) => e.storeId,
  );
  const drafts: NewMessage[] = [];
  for (const [storeId, storeEvents] of byStore) {
    const settings = await loadMessagingSettings(tx, deps, storeId);
    const store = await storeContext(tx, deps, settings);
    const facts = await loadOrderFacts(
      tx,
      store,
      storeEvents.map((e) => orderIdOf(e.data)!),
      deps.clock.now(),
    );
    const intents: Intent[] = [];
    const granted: NewEvent[] = [];
    for (const event of storeEvents) {
      const intent = await intentOf(tx, deps, settings, store, event, facts, granted);
      if (intent) intents.push(intent);
    }
    await appendEvents(tx, deps, granted);
    const configured = channelsSetUp(settings);
    for (const intent of intents) {
      const order = facts.get(intent.orderId);
      if (!order) continue;
      for (const { channel, recipient } of shopperChannels(configured, order.customer)) {
        drafts.push(await draftOf(tx, deps, store, order, intent, channel, recipient));
      }
    }
  }
  return drafts;
}

export async function storeContext(
  tx: Tx,
  deps: PlanDeps,
  settings: MessagingSettingsRow,
): Promise<StoreContext> {
  const [row] = await tx.select().from(stores).where(eq(stores.id, settings.storeId));
  return {
    id: settings.storeId,
    name: row!.name,
    currency: row!.currency,
    timezone: row!.timezone,
    // Backfill refunds cancelled units itself wherever it manages the money.
    refundsAutomatic: row!.paymentProvider !== 'none' || settings.refundsAutomatic,
    publicUrl: settings.publicUrl ?? deps.publicUrl ?? 'http://127.0.0.1:3000',
    linkSecret: settings.linkSecret,
    linkLifetimeDays: settings.linkLifetimeDays,
  };
}

async function intentOf(
  tx: Tx,
  deps: PlanDeps,
  settings: MessagingSettingsRow,
  store: StoreContext,
  event: OutboxEvent,
  facts: Map<string, OrderFacts>,
  granted: NewEvent[],
): Promise<Intent | null> {
  const kind = shopperKindOf(event.type, event.data)!;
  const orderId = orderIdOf(event.data)!;
  const order = facts.get(orderId);
  if (!order) return null;
  const data = event.data;
  const lineId = typeof data.lineId === 'string' ? data.lineId : undefined;
  const line = order.lines.find((l) => l.id === lineId);
  const base = { event, kind, orderId, ...(lineId ? { lineId } : {}) };
  switch (kind) {
    case 'order_confirmation':
      await rememberFirstDates(tx, deps, order);
      return { ...base, extra: {} };
    case 'delay_notice': {
      if (!line) return null;
      const delay = await rationDelay(tx, deps, settings, order, line.id, data);
      if (!delay) return null;
      const { incentive, upgraded } = await grantIncentives(
        tx,
        deps,
        settings,
        store,
        order,
        line,
        delay,
        granted,
      );
      // An upgrade's method and window are what every message tells from now on, this one included.
      if (upgraded) Object.assign(line, deliveryContext(upgraded));
      return {
        ...base,
        extra: {
          line,
          delay: {
            previousEta: delay.toldEta,
            eta: delay.eta,
            daysLater: daysBetween(delay.toldEta, delay.eta),
          },
          ...(incentive ? { incentive } : {}),
        },
      };
    }
    case 'ready_to_ship':
      return line ? { ...base, extra: { line } } : null;
    case 'shipped': {
      const shipment = data.shipment as {
        id: string;
        carrier: string | null;
        trackingNumber: string | null;
        lines: { lineId: string; sku: string; quantity: number }[];
      };
      const title = (sku: string) => order.lines.find((l) => l.sku === sku)?.title ?? sku;
      return {
        ...base,
        extra: {
          shipment: {
            id: shipment.id,
            carrier: shipment.carrier ?? '',
            trackingNumber: shipment.trackingNumber ?? '',
            lines: shipment.lines.map((l) => ({ sku: l.sku, title: title(l.sku), quantity: l.quantity })),
          },
        },
      };
    }
    case 'cancelled':
      return {
        ...base,
        extra: { cancellation: { reason: typeof data.reason === 'string' ? data.reason : '' } },
      };
    case 'refunded':
      return {
        ...base,
        extra: {
          ...(line ? { line } : {}),
          refund: { amount: money(data, order), reason: typeof data.reason === 'string' ? data.reason : '' },
        },
      };
    case 'payment_needed':
      return {
        ...base,
        extra: {
          ...(line ? { line } : {}),
          payment: {
            amount: money(data, order),
            reason: String(data.reason ?? ''),
            payBy: typeof data.payBy === 'string' ? data.payBy : '',
            message: typeof data.message === 'string' ? data.message : '',
          },
        },
      };
    default:
      return null;
  }
}

const money = (data: Record<string, unknown>, order: OrderFacts): string =>
  formatMoney(Number(data.amount ?? 0), typeof data.currency === 'string' ? data.currency : order.currency);

export async function draftOf(
  tx: Tx,
  deps: PlanDeps,
  store: StoreContext,
  order: OrderFacts,
  intent: Intent,
  channel: 'email' | 'sms',
  recipient: string,
): Promise<NewMessage> {
  const now = deps.clock.now();
  const transactional = isTransactional(intent.kind);
  const links = linksFor(store, now, {
    orderId: order.id,
    ...(intent.lineId ? { lineId: intent.lineId } : {}),
    contact: recipient,
    transactional,
  });
  const context: MessageContext = { ...baseContext(store, order), ...intent.extra, links };
  const row: NewMessage = {
    ...messageDefaults(deps, now),
    storeId: store.id,
    dedupeKey: `${intent.event?.id ?? intent.dedupeKey}:${channel}:${recipient}`,
    eventId: intent.event?.id ?? null,
    eventType: intent.event?.type ?? null,
    kind: intent.kind,
    channel,
    recipient,
    orderId: order.id,
    transactional,
    payload: links.unsubscribe ? { unsubscribeUrl: links.unsubscribe } : null,
  };
  return withContent(tx, row, context, store);
}

/**
 * A message row with its rendered subject and bodies. Every kind of message goes through here: a
 * template that cannot render is the merchant's to fix, so the message is logged as failed, not
 * retried. Text messages carry short links (`/s/{token}`, saved only for the links the text
 * shows) and are fitted into two segments (see messages.sms.ts).
 */
export async function withContent(
  tx: Tx,
  row: NewMessage,
  context: MessageContext,
  store: Pick<StoreContext, 'publicUrl' | 'linkSecret' | 'linkLifetimeDays'>,
): Promise<NewMessage> {
  try {
    const channel = row.channel as 'email' | 'sms';
    const short = channel === 'sms' ? shortLinksFor(context.links, store) : null;
    const rendered = await renderMessage(
      tx,
      row.storeId,
      row.kind,
      channel,
      short ? { ...context, links: short.links } : context,
    );
    if (!short) return { ...row, subject: rendered.subject, body: rendered.body, html: rendered.html };
    const body = fitSms(rendered.body);
    const used = short.made.filter((link) => body.includes(link.url));
    if (used.length > 0) {
      await tx.insert(shortLinks).values(
        used.map((link) => ({
          id: link.id,
          storeId: row.storeId,
          target: link.target,
          expiresAt: new Date(row.createdAt!.getTime() + store.linkLifetimeDays * 86_400_000),
          createdAt: row.createdAt!,
        })),
      );
    }
    return { ...row, subject: rendered.subject, body, html: rendered.html };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ...row, state: 'failed', nextAttemptAt: null, lastError: `template failed: ${reason}` };
  }
}

/** A short link for each link of a text message (made, not yet saved). */
function shortLinksFor(
  links: MessageContext['links'],
  store: Pick<StoreContext, 'publicUrl' | 'linkSecret'>,
): { links: MessageContext['links']; made: ShortLink[] } {
  const made: ShortLink[] = [];
  const shorten = (target: string): string => {
    if (target === '') return '';
    const link = shortLink(store.publicUrl, target, store.linkSecret);
    made.push(link);
    return link.url;
  };
  return {
    links: {
      status: shorten(links.status),
      cancel: shorten(links.cancel),
      keep: shorten(links.keep),
      switch: shorten(links.switch),
      preferences: shorten(links.preferences),
      unsubscribe: shorten(links.unsubscribe),
    },
    made,
  };
}

/** The dates an order's confirmation tells: the first promise of each waiting line. */
async function rememberFirstDates(tx: Tx, deps: PlanDeps, order: OrderFacts): Promise<void> {
  const rows = order.lines
    .filter((l) => l.backordered > 0 && l.eta !== null)
    .map((l) => ({
      lineId: l.id,
      storeId: order.storeId,
      orderId: order.id,
      firstEta: l.eta!,
      toldEta: l.eta!,
      updatedAt: deps.clock.now(),
    }));
  if (rows.length > 0) await tx.insert(linePromisesTold).values(rows).onConflictDoNothing();
}

export interface Delay {
  firstEta: string;
  toldEta: string;
  eta: string;
}

/** Whether a moved date is news for the shopper; if so, records it as told. */
async function rationDelay(
  tx: Tx,
  deps: PlanDeps,
  settings: MessagingSettingsRow,
  order: OrderFacts,
  lineId: string,
  data: Record<string, unknown>,
): Promise<Delay | null> {
  const eta = typeof data.eta === 'string' ? data.eta : null;
  const previous = typeof data.previousEta === 'string' ? data.previousEta : null;
  if (eta === null) return null;
  const [told] = await tx.select().from(linePromisesTold).where(eq(linePromisesTold.lineId, lineId));
  const toldEta = told?.toldEta ?? previous;
  const firstEta = told?.firstEta ?? previous;
  if (
    toldEta === null ||
    firstEta === null ||
    !delayIsNews(toldEta, eta, delayThresholdDays(data.etaSource, settings.delayNoticeDays))
  )
    return null;
  const now = deps.clock.now();
  await tx
    .insert(linePromisesTold)
    .values({ lineId, storeId: settings.storeId, orderId: order.id, firstEta, toldEta: eta, updatedAt: now })
    .onConflictDoUpdate({
      target: [linePromisesTold.lineId, linePromisesTold.storeId],
      set: { toldEta: eta, updatedAt: now },
    });
  return { firstEta, toldEta, eta };
}
