/**
 * The shopper's pages, rendered on the server in the shopper's language: the order page (every
 * line's state, dates and the reason in words, its date history, and the actions allowed), and
 * the confirmation and result pages of each action. Every value is escaped; form actions are
 * relative (`?<signed query>`), so the pages work behind any path prefix and stay within the
 * CSP's `form-action 'self'`.
 */

import { formatMoney } from '../messages/messages.contexts.ts';
import { date, type Html, html, layout, type PageContext, parts, postForm } from './selfservice.html.ts';
import type { LineReason, RankedAlternative } from './selfservice.models.ts';
import type { ShopperLine, ShopperOrder } from './selfservice.orders.ts';
import type { SwitchOutcome } from './selfservice.switch.ts';
import type { KeepOutcome } from './selfservice.usecases.ts';

type State = 'waiting' | 'ready' | 'shipped' | 'cancelled';

/** The line's main state (the one its badge shows) and the count of units in each state. */
function statesOf(line: ShopperLine): { main: State; counts: { n: number; state: State }[] } {
  const counts = (
    [
      [line.backordered, 'waiting'],
      [line.allocated, 'ready'],
      [line.shipped, 'shipped'],
      [line.cancelled, 'cancelled'],
    ] as const
  )
    .filter(([n]) => n > 0)
    .map(([n, state]) => ({ n, state }));
  return { main: counts[0]?.state ?? 'cancelled', counts };
}

function reasonText(ctx: PageContext, reason: LineReason): Html {
  const w = ctx.words;
  switch (reason.kind) {
    case 'waiting': {
      const place = reason.ordersAhead === 0 ? w.nextInLine : w.ordersAhead(reason.ordersAhead);
      const a = reason.awaited;
      const supply =
        a.kind === 'unknown'
          ? w.noDateYet
          : parts(
              {
                purchase_order: w.shipmentDue,
                lead_time: w.leadTime,
                merchant_date: w.storeExpects,
                release: w.released,
              }[a.kind](date(ctx, a.date)),
            );
      return html`${place}; ${supply}.`;
    }
    case 'ready':
      return reason.shipsOn ? parts(w.readyShipsOn(date(ctx, reason.shipsOn))) : html`${w.readyToShip}`;
    case 'shipped':
      return html`${w.shippedAll}`;
    case 'cancelled':
      return html`${w.cancelledAll}`;
  }
}

function historyList(ctx: PageContext, line: ShopperLine): Html | '' {
  const w = ctx.words;
  if (line.history.length === 0) return '';
  if (line.history.length === 1) return html`<p class="history">${w.unchanged}</p>`;
  const items = line.history.map((entry) => {
    const when = date(ctx, entry.day);
    const to = date(ctx, entry.eta);
    if (entry.kind === 'first') return html`<li>${parts(w.firstPromise(when, to))}</li>`;
    const text =
      entry.kind === 'later' ? w.movedLater(when, to, entry.days) : w.movedSooner(when, to, entry.days);
    return html`<li>${parts(text)}</li>`;
  });
  return html`<div class="history"><h4>${w.history}</h4><ol>${items}</ol></div>`;
}

/** The signed links and forms of what a shopper may do to each line. */
export interface LineActions {
  keep: string | null;
  switch: string | null;
  cancel: string | null;
}

