/** Helpers shared by the isolation, fuzz and contract suites: problem checks and store snapshots. */
import { expect } from 'vitest';
import type { TestApp } from './harness.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely
type Json = any;

/** Asserts an RFC 9457 problem response with the given status (and code, when given). */
export function expectProblem(
  res: { statusCode: number; headers: Record<string, unknown>; json: () => Json },
  status: number,
  code?: string,
): Json {
  expect(res.statusCode).toBe(status);
  expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
  const body = res.json();
  expect(typeof body.code).toBe('string');
  expect(typeof body.detail).toBe('string');
  expect(body.status).toBe(status);
  if (code !== undefined) expect(body.code).toBe(code);
  return body;
}

/** Reads every page of a list endpoint (limit 500). */
export async function readAll(t: TestApp, key: string, path: string): Promise<Json[]> {
  const all: Json[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 1000; i++) {
    const sep = path.includes('?') ? '&' : '?';
    const url = `${path}${sep}limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res = await t.request('GET', url, { key });
    if (res.statusCode !== 200) throw new Error(`GET ${url} → ${res.statusCode} ${res.body}`);
    const page = res.json();
    all.push(...page.data);
    cursor = page.nextCursor;
    if (cursor === null) return all;
  }
  throw new Error(`too many pages on ${path}`);
}

export interface StoreState {
  orders: Json[];
  variants: Json[];
  levels: Record<string, Json>;
  movements: Record<string, Json[]>;
  backorders: Json[];
  eventCount: number;
}

/** Everything a store's secret key can read: what must not change after refused requests. */
export async function snapshot(t: TestApp, key: string, skus?: readonly string[]): Promise<StoreState> {
  const variants = await readAll(t, key, '/v1/variants');
  const list = skus ?? variants.map((v) => v.sku as string);
  const levels: Record<string, Json> = {};
  const movements: Record<string, Json[]> = {};
  for (const sku of list) {
    const level = await t.request('GET', `/v1/inventory/${encodeURIComponent(sku)}`, { key });
    levels[sku] = level.statusCode === 200 ? level.json() : level.statusCode;
    movements[sku] =
      level.statusCode === 200
        ? await readAll(t, key, `/v1/inventory/${encodeURIComponent(sku)}/movements`)
        : [];
  }
  return {
    orders: await readAll(t, key, '/v1/orders'),
    variants,
    levels,
    movements,
    backorders: await readAll(t, key, '/v1/backorders'),
    eventCount: (await readAll(t, key, '/v1/events')).length,
  };
}
