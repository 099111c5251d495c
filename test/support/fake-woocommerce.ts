/**
 * A stand-in for the parts of WooCommerce's REST API v3 (`/wp-json/wc/v3/`) the connector calls,
 * on 127.0.0.1, written from WooCommerce's public reference: `GET products` and
 * `GET products/<id>/variations` (`per_page`, `page`, `include`; `X-WP-Total` and
 * `X-WP-TotalPages` headers), `POST products/batch` and `POST products/<id>/variations/batch`
 * (`update` objects: `manage_stock`, `stock_quantity`, `backorders`, `meta_data`; an unknown id is
 * answered per object with an `error`), `GET orders` (`status` as a comma-separated list),
 * `GET`/`PUT orders/<id>`, `GET`/`POST orders/<id>/notes`, `GET orders/<id>/refunds` (paged; a refund's
 * line items carry negative quantities and `_refunded_item_id`). Requests need HTTP Basic with the REST
 * key's consumer key and secret (401 `woocommerce_rest_cannot_view` otherwise). `rateLimitNext`
 * answers 429 with Retry-After for that many requests. Webhooks are signed as WooCommerce signs
 * them: `signedWooWebhook`; `wooPing` is the unsigned ping sent when a webhook is saved.
 */
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

type Json = Record<string, unknown>;

export interface WooMeta {
  id: number;
  key: string;
  value: string;
}

/** A product or variation as the stand-in keeps it (the fields the connector reads and writes). */
export interface WooItem {
  id: number;
  type: 'simple' | 'variable' | 'variation';
  parent_id: number;
  name: string;
  sku: string;
  price: string;
  regular_price: string;
  permalink: string;
  manage_stock: boolean;
  stock_quantity: number | null;
  backorders: 'no' | 'notify' | 'yes';
  images: { id: number; src: string }[];
  attributes: { id: number; name: string; option: string }[];
  variations: number[];
  meta_data: WooMeta[];
  date_modified_gmt: string;
}

export interface WooOrderNote {
  id: number;
  note: string;
  customer_note: boolean;
  date_created_gmt: string;
}

export interface FakeWoo {
  url: string;
  consumerKey: string;
  consumerSecret: string;
  /** Products and variations by id. */
  items: Map<number, WooItem>;
  orders: Map<number, Json>;
  notes: Map<number, WooOrderNote[]>;
  /** Refunds by order id, as `GET orders/<id>/refunds` shows them. */
  refunds: Map<number, Json[]>;
  requests: { method: string; path: string; body: unknown; status: number }[];
  rateLimitNext: number;
  retryAfterSeconds: number;
  /** Milliseconds each answer waits (a slow host). */
  delayMs: number;
  /** Called after each product or variation a batch updated (the bench times its calls). */
  onUpdate: ((item: WooItem) => void) | null;
  addSimple(id: number, fields: Partial<WooItem> & { sku: string; name: string; price: string }): WooItem;
  addVariable(
    id: number,
    name: string,
    variations: { id: number; sku: string; option: string; price: string }[],
  ): WooItem;
  bySku(sku: string): WooItem | undefined;
  /**
   * Refunds units of an order's line items (the order must be in `orders`): the refund is listed
   * under the order's refunds and `refunds` (id, reason, negative total) is added to the order.
   * Returns the order's `refunds` summary.
   */
  refund(orderId: number, items: { lineItemId: number; quantity: number }[], amount: string): Json[];
  expectedDate(sku: string): string | null;
  /** The product or variation as the REST API shows it. */
  view(item: WooItem): Json;
  close(): Promise<void>;
}

const API = '/wp-json/wc/v3/';
let metaSeq = 1000;
let noteSeq = 500;
let refundSeq = 800;

