/**
 * The shopper's pages, rendered on the server: plain semantic HTML that works without JavaScript
 * and loads nothing from elsewhere (one inline stylesheet, which the CSP's `style-src` allows).
 * Every value is escaped; form actions are relative (`?<signed query>`), so the pages work behind
 * any path prefix and stay within the CSP's `form-action 'self'`.
 */

import { dayIn } from '../../shared/dates.ts';
import { formatMoney } from '../messages/messages.contexts.ts';
import { escapeHtml } from '../templates/templates.engine.ts';
import type { RankedAlternative } from './selfservice.models.ts';
import type { SwitchOutcome } from './selfservice.switch.ts';
import type { KeepOutcome, ShopperLine, ShopperOrder } from './selfservice.usecases.ts';

export interface PageStore {
  name: string;
  currency: string;
  timezone: string;
}

/** Marks text already rendered as HTML, so `html` does not escape it twice. */
class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}
type Part = Html | string | number | null | undefined | false | readonly Part[];

const render = (part: Part): string => {
  if (part === null || part === undefined || part === false) return '';
  if (part instanceof Html) return part.text;
  if (Array.isArray(part)) return part.map(render).join('');
  return escapeHtml(String(part));
};

/** A template tag: interpolated values are escaped unless they are `Html`. */
function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  return new Html(strings.reduce((out, s, i) => out + s + (i < values.length ? render(values[i]!) : ''), ''));
}

const STYLE = `
:root{color-scheme:light}
body{margin:0;font:1rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#1a1a1a;background:#fff}
header,main,footer{max-width:48rem;margin:0 auto;padding:1rem}
header{border-bottom:1px solid #767676}
footer{color:#3c3c3c;font-size:.95rem}
.store{font-weight:700;font-size:1.1rem;margin:0}
h1{font-size:1.6rem;line-height:1.25;margin:.5rem 0 1rem}
h2{font-size:1.25rem;margin:1.5rem 0 .5rem}
a{color:#0b57d0}
.table{overflow-x:auto}
table{border-collapse:collapse;width:100%}
caption{text-align:left;font-weight:600;padding:.5rem 0}
th,td{text-align:left;vertical-align:top;padding:.5rem;border-bottom:1px solid #767676}
td form{margin:.25rem 0 0}
.sku{display:block;color:#3c3c3c;font-size:.9rem}
button{font:inherit;padding:.5rem 1rem;border:2px solid #0b57d0;border-radius:4px;background:#0b57d0;color:#fff;cursor:pointer}
button.danger{background:#a50e0e;border-color:#a50e0e}
button.small{padding:.2rem .6rem;font-size:.95rem}
:focus-visible{outline:3px solid #1a1a1a;outline-offset:2px}
.note{background:#f1f3f4;border-left:4px solid #0b57d0;padding:.75rem 1rem}
.warning{background:#fdf1f0;border-left:4px solid #a50e0e;padding:.75rem 1rem}
fieldset{border:1px solid #767676;border-radius:4px;padding:1rem;margin:0 0 1rem}
legend{font-weight:600;padding:0 .25rem}
.choice{display:flex;gap:.6rem;align-items:flex-start;margin:.5rem 0}
.choice input{width:1.25rem;height:1.25rem;margin:.15rem 0 0;flex:none}
.vh{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
`;

