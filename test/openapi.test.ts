/**
 * The served OpenAPI document is one integrators can generate clients from: every operation has a
 * stable, unique camelCase operationId, the servers are listed, every 409 code is named where it
 * can happen, and Redocly's `recommended` ruleset finds no error.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFLICTS } from '../src/http/schemas.ts';
import { startTestApp, type TestApp } from './support/harness.ts';

// biome-ignore lint/suspicious/noExplicitAny: the document is read loosely
type Json = any;

const PUBLIC_URL = 'https://backfill.example.org';
let t: TestApp;
let doc: Json;
let text: string;

beforeAll(async () => {
  t = await startTestApp({ config: { publicUrl: PUBLIC_URL } });
  const res = await t.request('GET', '/openapi.json');
  expect(res.statusCode).toBe(200);
  text = res.body;
  doc = res.json();
});
afterAll(() => t.close());

const METHODS = ['get', 'put', 'post', 'patch', 'delete'];
function operations(): { method: string; path: string; op: Json }[] {
  return Object.entries<Json>(doc.paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((method) => ({ method, path, op: item[method] })),
  );
}
const byId = (id: string) => operations().find((o) => o.op.operationId === id)!;
/** The codes an operation's 409 response names (as `code` in its description list). */
const conflictCodes = (op: Json): string[] =>
  [...String(op.responses?.['409']?.description ?? '').matchAll(/^- `([a-z_]+)`/gm)].map((m) => m[1]!);

