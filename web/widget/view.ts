/**
 * What the widget shows for an availability answer: pure (no DOM), so the rules are unit-tested
 * in Node and the element only puts the words in place.
 */
import type { Texts } from './texts.ts';

/** A shipping method's delivery window, when the store defines shipping methods. */
export interface ShippingOption {
  code: string;
  name: string;
  deliveryEta: string | null;
  deliveryEtaLatest: string | null;
}

/** `GET /v1/storefront/availability` as the widget reads it. */
export interface AvailabilityAnswer {
  sku: string;
  status: 'in_stock' | 'backorder' | 'preorder' | 'out_of_stock';
  quantity: number;
  availableNow: boolean;
  message: string | null;
  expectedDate: string | null;
  expectedDateLatest: string | null;
  releaseDate?: string | null;
  shipping?: ShippingOption[];
}

export type WidgetState =
  | 'loading'
  | 'in-stock'
  | 'partial'
  | 'backorder'
  | 'preorder'
  | 'unavailable'
  | 'sold-out'
  | 'error';

export interface WidgetView {
  state: WidgetState;
  headline: string;
  /** Sentences under the headline (dates, the quantity they are for). */
  details: string[];
  /** The merchant's own words about waiting. */
  message: string | null;
  /** One line per shipping method: when it would arrive. */
  shipping: string[];
  /** The notify-me form is offered. */
  notify: boolean;
}

/** Fills `{name}` placeholders. */
export const fill = (template: string, values: Record<string, string | number>): string =>
  template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    values[name] === undefined ? whole : String(values[name]),
  );

/** Formats a calendar date (`YYYY-MM-DD`) for the shopper; the year only when it is not this one. */
export function dateFormatter(locale: string, today: Date = new Date()): (day: string) => string {
  const thisYear = today.getFullYear();
  const make = (withYear: boolean) =>
    new Intl.DateTimeFormat(locale, {
      day: 'numeric',
      month: 'long',
      ...(withYear ? { year: 'numeric' } : {}),
      timeZone: 'UTC',
    });
  const short = make(false);
  const long = make(true);
  return (day) => {
    const date = new Date(`${day}T00:00:00Z`);
    if (Number.isNaN(date.getTime())) return day;
    return (date.getUTCFullYear() === thisYear ? short : long).format(date);
  };
}

function dateWindow(
  texts: Texts,
  onKey: 'shipsOn' | 'arrivesOn',
  betweenKey: 'shipsBetween' | 'arrivesBetween',
  format: (day: string) => string,
  from: string,
  to: string | null | undefined,
  extra: Record<string, string> = {},
): string {
  if (!to || to === from) return fill(texts[onKey], { ...extra, date: format(from) });
  return fill(texts[betweenKey], { ...extra, date: format(from), latest: format(to) });
}

export function viewOf(
  answer: AvailabilityAnswer,
  texts: Texts,
  format: (day: string) => string,
): WidgetView {
  const base = { details: [] as string[], message: null, shipping: [] as string[], notify: false };
  if (answer.status === 'out_of_stock') {
    return { ...base, state: 'sold-out', headline: texts.soldOut, notify: true };
  }
  if (answer.expectedDate === null) {
    return { ...base, state: 'unavailable', headline: texts.unavailable };
  }
  const ships = dateWindow(
    texts,
    'shipsOn',
    'shipsBetween',
    format,
    answer.expectedDate,
    answer.expectedDateLatest,
  );
  const quantity = { quantity: answer.quantity };
  let state: WidgetState;
  const details: string[] = [];
  if (answer.availableNow) {
    state = 'in-stock';
    details.push(ships);
  } else if (answer.status === 'in_stock') {
    state = 'partial';
    details.push(fill(texts.partialNote, quantity), ships);
  } else {
    state = answer.status === 'preorder' || answer.releaseDate ? 'preorder' : 'backorder';
    if (answer.releaseDate) details.push(fill(texts.releasesOn, { date: format(answer.releaseDate) }));
    details.push(ships);
    if (answer.quantity > 1) details.push(fill(texts.forQuantity, quantity));
  }
  const headline = {
    'in-stock': texts.inStock,
    partial: texts.partial,
    preorder: texts.preorder,
    backorder: texts.backorder,
  }[state as 'in-stock' | 'partial' | 'preorder' | 'backorder'];
  const shipping = (answer.shipping ?? []).flatMap((method) =>
    method.deliveryEta
      ? [
          dateWindow(
            texts,
            'arrivesOn',
            'arrivesBetween',
            format,
            method.deliveryEta,
            method.deliveryEtaLatest,
            {
              method: method.name,
            },
          ),
        ]
      : [],
  );
  return { ...base, state, headline, details, message: answer.message, shipping };
}
