/**
 * What a product page may know, decided without I/O: the availability answer for a quantity,
 * the SKU list of a collection page, the web origins a store lets call it from the browser, and
 * the validator (ETag) of an answer.
 */
import { createHash } from 'node:crypto';
import type { FieldError } from '../../shared/errors.ts';
import { invalid } from '../../shared/errors.ts';
import type { LinePromise } from '../promises/promises.models.ts';
import { available, type StockLevel, type StockStatus, stockStatus } from '../stock/stock.levels.models.ts';
import { decidePlacement } from '../stock/stock.queue.models.ts';

/** A SKU's stock row and the variant's shopper-facing words, as one read returns them. */
export interface ShelfRow {
  sku: string;
  level: StockLevel;
  /** The merchant's text about waiting ("Ships in about 3 weeks"). */
  message: string | null;
  /** A pre-order's release date. */
  releaseDate: string | null;
}

export interface Availability {
  sku: string;
  status: StockStatus;
  quantity: number;
  /** Every unit of `quantity` can be taken from stock now (nothing would wait). */
  availableNow: boolean;
  message: string | null;
  expectedDate: string | null;
  expectedDateLatest: string | null;
  releaseDate: string | null;
}

/**
 * The answer for an order of `quantity` placed now: the same placement rule the order would meet
 * (`decidePlacement`), dated by `promise` (null: nothing would wait). The merchant's text describes
 * waiting, so it shows only while the shopper can still order to wait; the dates are null when such
 * an order would be refused.
 */
export function availabilityOf(
  row: ShelfRow,
  quantity: number,
  promise: (waitingThrough: number | null) => LinePromise,
): Availability {
  const status = stockStatus(row.level);
  const waitingAllowed = status === 'backorder' || status === 'preorder';
  const decision = decidePlacement(new Map([[row.sku, row.level]]), [{ sku: row.sku, quantity }]);
  const dated = decision.accepted ? promise(decision.lines[0]!.waitingThrough) : null;
  return {
    sku: row.sku,
    status,
    quantity,
    availableNow: decision.accepted && available(row.level) >= quantity,
    message: waitingAllowed ? row.message : null,
    expectedDate: dated?.eta ?? null,
    expectedDateLatest: dated?.etaLatest ?? null,
    releaseDate: row.level.backorderMode === 'preorder' ? row.releaseDate : null,
  };
}

/** Most SKUs one collection-page read may ask for. */
export const MAX_SKUS_PER_READ = 100;

const SKU = /^[A-Za-z0-9][A-Za-z0-9._:+-]{0,99}$/;

/**
 * `skus=a,b,c` → the distinct SKUs in the order given. Refused (a 400, with the reason) when the
 * list is empty, longer than MAX_SKUS_PER_READ, or names something that cannot be a SKU.
 */
export function parseSkuList(raw: string): { skus: string[] } | { refusal: string } {
  const parts = raw.split(',').map((part) => part.trim());
  if (parts.every((part) => part === ''))
    return { refusal: 'skus is empty: name 1 to 100 SKUs, comma-separated' };
  const skus = [...new Set(parts.filter((part) => part !== ''))];
  if (skus.length > MAX_SKUS_PER_READ) {
    return { refusal: `skus names ${skus.length} SKUs; ask for at most ${MAX_SKUS_PER_READ} at once` };
  }
  const bad = skus.find((sku) => !SKU.test(sku));
  if (bad !== undefined) {
    return { refusal: `skus: "${bad.slice(0, 120)}" is not a SKU (letters, digits and ._:+- only)` };
  }
  return { skus };
}

/** Most origins a store may allow. */
export const MAX_ALLOWED_ORIGINS = 50;

/**
 * A web origin as browsers send it in `Origin` (`https://shop.example`, `http://localhost:8080`):
 * scheme, host and a non-default port, lower-cased, without path, query or credentials; null when
 * the text is not one.
 */
export function normaliseOrigin(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  if (url.username || url.password || url.search || url.hash || url.pathname !== '/') return null;
  return url.origin;
}

/** The allowed origins of a settings change, normalised and de-duplicated; a bad one refuses the change. */
export function requireOrigins(list: readonly string[], path: string): string[] {
  const errors: FieldError[] = [];
  const origins: string[] = [];
  list.forEach((text, i) => {
    const origin = normaliseOrigin(text);
    if (origin === null) {
      errors.push({
        path: `${path}/${i}`,
        message: 'must be an origin: http(s)://host[:port], without path, query or user',
      });
    } else if (!origins.includes(origin)) origins.push(origin);
  });
  if (errors.length > 0) {
    throw invalid(
      'validation_failed',
      `"${list[Number(errors[0]!.path.split('/').pop())]}" is not a web origin`,
      errors,
    );
  }
  if (origins.length > MAX_ALLOWED_ORIGINS) {
    throw invalid('validation_failed', `At most ${MAX_ALLOWED_ORIGINS} origins may be allowed`, [
      { path, message: `at most ${MAX_ALLOWED_ORIGINS} origins` },
    ]);
  }
  return origins;
}

/** A strong validator of an answer's exact bytes. */
export const etagOf = (body: string): string =>
  `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;

/** Whether an `If-None-Match` header names `etag` (or `*`); weak comparison, as RFC 9110 asks for GET. */
export function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  const opaque = etag.replace(/^W\//, '');
  return ifNoneMatch.split(',').some((candidate) => {
    const tag = candidate.trim();
    return tag === '*' || tag.replace(/^W\//, '') === opaque;
  });
}
