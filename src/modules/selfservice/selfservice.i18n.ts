/**
 * The shopper's pages in the shopper's language: English, German and French. The language comes
 * from `?lang=` (the page's language switcher) or the browser's Accept-Language; dates are
 * written by `Intl` in the shopper's locale. Every sentence is here, as a function of its values.
 * Pure: no I/O.
 */

export const LANGUAGES = ['en', 'de', 'fr'] as const;
export type Lang = (typeof LANGUAGES)[number];

/** A language and the locale its dates and numbers are written in (en-US and en-GB differ). */
export interface Locale {
  lang: Lang;
  locale: string;
}

const DEFAULT_LOCALES: Record<Lang, string> = { en: 'en-GB', de: 'de-DE', fr: 'fr-FR' };

const isLang = (value: string): value is Lang => (LANGUAGES as readonly string[]).includes(value);

/**
 * The page's language: an explicit `?lang=` first, then the first Accept-Language range we speak
 * (by quality), else English. A regional tag we speak keeps its region for dates ("en-US").
 */
export function negotiateLocale(query: unknown, acceptLanguage: string | undefined): Locale {
  if (typeof query === 'string' && isLang(query)) return { lang: query, locale: DEFAULT_LOCALES[query] };
  const ranges = (acceptLanguage ?? '')
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((r) => r.tag !== '' && r.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag } of ranges) {
    const lang = tag.slice(0, 2).toLowerCase();
    if (!isLang(lang)) continue;
    const regional =
      /^[a-z]{2}-[A-Za-z]{2}$/.test(tag) && Intl.DateTimeFormat.supportedLocalesOf(tag).length > 0;
    return { lang, locale: regional ? tag : DEFAULT_LOCALES[lang] };
  }
  return { lang: 'en', locale: DEFAULT_LOCALES.en };
}

/** One sentence part per shopper-facing text; `D` is a formatted date (already marked up). */
export interface Words<D = string> {
  languageName: string;
  languageLabel: string;
  selfService: string;
  questions(store: string | null): string;
  // The order page
  orderTitle(number: string): string;
  placedOn(date: D): [string, D, string];
  itemsWaiting(n: number): string;
  nothingWaiting: string;
  items: string;
  quantity: string;
  sku: string;
  state: { waiting: string; ready: string; shipped: string; cancelled: string };
  stateCounts(parts: { n: number; state: 'waiting' | 'ready' | 'shipped' | 'cancelled' }[]): string;
  shipsBy: string;
  atTheLatest(date: D): [string, D, string];
  arrives: string;
  arrivesBetween(from: D, to: D): [string, D, string, D, string];
  arrivesOn(day: D): [string, D, string];
  via(method: string): string;
  nextInLine: string;
  ordersAhead(n: number): string;
  shipmentDue(date: D): [string, D, string];
  leadTime(date: D): [string, D, string];
  storeExpects(date: D): [string, D, string];
  released(date: D): [string, D, string];
  noDateYet: string;
  readyToShip: string;
  readyShipsOn(date: D): [string, D, string];
  shippedAll: string;
  cancelledAll: string;
  upgraded(method: string): string;
  history: string;
  firstPromise(when: D, date: D): [string, D, string, D, string];
  movedLater(when: D, date: D, days: number): [string, D, string, D, string];
  movedSooner(when: D, date: D, days: number): [string, D, string, D, string];
  unchanged: string;
  keep: string;
  switchItem: string;
  cancelItem: string;
  changeOrder: string;
  cancelAllText: string;
  refundedAutomatically: string;
  cancelAll: string;
  nothingToCancel: string;
  messages: string;
  preferencesLink: string;
  printedOn(date: D): [string, D, string];
  seeOrder: string;
  // Confirmations and results
  units(n: number): string;
  cancelTitle(what: string): string;
  cancelWhat(units: string, title: string | null): string;
  cancelText(what: string): string;
  yesCancel: string;
  closeToKeep: string;
  nothingLeft: string;
  nothingLeftText(line: boolean): string;
  cancelledTitle: string;
  cancelledText(units: string): string;
  keepTitle(title: string): string;
  keepText(units: string, title: string, ahead: number | null): string;
  keepShipsBy(date: D): [string, D, string];
  yesKeep: string;
  keptTitle: string;
  keptText(units: string, title: string): string;
  keptDate(date: D): [string, D, string];
  keptNews: string;
  notWaitingTitle: string;
  notWaitingText(title: string): string;
  switchTitle(title: string): string;
  waitingFor(units: string, title: string, price: string): string;
  promisedBy(date: D): [string, D, string];
  noAlternative: string;
  chooseAlternative: string;
  alternativesLegend: string;
  inStock: string;
  shipsByShort(date: D): [string, D, string];
  each: string;
  switchText(title: string): string;
  switchButton: string;
  switchedTitle: string;
  switchedText(number: string, units: string, title: string): string;
  notChangedTitle: string;
  refusals: { not_waiting: string; not_offered: string; insufficient_stock: string; other: string };
  keepPlace(title: string): string;
  // Preferences
  preferencesTitle: string;
  noContact: string;
  saved: string;
  howReach: string;
  emailTo(address: string): string;
  smsTo(phone: string): string;
  whatHear: string;
  updatesChoice: string;
  stillSent: string;
  save: string;
  unsubscribeTitle: string;
  unsubscribeText(store: string, contact: string): string;
  unsubscribe: string;
  unsubscribedTitle: string;
  unsubscribedText(store: string, contact: string): string;
  // Errors
  expiredTitle: string;
  expiredText(store: string): string;
  invalidTitle: string;
  invalidText: string;
  notFoundTitle: string;
  notFoundText(store: string): string;
  failedTitle: string;
  failedText(store: string): string;
  statusCannotChange: string;
  statusCannotChangeText: string;
  tooMany: string;
  ourSide: string;
  openAgain: string;
}

