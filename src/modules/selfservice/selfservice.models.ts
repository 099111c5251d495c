/**
 * Pure rules of the shopper's self-service pages: which variants a waiting shopper may switch to
 * and in what order, how a line's state reads, what a preferences form means. No I/O.
 */
import { daysBetween } from '../../shared/dates.ts';
import type { LinkAction, LinkClaims } from '../messages/messages.links.ts';
import type { LineQuantities } from '../stock/stock.lines.models.ts';

/** How an alternative relates to the variant the shopper waits for. */
export type Relation = 'same_product' | 'same_tag';

export interface AlternativeCandidate {
  sku: string;
  title: string;
  /** Minor units of the store currency. */
  price: number;
  relation: Relation;
  /** Units that could be allocated at once. */
  available: number;
  /** Ship date an order for the waiting units would be promised now; null when it would be refused. */
  eta: string | null;
}

/** What the shopper waits for: the units still waiting, what they paid per unit, the line's date. */
export interface LineToSwitch {
  waiting: number;
  unitPrice: number;
  eta: string | null;
}

export interface RankedAlternative extends AlternativeCandidate {
  /** Every waiting unit could be allocated now. */
  inStock: boolean;
}

/**
 * An alternative is worth offering only if it ships sooner: in stock for every waiting unit, or
 * promised before the line's own date (a line with no date can only be beaten by stock).
 */
export function shipsSooner(line: LineToSwitch, candidate: AlternativeCandidate): boolean {
  if (candidate.available >= line.waiting) return true;
  return candidate.eta !== null && line.eta !== null && candidate.eta < line.eta;
}

const RELATION_RANK: Record<Relation, number> = { same_product: 0, same_tag: 1 };

/**
 * The alternatives that ship sooner, best first: in stock before not in stock, then the earlier
 * date, then the same product before a shared tag, then the price closest to what the shopper
 * paid, then by SKU so the order never depends on how the candidates were read.
 */
export function rankAlternatives(
  line: LineToSwitch,
  candidates: readonly AlternativeCandidate[],
): RankedAlternative[] {
  return candidates
    .filter((c) => shipsSooner(line, c))
    .map((c) => ({ ...c, inStock: c.available >= line.waiting }))
    .sort(
      (a, b) =>
        Number(b.inStock) - Number(a.inStock) ||
        compareDates(a.eta, b.eta) ||
        RELATION_RANK[a.relation] - RELATION_RANK[b.relation] ||
        Math.abs(a.price - line.unitPrice) - Math.abs(b.price - line.unitPrice) ||
        (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0),
    );
}

/** Earlier dates first; an unknown date after every known one. */
function compareDates(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

/** How long the forms a page carries stay valid: long enough to read the page, short if it leaks. */
export const FORM_LIFETIME_SECONDS = 60 * 60;

/**
 * Claims for a form or link rendered on a page opened with `link`: same store and subject, the
 * given action, valid for an hour at most and never beyond the link that opened the page.
 */
export function formClaims(link: LinkClaims, action: LinkAction, now: Date, lineId?: string): LinkClaims {
  const expiresAt = Math.min(link.expiresAt, Math.floor(now.getTime() / 1000) + FORM_LIFETIME_SECONDS);
  return { storeId: link.storeId, action, subject: link.subject, expiresAt, ...(lineId ? { lineId } : {}) };
}

export interface ContactChoices {
  email: boolean;
  sms: boolean;
  /** No more status updates and other non-transactional messages. */
  unsubscribed: boolean;
}

/** A submitted preferences form: an unticked checkbox is simply absent from the body. */
export function choicesOfForm(form: Readonly<Record<string, string>>): ContactChoices {
  const ticked = (name: string) => form[name] !== undefined && form[name] !== '';
  return { email: ticked('email'), sms: ticked('sms'), unsubscribed: !ticked('updates') };
}

/** What a waiting line waits for, as the order page explains it. */
export type Awaited =
  | { kind: 'purchase_order' | 'lead_time' | 'merchant_date' | 'release'; date: string }
  | { kind: 'unknown' };

/** Why a line is where it is, in terms the page words in the shopper's language. */
export type LineReason =
  | { kind: 'waiting'; ordersAhead: number; awaited: Awaited }
  | { kind: 'ready'; shipsOn: string | null }
  | { kind: 'shipped' }
  | { kind: 'cancelled' };

/**
 * The reason shown under a line: what its waiting units wait for (the orders ahead in the queue
 * and the supply that reaches them), else that it is ready (and ships on a later day when its
 * date is ahead: a release date or handling), else shipped or cancelled.
 */
export function lineReason(
  line: LineQuantities & { ordersAhead: number | null; eta: string | null; awaited: Awaited },
  today: string,
): LineReason {
  if (line.backordered > 0)
    return { kind: 'waiting', ordersAhead: line.ordersAhead ?? 0, awaited: line.awaited };
  if (line.allocated > 0)
    return { kind: 'ready', shipsOn: line.eta !== null && line.eta > today ? line.eta : null };
  if (line.shipped > 0) return { kind: 'shipped' };
  return { kind: 'cancelled' };
}

/** One change of a line's promised ship date, as the outbox recorded it. */
export interface DateChange {
  /** The store's calendar date it happened on. */
  day: string;
  previousEta: string | null;
  eta: string;
}

export type HistoryEntry =
  | { kind: 'first'; day: string; eta: string }
  | { kind: 'later' | 'sooner'; day: string; eta: string; days: number };

/**
 * A line's date history, oldest first: the date first promised (on the day the order was placed:
 * the first change's previous date, or today's date when it never changed), then each move.
 */
export function dateHistory(
  placedDay: string,
  currentEta: string | null,
  changes: readonly DateChange[],
): HistoryEntry[] {
  const first = changes[0]?.previousEta ?? currentEta;
  if (first === null) return [];
  const entries: HistoryEntry[] = [{ kind: 'first', day: placedDay, eta: first }];
  let told = first;
  for (const change of changes) {
    if (change.eta === told) continue;
    const days = daysBetween(told, change.eta);
    entries.push({
      kind: days > 0 ? 'later' : 'sooner',
      day: change.day,
      eta: change.eta,
      days: Math.abs(days),
    });
    told = change.eta;
  }
  return entries;
}
