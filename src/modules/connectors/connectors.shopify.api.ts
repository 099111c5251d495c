/**
 * Shopify's Admin API as the connector calls it: GraphQL for the writes and reads of availability,
 * REST for the paged listings of the initial import. Every call waits out what Shopify asks:
 * HTTP 429 with Retry-After, and the GraphQL query-cost budget (`extensions.cost.throttleStatus`:
 * a bucket of `maximumAvailable` points refilled at `restoreRate` per second), estimated per
 * connection before each query so that a busy pusher slows down rather than being throttled.
 * A wait longer than `maxWaitMs` is a `RetryLater` (the pusher reschedules the work).
 */

import { answerExcerpt, fetchOutbound, jsonRequest } from '../../shared/outbound.fetch.ts';
import type { OutboundPolicy } from '../../shared/outbound.ts';
import { type PlatformConnection, RetryLater } from './connectors.platform.ts';

export const SHOPIFY_API_VERSION = '2025-01';
const TIMEOUT_MS = 15_000;
const ATTEMPTS = 4;

interface Budget {
  available: number;
  maximum: number;
  restoreRate: number;
  at: number;
}

/** Each shop's last known budget, shared by every call of this process. */
const budgets = new Map<string, Budget>();

export interface ShopifyApiOptions {
  /** Which addresses the API may be reached at (BACKFILL_ALLOW_PRIVATE_URLS); public ones only by default. */
  outbound?: OutboundPolicy;
  /** Longest wait slept inside a call; longer ones are a RetryLater. */
  maxWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class ShopifyApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'ShopifyApiError';
  }
}

export class ShopifyApi {
  private readonly outbound: OutboundPolicy;
  private readonly maxWaitMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;

  constructor(
    private readonly connection: PlatformConnection,
    options: ShopifyApiOptions = {},
  ) {
    this.outbound = options.outbound ?? { allowPrivate: false };
    this.maxWaitMs = options.maxWaitMs ?? 10_000;
    this.sleep = options.sleep ?? defaultSleep;
    this.now = options.now ?? Date.now;
  }

  private url(path: string): string {
    return `${this.connection.baseUrl.replace(/\/+$/, '')}/admin/api/${SHOPIFY_API_VERSION}/${path}`;
  }

  private async wait(ms: number, why: string): Promise<void> {
    if (ms > this.maxWaitMs)
      throw new RetryLater(ms, `Shopify asks to wait ${Math.ceil(ms / 1000)} s: ${why}`);
    if (ms > 0) await this.sleep(ms);
  }

  /** One HTTP call, repeated through 429s (after Retry-After); other failures are thrown. */
  async request(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
  ): Promise<{ status: number; headers: Headers; json: unknown }> {
    for (let attempt = 1; ; attempt++) {
      const response = await fetchOutbound(
        this.url(path),
        jsonRequest(
          method,
          { 'x-shopify-access-token': this.connection.credentials.accessToken ?? '' },
          body,
          TIMEOUT_MS,
        ),
        this.outbound,
      );
      if (response.status === 429) {
        const retryAfter = Number(response.headers.get('retry-after'));
        const ms = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : 2000;
        await response.body?.cancel();
        if (attempt >= ATTEMPTS) throw new RetryLater(ms, 'Shopify answered 429 Too Many Requests');
        await this.wait(ms, '429 Too Many Requests');
        continue;
      }
      const text = await response.text();
      // A redirect is not followed (it could lead the credentials anywhere): it fails like an error.
      if (response.status >= 300) {
        throw new ShopifyApiError(
          `Shopify answered ${response.status} to ${method} ${path}: ${answerExcerpt(response, text)}`,
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

  /** Waits until the shop's budget should hold `cost` points, from what its last answer said. */
  private async awaitBudget(cost: number): Promise<void> {
    const budget = budgets.get(this.connection.id);
    if (!budget) return;
    const elapsed = (this.now() - budget.at) / 1000;
    const available = Math.min(budget.maximum, budget.available + elapsed * budget.restoreRate);
    if (available >= cost) return;
    await this.wait(Math.ceil(((cost - available) / budget.restoreRate) * 1000), 'query cost budget spent');
  }

  /** A GraphQL query or mutation; `cost` is its expected cost in points. */
  async graphql<T>(query: string, variables: Record<string, unknown>, cost: number): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      await this.awaitBudget(cost);
      const { json } = await this.request('POST', 'graphql.json', { query, variables });
      const answer = json as {
        data?: T;
        errors?: { message: string; extensions?: { code?: string } }[];
        extensions?: {
          cost?: {
            requestedQueryCost?: number;
            throttleStatus?: { maximumAvailable: number; currentlyAvailable: number; restoreRate: number };
          };
        };
      };
      const status = answer.extensions?.cost?.throttleStatus;
      if (status) {
        budgets.set(this.connection.id, {
          available: status.currentlyAvailable,
          maximum: status.maximumAvailable,
          restoreRate: status.restoreRate,
          at: this.now(),
        });
      }
      const throttled = answer.errors?.some((e) => e.extensions?.code === 'THROTTLED');
      if (throttled) {
        const requested = answer.extensions?.cost?.requestedQueryCost ?? cost;
        const rate = status?.restoreRate ?? 50;
        const missing = requested - (status?.currentlyAvailable ?? 0);
        const ms = Math.max(500, Math.ceil((missing / rate) * 1000));
        if (attempt >= ATTEMPTS) throw new RetryLater(ms, 'Shopify throttled the query (cost budget)');
        await this.wait(ms, 'THROTTLED');
        continue;
      }
      if (answer.errors?.length) {
        throw new ShopifyApiError(`Shopify GraphQL error: ${answer.errors[0]!.message}`, 200);
      }
      return answer.data as T;
    }
  }
}

/** Shopify's GraphQL id of a REST id (`gid://shopify/ProductVariant/123`). */
export const gid = (type: string, id: string): string =>
  id.startsWith('gid://') ? id : `gid://shopify/${type}/${id}`;

/** The REST id of a GraphQL id. */
export const restId = (id: string): string => id.slice(id.lastIndexOf('/') + 1);

/** The `page_info` of a REST answer's `Link: <…>; rel="next"` header, if any. */
export function nextPageInfo(link: string | null): string | null {
  if (!link) return null;
  for (const part of link.split(',')) {
    const match = /<([^>]+)>;\s*rel="next"/.exec(part);
    if (match) return new URL(match[1]!).searchParams.get('page_info');
  }
  return null;
}