function lineCard(ctx: PageContext, line: ShopperLine, actions: LineActions | undefined): Html {
  const w = ctx.words;
  const { main, counts } = statesOf(line);
  const headingId = `item-${line.id}`;
  const title = line.url ? html`<a href="${line.url}">${line.title}</a>` : line.title;
  const badge = counts.length > 1 ? w.stateCounts(counts) : w.state[main];
  const facts: Html[] = [];
  if (line.eta !== null) {
    const latest =
      line.etaLatest !== null && line.etaLatest > line.eta
        ? parts(w.atTheLatest(date(ctx, line.etaLatest)))
        : '';
    facts.push(html`<dt>${w.shipsBy}</dt><dd>${date(ctx, line.eta)}${latest}</dd>`);
  }
  if (line.deliveryEta !== null) {
    const window =
      line.deliveryEtaLatest !== null && line.deliveryEtaLatest > line.deliveryEta
        ? w.arrivesBetween(date(ctx, line.deliveryEta), date(ctx, line.deliveryEtaLatest))
        : w.arrivesOn(date(ctx, line.deliveryEta));
    const method = line.shippingMethod ? html` · ${w.via(line.shippingMethod)}` : '';
    facts.push(html`<dt>${w.arrives}</dt><dd>${parts(window)}${method}</dd>`);
  }
  // Each control names its item for screen readers, whose users may list every button at once.
  const named = (label: string) => `${label}: ${line.title}`;
  const tools = [
    actions?.keep ? postForm(actions.keep, w.keep, { name: named(w.keep) }) : '',
    actions?.switch
      ? html`<a class="button secondary" href="${actions.switch}" aria-label="${named(w.switchItem)}">${w.switchItem}</a>`
      : '',
    actions?.cancel
      ? html`<a class="button danger" href="${actions.cancel}" aria-label="${named(w.cancelItem)}">${w.cancelItem}</a>`
      : '',
  ].filter((tool) => tool !== '');
  const picture = line.imageUrl
    ? html`<div class="picture"><img src="${line.imageUrl}" alt="" width="72" height="72" loading="lazy" referrerpolicy="no-referrer"></div>`
    : '';
  return html`<li class="line${line.imageUrl ? '' : ' no-picture'}" aria-labelledby="${headingId}">
${picture}<div class="head">
<h3 id="${headingId}">${title}</h3>
<p class="sku">${w.sku} ${line.sku} · ${w.quantity} ${line.quantity}</p>
<p class="badge ${main}">${badge}</p>
</div>
<div class="details">
${facts.length > 0 ? html`<dl class="facts">${facts}</dl>` : ''}
<p class="reason">${reasonText(ctx, line.reason)}</p>
${line.upgradedFrom !== null && line.shippingMethod ? html`<p>${w.upgraded(line.shippingMethod)}</p>` : ''}
${historyList(ctx, line)}
${tools.length > 0 ? html`<div class="actions">${tools}</div>` : ''}
</div>
</li>
`;
}

export interface OrderPageActions {
  lines: ReadonlyMap<string, LineActions>;
  cancelOrder: string | null;
  preferences: string;
}

/** The order page: one card per line, then what the shopper can change. */
export function orderPage(
  ctx: PageContext,
  order: ShopperOrder,
  actions: OrderPageActions,
  today: string,
): string {
  const w = ctx.words;
  const waiting = order.lines.filter((l) => l.backordered > 0).length;
  // The number never breaks across lines (it is read out and typed back).
  const [before, after] = w.orderTitle('\u0000').split('\u0000');
  const heading = html`${before}<span class="nowrap">${order.number}</span>${after}`;
  return layout(
    ctx,
    w.orderTitle(order.number),
    html`<p class="lede">${parts(w.placedOn(date(ctx, order.placedDay)))}</p>
<p class="${waiting > 0 ? 'note' : 'lede'}">${waiting > 0 ? w.itemsWaiting(waiting) : w.nothingWaiting}</p>
<h2 id="items">${w.items}</h2>
<ol class="lines" aria-labelledby="items">
${order.lines.map((line) => lineCard(ctx, line, actions.lines.get(line.id)))}</ol>
<section class="no-print" aria-labelledby="change">
<h2 id="change">${w.changeOrder}</h2>
${
  actions.cancelOrder
    ? html`<p>${w.cancelAllText}${ctx.store?.refundsAutomatic ? html` ${w.refundedAutomatically}` : ''}</p>
<p><a class="button danger" href="${actions.cancelOrder}">${w.cancelAll}</a></p>`
    : html`<p>${w.nothingToCancel}</p>`
}
</section>
<section class="no-print" aria-labelledby="messages">
<h2 id="messages">${w.messages}</h2>
<p><a href="${actions.preferences}">${w.preferencesLink}</a></p>
</section>
<p class="print-only">${parts(w.printedOn(date(ctx, today)))}</p>`,
    heading,
  );
}