export async function startFakeWoo(
  options: { consumerKey?: string; consumerSecret?: string } = {},
): Promise<FakeWoo> {
  const fake: FakeWoo = {
    url: '',
    consumerKey: options.consumerKey ?? 'ck_0123456789abcdef0123456789abcdef01234567',
    consumerSecret: options.consumerSecret ?? 'cs_0123456789abcdef0123456789abcdef01234567',
    items: new Map(),
    orders: new Map(),
    notes: new Map(),
    refunds: new Map(),
    requests: [],
    rateLimitNext: 0,
    retryAfterSeconds: 1,
    delayMs: 0,
    onUpdate: null,
    refund(orderId, items, amount) {
      const order = fake.orders.get(orderId);
      if (!order) throw new Error(`no order ${orderId} on the stand-in`);
      const lines = (order.line_items ?? []) as Json[];
      const refund: Json = {
        id: refundSeq++,
        date_created_gmt: new Date().toISOString().slice(0, 19),
        amount,
        reason: '',
        refunded_by: 1,
        refunded_payment: false,
        meta_data: [],
        line_items: items.map((item, i) => {
          const line = lines.find((l) => l.id === item.lineItemId) ?? {};
          return {
            id: refundSeq * 10 + i,
            name: line.name,
            product_id: line.product_id,
            variation_id: line.variation_id,
            quantity: -item.quantity,
            sku: line.sku,
            refund_total: 0,
            meta_data: [{ id: metaSeq++, key: '_refunded_item_id', value: String(item.lineItemId) }],
          };
        }),
      };
      fake.refunds.set(orderId, [...(fake.refunds.get(orderId) ?? []), refund]);
      const summary = [
        ...((order.refunds ?? []) as Json[]),
        { id: refund.id, reason: '', total: `-${amount}` },
      ];
      order.refunds = summary;
      return summary;
    },
    addSimple(id, fields) {
      const item: WooItem = {
        id,
        type: 'simple',
        parent_id: 0,
        regular_price: fields.price,
        permalink: `${fake.url}/product/${fields.sku.toLowerCase()}/`,
        manage_stock: false,
        stock_quantity: null,
        backorders: 'no',
        images: [],
        attributes: [],
        variations: [],
        meta_data: [],
        date_modified_gmt: '2026-03-01T10:00:00',
        ...fields,
      };
      fake.items.set(id, item);
      return item;
    },
    addVariable(id, name, variations) {
      const parent = fake.addSimple(id, { sku: '', name, price: variations[0]?.price ?? '0' });
      parent.type = 'variable';
      parent.images = [{ id: id + 1, src: `https://cdn.example.com/${id}.png` }];
      parent.variations = variations.map((v) => v.id);
      for (const v of variations) {
        fake.items.set(v.id, {
          ...parent,
          id: v.id,
          type: 'variation',
          parent_id: id,
          sku: v.sku,
          price: v.price,
          regular_price: v.price,
          permalink: `${fake.url}/product/${id}/?attribute_size=${v.option}`,
          images: [],
          attributes: [{ id: 1, name: 'Size', option: v.option }],
          variations: [],
          meta_data: [],
        });
      }
      return parent;
    },
    bySku: (sku) => [...fake.items.values()].find((i) => i.sku === sku),
    expectedDate(sku) {
      const value = fake.bySku(sku)?.meta_data.find((m) => m.key === 'backfill_expected_date')?.value;
      return value ? value : null;
    },
    view(item) {
      const stockStatus = item.manage_stock
        ? (item.stock_quantity ?? 0) > 0
          ? 'instock'
          : item.backorders === 'no'
            ? 'outofstock'
            : 'onbackorder'
        : 'instock';
      const base: Json = {
        id: item.id,
        name: item.name,
        type: item.type,
        status: 'publish',
        sku: item.sku,
        permalink: item.permalink,
        price: item.price,
        regular_price: item.regular_price,
        manage_stock: item.manage_stock,
        stock_quantity: item.stock_quantity,
        stock_status: stockStatus,
        backorders: item.backorders,
        backorders_allowed: item.backorders !== 'no',
        backordered: false,
        meta_data: item.meta_data,
        date_modified_gmt: item.date_modified_gmt,
      };
      if (item.type === 'variation') {
        return {
          ...base,
          parent_id: item.parent_id,
          image: item.images[0] ?? null,
          attributes: item.attributes,
        };
      }
      return { ...base, images: item.images, variations: item.variations, attributes: [] };
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

  const paged = (items: Json[], url: URL) => {
    const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? 10));
    const page = Number(url.searchParams.get('page') ?? 1);
    const include = url.searchParams.get('include');
    const filtered = include
      ? items.filter((i) => include.split(',').map(Number).includes(Number(i.id)))
      : items;
    return {
      body: filtered.slice((page - 1) * perPage, page * perPage),
      headers: {
        'x-wp-total': String(filtered.length),
        'x-wp-totalpages': String(Math.max(1, Math.ceil(filtered.length / perPage))),
      },
    };
  };

  function update(item: WooItem, input: Json): Json {
    if (typeof input.manage_stock === 'boolean') item.manage_stock = input.manage_stock;
    if (input.stock_quantity !== undefined) item.stock_quantity = Number(input.stock_quantity);
    if (input.backorders !== undefined) item.backorders = input.backorders as WooItem['backorders'];
    for (const meta of (input.meta_data as { key: string; value: string }[] | undefined) ?? []) {
      const existing = item.meta_data.find((m) => m.key === meta.key);
      if (existing) existing.value = String(meta.value);
      else item.meta_data.push({ id: metaSeq++, key: meta.key, value: String(meta.value) });
    }
    item.date_modified_gmt = new Date().toISOString().slice(0, 19);
    fake.onUpdate?.(item);
    return fake.view(item);
  }

  function batch(body: Json, parentId: number | null): Json {
    const updates = (body.update as Json[] | undefined) ?? [];
    if (updates.length > 100) {
      return {
        __status: 413,
        code: 'rest_request_entity_too_large',
        message: 'Unable to accept more than 100 items for this request.',
      };
    }
    return {
      update: updates.map((input) => {
        const item = fake.items.get(Number(input.id));
        const fits = item && (parentId === null ? item.type !== 'variation' : item.parent_id === parentId);
        if (!item || !fits) {
          return {
            id: Number(input.id),
            error: {
              code: parentId === null ? 'woocommerce_rest_product_invalid_id' : 'woocommerce_rest_invalid_id',
              message: 'Invalid ID.',
              data: { status: 400 },
            },
          };
        }
        return update(item, input);
      }),
    };
  }

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', async () => {
      if (fake.delayMs > 0) await new Promise((r) => setTimeout(r, fake.delayMs));
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString()) as Json) : null;
      const send = (status: number, json: unknown, headers: Record<string, string> = {}) => {
        fake.requests.push({ method: request.method ?? '', path: url.pathname + url.search, body, status });
        response.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers });
        response.end(JSON.stringify(json));
      };
      const expected = `Basic ${Buffer.from(`${fake.consumerKey}:${fake.consumerSecret}`).toString('base64')}`;
      if (request.headers.authorization !== expected) {
        return send(401, {
          code: 'woocommerce_rest_cannot_view',
          message: 'Sorry, you cannot list resources.',
          data: { status: 401 },
        });
      }
      if (fake.rateLimitNext > 0) {
        fake.rateLimitNext--;
        return send(
          429,
          { code: 'too_many_requests', message: 'Too many requests', data: { status: 429 } },
          { 'retry-after': String(fake.retryAfterSeconds) },
        );
      }
      if (!url.pathname.startsWith(API)) return send(404, { code: 'rest_no_route', message: 'No route' });
      const path = url.pathname.slice(API.length).split('/');
      const method = request.method;
      const notFound = () =>
        send(404, {
          code: 'rest_no_route',
          message: 'No route was found matching the URL and request method.',
        });
      if (path[0] === 'products') {
        if (method === 'GET' && path.length === 1) {
          const top = [...fake.items.values()]
            .filter((i) => i.type !== 'variation')
            .sort((a, b) => a.id - b.id);
          const { body: page, headers } = paged(top.map(fake.view), url);
          return send(200, page, headers);
        }
        if (method === 'POST' && path[1] === 'batch') {
          const answer = batch(body ?? {}, null);
          const { __status, ...rest } = answer;
          return send(typeof __status === 'number' ? __status : 200, rest);
        }
        const parentId = Number(path[1]);
        const parent = fake.items.get(parentId);
        if (path[2] === 'variations' && parent) {
          if (method === 'GET' && path.length === 3) {
            const variations = parent.variations.map((id) => fake.view(fake.items.get(id)!));
            const { body: page, headers } = paged(variations, url);
            return send(200, page, headers);
          }
          if (method === 'POST' && path[3] === 'batch') {
            const answer = batch(body ?? {}, parentId);
            const { __status, ...rest } = answer;
            return send(typeof __status === 'number' ? __status : 200, rest);
          }
        }
        return notFound();
      }
      if (path[0] === 'orders') {
        if (method === 'GET' && path.length === 1) {
          const statuses = url.searchParams.get('status')?.split(',') ?? null;
          const orders = [...fake.orders.values()]
            .filter((o) => statuses === null || statuses.includes(String(o.status)))
            .sort((a, b) => Number(a.id) - Number(b.id));
          const { body: page, headers } = paged(orders, url);
          return send(200, page, headers);
        }
        const id = Number(path[1]);
        const order = fake.orders.get(id);
        if (!order) {
          return send(404, {
            code: 'woocommerce_rest_shop_order_invalid_id',
            message: 'Invalid ID.',
            data: { status: 404 },
          });
        }
        if (path.length === 2 && method === 'GET') return send(200, order);
        if (path.length === 2 && method === 'PUT') {
          if (body?.status) order.status = body.status;
          order.date_modified_gmt = new Date().toISOString().slice(0, 19);
          return send(200, order);
        }
        if (path[2] === 'refunds' && path.length === 3 && method === 'GET') {
          const { body: page, headers } = paged(fake.refunds.get(id) ?? [], url);
          return send(200, page, headers);
        }
        if (path[2] === 'notes' && method === 'GET') return send(200, fake.notes.get(id) ?? []);
        if (path[2] === 'notes' && method === 'POST') {
          const note: WooOrderNote = {
            id: noteSeq++,
            note: String(body?.note ?? ''),
            customer_note: body?.customer_note === true,
            date_created_gmt: new Date().toISOString().slice(0, 19),
          };
          fake.notes.set(id, [...(fake.notes.get(id) ?? []), note]);
          return send(201, note);
        }
      }
      return notFound();
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

