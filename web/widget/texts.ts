/**
 * Every text the widget shows, per language. `{name}` marks a value filled in; dates are
 * formatted by `Intl` in the shopper's locale. The merchant may override any text (see README of
 * docs/storefront.md): `text-sold-out="…"` on the element, or its `texts` property.
 */
export const TEXT_KEYS = [
  'loading',
  'inStock',
  'partial',
  'partialNote',
  'backorder',
  'preorder',
  'soldOut',
  'unavailable',
  'shipsOn',
  'shipsBetween',
  'forQuantity',
  'releasesOn',
  'shippingLabel',
  'arrivesOn',
  'arrivesBetween',
  'notifyIntro',
  'emailLabel',
  'phoneLabel',
  'consentLabel',
  'submit',
  'sending',
  'subscribed',
  'emailInvalid',
  'phoneInvalid',
  'consentRequired',
  'smsUnavailable',
  'canOrder',
  'failed',
  'error',
] as const;

export type TextKey = (typeof TEXT_KEYS)[number];
export type Texts = Record<TextKey, string>;

const en: Texts = {
  loading: 'Checking availability…',
  inStock: 'In stock',
  partial: 'Partly in stock',
  partialNote: 'Some of the {quantity} items ship later.',
  backorder: 'Available on backorder',
  preorder: 'Available for pre-order',
  soldOut: 'Sold out',
  unavailable: 'Not available in this quantity',
  shipsOn: 'Expected to ship on {date}.',
  shipsBetween: 'Expected to ship between {date} and {latest}.',
  forQuantity: 'Date for {quantity} items.',
  releasesOn: 'Release date: {date}.',
  shippingLabel: 'Delivery',
  arrivesOn: '{method}: arrives on {date}',
  arrivesBetween: '{method}: arrives between {date} and {latest}',
  notifyIntro: 'Get a message when it is back in stock.',
  emailLabel: 'Email address',
  phoneLabel: 'Mobile number (optional)',
  consentLabel: 'Yes, text me at this number when it is back in stock.',
  submit: 'Notify me',
  sending: 'Sending…',
  subscribed: 'Thank you! We will let you know when it is back in stock.',
  emailInvalid: 'Enter a valid email address, e.g. name@example.com.',
  phoneInvalid: 'Enter your mobile number with its country code, e.g. +44 7700 900123.',
  consentRequired: 'To get a text message, tick the box, or leave the number empty.',
  smsUnavailable: 'Text messages are not available here; we will email you.',
  canOrder: 'Good news: you can order it now.',
  failed: 'That did not work. Please try again.',
  error: 'Availability could not be loaded.',
};

const de: Texts = {
  loading: 'Verfügbarkeit wird geprüft …',
  inStock: 'Auf Lager',
  partial: 'Teilweise auf Lager',
  partialNote: 'Ein Teil der {quantity} Artikel wird später versandt.',
  backorder: 'Bestellbar – wird nachgeliefert',
  preorder: 'Vorbestellbar',
  soldOut: 'Ausverkauft',
  unavailable: 'In dieser Menge nicht verfügbar',
  shipsOn: 'Voraussichtlicher Versand am {date}.',
  shipsBetween: 'Voraussichtlicher Versand zwischen {date} und {latest}.',
  forQuantity: 'Datum für {quantity} Artikel.',
  releasesOn: 'Erscheinungsdatum: {date}.',
  shippingLabel: 'Lieferung',
  arrivesOn: '{method}: Lieferung am {date}',
  arrivesBetween: '{method}: Lieferung zwischen {date} und {latest}',
  notifyIntro: 'Wir benachrichtigen Sie, sobald der Artikel wieder da ist.',
  emailLabel: 'E-Mail-Adresse',
  phoneLabel: 'Handynummer (optional)',
  consentLabel: 'Ja, schicken Sie mir eine SMS an diese Nummer, sobald der Artikel wieder da ist.',
  submit: 'Benachrichtigen',
  sending: 'Wird gesendet …',
  subscribed: 'Vielen Dank! Wir melden uns, sobald der Artikel wieder da ist.',
  emailInvalid: 'Bitte geben Sie eine gültige E-Mail-Adresse ein, z. B. name@example.com.',
  phoneInvalid: 'Bitte geben Sie Ihre Handynummer mit Ländervorwahl ein, z. B. +49 151 23456789.',
  consentRequired: 'Für eine SMS setzen Sie bitte das Häkchen – oder lassen Sie die Nummer leer.',
  smsUnavailable: 'SMS sind hier nicht verfügbar; wir benachrichtigen Sie per E-Mail.',
  canOrder: 'Gute Nachricht: Sie können den Artikel jetzt bestellen.',
  failed: 'Das hat nicht geklappt. Bitte versuchen Sie es noch einmal.',
  error: 'Die Verfügbarkeit konnte nicht geladen werden.',
};

// French punctuation takes a no-break space before : ; ! ?
const fr: Texts = {
  loading: 'Vérification de la disponibilité…',
  inStock: 'En stock',
  partial: 'Partiellement en stock',
  partialNote: 'Une partie des {quantity} articles sera expédiée plus tard.',
  backorder: 'Disponible sur commande',
  preorder: 'Disponible en précommande',
  soldOut: 'Épuisé',
  unavailable: 'Non disponible dans cette quantité',
  shipsOn: 'Expédition prévue le {date}.',
  shipsBetween: 'Expédition prévue entre le {date} et le {latest}.',
  forQuantity: 'Date pour {quantity} articles.',
  releasesOn: 'Date de sortie\u00a0: {date}.',
  shippingLabel: 'Livraison',
  arrivesOn: '{method}\u00a0: livraison le {date}',
  arrivesBetween: '{method}\u00a0: livraison entre le {date} et le {latest}',
  notifyIntro: 'Recevez un message dès son retour en stock.',
  emailLabel: 'Adresse e-mail',
  phoneLabel: 'Numéro de mobile (facultatif)',
  consentLabel: 'Oui, envoyez-moi un SMS à ce numéro dès son retour en stock.',
  submit: 'M’avertir',
  sending: 'Envoi…',
  subscribed: 'Merci\u00a0! Nous vous préviendrons dès son retour en stock.',
  emailInvalid: 'Saisissez une adresse e-mail valide, par ex. nom@exemple.fr.',
  phoneInvalid: 'Saisissez votre numéro de mobile avec l’indicatif du pays, par ex. +33 6 12 34 56 78.',
  consentRequired: 'Pour recevoir un SMS, cochez la case, ou laissez le numéro vide.',
  smsUnavailable: 'Les SMS ne sont pas disponibles ici\u00a0; nous vous préviendrons par e-mail.',
  canOrder: 'Bonne nouvelle\u00a0: vous pouvez le commander dès maintenant.',
  failed: 'Cela n’a pas fonctionné. Veuillez réessayer.',
  error: 'La disponibilité n’a pas pu être chargée.',
};

export const LANGUAGES: Record<string, Texts> = { en, de, fr };

/** The texts for a BCP 47 locale (`de-CH` → German), English when the language is not one of ours. */
export function textsFor(locale: string, overrides: Partial<Texts> = {}): Texts {
  const language = locale.toLowerCase().split('-')[0] ?? 'en';
  return { ...(LANGUAGES[language] ?? en), ...overrides };
}