const unitsLeft = (lines: readonly ShopperLine[]) =>
  lines.reduce((n, l) => n + l.allocated + l.backordered, 0);

export function cancelConfirmPage(
  ctx: PageContext,
  order: ShopperOrder,
  line: ShopperLine | null,
  action: string,
): string {
  const w = ctx.words;
  const left = unitsLeft(line ? [line] : order.lines);
  if (left === 0)
    return layout(ctx, w.nothingLeft, html`<p class="note">${w.nothingLeftText(line !== null)}</p>`);
  const what = w.cancelWhat(w.units(left), line?.title ?? null);
  return layout(
    ctx,
    line ? w.cancelTitle(line.title) : w.cancelTitle(order.number),
    html`<p>${w.cancelText(what)}${ctx.store?.refundsAutomatic ? html` ${w.refundedAutomatically}` : ''}</p>
${postForm(action, w.yesCancel, { style: 'danger solid' })}
<p>${w.closeToKeep}</p>`,
  );
}

export function cancelledPage(ctx: PageContext, cancelled: number, back: string): string {
  const w = ctx.words;
  if (cancelled === 0)
    return layout(ctx, w.nothingLeft, html`<p class="note">${w.nothingLeftText(false)}</p>`);
  return layout(
    ctx,
    w.cancelledTitle,
    html`<p class="note" role="status">${w.cancelledText(w.units(cancelled))}${
      ctx.store?.refundsAutomatic ? html` ${w.refundedAutomatically}` : ''
    }</p>
<p><a href="${back}">${w.seeOrder}</a></p>`,
  );
}

export function keepConfirmPage(ctx: PageContext, line: ShopperLine, action: string): string {
  const w = ctx.words;
  if (line.backordered === 0) return keptPage(ctx, { kept: false, line });
  return layout(
    ctx,
    w.keepTitle(line.title),
    html`<p>${w.keepText(w.units(line.backordered), line.title, line.ordersAhead)}${
      line.eta ? parts(w.keepShipsBy(date(ctx, line.eta))) : '.'
    }</p>
${postForm(action, w.yesKeep)}`,
  );
}

export function keptPage(ctx: PageContext, outcome: KeepOutcome): string {
  const w = ctx.words;
  const { line } = outcome;
  if (!outcome.kept)
    return layout(ctx, w.notWaitingTitle, html`<p class="note">${w.notWaitingText(line.title)}</p>`);
  return layout(
    ctx,
    w.keptTitle,
    html`<p class="note" role="status">${w.keptText(w.units(line.backordered), line.title)}${
      line.eta ? parts(w.keptDate(date(ctx, line.eta))) : ''
    }${w.keptNews}</p>`,
  );
}

function alternativeText(ctx: PageContext, alternative: RankedAlternative): Html {
  const w = ctx.words;
  const when = alternative.inStock
    ? html`${w.inStock}${alternative.eta ? html`, ${parts(w.shipsByShort(date(ctx, alternative.eta)))}` : ''}`
    : parts(w.shipsByShort(date(ctx, alternative.eta!)));
  const price = formatMoney(alternative.price, ctx.store?.currency ?? 'USD');
  return html`${alternative.title} <span class="sku">${w.sku} ${alternative.sku} · ${price} ${w.each} · ${when}</span>`;
}