const plural = (lang: Lang, n: number, one: string, other: string) =>
  new Intl.PluralRules(lang).select(n) === 'one' ? one : other;

const EN: Words<unknown> = {
  languageName: 'English',
  languageLabel: 'Language',
  selfService: 'Order self-service',
  questions: (store) => `Questions? Reply to any message from ${store ?? 'the store you bought from'}.`,
  orderTitle: (n) => `Your order ${n}`,
  placedOn: (d) => ['Placed on ', d, '.'],
  itemsWaiting: (n) =>
    `${n} ${plural('en', n, 'item is', 'items are')} waiting for stock. Waiting orders are served in the order they were placed, and we will write if a date changes.`,
  nothingWaiting: 'Nothing on this order is waiting for stock.',
  items: 'Items',
  quantity: 'Quantity',
  sku: 'SKU',
  state: { waiting: 'Waiting for stock', ready: 'Ready to ship', shipped: 'Shipped', cancelled: 'Cancelled' },
  stateCounts: (parts) =>
    parts
      .map(
        ({ n, state }) =>
          `${n} ${{ waiting: 'waiting', ready: 'ready', shipped: 'shipped', cancelled: 'cancelled' }[state]}`,
      )
      .join(', '),
  shipsBy: 'Ships by',
  atTheLatest: (d) => [' (', d, ' at the latest)'],
  arrives: 'Arrives',
  arrivesBetween: (a, b) => ['between ', a, ' and ', b, ''],
  arrivesOn: (d) => ['on ', d, ''],
  via: (m) => `by ${m}`,
  nextInLine: 'You are next in line',
  ordersAhead: (n) => `${n} ${plural('en', n, 'order is', 'orders are')} ahead of you`,
  shipmentDue: (d) => ["the supplier's shipment is due on ", d, ''],
  leadTime: (d) => ['new stock is expected from the supplier by ', d, ''],
  storeExpects: (d) => ['the store expects new stock on ', d, ''],
  released: (d) => ['it is released on ', d, ''],
  noDateYet: 'there is no delivery date for new stock yet',
  readyToShip: 'In stock and set aside for you: it leaves with the next shipment.',
  readyShipsOn: (d) => ['In stock and set aside for you: it ships on ', d, '.'],
  shippedAll: 'On its way to you.',
  cancelledAll: 'Cancelled: nothing more will ship.',
  upgraded: (m) => `Upgraded to ${m} at no cost, for the wait.`,
  history: 'Date changes',
  firstPromise: (w, d) => ['', w, ': first promised to ship by ', d, ''],
  movedLater: (w, d, n) => ['', w, ': moved to ', d, ` (${n} ${plural('en', n, 'day', 'days')} later)`],
  movedSooner: (w, d, n) => [
    '',
    w,
    ': moved forward to ',
    d,
    ` (${n} ${plural('en', n, 'day', 'days')} sooner)`,
  ],
  unchanged: 'The date has not changed since you ordered.',
  keep: 'Keep waiting',
  switchItem: 'Switch to a similar item',
  cancelItem: 'Cancel this item',
  changeOrder: 'Change your order',
  cancelAllText: 'Cancel everything that has not shipped yet.',
  refundedAutomatically: 'Anything you paid for it is refunded automatically.',
  cancelAll: 'Cancel the whole order',
  nothingToCancel: 'Nothing is left to cancel: every item has shipped or was cancelled.',
  messages: 'Messages',
  preferencesLink: 'Choose how we keep you updated',
  printedOn: (d) => ['Printed on ', d, '.'],
  seeOrder: 'See your order',
  units: (n) => `${n} ${plural('en', n, 'unit', 'units')}`,
  cancelTitle: (what) => `Cancel ${what}?`,
  cancelWhat: (units, title) => (title ? `${units} of ${title}` : `${units} not yet shipped`),
  cancelText: (what) => `This cancels ${what}. Shipped items are not affected.`,
  yesCancel: 'Yes, cancel',
  closeToKeep: 'Changed your mind? Just close this page: nothing changes until you press the button.',
  nothingLeft: 'Nothing left to cancel',
  nothingLeftText: (line) =>
    `Everything in ${line ? 'this item' : 'this order'} has shipped or was already cancelled.`,
  cancelledTitle: 'Cancelled',
  cancelledText: (units) => `We cancelled ${units}.`,
  keepTitle: (title) => `Keep waiting for ${title}?`,
  keepText: (units, title, ahead) =>
    `${units} of ${title} ${ahead === 0 || ahead === null ? 'are next in line' : `have ${ahead} ${plural('en', ahead, 'order', 'orders')} ahead in line`}`,
  keepShipsBy: (d) => [' and should ship by ', d, '.'],
  yesKeep: 'Yes, keep my place in line',
  keptTitle: 'Thanks for waiting',
  keptText: (units, title) => `You keep your place in line for ${units} of ${title}`,
  keptDate: (d) => ['; the promised date is ', d, ''],
  keptNews: ". We'll tell you when it ships.",
  notWaitingTitle: 'Nothing is waiting any more',
  notWaitingText: (title) => `${title} is no longer waiting for stock: there is nothing left to wait for.`,
  switchTitle: (title) => `Switch ${title} to a similar item`,
  waitingFor: (units, title, price) => `You are waiting for ${units} of ${title} (${price} each)`,
  promisedBy: (d) => [', promised by ', d, '.'],
  noAlternative: 'No similar item can ship sooner right now. Your place in line is kept.',
  chooseAlternative: 'Choose the item you would like instead.',
  alternativesLegend: 'These ship sooner, best match first',
  inStock: 'In stock',
  shipsByShort: (d) => ['ships by ', d, ''],
  each: 'each',
  switchText: (title) =>
    `We place a new order for the same quantity of the item you choose and cancel the waiting units of ${title}.`,
  switchButton: 'Switch',
  switchedTitle: 'Switched',
  switchedText: (number, units, title) =>
    `We placed order ${number} for ${units} of ${title} and cancelled the waiting units you had before.`,
  notChangedTitle: 'Your order was not changed',
  refusals: {
    not_waiting: 'This item is no longer waiting for stock, so there is nothing to switch.',
    not_offered: 'That item can no longer ship sooner than yours. Please choose again.',
    insufficient_stock: 'That item has just sold out and cannot take more orders.',
    other: 'That item cannot be ordered right now.',
  },
  keepPlace: (title) => `You keep your place in line for ${title}.`,
  preferencesTitle: 'Message preferences',
  noContact: 'This order has no email address or phone number to send messages to.',
  saved: 'Your choices are saved.',
  howReach: 'How may we reach you?',
  emailTo: (a) => `Email to ${a}`,
  smsTo: (p) => `Text messages to ${p}`,
  whatHear: 'What would you like to hear about?',
  updatesChoice: 'Regular status updates while you wait, and back-in-stock alerts',
  stillSent:
    'Without status updates you still get the messages you need about an order: its confirmation, delays, payment, shipping and cancellation.',
  save: 'Save my choices',
  unsubscribeTitle: 'Stop status updates?',
  unsubscribeText: (store, contact) =>
    `${store} will stop sending status updates and back-in-stock alerts to ${contact}. Messages you need about an order are still sent.`,
  unsubscribe: 'Unsubscribe',
  unsubscribedTitle: 'You are unsubscribed',
  unsubscribedText: (store, contact) =>
    `${store} will no longer send status updates or alerts to ${contact}.`,
  expiredTitle: 'This link has expired',
  expiredText: (store) =>
    `For your security, links in our messages work for a limited time. Contact ${store} (reply to any of their messages) to get a new link. If you came from one of these pages, open the link in your latest message again.`,
  invalidTitle: 'This link is not valid',
  invalidText:
    'The link may have been cut short or changed when it was copied. Open it again from your message, or contact the store you bought from.',
  notFoundTitle: 'Order not found',
  notFoundText: (store) => `We could not find this order. Contact ${store} if you think this is a mistake.`,
  failedTitle: 'This could not be done',
  failedText: (store) => `Your order was not changed. Please contact ${store}.`,
  statusCannotChange: 'This link cannot change your order',
  statusCannotChangeText: 'This link shows your order. To change it, use the buttons on the order page.',
  tooMany: 'Too many requests from your network. Please wait a minute and try again.',
  ourSide: 'Something went wrong on our side. Please try again in a moment.',
  openAgain: 'This request could not be handled. Open the link from your message again.',
};

