/**
 * Reading what platforms send: a header of a webhook, loosely typed JSON fields, and the base64
 * HMAC-SHA256 signatures Shopify and WooCommerce put on their webhooks (compared in constant time).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { InboundRequest } from './connectors.platform.ts';

export type Json = Record<string, unknown>;

export const header = (headers: InboundRequest['headers'], name: string): string | null => {
  const value = headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? null;
};

export const text = (value: unknown): string | null =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null;

export const list = (value: unknown): Json[] => (Array.isArray(value) ? (value as Json[]) : []);

/** Base64 HMAC-SHA256 of the body's bytes, keyed by the webhook's secret. */
export function hmacSignature(rawBody: Buffer | string, secret: string): string {
  return createHmac('sha256', secret).update(rawBody).digest('base64');
}

/** Whether `given` (a base64 header) is the body's signature under `secret`. */
export function signatureMatches(
  given: string | null,
  rawBody: Buffer | string,
  secret: string | undefined,
): boolean {
  if (!given || !secret) return false;
  const expected = Buffer.from(hmacSignature(rawBody, secret), 'base64');
  const actual = Buffer.from(given, 'base64');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
