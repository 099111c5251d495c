/**
 * A stand-in for the parts of Shopify's Admin API the connector calls, on 127.0.0.1, written from
 * Shopify's public reference: REST `GET locations.json`, `products.json` and `orders.json` (pages of
 * `limit`, the next one named by `page_info` in a `Link: <…>; rel="next"` header), and GraphQL
 * `productVariantsBulkUpdate`, `inventorySetQuantities`, `metafieldsSet`, `metafieldsDelete` and
 * `nodes` (ProductVariant with its metafield and inventory level); for the fulfilment push,
 * `order(id:)` with its `fulfillments` and `fulfillmentOrders` (one per order, its line items'
 * `remainingQuantity` from `fulfillable_quantity`) and `fulfillmentCreate`. Requests need the shop's
 * `X-Shopify-Access-Token` (401 otherwise). Every GraphQL answer carries
 * `extensions.cost.throttleStatus` from a leaky bucket (1000 points, 50 restored per second); a query
 * costing more than is left answers the documented `THROTTLED` error. `rateLimitNext` answers 429
 * with Retry-After, `throttleNext` THROTTLED, for that many requests. Webhooks are signed as Shopify
 * signs them: `signedWebhook`.
 */
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

type Json = Record<string, unknown>;

export interface FakeVariant {
  id: number;
  product_id: number;
  sku: string;
  title: string;
  price: string;
  inventory_item_id: number;
  inventory_policy: 'continue' | 'deny';
}

export interface FakeProduct {
  id: number;
  title: string;
  image: { src: string } | null;
  variants: FakeVariant[];
}

export interface FakeShopify {
  url: string;
  token: string;
  products: FakeProduct[];
  orders: Json[];
  locationId: number;
  /** Available units per inventory item at the location. */
  available: Map<number, number>;
  /** backfill.expected_date per variant id. */
  expectedDates: Map<number, string>;
  /** Fulfilments made through `fulfillmentCreate`, per order id. */
  fulfillments: Map<
    number,
    { id: number; trackingNumber: string | null; lines: { sku: string; quantity: number }[] }[]
  >;
  requests: { method: string; path: string; body: Json | null; status: number }[];
  rateLimitNext: number;
  throttleNext: number;
  retryAfterSeconds: number;
  budget: { available: number; maximum: number; restoreRate: number };
  variantBySku(sku: string): FakeVariant | undefined;
  close(): Promise<void>;
}

const API = '/admin/api/2025-01/';
const idOf = (gid: unknown): number => Number(String(gid).slice(String(gid).lastIndexOf('/') + 1));