const DE: Words<unknown> = {
  languageName: 'Deutsch',
  languageLabel: 'Sprache',
  selfService: 'Bestellung verwalten',
  questions: (store) =>
    `Fragen? Antworten Sie einfach auf eine Nachricht von ${store ?? 'dem Shop, bei dem Sie bestellt haben'}.`,
  orderTitle: (n) => `Ihre Bestellung ${n}`,
  placedOn: (d) => ['Bestellt am ', d, '.'],
  itemsWaiting: (n) =>
    `${n} ${plural('de', n, 'Artikel wartet', 'Artikel warten')} auf Ware. Wartende Bestellungen werden in der Reihenfolge ihres Eingangs bedient; ändert sich ein Datum, schreiben wir Ihnen.`,
  nothingWaiting: 'Nichts in dieser Bestellung wartet auf Ware.',
  items: 'Artikel',
  quantity: 'Menge',
  sku: 'Art.-Nr.',
  state: { waiting: 'Wartet auf Ware', ready: 'Versandbereit', shipped: 'Versandt', cancelled: 'Storniert' },
  stateCounts: (parts) =>
    parts
      .map(
        ({ n, state }) =>
          `${n} ${{ waiting: 'wartend', ready: 'versandbereit', shipped: 'versandt', cancelled: 'storniert' }[state]}`,
      )
      .join(', '),
  shipsBy: 'Versand bis',
  atTheLatest: (d) => [' (spätestens ', d, ')'],
  arrives: 'Lieferung',
  arrivesBetween: (a, b) => ['zwischen ', a, ' und ', b, ''],
  arrivesOn: (d) => ['am ', d, ''],
  via: (m) => `mit ${m}`,
  nextInLine: 'Sie sind als Nächstes an der Reihe',
  ordersAhead: (n) =>
    `${plural('de', n, 'Vor Ihnen ist noch 1 Bestellung', `Vor Ihnen sind noch ${n} Bestellungen`)}`,
  shipmentDue: (d) => ['die Lieferung des Herstellers wird am ', d, ' erwartet'],
  leadTime: (d) => ['neue Ware wird vom Lieferanten bis ', d, ' erwartet'],
  storeExpects: (d) => ['der Shop erwartet neue Ware am ', d, ''],
  released: (d) => ['der Artikel erscheint am ', d, ''],
  noDateYet: 'für neue Ware gibt es noch kein Lieferdatum',
  readyToShip: 'Auf Lager und für Sie zurückgelegt: geht mit der nächsten Sendung raus.',
  readyShipsOn: (d) => ['Auf Lager und für Sie zurückgelegt: Versand am ', d, '.'],
  shippedAll: 'Ist auf dem Weg zu Ihnen.',
  cancelledAll: 'Storniert: es wird nichts mehr versandt.',
  upgraded: (m) => `Für die Wartezeit kostenlos auf ${m} umgestellt.`,
  history: 'Terminänderungen',
  firstPromise: (w, d) => ['', w, ': erster zugesagter Versand bis ', d, ''],
  movedLater: (w, d, n) => [
    '',
    w,
    ': verschoben auf ',
    d,
    ` (${n} ${plural('de', n, 'Tag', 'Tage')} später)`,
  ],
  movedSooner: (w, d, n) => [
    '',
    w,
    ': vorgezogen auf ',
    d,
    ` (${n} ${plural('de', n, 'Tag', 'Tage')} früher)`,
  ],
  unchanged: 'Der Termin hat sich seit Ihrer Bestellung nicht geändert.',
  keep: 'Weiter warten',
  switchItem: 'Gegen einen ähnlichen Artikel tauschen',
  cancelItem: 'Diesen Artikel stornieren',
  changeOrder: 'Bestellung ändern',
  cancelAllText: 'Alles stornieren, was noch nicht versandt wurde.',
  refundedAutomatically: 'Was Sie dafür bezahlt haben, wird automatisch erstattet.',
  cancelAll: 'Ganze Bestellung stornieren',
  nothingToCancel: 'Es gibt nichts mehr zu stornieren: alles wurde versandt oder storniert.',
  messages: 'Nachrichten',
  preferencesLink: 'Wählen Sie, wie wir Sie informieren',
  printedOn: (d) => ['Gedruckt am ', d, '.'],
  seeOrder: 'Zur Bestellung',
  units: (n) => `${n} ${plural('de', n, 'Stück', 'Stück')}`,
  cancelTitle: (what) => `${what} stornieren?`,
  cancelWhat: (units, title) => (title ? `${units} ${title}` : `${units}, noch nicht versandt,`),
  cancelText: (what) => `Damit wird Folgendes storniert: ${what}. Bereits Versandtes ist nicht betroffen.`,
  yesCancel: 'Ja, stornieren',
  closeToKeep: 'Doch nicht? Schließen Sie einfach diese Seite: erst der Knopf ändert etwas.',
  nothingLeft: 'Nichts mehr zu stornieren',
  nothingLeftText: (line) =>
    `${line ? 'Dieser Artikel wurde' : 'Alles in dieser Bestellung wurde'} bereits versandt oder storniert.`,
  cancelledTitle: 'Storniert',
  cancelledText: (units) => `Wir haben ${units} storniert.`,
  keepTitle: (title) => `Weiter auf ${title} warten?`,
  keepText: (units, title, ahead) =>
    `${units} ${title}: ${ahead === 0 || ahead === null ? 'Sie sind als Nächstes an der Reihe' : `vor Ihnen ${plural('de', ahead, 'ist noch 1 Bestellung', `sind noch ${ahead} Bestellungen`)}`}`,
  keepShipsBy: (d) => ['; Versand voraussichtlich bis ', d, '.'],
  yesKeep: 'Ja, meinen Platz behalten',
  keptTitle: 'Danke fürs Warten',
  keptText: (units, title) => `Sie behalten Ihren Platz für ${units} ${title}`,
  keptDate: (d) => ['; zugesagter Termin: ', d, ''],
  keptNews: '. Wir melden uns, sobald es verschickt wird.',
  notWaitingTitle: 'Es wartet nichts mehr',
  notWaitingText: (title) => `${title} wartet nicht mehr auf Ware.`,
  switchTitle: (title) => `${title} gegen einen ähnlichen Artikel tauschen`,
  waitingFor: (units, title, price) => `Sie warten auf ${units} ${title} (${price} pro Stück)`,
  promisedBy: (d) => [', zugesagt bis ', d, '.'],
  noAlternative: 'Im Moment kann kein ähnlicher Artikel früher geliefert werden. Ihr Platz bleibt erhalten.',
  chooseAlternative: 'Bitte wählen Sie den gewünschten Artikel.',
  alternativesLegend: 'Diese werden früher versandt, beste Übereinstimmung zuerst',
  inStock: 'Auf Lager',
  shipsByShort: (d) => ['Versand bis ', d, ''],
  each: 'pro Stück',
  switchText: (title) =>
    `Wir legen eine neue Bestellung über dieselbe Menge des gewählten Artikels an und stornieren die wartenden Stück von ${title}.`,
  switchButton: 'Tauschen',
  switchedTitle: 'Getauscht',
  switchedText: (number, units, title) =>
    `Wir haben die Bestellung ${number} über ${units} ${title} angelegt und die bisher wartenden Stück storniert.`,
  notChangedTitle: 'Ihre Bestellung wurde nicht geändert',
  refusals: {
    not_waiting: 'Dieser Artikel wartet nicht mehr auf Ware, es gibt nichts zu tauschen.',
    not_offered: 'Dieser Artikel kann nicht mehr früher geliefert werden. Bitte wählen Sie erneut.',
    insufficient_stock: 'Dieser Artikel ist gerade ausverkauft.',
    other: 'Dieser Artikel kann gerade nicht bestellt werden.',
  },
  keepPlace: (title) => `Sie behalten Ihren Platz für ${title}.`,
  preferencesTitle: 'Benachrichtigungen',
  noContact: 'Zu dieser Bestellung gibt es keine E-Mail-Adresse und keine Telefonnummer.',
  saved: 'Ihre Auswahl ist gespeichert.',
  howReach: 'Wie dürfen wir Sie erreichen?',
  emailTo: (a) => `E-Mail an ${a}`,
  smsTo: (p) => `SMS an ${p}`,
  whatHear: 'Worüber möchten Sie informiert werden?',
  updatesChoice:
    'Regelmäßige Statusmeldungen während der Wartezeit und Hinweise, wenn Artikel wieder da sind',
  stillSent:
    'Ohne Statusmeldungen erhalten Sie weiterhin die nötigen Nachrichten zu einer Bestellung: Bestätigung, Verzögerungen, Zahlung, Versand und Stornierung.',
  save: 'Auswahl speichern',
  unsubscribeTitle: 'Statusmeldungen abbestellen?',
  unsubscribeText: (store, contact) =>
    `${store} sendet dann keine Statusmeldungen und Verfügbarkeitshinweise mehr an ${contact}. Nötige Nachrichten zu Bestellungen kommen weiterhin.`,
  unsubscribe: 'Abbestellen',
  unsubscribedTitle: 'Abbestellt',
  unsubscribedText: (store, contact) =>
    `${store} sendet keine Statusmeldungen oder Hinweise mehr an ${contact}.`,
  expiredTitle: 'Dieser Link ist abgelaufen',
  expiredText: (store) =>
    `Zu Ihrer Sicherheit gelten Links in unseren Nachrichten nur begrenzt. Wenden Sie sich an ${store} (Antwort auf eine Nachricht genügt), um einen neuen Link zu erhalten.`,
  invalidTitle: 'Dieser Link ist ungültig',
  invalidText:
    'Der Link wurde beim Kopieren vielleicht gekürzt oder verändert. Öffnen Sie ihn erneut aus Ihrer Nachricht oder wenden Sie sich an den Shop.',
  notFoundTitle: 'Bestellung nicht gefunden',
  notFoundText: (store) =>
    `Wir konnten diese Bestellung nicht finden. Wenden Sie sich an ${store}, falls das ein Irrtum ist.`,
  failedTitle: 'Das hat nicht geklappt',
  failedText: (store) => `Ihre Bestellung wurde nicht geändert. Bitte wenden Sie sich an ${store}.`,
  statusCannotChange: 'Mit diesem Link lässt sich nichts ändern',
  statusCannotChangeText:
    'Dieser Link zeigt Ihre Bestellung. Ändern können Sie sie mit den Knöpfen auf der Bestellseite.',
  tooMany: 'Zu viele Anfragen aus Ihrem Netz. Bitte warten Sie eine Minute.',
  ourSide: 'Bei uns ist etwas schiefgelaufen. Bitte versuchen Sie es gleich noch einmal.',
  openAgain: 'Diese Anfrage konnte nicht bearbeitet werden. Öffnen Sie den Link aus Ihrer Nachricht erneut.',
};