function layout(title: string, storeName: string | null, body: Html): string {
  const fullTitle = storeName ? `${title} – ${storeName}` : title;
  const footer = storeName
    ? html`<p>Questions? Reply to any message from ${storeName}.</p>`
    : html`<p>Questions? Reply to any message from the store you bought from.</p>`;
  return `<!doctype html>${html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${fullTitle}</title>
<style>${new Html(STYLE)}</style>
</head>
<body>
<header><p class="store">${storeName ?? 'Order self-service'}</p></header>
<main>
<h1>${title}</h1>
${body}
</main>
<footer>${footer}</footer>
</body>
</html>
`}`;
}

const dateFormat = new Intl.DateTimeFormat('en-US', { dateStyle: 'long', timeZone: 'UTC' });

/** A calendar date (YYYY-MM-DD) as "March 24, 2026", marked up with its machine-readable value. */
const date = (day: string): Html =>
  html`<time datetime="${day}">${dateFormat.format(new Date(`${day}T00:00:00Z`))}</time>`;

const units = (n: number): string => `${n} ${n === 1 ? 'unit' : 'units'}`;
const capitalised = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);
const NONE = html`<span aria-hidden="true">—</span><span class="vh">none</span>`;

function placeInLine(line: ShopperLine): Html | string {
  if (line.unitsAhead === null) return NONE;
  return line.unitsAhead === 0 ? 'Next in line' : `${units(line.unitsAhead)} ahead`;
}

function promisedDate(line: ShopperLine): Html {
  if (line.eta === null) return NONE;
  if (line.etaLatest === null || line.etaLatest === line.eta) return date(line.eta);
  return html`${date(line.eta)} <span class="sku">(${date(line.etaLatest)} at the latest)</span>`;
}

const orderName = (order: Pick<ShopperOrder, 'id' | 'externalId'>): string => order.externalId ?? order.id;

function postForm(action: string, label: Html | string, options: { danger?: boolean; small?: boolean } = {}) {
  const classes = [options.danger ? 'danger' : '', options.small ? 'small' : ''].filter(Boolean).join(' ');
  return html`<form method="post" action="${action}"><button type="submit"${
    classes ? html` class="${classes}"` : ''
  }>${label}</button></form>`;
}

/** Per line: the signed form or link for each action the shopper may take on it (null = none). */
export interface LineActions {
  cancel: string | null;
  switch: string | null;
}

function linesTable(order: ShopperOrder, actions?: ReadonlyMap<string, LineActions>): Html {
  const withActions = actions !== undefined && [...actions.values()].some((a) => a.cancel || a.switch);
  const rows = order.lines.map((line) => {
    const act = actions?.get(line.id);
    const cells = html`<th scope="row">${line.title}<span class="sku">SKU ${line.sku}</span></th>
<td>${line.quantity}</td>
<td>${capitalised(line.state)}</td>
<td>${placeInLine(line)}</td>
<td>${promisedDate(line)}</td>`;
    if (!withActions) return html`<tr>${cells}</tr>\n`;
    const tools = [
      act?.switch
        ? html`<a href="${act.switch}">Switch to a similar item<span class="vh"> instead of ${line.title}</span></a>`
        : '',
      act?.cancel
        ? postForm(act.cancel, html`Cancel this item<span class="vh">: ${line.title}</span>`, { small: true })
        : '',
    ];
    return html`<tr>${cells}<td>${tools}</td></tr>\n`;
  });
  return html`<div class="table"><table>
<caption>Items in order ${orderName(order)}</caption>
<thead><tr><th scope="col">Item</th><th scope="col">Quantity</th><th scope="col">Status</th><th scope="col">Place in line</th><th scope="col">Promised date</th>${
    withActions ? html`<th scope="col">Actions</th>` : ''
  }</tr></thead>
<tbody>
${rows}</tbody>
</table></div>`;
}

export interface StatusActions {
  cancelOrder: string | null;
  lines: ReadonlyMap<string, LineActions>;
  preferences: string;
}

export function statusPage(store: PageStore, order: ShopperOrder, actions: StatusActions): string {
  const waiting = order.lines.some((l) => l.backordered > 0);
  return layout(
    `Your order ${orderName(order)}`,
    store.name,
    html`<p>Placed on ${date(dayIn(store.timezone, new Date(order.createdAt)))}.${
      waiting
        ? ' Items waiting for stock ship in the order they were bought: “place in line” counts the units ordered before yours.'
        : ''
    }</p>
${linesTable(order, actions.lines)}
<h2>Change your order</h2>
${
  actions.cancelOrder
    ? html`<p>Cancel everything that has not shipped yet. Anything you paid for it is refunded automatically.</p>
${postForm(actions.cancelOrder, 'Cancel the whole order', { danger: true })}`
    : html`<p>Nothing is left to cancel: every item has shipped or was cancelled.</p>`
}
<h2>Messages</h2>
<p><a href="${actions.preferences}">Choose how we keep you updated</a></p>`,
  );
}

export function cancelConfirmPage(
  store: PageStore,
  order: ShopperOrder,
  line: ShopperLine | null,
  action: string,
): string {
  const left = (line ? [line] : order.lines).reduce((n, l) => n + l.allocated + l.backordered, 0);
  if (left === 0) {
    return layout(
      'Nothing left to cancel',
      store.name,
      html`${linesTable(order)}