export async function startFakeShopify(options: { token?: string } = {}): Promise<FakeShopify> {
  let lastRestore = Date.now();
  const fake: FakeShopify = {
    url: '',
    token: options.token ?? 'shpat_test_token_0123456789',
    products: [],
    orders: [],
    locationId: 65_000_001,
    available: new Map(),
    expectedDates: new Map(),
    fulfillments: new Map(),
    requests: [],
    rateLimitNext: 0,
    throttleNext: 0,
    retryAfterSeconds: 1,
    budget: { available: 1000, maximum: 1000, restoreRate: 50 },
    variantBySku: (sku) => fake.products.flatMap((p) => p.variants).find((v) => v.sku === sku),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const variantById = (id: number) => fake.products.flatMap((p) => p.variants).find((v) => v.id === id);

  const page = <T>(items: T[], url: URL, key: string, base: string) => {
    const limit = Math.min(250, Number(url.searchParams.get('limit') ?? 50));
    const offset = Number(Buffer.from(url.searchParams.get('page_info') ?? '', 'base64url').toString() || 0);
    const slice = items.slice(offset, offset + limit);
    const next =
      offset + limit < items.length ? Buffer.from(String(offset + limit)).toString('base64url') : null;
    return {
      body: { [key]: slice },
      link: next ? `<${fake.url}${API}${base}?limit=${limit}&page_info=${next}>; rel="next"` : null,
    };
  };

  function graphql(query: string, variables: Json): Json {
    const data: Json = {};
    let cost = 0;
    if (query.includes('productVariantsBulkUpdate(')) {
      cost += 10;
      const updated = (variables.variants as Json[]).map((input) => {
        const variant = variantById(idOf(input.id));
        if (variant && input.inventoryPolicy)
          variant.inventory_policy = String(input.inventoryPolicy).toLowerCase() as 'deny';
        return { id: input.id, inventoryPolicy: input.inventoryPolicy };
      });
      data.productVariantsBulkUpdate = { productVariants: updated, userErrors: [] };
    }
    if (query.includes('inventorySetQuantities(')) {
      cost += 10;
      const input = variables.quantities as { name: string; quantities: Json[] };
      const errors =
        input.name === 'available'
          ? []
          : [{ field: ['input', 'name'], message: 'bad name', code: 'INVALID' }];
      for (const q of input.quantities) {
        if (idOf(q.locationId) !== fake.locationId)
          errors.push({ field: ['locationId'], message: 'not found', code: 'INVALID' });
        else fake.available.set(idOf(q.inventoryItemId), Number(q.quantity));
      }
      data.inventorySetQuantities = {
        inventoryAdjustmentGroup: errors.length ? null : { id: 'gid://shopify/InventoryAdjustmentGroup/1' },
        userErrors: errors,
      };
    }
    if (query.includes('metafieldsSet(')) {
      cost += 10;
      const set = variables.metafields as Json[];
      for (const m of set) {
        if (m.namespace === 'backfill' && m.key === 'expected_date')
          fake.expectedDates.set(idOf(m.ownerId), String(m.value));
      }
      data.metafieldsSet = { metafields: set.map((m) => ({ key: m.key, value: m.value })), userErrors: [] };
    }
    if (query.includes('metafieldsDelete(')) {
      cost += 10;
      const removed = (variables.identifiers as Json[]).filter((m) =>
        fake.expectedDates.delete(idOf(m.ownerId)),
      );
      data.metafieldsDelete = {
        deletedMetafields: removed.map(() => ({ key: 'expected_date' })),
        userErrors: [],
      };
    }
    if (query.includes('order(id:')) {
      cost += 12;
      const order = fake.orders.find((o) => Number(o.id) === idOf(variables.id));
      const lines = (order?.line_items ?? []) as Json[];
      data.order = order
        ? {
            fulfillments: (fake.fulfillments.get(Number(order.id)) ?? []).map((f) => ({
              id: `gid://shopify/Fulfillment/${f.id}`,
              trackingInfo: f.trackingNumber ? [{ number: f.trackingNumber }] : [],
            })),
            fulfillmentOrders: {
              nodes: [
                {
                  id: `gid://shopify/FulfillmentOrder/${order.id}`,
                  status: lines.some((l) => Number(l.fulfillable_quantity) > 0) ? 'OPEN' : 'CLOSED',
                  lineItems: {
                    nodes: lines.map((l) => ({
                      id: `gid://shopify/FulfillmentOrderLineItem/${l.id}`,
                      remainingQuantity: Number(l.fulfillable_quantity),
                      lineItem: { sku: l.sku },
                    })),
                  },
                },
              ],
            },
          }
        : null;
    }
    if (query.includes('fulfillmentCreate(')) {
      cost += 10;
      const input = variables.fulfillment as {
        lineItemsByFulfillmentOrder: { fulfillmentOrderId: string; fulfillmentOrderLineItems: Json[] }[];
        trackingInfo?: { number?: string };
      };
      const errors: { field: string[]; message: string }[] = [];
      const made: { sku: string; quantity: number }[] = [];
      let orderId = 0;
      for (const group of input.lineItemsByFulfillmentOrder) {
        orderId = idOf(group.fulfillmentOrderId);
        const order = fake.orders.find((o) => Number(o.id) === orderId);
        for (const item of group.fulfillmentOrderLineItems) {
          const line = ((order?.line_items ?? []) as Json[]).find((l) => Number(l.id) === idOf(item.id));
          if (!line || Number(line.fulfillable_quantity) < Number(item.quantity)) {
            errors.push({
              field: ['fulfillment'],
              message: 'Invalid fulfillment order line item quantity requested.',
            });
            continue;
          }
          line.fulfillable_quantity = Number(line.fulfillable_quantity) - Number(item.quantity);
          made.push({ sku: String(line.sku), quantity: Number(item.quantity) });
        }
      }
      const id = 4_000_000 + [...fake.fulfillments.values()].flat().length;
      if (errors.length === 0) {
        fake.fulfillments.set(orderId, [
          ...(fake.fulfillments.get(orderId) ?? []),
          { id, trackingNumber: input.trackingInfo?.number ?? null, lines: made },
        ]);
      }
      data.fulfillmentCreate = {
        fulfillment: errors.length ? null : { id: `gid://shopify/Fulfillment/${id}` },
        userErrors: errors,
      };
    }
    if (query.includes('nodes(')) {
      const ids = variables.ids as string[];
      cost += ids.length + 2;
      data.nodes = ids.map((gid) => {
        const variant = variantById(idOf(gid));
        if (!variant) return null;
        const date = fake.expectedDates.get(variant.id);
        const level =
          idOf(variables.locationId) === fake.locationId
            ? {
                quantities: [
                  { name: 'available', quantity: fake.available.get(variant.inventory_item_id) ?? 0 },
                ],
              }
            : null;
        return {
          id: gid,
          inventoryPolicy: variant.inventory_policy.toUpperCase(),
          metafield: date === undefined ? null : { value: date },
          inventoryItem: { inventoryLevel: level },
        };
      });
    }
    return { data, cost };
  }

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString()) as Json) : null;
      const send = (status: number, json: unknown, headers: Record<string, string> = {}) => {
        fake.requests.push({ method: request.method ?? '', path: url.pathname, body, status });
        response.writeHead(status, { 'content-type': 'application/json', ...headers });
        response.end(JSON.stringify(json));
      };
      if (request.headers['x-shopify-access-token'] !== fake.token) {
        return send(401, {
          errors: '[API] Invalid API key or access token (unrecognized login or wrong password)',
        });
      }
      if (fake.rateLimitNext > 0) {
        fake.rateLimitNext--;
        return send(
          429,
          {
            errors:
              'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.',
          },
          { 'retry-after': String(fake.retryAfterSeconds) },
        );
      }
      const path = url.pathname.slice(API.length);
      if (request.method === 'GET' && path === 'locations.json') {
        return send(200, { locations: [{ id: fake.locationId, name: 'Warehouse', active: true }] });
      }
      if (request.method === 'GET' && path === 'products.json') {
        const { body: answer, link } = page(fake.products, url, 'products', 'products.json');
        return send(200, answer, link ? { link } : {});
      }
      if (request.method === 'GET' && path === 'orders.json') {
        const open = fake.orders.filter((o) => !o.cancelled_at && o.fulfillment_status !== 'fulfilled');
        const { body: answer, link } = page(open, url, 'orders', 'orders.json');
        return send(200, answer, link ? { link } : {});
      }
      if (request.method === 'POST' && path === 'graphql.json' && body) {
        const now = Date.now();
        const b = fake.budget;
        b.available = Math.min(b.maximum, b.available + ((now - lastRestore) / 1000) * b.restoreRate);
        lastRestore = now;
        const throttleStatus = () => ({
          maximumAvailable: b.maximum,
          currentlyAvailable: Math.floor(b.available),
          restoreRate: b.restoreRate,
        });
        const requested = estimate(String(body.query), (body.variables ?? {}) as Json);
        if (fake.throttleNext > 0 || requested > b.available) {
          if (fake.throttleNext > 0) fake.throttleNext--;
          return send(200, {
            errors: [
              {
                message: 'Throttled',
                extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' },
              },
            ],
            extensions: {
              cost: {
                requestedQueryCost: requested,
                actualQueryCost: null,
                throttleStatus: throttleStatus(),
              },
            },
          });
        }
        const { data, cost } = graphql(String(body.query), (body.variables ?? {}) as Json);
        b.available -= cost as number;
        return send(200, {
          data,
          extensions: {
            cost: { requestedQueryCost: cost, actualQueryCost: cost, throttleStatus: throttleStatus() },
          },
        });
      }
      send(404, { errors: 'Not Found' });
    });
  });

  /** What a query will cost, without running it. */
  function estimate(query: string, variables: Json): number {
    let cost = 0;
    for (const field of [
      'productVariantsBulkUpdate(',
      'inventorySetQuantities(',
      'metafieldsSet(',
      'metafieldsDelete(',
    ]) {
      if (query.includes(field)) cost += 10;
    }
    if (query.includes('nodes(')) cost += ((variables.ids as unknown[]) ?? []).length + 2;
    if (query.includes('order(id:')) cost += 12;
    if (query.includes('fulfillmentCreate(')) cost += 10;
    return cost;
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

let webhookSeq = 0;

/** A webhook as Shopify sends it: the raw body and its headers, signed with the app's client secret. */
export function signedWebhook(
  topic: string,
  payload: Json,
  secret: string,
  shop = 'backfill-test.myshopify.com',
): { rawBody: string; headers: Record<string, string> } {
  const rawBody = JSON.stringify(payload);
  webhookSeq++;
  return {
    rawBody,
    headers: {
      'content-type': 'application/json',
      'x-shopify-topic': topic,
      'x-shopify-hmac-sha256': createHmac('sha256', secret).update(rawBody).digest('base64'),
      'x-shopify-shop-domain': shop,
      'x-shopify-api-version': '2025-01',
      'x-shopify-webhook-id': `b54557e4-bdd9-4b37-8a5f-bf7d70bcd${String(webhookSeq).padStart(3, '0')}`,
      'x-shopify-triggered-at': new Date().toISOString(),
    },
  };
}
