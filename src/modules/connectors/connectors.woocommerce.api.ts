/**
 * WooCommerce's REST API (v3, `/wp-json/wc/v3/`) as the connector calls it: HTTP Basic with the
 * REST key's consumer key and secret (WooCommerce accepts it over HTTPS), JSON bodies, pages of
 * `per_page` named by `page` with the page count in `X-WP-TotalPages`. WooCommerce itself sets no
 * rate limit, but hosts and security plugins answer 429 with Retry-After: it is waited out (a wait
 * longer than `maxWaitMs` is a `RetryLater`, and the pusher reschedules the work).
 */

import { answerExcerpt, fetchOutbound, jsonRequest } from '../../shared/outbound.fetch.ts';
import type { OutboundPolicy } from '../../shared/outbound.ts';
import { type PlatformConnection, RetryLater } from './connectors.platform.ts';

export const WOO_API_PATH = '/wp-json/wc/v3/';
const TIMEOUT_MS = 15_000;
const ATTEMPTS = 4;

export interface WooApiOptions {
  /** Which addresses the API may be reached at (BACKFILL_ALLOW_PRIVATE_URLS); public ones only by default. */
  outbound?: OutboundPolicy;
  /** Longest wait slept inside a call; longer ones are a RetryLater. */
  maxWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class WooApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'WooApiError';
  }
}

export interface WooAnswer {
  status: number;
  headers: Headers;
  json: unknown;
}

export class WooApi {
  private readonly outbound: OutboundPolicy;
  private readonly maxWaitMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly connection: PlatformConnection,
    options: WooApiOptions = {},
  ) {
    this.outbound = options.outbound ?? { allowPrivate: false };
    this.maxWaitMs = options.maxWaitMs ?? 10_000;
    this.sleep = options.sleep ?? defaultSleep;
  }

  private url(path: string): string {
    return `${this.connection.baseUrl.replace(/\/+$/, '')}${WOO_API_PATH}${path}`;
  }

  private authorization(): string {
    const { consumerKey = '', consumerSecret = '' } = this.connection.credentials;
    return `Basic ${Buffer.from(`${consumerKey}:${consumerSecret}`).toString('base64')}`;
  }

  /** One HTTP call, repeated through 429s (after Retry-After); other failures are thrown. */
  async request(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<WooAnswer> {
    for (let attempt = 1; ; attempt++) {
      const response = await fetchOutbound(
        this.url(path),
        jsonRequest(method, { authorization: this.authorization() }, body, TIMEOUT_MS),
        this.outbound,
      );
      if (response.status === 429) {
        const retryAfter = Number(response.headers.get('retry-after'));
        const ms = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : 2000;
        await response.body?.cancel();
        if (attempt >= ATTEMPTS || ms > this.maxWaitMs)
          throw new RetryLater(
            ms,
            `WooCommerce answered 429 Too Many Requests (wait ${Math.ceil(ms / 1000)} s)`,
          );
        await this.sleep(ms);
        continue;
      }
      const text = await response.text();
      // A redirect is not followed (it could lead the credentials anywhere): it fails like an error.
      if (response.status >= 300) {
        throw new WooApiError(
          `WooCommerce answered ${response.status} to ${method} ${path}: ${answerExcerpt(response, text)}`,
          response.status,
        );
      }
      return {
        status: response.status,
        headers: response.headers,
        json: text === '' ? null : JSON.parse(text),
      };
    }
  }
}

/** The next page after `page` when `X-WP-TotalPages` says there is one (null: the last page). */
export function nextPage(headers: Headers, page: number): string | null {
  const total = Number(headers.get('x-wp-totalpages'));
  return Number.isFinite(total) && page < total ? String(page + 1) : null;
}