<p class="note">Everything in ${line ? 'this item' : 'this order'} has shipped or was already cancelled.</p>`,
    );
  }
  const what = line ? `${units(left)} of ${line.title}` : `${units(left)} not yet shipped`;
  return layout(
    line ? `Cancel ${line.title}?` : `Cancel order ${orderName(order)}?`,
    store.name,
    html`${linesTable(order)}
<p>This cancels ${what}. Shipped items are not affected. Anything you paid for the cancelled units is refunded automatically.</p>
${postForm(action, 'Yes, cancel', { danger: true })}
<p>Changed your mind? Just close this page: nothing changes until you press the button.</p>`,
  );
}

export function cancelledPage(store: PageStore, order: ShopperOrder, cancelled: number): string {
  if (cancelled === 0) {
    return layout(
      'Nothing left to cancel',
      store.name,
      html`<p class="note">Everything was already shipped or cancelled.</p>
${linesTable(order)}`,
    );
  }
  return layout(
    'Cancelled',
    store.name,
    html`<p class="note">We cancelled ${units(cancelled)}. If you paid for them, the refund is on its way.</p>
${linesTable(order)}`,
  );
}

export function keepConfirmPage(store: PageStore, line: ShopperLine, action: string): string {
  if (line.backordered === 0) return keptPage(store, { kept: false, line });
  return layout(
    `Keep waiting for ${line.title}?`,
    store.name,
    html`<p>${units(line.backordered)} of ${line.title} (SKU ${line.sku}) ${
      line.unitsAhead === 0 ? 'are next in line' : `have ${units(line.unitsAhead ?? 0)} ahead in line`
    }${line.eta ? html` and should ship by ${date(line.eta)}` : ''}.</p>
${postForm(action, 'Yes, keep my place in line')}`,
  );
}

export function keptPage(store: PageStore, outcome: KeepOutcome): string {
  const { line } = outcome;
  if (!outcome.kept) {
    return layout(
      'Nothing is waiting any more',
      store.name,
      html`<p class="note">${line.title} is ${line.state}: there is nothing left to wait for.</p>`,
    );
  }
  return layout(
    'Thanks for waiting',
    store.name,
    html`<p class="note">You keep your place in line for ${units(line.backordered)} of ${line.title}${
      line.eta ? html`; the promised date is ${date(line.eta)}` : ''
    }. We'll tell you when it ships.</p>`,
  );
}

function alternativeText(store: PageStore, alternative: RankedAlternative): Html {
  const when = alternative.inStock
    ? html`In stock${alternative.eta ? html`, ships by ${date(alternative.eta)}` : ''}`
    : html`Ships by ${date(alternative.eta!)}`;
  return html`${alternative.title} <span class="sku">SKU ${alternative.sku} · ${formatMoney(alternative.price, store.currency)} each · ${when}</span>`;
}

export function switchPage(
  store: PageStore,
  line: ShopperLine,
  alternatives: readonly RankedAlternative[],
  action: string,
  error?: string,
): string {
  if (line.backordered === 0) return keptPage(store, { kept: false, line });
  const title = `Switch ${line.title} to a similar item`;
  const waitingText = html`<p>You are waiting for ${units(line.backordered)} of ${line.title} (SKU ${line.sku}, ${formatMoney(line.unitPrice, store.currency)} each)${
    line.eta ? html`, promised by ${date(line.eta)}` : ''
  }.</p>`;
  if (alternatives.length === 0) {
    return layout(
      title,
      store.name,
      html`${waitingText}
<p class="note">No similar item can ship sooner right now. Your place in line is kept.</p>`,
    );
  }
  const choices = alternatives.map(
    (a, i) =>
      html`<div class="choice"><input type="radio" id="alt-${i}" name="sku" value="${a.sku}" required${
        i === 0 ? html` checked` : ''
      }><label for="alt-${i}">${alternativeText(store, a)}</label></div>\n`,
  );
  return layout(
    title,
    store.name,
    html`${waitingText}
${error ? html`<p class="warning" role="alert">${error}</p>` : ''}
<form method="post" action="${action}">
<fieldset>
<legend>These ship sooner, best match first</legend>
${choices}</fieldset>
<p>We place a new order for the same quantity of the item you choose and cancel the waiting units of ${line.title}; anything you paid for them is refunded.</p>
<button type="submit">Switch</button>
</form>`,
  );
}