let deliverySeq = 0;

/** A webhook as WooCommerce delivers it: the raw body and its headers, signed with the webhook's secret. */
export function signedWooWebhook(
  topic: string,
  payload: Json,
  secret: string,
  source = 'https://shop.example.com/',
): { rawBody: string; headers: Record<string, string> } {
  const rawBody = JSON.stringify(payload);
  deliverySeq++;
  const [resource, event] = topic.split('.');
  return {
    rawBody,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'WooCommerce/9.8.0 Hookshot (WordPress/6.8)',
      'x-wc-webhook-source': source,
      'x-wc-webhook-topic': topic,
      'x-wc-webhook-resource': resource ?? '',
      'x-wc-webhook-event': event ?? '',
      'x-wc-webhook-signature': createHmac('sha256', secret).update(rawBody).digest('base64'),
      'x-wc-webhook-id': '31',
      'x-wc-webhook-delivery-id': `d${String(deliverySeq).padStart(31, '0')}`,
    },
  };
}

/** The ping WooCommerce sends to the delivery URL when a webhook is saved: a form body, unsigned. */
export function wooPing(webhookId = 31): { rawBody: string; headers: Record<string, string> } {
  return {
    rawBody: `webhook_id=${webhookId}`,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'user-agent': 'WooCommerce/9.8.0 Hookshot (WordPress/6.8)',
    },
  };
}