const FR: Words<unknown> = {
  languageName: 'Français',
  languageLabel: 'Langue',
  selfService: 'Suivi de commande',
  questions: (store) =>
    `Des questions ? Répondez à n’importe quel message de ${store ?? 'la boutique où vous avez commandé'}.`,
  orderTitle: (n) => `Votre commande ${n}`,
  placedOn: (d) => ['Passée le ', d, '.'],
  itemsWaiting: (n) =>
    `${n} ${plural('fr', n, 'article attend', 'articles attendent')} du stock. Les commandes en attente sont servies dans l’ordre où elles ont été passées, et nous vous écrirons si une date change.`,
  nothingWaiting: 'Rien dans cette commande n’attend de stock.',
  items: 'Articles',
  quantity: 'Quantité',
  sku: 'Réf.',
  state: {
    waiting: 'En attente de stock',
    ready: 'Prêt à expédier',
    shipped: 'Expédié',
    cancelled: 'Annulé',
  },
  stateCounts: (parts) =>
    parts
      .map(
        ({ n, state }) =>
          `${n} ${{ waiting: 'en attente', ready: 'prêt(s)', shipped: 'expédié(s)', cancelled: 'annulé(s)' }[state]}`,
      )
      .join(', '),
  shipsBy: 'Expédition avant le',
  atTheLatest: (d) => [' (au plus tard le ', d, ')'],
  arrives: 'Livraison',
  arrivesBetween: (a, b) => ['entre le ', a, ' et le ', b, ''],
  arrivesOn: (d) => ['le ', d, ''],
  via: (m) => `par ${m}`,
  nextInLine: 'Vous êtes le prochain servi',
  ordersAhead: (n) => `${plural('fr', n, '1 commande passe', `${n} commandes passent`)} avant la vôtre`,
  shipmentDue: (d) => ['la livraison du fournisseur est attendue le ', d, ''],
  leadTime: (d) => ['du stock est attendu du fournisseur d’ici le ', d, ''],
  storeExpects: (d) => ['la boutique attend du stock le ', d, ''],
  released: (d) => ['l’article sort le ', d, ''],
  noDateYet: 'il n’y a pas encore de date de livraison pour le stock',
  readyToShip: 'En stock et réservé pour vous : il part avec la prochaine expédition.',
  readyShipsOn: (d) => ['En stock et réservé pour vous : expédition le ', d, '.'],
  shippedAll: 'En route vers vous.',
  cancelledAll: 'Annulé : rien de plus ne sera expédié.',
  upgraded: (m) => `Passé gratuitement en ${m} pour l’attente.`,
  history: 'Changements de date',
  firstPromise: (w, d) => ['', w, ' : expédition promise avant le ', d, ''],
  movedLater: (w, d, n) => [
    '',
    w,
    ' : repoussée au ',
    d,
    ` (${n} ${plural('fr', n, 'jour', 'jours')} plus tard)`,
  ],
  movedSooner: (w, d, n) => [
    '',
    w,
    ' : avancée au ',
    d,
    ` (${n} ${plural('fr', n, 'jour', 'jours')} plus tôt)`,
  ],
  unchanged: 'La date n’a pas changé depuis votre commande.',
  keep: 'Continuer d’attendre',
  switchItem: 'Échanger contre un article similaire',
  cancelItem: 'Annuler cet article',
  changeOrder: 'Modifier votre commande',
  cancelAllText: 'Annuler tout ce qui n’a pas encore été expédié.',
  refundedAutomatically: 'Ce que vous avez payé pour cela est remboursé automatiquement.',
  cancelAll: 'Annuler toute la commande',
  nothingToCancel: 'Plus rien à annuler : tout a été expédié ou annulé.',
  messages: 'Messages',
  preferencesLink: 'Choisir comment être informé',
  printedOn: (d) => ['Imprimé le ', d, '.'],
  seeOrder: 'Voir votre commande',
  units: (n) => `${n} ${plural('fr', n, 'unité', 'unités')}`,
  cancelTitle: (what) => `Annuler ${what} ?`,
  cancelWhat: (units, title) => (title ? `${units} de ${title}` : `${units} non expédiées`),
  cancelText: (what) => `Cela annule ${what}. Ce qui est déjà expédié n’est pas concerné.`,
  yesCancel: 'Oui, annuler',
  closeToKeep:
    'Vous avez changé d’avis ? Fermez simplement cette page : rien ne change tant que vous n’appuyez pas sur le bouton.',
  nothingLeft: 'Plus rien à annuler',
  nothingLeftText: (line) =>
    `${line ? 'Cet article a' : 'Tout dans cette commande a'} déjà été expédié ou annulé.`,
  cancelledTitle: 'Annulé',
  cancelledText: (units) => `Nous avons annulé ${units}.`,
  keepTitle: (title) => `Continuer d’attendre ${title} ?`,
  keepText: (units, title, ahead) =>
    `${units} de ${title} : ${ahead === 0 || ahead === null ? 'vous êtes le prochain servi' : `${plural('fr', ahead, '1 commande passe', `${ahead} commandes passent`)} avant la vôtre`}`,
  keepShipsBy: (d) => ['; expédition prévue avant le ', d, '.'],
  yesKeep: 'Oui, garder ma place',
  keptTitle: 'Merci de votre patience',
  keptText: (units, title) => `Vous gardez votre place pour ${units} de ${title}`,
  keptDate: (d) => ['; date promise : ', d, ''],
  keptNews: '. Nous vous préviendrons à l’expédition.',
  notWaitingTitle: 'Plus rien n’attend',
  notWaitingText: (title) => `${title} n’attend plus de stock.`,
  switchTitle: (title) => `Échanger ${title} contre un article similaire`,
  waitingFor: (units, title, price) => `Vous attendez ${units} de ${title} (${price} l’unité)`,
  promisedBy: (d) => [', promis avant le ', d, '.'],
  noAlternative:
    'Aucun article similaire ne peut être expédié plus tôt pour l’instant. Vous gardez votre place.',
  chooseAlternative: 'Choisissez l’article que vous préférez.',
  alternativesLegend: 'Ceux-ci partent plus tôt, le plus proche d’abord',
  inStock: 'En stock',
  shipsByShort: (d) => ['expédié avant le ', d, ''],
  each: 'l’unité',
  switchText: (title) =>
    `Nous passons une nouvelle commande de la même quantité de l’article choisi et annulons les unités en attente de ${title}.`,
  switchButton: 'Échanger',
  switchedTitle: 'Échangé',
  switchedText: (number, units, title) =>
    `Nous avons passé la commande ${number} pour ${units} de ${title} et annulé les unités qui attendaient.`,
  notChangedTitle: 'Votre commande n’a pas été modifiée',
  refusals: {
    not_waiting: 'Cet article n’attend plus de stock : rien à échanger.',
    not_offered: 'Cet article ne peut plus être expédié plus tôt que le vôtre. Choisissez à nouveau.',
    insufficient_stock: 'Cet article vient d’être épuisé.',
    other: 'Cet article ne peut pas être commandé pour l’instant.',
  },
  keepPlace: (title) => `Vous gardez votre place pour ${title}.`,
  preferencesTitle: 'Préférences de messages',
  noContact: 'Cette commande n’a ni adresse e-mail ni numéro de téléphone.',
  saved: 'Vos choix sont enregistrés.',
  howReach: 'Comment vous joindre ?',
  emailTo: (a) => `E-mail à ${a}`,
  smsTo: (p) => `SMS au ${p}`,
  whatHear: 'De quoi voulez-vous être informé ?',
  updatesChoice: 'Des nouvelles régulières pendant l’attente, et les alertes de retour en stock',
  stillSent:
    'Sans ces nouvelles, vous recevez toujours les messages nécessaires : confirmation, retards, paiement, expédition et annulation.',
  save: 'Enregistrer mes choix',
  unsubscribeTitle: 'Ne plus recevoir de nouvelles ?',
  unsubscribeText: (store, contact) =>
    `${store} n’enverra plus de nouvelles ni d’alertes de stock à ${contact}. Les messages nécessaires sur une commande sont toujours envoyés.`,
  unsubscribe: 'Se désabonner',
  unsubscribedTitle: 'Vous êtes désabonné',
  unsubscribedText: (store, contact) => `${store} n’enverra plus de nouvelles ni d’alertes à ${contact}.`,
  expiredTitle: 'Ce lien a expiré',
  expiredText: (store) =>
    `Pour votre sécurité, les liens de nos messages ont une durée limitée. Contactez ${store} (répondez à l’un de ses messages) pour obtenir un nouveau lien.`,
  invalidTitle: 'Ce lien n’est pas valide',
  invalidText:
    'Le lien a peut-être été coupé ou modifié lors de la copie. Ouvrez-le à nouveau depuis votre message, ou contactez la boutique.',
  notFoundTitle: 'Commande introuvable',
  notFoundText: (store) =>
    `Nous n’avons pas trouvé cette commande. Contactez ${store} s’il s’agit d’une erreur.`,
  failedTitle: 'Cela n’a pas pu être fait',
  failedText: (store) => `Votre commande n’a pas été modifiée. Merci de contacter ${store}.`,
  statusCannotChange: 'Ce lien ne peut pas modifier votre commande',
  statusCannotChangeText:
    'Ce lien affiche votre commande. Pour la modifier, utilisez les boutons de la page de commande.',
  tooMany: 'Trop de demandes depuis votre réseau. Merci de patienter une minute.',
  ourSide: 'Un problème est survenu de notre côté. Merci de réessayer dans un instant.',
  openAgain: 'Cette demande n’a pas pu être traitée. Ouvrez à nouveau le lien de votre message.',
};

const WORDS: Record<Lang, Words<unknown>> = { en: EN, de: DE, fr: FR };

/** The words of a language, dates typed as the page renders them. */
export const wordsFor = <D>(lang: Lang): Words<D> => WORDS[lang] as Words<D>;

/** A calendar date (YYYY-MM-DD) written in `locale`, e.g. "18 December 2026" or "18. Dezember 2026". */
export function formatDay(locale: string, day: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' }).format(
    new Date(`${day}T00:00:00Z`),
  );
}