describe('operation ids', () => {
  it('every operation has a unique camelCase operationId', () => {
    const ids = operations().map(({ method, path, op }) => {
      expect(op.operationId, `${method} ${path}`).toMatch(/^[a-z][a-zA-Z0-9]*$/);
      return op.operationId;
    });
    expect(ids.length).toBeGreaterThan(60);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each([
    ['post', '/v1/orders', 'createOrder'],
    ['get', '/v1/orders/{id}', 'getOrder'],
    ['get', '/v1/orders', 'listOrders'],
    ['post', '/v1/orders/{id}/cancel', 'cancelOrder'],
    ['post', '/v1/orders/{id}/shipments', 'createShipment'],
    ['put', '/v1/variants/{sku}', 'putVariant'],
    ['patch', '/v1/variants/{sku}', 'patchVariant'],
    ['post', '/v1/variants/batch', 'putVariantBatch'],
    ['get', '/v1/inventory/{sku}', 'getInventoryLevel'],
    ['get', '/v1/inventory', 'listInventoryLevels'],
    ['post', '/v1/inventory/adjustments', 'createAdjustment'],
    ['post', '/v1/inventory/adjustments/batch', 'createAdjustmentBatch'],
    ['get', '/v1/backorders', 'listBackorders'],
    ['post', '/v1/purchase-orders/{id}/order', 'placePurchaseOrder'],
    ['post', '/v1/purchase-orders/{id}/cancel', 'cancelPurchaseOrder'],
  ])('%s %s is %s', (method, path, id) => {
    expect(doc.paths[path]?.[method]?.operationId).toBe(id);
  });
});

describe('the document', () => {
  it('lists its servers: the configured public URL, then the server it was fetched from', () => {
    expect(doc.servers.map((s: Json) => s.url)).toEqual([PUBLIC_URL, '/']);
  });

  it("passes Redocly's recommended ruleset with no errors", async () => {
    const config = await createConfig({ extends: ['recommended'] });
    const problems = await lintFromString({ source: text, absoluteRef: '/openapi.json', config });
    const errors = problems
      .filter((p) => p.severity === 'error')
      .map((p) => `${p.ruleId}: ${p.message} at ${p.location[0]?.pointer ?? '?'}`);
    expect(errors).toEqual([]);
  });

  it('the lint test can fail: a document without servers or with a repeated operationId has errors', async () => {
    const config = await createConfig({ extends: ['recommended'] });
    const broken = structuredClone(doc);
    delete broken.servers;
    broken.paths['/v1/orders'].get.operationId = 'createOrder';
    const problems = await lintFromString({
      source: JSON.stringify(broken),
      absoluteRef: '/openapi.json',
      config,
    });
    const rules = problems.filter((p) => p.severity === 'error').map((p) => p.ruleId);
    expect(rules).toEqual(expect.arrayContaining(['no-empty-servers', 'operation-operationId-unique']));
  });

  it('shows the request media types beyond JSON: CSV uploads and merge patches', () => {
    for (const id of ['createAdjustmentBatch', 'putVariantBatch']) {
      const content = byId(id).op.requestBody.content;
      expect(Object.keys(content), id).toEqual(['application/json', 'text/csv']);
      expect(content['text/csv'].example, id).toMatch(/^sku,/);
    }
    expect(Object.keys(byId('patchVariant').op.requestBody.content)).toEqual([
      'application/json',
      'application/merge-patch+json',
    ]);
    for (const id of ['listInventoryLevels', 'listBackorders']) {
      expect(Object.keys(byId(id).op.responses['200'].content), id).toEqual(['application/json', 'text/csv']);
    }
    expect(byId('createShipment').op.requestBody.required).toBe(false);
  });
});

describe('409 codes', () => {
  it.each([
    ['createOrder', ['insufficient_stock', 'duplicate_external_id', 'idempotency_key_in_use']],
    ['cancelOrder', ['already_shipped', 'balance_below_minimum', 'idempotency_key_in_use']],
    ['createShipment', ['not_allocated', 'not_released', 'payment_required', 'idempotency_key_in_use']],
    ['createAdjustment', ['insufficient_stock', 'idempotency_key_in_use']],
    ['createAdjustmentBatch', ['insufficient_stock', 'idempotency_key_in_use']],
    ['createReceipt', ['invalid_transition', 'over_receipt', 'idempotency_key_in_use']],
    ['reportPayment', ['provider_mismatch', 'overpayment', 'payments_not_managed', 'idempotency_key_in_use']],
    ['patchVariant', ['idempotency_key_in_use']],
  ])('%s names %j', (id, codes) => {
    expect(conflictCodes(byId(id).op)).toEqual(codes);
  });

  it('every operation that takes an Idempotency-Key names idempotency_key_in_use', () => {
    const idempotent = operations().filter(({ op }) =>
      (op.parameters ?? []).some((p: Json) => p.in === 'header' && p.name === 'idempotency-key'),
    );
    expect(idempotent.length).toBeGreaterThan(15);
    for (const { method, path, op } of idempotent) {
      expect(conflictCodes(op), `${method} ${path}`).toContain('idempotency_key_in_use');
    }
  });

  it('every 409 response names its codes, and every code is one the catalog explains', () => {
    for (const { method, path, op } of operations()) {
      if (!op.responses['409']) continue;
      const codes = conflictCodes(op);
      expect(codes.length, `${method} ${path}`).toBeGreaterThan(0);
      for (const code of codes) expect(Object.keys(CONFLICTS), `${method} ${path}`).toContain(code);
    }
  });

  it('every 409 code the source can raise is in the catalog, and each is documented on some operation', () => {
    const raised = new Set<string>();
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const file = join(dir, entry.name);
        if (entry.isDirectory()) walk(file);
        else if (file.endsWith('.ts') && !file.endsWith('.test.ts')) {
          for (const m of readFileSync(file, 'utf8').matchAll(/'conflict',\s*'([a-z_]+)'/g))
            raised.add(m[1]!);
        }
      }
    };
    walk(join(import.meta.dirname, '../src'));
    // alerts.errors.ts raises its reason as the code.
    raised.add('in_stock').add('backorder_available');
    expect(raised.size).toBeGreaterThan(15);
    expect([...raised].filter((code) => !(code in CONFLICTS))).toEqual([]);
    const documented = new Set(operations().flatMap(({ op }) => conflictCodes(op)));
    expect(Object.keys(CONFLICTS).filter((code) => !documented.has(code))).toEqual([]);
  });
});
