import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Signed, expiring links a shopper follows without logging in. A link names what it grants
 * (`action`), on what (`subject`: an order id, or a contact for `unsubscribe`) and until when;
 * the signature is an HMAC with the store's link secret, so changing any part breaks it. Messages
 * sign them (the secret is a messaging setting); the self-service pages check them.
 *
 * The secret can be rotated (a leak, a routine): links are signed with the new one at once, and
 * links already sent, signed with the previous one, keep opening for the store's grace period.
 * How long a link is valid is a store setting too (`linkLifetimeDays`).
 */
export type LinkAction = 'status' | 'cancel' | 'keep' | 'switch' | 'preferences' | 'unsubscribe';

export interface LinkClaims {
  storeId: string;
  action: LinkAction;
  subject: string;
  /** A line of the order, for `keep` and `switch`. */
  lineId?: string;
  /** Seconds since the epoch. */
  expiresAt: number;
}

/** How long a link in a message stays valid unless the store sets otherwise (`linkLifetimeDays`). */
export const LINK_LIFETIME_DAYS = 90;

/** The settings that sign and check a store's links. */
export interface LinkKeys {
  linkSecret: string;
  previousLinkSecret: string | null;
  previousLinkSecretUntil: Date | null;
  linkLifetimeDays: number;
}

/** The secrets a link may be signed with now: the current one, and the previous one during its grace. */
export function verifyingSecrets(keys: LinkKeys, now: Date): string[] {
  const previous =
    keys.previousLinkSecret !== null &&
    keys.previousLinkSecretUntil !== null &&
    keys.previousLinkSecretUntil > now
      ? [keys.previousLinkSecret]
      : [];
  return [keys.linkSecret, ...previous];
}

/** When a link signed now expires, in seconds since the epoch. */
export const linkExpiry = (keys: Pick<LinkKeys, 'linkLifetimeDays'>, now: Date): number =>
  Math.floor(now.getTime() / 1000) + keys.linkLifetimeDays * 86_400;

export const newLinkSecret = (): string => randomBytes(32).toString('base64url');

function signature(claims: LinkClaims, secret: string): string {
  const text = [claims.storeId, claims.action, claims.subject, claims.lineId ?? '', claims.expiresAt].join(
    '\n',
  );
  return createHmac('sha256', secret).update(text).digest('base64url');
}

/** The query string of a signed link (the path says which page it opens). */
export function signedQuery(claims: LinkClaims, secret: string): string {
  const params = new URLSearchParams({ store: claims.storeId, a: claims.action, s: claims.subject });
  if (claims.lineId) params.set('line', claims.lineId);
  params.set('exp', String(claims.expiresAt));
  params.set('sig', signature(claims, secret));
  return params.toString();
}

/** The claims a query string carries, unverified (the store id says whose secret checks them). */
export function readClaims(query: Record<string, unknown>): (LinkClaims & { sig: string }) | null {
  const text = (name: string) => (typeof query[name] === 'string' ? (query[name] as string) : undefined);
  const [storeId, action, subject, exp, sig] = [
    text('store'),
    text('a'),
    text('s'),
    text('exp'),
    text('sig'),
  ];
  if (!storeId || !action || !subject || !exp || !sig || !/^\d{1,12}$/.test(exp)) return null;
  if (!['status', 'cancel', 'keep', 'switch', 'preferences', 'unsubscribe'].includes(action)) return null;
  const lineId = text('line');
  return {
    storeId,
    action: action as LinkAction,
    subject,
    expiresAt: Number(exp),
    sig,
    ...(lineId ? { lineId } : {}),
  };
}

export type LinkCheck = 'valid' | 'invalid' | 'expired';

/**
 * Checks a link's signature first (so an expired forgery reads as invalid), then its expiry. Any of
 * `secrets` may have signed it (see `verifyingSecrets`).
 */
export function checkLink(
  claims: LinkClaims & { sig: string },
  secrets: string | readonly string[],
  now: Date,
): LinkCheck {
  const given = Buffer.from(claims.sig);
  const signed = (typeof secrets === 'string' ? [secrets] : secrets).some((secret) => {
    const expected = Buffer.from(signature(claims, secret));
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
  if (!signed) return 'invalid';
  return claims.expiresAt * 1000 < now.getTime() ? 'expired' : 'valid';
}

/** The full address of a self-service page: `base` is the store's public origin (no trailing path). */
export function selfServiceUrl(base: string, claims: LinkClaims, secret: string): string {
  return `${base.replace(/\/+$/, '')}/self-service?${signedQuery(claims, secret)}`;
}

// ---------------------------------------------------------------------------------------------
// Short links for text messages: `/s/{token}`, where the token is a random id (the row that holds
// the signed link it stands for) followed by a signature of that id and link with the store's
// secret, so a token cannot be guessed or pointed elsewhere without the secret.

const SHORT_ID_LENGTH = 10;
const SHORT_SIGNATURE_LENGTH = 6;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export interface ShortLink {
  /** The row's key. */
  id: string;
  /** What the message carries: `{origin}/s/{id}{signature}`. */
  url: string;
  target: string;
}

const shortSignature = (id: string, target: string, secret: string): string =>
  createHmac('sha256', secret)
    .update(`short\n${id}\n${target}`)
    .digest('base64url')
    .slice(0, SHORT_SIGNATURE_LENGTH);

/** A short link standing for `target` (a signed self-service link) on `base`, the store's origin. */
export function shortLink(base: string, target: string, secret: string): ShortLink {
  const bytes = randomBytes(SHORT_ID_LENGTH);
  let id = '';
  // 62 × 4 = 248: bytes from 248 up would favour the first characters; they are rare, so drawing
  // them again is cheap.
  for (let i = 0; id.length < SHORT_ID_LENGTH; i++) {
    const byte = i < bytes.length ? bytes[i]! : randomBytes(1)[0]!;
    if (byte < 248) id += BASE62[byte % 62];
  }
  return { id, url: `${base.replace(/\/+$/, '')}/s/${id}${shortSignature(id, target, secret)}`, target };
}

/** Splits a token into the row id and its signature; null when it cannot be one. */
export function readShortToken(token: string): { id: string; signature: string } | null {
  if (!/^[0-9A-Za-z_-]+$/.test(token) || token.length !== SHORT_ID_LENGTH + SHORT_SIGNATURE_LENGTH)
    return null;
  return { id: token.slice(0, SHORT_ID_LENGTH), signature: token.slice(SHORT_ID_LENGTH) };
}

export function checkShortSignature(
  token: { id: string; signature: string },
  target: string,
  secret: string,
): boolean {
  const expected = Buffer.from(shortSignature(token.id, target, secret));
  const given = Buffer.from(token.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
