/**
 * Every sentence of the shopper's pages, as a function of its values (`D`: a date as the page
 * marks it up). Each language fills this in its own file.
 */
import type { Lang } from './selfservice.i18n.ts';

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

/** The plural form `lang` uses for `n`: `one` or `other`. */
export const plural = (lang: Lang, n: number, one: string, other: string): string =>
  new Intl.PluralRules(lang).select(n) === 'one' ? one : other;