export function switchPage(
  ctx: PageContext,
  line: ShopperLine,
  alternatives: readonly RankedAlternative[],
  action: string,
  error?: string,
): string {
  const w = ctx.words;
  if (line.backordered === 0) return keptPage(ctx, { kept: false, line });
  const title = w.switchTitle(line.title);
  const price = formatMoney(line.unitPrice, ctx.store?.currency ?? 'USD');
  const waitingText = html`<p>${w.waitingFor(w.units(line.backordered), line.title, price)}${
    line.eta ? parts(w.promisedBy(date(ctx, line.eta))) : '.'
  }</p>`;
  if (alternatives.length === 0)
    return layout(ctx, title, html`${waitingText}<p class="note">${w.noAlternative}</p>`);
  const choices = alternatives.map(
    (a, i) =>
      html`<div class="choice"><input type="radio" id="alt-${i}" name="sku" value="${a.sku}" required${
        i === 0 ? html` checked` : ''
      }><label for="alt-${i}">${alternativeText(ctx, a)}</label></div>\n`,
  );
  return layout(
    ctx,
    title,
    html`${waitingText}
${error ? html`<p class="warning" role="alert">${error}</p>` : ''}
<form method="post" action="${action}">
<fieldset>
<legend>${w.alternativesLegend}</legend>
${choices}</fieldset>
<p>${w.switchText(line.title)}${ctx.store?.refundsAutomatic ? html` ${w.refundedAutomatically}` : ''}</p>
<button type="submit">${w.switchButton}</button>
</form>`,
  );
}

export function switchOutcomePage(ctx: PageContext, outcome: SwitchOutcome): string {
  const w = ctx.words;
  if (outcome.kind === 'switched') {
    const item = outcome.newOrder.lines[0];
    return layout(
      ctx,
      w.switchedTitle,
      html`<p class="note" role="status">${w.switchedText(
        outcome.newOrder.number,
        w.units(outcome.quantity),
        item?.title ?? outcome.newSku,
      )}${ctx.store?.refundsAutomatic ? html` ${w.refundedAutomatically}` : ''}</p>`,
    );
  }
  const code = outcome.kind === 'refused' ? outcome.code : outcome.kind;
  const refusal = w.refusals[code as keyof typeof w.refusals] ?? w.refusals.other;
  return layout(
    ctx,
    w.notChangedTitle,
    html`<p class="warning" role="alert">${refusal} ${w.keepPlace(outcome.line.title)}</p>`,
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
  ctx: PageContext,
  view: PreferencesView,
  action: string,
  saved: boolean,
): string {
  const w = ctx.words;
  if (view.email === null && view.phone === null) {
    return layout(ctx, w.preferencesTitle, html`<p class="note">${w.noContact}</p>`);
  }
  const { choices } = view;
  return layout(
    ctx,
    w.preferencesTitle,
    html`${saved ? html`<p class="note" role="status">${w.saved}</p>` : ''}
<form method="post" action="${action}">
<fieldset>
<legend>${w.howReach}</legend>
${view.email !== null ? checkbox('email', w.emailTo(view.email), choices.email) : ''}${
  view.phone !== null ? checkbox('sms', w.smsTo(view.phone), choices.sms) : ''
}</fieldset>
<fieldset>
<legend>${w.whatHear}</legend>
${checkbox('updates', w.updatesChoice, !choices.unsubscribed)}</fieldset>
<p>${w.stillSent}</p>
<button type="submit">${w.save}</button>
</form>`,
  );
}

export function unsubscribePage(ctx: PageContext, contact: string, action: string): string {
  const w = ctx.words;
  return layout(
    ctx,
    w.unsubscribeTitle,
    html`<p>${w.unsubscribeText(ctx.store?.name ?? '', contact)}</p>
${postForm(action, w.unsubscribe)}`,
  );
}

export function unsubscribedPage(ctx: PageContext, contact: string): string {
  const w = ctx.words;
  return layout(
    ctx,
    w.unsubscribedTitle,
    html`<p class="note" role="status">${w.unsubscribedText(ctx.store?.name ?? '', contact)}</p>`,
  );
}

/** An error page: says what happened and what to do, and nothing about any order. */
export function errorPage(ctx: PageContext, title: string, message: string): string {
  return layout(ctx, title, html`<p>${message}</p>`);
}