const REFUSALS: Record<string, string> = {
  not_waiting: 'This item is no longer waiting for stock, so there is nothing to switch.',
  not_offered: 'That item can no longer ship sooner than yours. Please choose again.',
  insufficient_stock: 'That item has just sold out and cannot take more orders.',
};

export function switchOutcomePage(store: PageStore, outcome: SwitchOutcome): string {
  if (outcome.kind === 'switched') {
    const item = outcome.newOrder.lines[0];
    return layout(
      'Switched',
      store.name,
      html`<p class="note">We placed order ${orderName(outcome.newOrder)} for ${units(outcome.quantity)} of ${
        item?.title ?? outcome.newSku
      } and cancelled the waiting units you had before. If you paid for those, the refund is on its way.</p>
${linesTable(outcome.newOrder)}`,
    );
  }
  return layout(
    'Your order was not changed',
    store.name,
    html`<p class="warning">${REFUSALS[outcome.kind === 'refused' ? outcome.code : outcome.kind] ?? 'That item cannot be ordered right now.'} You keep your place in line for ${outcome.line.title}.</p>`,
  );
}

export interface PreferencesView {
  email: string | null;
  phone: string | null;
  choices: { email: boolean; sms: boolean; unsubscribed: boolean };
}

function checkbox(name: string, label: Html | string, checked: boolean): Html {
  return html`<div class="choice"><input type="checkbox" id="pref-${name}" name="${name}" value="on"${
    checked ? html` checked` : ''
  }><label for="pref-${name}">${label}</label></div>\n`;
}

export function preferencesPage(
  store: PageStore,
  view: PreferencesView,
  action: string,
  saved: boolean,
): string {
  if (view.email === null && view.phone === null) {
    return layout(
      'Message preferences',
      store.name,
      html`<p class="note">This order has no email address or phone number to send messages to.</p>`,
    );
  }
  const { choices } = view;
  return layout(
    'Message preferences',
    store.name,
    html`${saved ? html`<p class="note" role="status">Your choices are saved.</p>` : ''}
<form method="post" action="${action}">
<fieldset>
<legend>How may we reach you?</legend>
${view.email !== null ? checkbox('email', html`Email to ${view.email}`, choices.email) : ''}${
  view.phone !== null ? checkbox('sms', html`Text messages to ${view.phone}`, choices.sms) : ''
}</fieldset>
<fieldset>
<legend>What would you like to hear about?</legend>
${checkbox('updates', 'Regular status updates while you wait, and back-in-stock alerts', !choices.unsubscribed)}</fieldset>
<p>Without status updates you still get the messages you need about an order: its confirmation, delays, payment, shipping and cancellation.</p>
<button type="submit">Save my choices</button>
</form>`,
  );
}

export function unsubscribePage(store: PageStore, contact: string, action: string): string {
  return layout(
    'Stop status updates?',
    store.name,
    html`<p>${store.name} will stop sending status updates and back-in-stock alerts to ${contact}. Messages you need about an order are still sent.</p>
${postForm(action, 'Unsubscribe')}`,
  );
}

export function unsubscribedPage(store: PageStore, contact: string): string {
  return layout(
    'You are unsubscribed',
    store.name,
    html`<p class="note">${store.name} will no longer send status updates or alerts to ${contact}.</p>`,
  );
}

/** An error page: says what happened and what to do, and nothing about any order. */
export function errorPage(title: string, message: string, storeName: string | null = null): string {
  return layout(title, storeName, html`<p>${message}</p>`);
}
