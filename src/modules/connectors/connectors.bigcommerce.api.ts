/**
 * BigCommerce's REST API as the connector calls it: `https://api.bigcommerce.com/stores/{store_hash}/`
 * then `v2/…` (orders, order products, shipments) or `v3/…` (catalog, inventory, refunds), with the
 * API account's token in `X-Auth-Token`. Rate limits are per store and window: every answer carries
 * `X-Rate-Limit-Requests-Left` and `X-Rate-Limit-Time-Reset-Ms`; when the window is spent the next
 * call waits for its reset instead of being refused, and a 429 is waited out (`X-Rate-Limit-Time-Reset-Ms`,
 * else `Retry-After` / `X-Retry-After` in seconds) and repeated. A wait longer than `maxWaitMs` is a
 * `RetryLater` (the pusher reschedules the work).
 */

import { answerExcerpt, fetchOutbound, jsonRequest } from '../../shared/outbound.fetch.ts';
import type { OutboundPolicy } from '../../shared/outbound.ts';
import { type PlatformConnection, RetryLater } from './connectors.platform.ts';

const TIMEOUT_MS = 15_000;
const ATTEMPTS = 4;

export interface BigCommerceApiOptions {
  /** Which addresses the API may be reached at (BACKFILL_ALLOW_PRIVATE_URLS); public ones only by default. */
  outbound?: OutboundPolicy;
  /** Longest wait slept inside a call; longer ones are a RetryLater. */
  maxWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export class BigCommerceApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'BigCommerceApiError';
  }
}

/** When each connection's spent rate-limit window resets (absent: calls may go). */
const windows = new Map<string, number>();

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Milliseconds a 429 asks to wait: the window's reset, else Retry-After / X-Retry-After seconds. */
export function waitOf(headers: Headers): number {
  const reset = Number(headers.get('x-rate-limit-time-reset-ms'));
  if (Number.isFinite(reset) && reset > 0) return reset;
  const seconds = Number(headers.get('retry-after') ?? headers.get('x-retry-after'));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 1000;
}

export class BigCommerceApi {
  private readonly outbound: OutboundPolicy;
  private readonly maxWaitMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;

  constructor(
    private readonly connection: PlatformConnection,
    options: BigCommerceApiOptions = {},
  ) {
    this.outbound = options.outbound ?? { allowPrivate: false };
    this.maxWaitMs = options.maxWaitMs ?? 10_000;
    this.sleep = options.sleep ?? defaultSleep;
    this.now = options.now ?? Date.now;
  }

  private url(path: string): string {
    const hash = encodeURIComponent(this.connection.credentials.storeHash ?? '');
    return `${this.connection.baseUrl.replace(/\/+$/, '')}/stores/${hash}/${path}`;
  }

  private async wait(ms: number, why: string): Promise<void> {
    if (ms > this.maxWaitMs)
      throw new RetryLater(ms, `BigCommerce asks to wait ${Math.ceil(ms / 1000)} s: ${why}`);
    if (ms > 0) await this.sleep(ms);
  }

  /** One call, repeated through 429s; other failures are thrown. A 204 or an empty body is null. */
  async request(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    body?: unknown,
  ): Promise<{ status: number; headers: Headers; json: unknown }> {
    for (let attempt = 1; ; attempt++) {
      const resetAt = windows.get(this.connection.id);
      if (resetAt !== undefined) {
        windows.delete(this.connection.id);
        await this.wait(resetAt - this.now(), 'rate-limit window spent');
      }
      const response = await fetchOutbound(
        this.url(path),
        jsonRequest(
          method,
          { 'x-auth-token': this.connection.credentials.accessToken ?? '' },
          body,
          TIMEOUT_MS,
        ),
        this.outbound,
      );
      const left = response.headers.get('x-rate-limit-requests-left');
      if (left !== null && Number(left) <= 0) {
        windows.set(this.connection.id, this.now() + waitOf(response.headers));
      }
      if (response.status === 429) {
        const ms = waitOf(response.headers);
        windows.delete(this.connection.id);
        await response.body?.cancel();
        if (attempt >= ATTEMPTS) throw new RetryLater(ms, 'BigCommerce answered 429 Too Many Requests');
        await this.wait(ms, '429 Too Many Requests');
        continue;
      }
      const text = await response.text();
      // A redirect is not followed (it could lead the credentials anywhere): it fails like an error.
      if (response.status >= 300) {
        throw new BigCommerceApiError(
          `BigCommerce answered ${response.status} to ${method} ${path}: ${answerExcerpt(response, text)}`,
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

  async get(path: string): Promise<unknown> {
    return (await this.request('GET', path)).json;
  }
}
