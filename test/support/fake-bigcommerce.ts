/**
 * A stand-in for the parts of BigCommerce's API the connector calls, on 127.0.0.1, written from
 * BigCommerce's public reference (bigcommerce/docs `reference/*.yml` and the Backorders guide):
 * under `/stores/{store_hash}/`, with the API account's token in `X-Auth-Token` (401 otherwise):
 *
 * - v3 `inventory/locations`; `inventory/adjustments/absolute` (sets on-hand per location and
 *   item: `variant_id`, or `product_id` for a product tracked by product — the other way round is
 *   the reference's 422); `inventory/locations/{id}/items` GET (`available_to_sell`, `total_inventory_onhand`,
 *   `settings` with `backorder_limit`) and PUT (settings by `identity`);
 * - v3 `catalog/products` (paged, `meta.pagination`, `include=variants,images`), one product, its
 *   variants, and variant metafields (GET by namespace/key, POST, PUT, DELETE);
 * - v2 `orders` (paged array, 204 past the end), one order, its `products`, `shipping_addresses`,
 *   `shipments` (GET list / one, POST creates one and counts `quantity_shipped`);
 * - v3 `orders/{id}/payment_actions/refunds`.
 *
 * Every answer carries the `X-Rate-Limit-*` headers; `rateLimitNext` answers that many requests
 * with 429 and `X-Rate-Limit-Time-Reset-Ms`. Webhooks are shaped as the reference's examples and
 * carry the secret header the connection's hooks were created with: `bigCommerceWebhook`.
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

type Json = Record<string, unknown>;

export interface FakeBcVariant {
  id: number;
  product_id: number;
  sku: string;
  price: number | null;
  calculated_price: number;
  option_values: { label: string; option_display_name: string }[];
  image_url: string;
}

export interface FakeBcProduct {
  id: number;
  name: string;
  sku: string;
  price: number;
  inventory_tracking: 'none' | 'product' | 'variant';
  custom_url: { url: string; is_customized: boolean };
  images: { id: number; url_standard: string; is_thumbnail: boolean }[];
  variants: FakeBcVariant[];
}

export interface FakeBcOrderProduct {
  id: number;
  order_id: number;
  product_id: number;
  variant_id: number;
  order_address_id: number;
  name: string;
  sku: string;
  quantity: number;
  quantity_shipped: number;
  base_price: string;
  price_ex_tax: string;
  price_inc_tax: string;
}

export interface FakeBcOrder {
  id: number;
  status_id: number;
  status: string;
  currency_code: string;
  date_modified: string;
  is_deleted: boolean;
  billing_address: Json;
  products: FakeBcOrderProduct[];
  shipments: Json[];
  refunds: Json[];
}

export interface FakeBigCommerce {
  url: string;
  storeHash: string;
  token: string;
  locationId: number;
  products: FakeBcProduct[];
  orders: FakeBcOrder[];
  /** On-hand units per variant id at the location. */
  onHand: Map<number, number>;
  /** `backorder_limit` per variant id at the location. */
  backorderLimits: Map<number, number>;
  /** Variant metafields, by variant id then `namespace.key`. */
  metafields: Map<number, Map<string, { id: number; value: string }>>;
  requests: { method: string; path: string; body: unknown; status: number }[];
  rateLimitNext: number;
  resetMs: number;
  variantBySku(sku: string): FakeBcVariant | undefined;
  expectedDate(variantId: number): string | undefined;
  /** An order as BigCommerce's checkout would create it (v2 shape), added to the store. */
  addOrder(
    id: number,
    lines: { sku: string; quantity: number; price?: string }[],
    extra?: Partial<FakeBcOrder>,
  ): FakeBcOrder;
  close(): Promise<void>;
}

const STATUS_NAMES: Record<number, string> = {
  0: 'Incomplete',
  2: 'Shipped',
  3: 'Partially Shipped',
  4: 'Refunded',
  5: 'Cancelled',
  11: 'Awaiting Fulfillment',
};

export async function startFakeBigCommerce(
  options: { storeHash?: string; token?: string } = {},
): Promise<FakeBigCommerce> {
  let nextId = 9000;
  const fake: FakeBigCommerce = {
    url: '',
    storeHash: options.storeHash ?? 'abc123xyz',
    token: options.token ?? 'bc_test_access_token_0123456789',
    locationId: 1,
    products: [],
    orders: [],
    onHand: new Map(),
    backorderLimits: new Map(),
    metafields: new Map(),
    requests: [],
    rateLimitNext: 0,
    resetMs: 300,
    variantBySku: (sku) => fake.products.flatMap((p) => p.variants).find((v) => v.sku === sku),
    expectedDate: (variantId) => fake.metafields.get(variantId)?.get('backfill.expected_date')?.value,
    addOrder(id, lines, extra = {}) {
      const order: FakeBcOrder = {
        id,
        status_id: 11,
        status: 'Awaiting Fulfillment',
        currency_code: 'USD',
        date_modified: 'Mon, 02 Mar 2026 09:00:00 +0000',
        is_deleted: false,
        billing_address: {
          first_name: 'Jane',
          last_name: 'Doe',
          email: 'janedoe@example.com',
          phone: '555-123-4567',
        },
        products: lines.map((l, i) => {
          const variant = fake.variantBySku(l.sku);
          return {
            id: id * 10 + i,
            order_id: id,
            product_id: variant?.product_id ?? 0,
            variant_id: variant?.id ?? 0,
            order_address_id: id * 10,
            name: l.sku,
            sku: l.sku,
            quantity: l.quantity,
            quantity_shipped: 0,
            base_price: l.price ?? '129.0000',
            price_ex_tax: l.price ?? '129.0000',
            price_inc_tax: l.price ?? '129.0000',
          };
        }),
        shipments: [],
        refunds: [],
        ...extra,
      };
      order.status = STATUS_NAMES[order.status_id] ?? 'Awaiting Fulfillment';
      fake.orders.push(order);
      return order;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const variantById = (id: number) => fake.products.flatMap((p) => p.variants).find((v) => v.id === id);
  /**
   * The item an adjustment or setting names: a variant of a product tracked by variant, or a product
   * tracked by product (its base variant holds the stock); the other way round is the reference's 422.
   */
  const itemOf = (identity: Json): { variantId: number } | { error: string } => {
    if (identity.product_id !== undefined) {
      const product = fake.products.find((p) => p.id === Number(identity.product_id));
      if (!product) return { error: 'Unknown product' };
      if (product.inventory_tracking !== 'product')
        return {
          error: `[Item with product_id ${product.id} is tracked by variant, please update stock by variant id]`,
        };
      return { variantId: product.variants[0]!.id };
    }
    const variant = variantById(Number(identity.variant_id));
    if (!variant) return { error: 'Unknown variant' };
    const product = fake.products.find((p) => p.id === variant.product_id)!;
    if (product.inventory_tracking === 'product')
      return {
        error: `[Item with variant_id ${variant.id} is tracked by product, please update stock by product id]`,
      };
    return { variantId: variant.id };
  };
  const withVariants = (product: FakeBcProduct, include: string) => {
    const { variants, images, ...rest } = product;
    return {
      ...rest,
      ...(include.includes('variants') ? { variants } : {}),
      ...(include.includes('images') ? { images } : {}),
    };
  };

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString()) as Json) : null;
      const limits = {
        'x-rate-limit-requests-left': '149',
        'x-rate-limit-requests-quota': '150',
        'x-rate-limit-time-reset-ms': String(fake.resetMs),
        'x-rate-limit-time-window-ms': '30000',
      };
      const send = (status: number, json: unknown, headers: Record<string, string> = {}) => {
        fake.requests.push({ method: request.method ?? '', path: url.pathname + url.search, body, status });
        if (status === 204) {
          response.writeHead(204, { ...limits, ...headers });
          response.end();
          return;
        }
        response.writeHead(status, { 'content-type': 'application/json', ...limits, ...headers });
        response.end(JSON.stringify(json));
      };
      const notFound = () => send(404, { status: 404, title: 'The requested resource was not found.' });
      const prefix = `/stores/${fake.storeHash}/`;
      if (!url.pathname.startsWith(prefix)) return notFound();
      if (request.headers['x-auth-token'] !== fake.token) {
        return send(401, { status: 401, title: 'Unauthorized' });
      }
      if (fake.rateLimitNext > 0) {
        fake.rateLimitNext--;
        return send(
          429,
          { status: 429, title: 'Too many requests' },
          { 'x-rate-limit-requests-left': '0', 'x-rate-limit-time-reset-ms': String(fake.resetMs) },
        );
      }
      const path = url.pathname.slice(prefix.length);
      const method = request.method ?? 'GET';
      const parts = path.split('/');
      let m: RegExpExecArray | null;

      // v3 inventory
      if (method === 'GET' && path === 'v3/inventory/locations') {
        return send(200, {
          data: [{ id: fake.locationId, code: 'BC-LOCATION-1', label: 'Default location', enabled: true }],
          meta: {},
        });
      }
      if (method === 'PUT' && path === 'v3/inventory/adjustments/absolute' && body) {
        const targets: number[] = [];
        for (const item of body.items as Json[]) {
          const target = itemOf(item);
          if (Number(item.location_id) !== fake.locationId || 'error' in target) {
            return send(422, {
              status: 422,
              title: 'error' in target ? target.error : 'Payload contains invalid fields',
              type: 'https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes',
              errors: {},
            });
          }
          targets.push(target.variantId);
        }
        for (const [i, item] of (body.items as Json[]).entries())
          fake.onHand.set(targets[i]!, Number(item.quantity));
        return send(200, { transaction_id: `tx-${nextId++}` });
      }
      m = /^v3\/inventory\/locations\/(\d+)\/items$/.exec(path);
      if (m) {
        if (Number(m[1]) !== fake.locationId) return notFound();
        if (method === 'PUT' && body) {
          for (const setting of body.settings as Json[]) {
            const target = itemOf(setting.identity as Json);
            if ('error' in target) return send(422, { status: 422, title: target.error, errors: {} });
            if (setting.backorder_limit !== undefined)
              fake.backorderLimits.set(target.variantId, Number(setting.backorder_limit));
          }
          return send(200, { transaction_id: `tx-${nextId++}` });
        }
        const wanted = (url.searchParams.get('variant_id:in') ?? '').split(',').filter(Boolean).map(Number);
        const variants = fake.products.flatMap((p) => p.variants).filter((v) => wanted.includes(v.id));
        return send(200, {
          data: variants.map((v) => {
            const onHand = fake.onHand.get(v.id) ?? 0;
            const limit = fake.backorderLimits.get(v.id) ?? 0;
            return {
              identity: { sku: v.sku, variant_id: v.id, product_id: v.product_id },
              available_to_sell: onHand + limit,
              total_inventory_onhand: onHand,
              settings: {
                safety_stock: 0,
                is_in_stock: true,
                warning_level: 0,
                bin_picking_number: '',
                backorder_limit: limit,
              },
            };
          }),
          meta: {},
        });
      }

      // v3 catalog
      if (method === 'GET' && path === 'v3/catalog/products') {
        const limit = Number(url.searchParams.get('limit') ?? 50);
        const page = Number(url.searchParams.get('page') ?? 1);
        const include = url.searchParams.get('include') ?? '';
        const slice = fake.products.slice((page - 1) * limit, page * limit);
        const totalPages = Math.max(1, Math.ceil(fake.products.length / limit));
        return send(200, {
          data: slice.map((p) => withVariants(p, include)),
          meta: {
            pagination: {
              total: fake.products.length,
              count: slice.length,
              per_page: limit,
              current_page: page,
              total_pages: totalPages,
            },
          },
        });
      }
      m = /^v3\/catalog\/products\/(\d+)(\/variants)?$/.exec(path);
      if (m && method === 'GET') {
        const product = fake.products.find((p) => p.id === Number(m![1]));
        if (!product) return notFound();
        if (m[2]) return send(200, { data: product.variants, meta: {} });
        return send(200, { data: withVariants(product, url.searchParams.get('include') ?? ''), meta: {} });
      }
      m = /^v3\/catalog\/products\/(\d+)\/variants\/(\d+)\/metafields(?:\/(\d+))?$/.exec(path);
      if (m) {
        const variant = variantById(Number(m[2]));
        if (!variant || variant.product_id !== Number(m[1])) return notFound();
        const fields = fake.metafields.get(variant.id) ?? new Map<string, { id: number; value: string }>();
        fake.metafields.set(variant.id, fields);
        const view = (key: string, f: { id: number; value: string }) => ({
          id: f.id,
          namespace: key.split('.')[0],
          key: key.split('.')[1],
          value: f.value,
          permission_set: 'read_and_sf_access',
          resource_type: 'variant',
          resource_id: variant.id,
        });
        if (method === 'GET' && !m[3]) {
          const ns = url.searchParams.get('namespace');
          const key = url.searchParams.get('key');
          const found = [...fields].filter(
            ([k]) => (!ns || k.split('.')[0] === ns) && (!key || k.split('.')[1] === key),
          );
          return send(200, { data: found.map(([k, f]) => view(k, f)), meta: {} });
        }
        if (method === 'POST' && body) {
          const key = `${body.namespace}.${body.key}`;
          if (fields.has(key)) return send(409, { status: 409, title: 'Metafield already exists' });
          const field = { id: nextId++, value: String(body.value) };
          fields.set(key, field);
          return send(200, { data: view(key, field), meta: {} });
        }
        const entry = [...fields].find(([, f]) => f.id === Number(m![3]));
        if (!entry) return notFound();
        if (method === 'PUT' && body) {
          entry[1].value = String(body.value);
          return send(200, { data: view(entry[0], entry[1]), meta: {} });
        }
        if (method === 'DELETE') {
          fields.delete(entry[0]);
          return send(204, null);
        }
      }

      // v3 refunds
      m = /^v3\/orders\/(\d+)\/payment_actions\/refunds$/.exec(path);
      if (m && method === 'GET') {
        const order = fake.orders.find((o) => o.id === Number(m![1]));
        if (!order) return notFound();
        return send(200, { data: order.refunds, meta: {} });
      }

      // v2 orders
      if (method === 'GET' && path === 'v2/orders') {
        const limit = Number(url.searchParams.get('limit') ?? 50);
        const page = Number(url.searchParams.get('page') ?? 1);
        const sorted = [...fake.orders].sort((a, b) => a.id - b.id);
        const slice = sorted.slice((page - 1) * limit, page * limit);
        if (slice.length === 0) return send(204, null);
        return send(
          200,
          slice.map(({ products: _p, shipments: _s, refunds: _r, ...o }) => o),
        );
      }
      if (parts[0] === 'v2' && parts[1] === 'orders' && parts[2]) {
        const order = fake.orders.find((o) => o.id === Number(parts[2]));
        if (!order) return notFound();
        const rest = parts.slice(3).join('/');
        if (method === 'GET' && rest === '') {
          const { products: _p, shipments: _s, refunds: _r, ...view } = order;
          return send(200, view);
        }
        if (method === 'GET' && rest === 'products') return send(200, order.products);
        if (method === 'GET' && rest === 'shipping_addresses') {
          return send(200, [{ id: order.id * 10, order_id: order.id, first_name: 'Jane', last_name: 'Doe' }]);
        }
        if (method === 'GET' && rest === 'shipments') {
          return order.shipments.length === 0 ? send(204, null) : send(200, order.shipments);
        }
        if (method === 'GET' && parts[3] === 'shipments' && parts[4]) {
          const shipment = order.shipments.find((s) => s.id === Number(parts[4]));
          return shipment ? send(200, shipment) : notFound();
        }
        if (method === 'POST' && rest === 'shipments' && body) {
          if (Number(body.order_address_id) !== order.id * 10) {
            return send(400, [{ status: 400, message: 'The field order_address_id is invalid.' }]);
          }
          const items = (body.items ?? []) as Json[];
          for (const item of items) {
            const product = order.products.find((p) => p.id === Number(item.order_product_id));
            if (!product || product.quantity - product.quantity_shipped < Number(item.quantity)) {
              return send(400, [
                { status: 400, message: 'The quantity specified is greater than the quantity remaining.' },
              ]);
            }
          }
          for (const item of items) {
            order.products.find((p) => p.id === Number(item.order_product_id))!.quantity_shipped += Number(
              item.quantity,
            );
          }
          const shipment = {
            id: nextId++,
            order_id: order.id,
            order_address_id: body.order_address_id,
            date_created: 'Tue, 03 Mar 2026 10:00:00 +0000',
            tracking_number: body.tracking_number ?? '',
            shipping_provider: body.shipping_provider ?? '',
            tracking_carrier: body.tracking_carrier ?? '',
            comments: body.comments ?? '',
            items: items.map((i) => ({
              order_product_id: Number(i.order_product_id),
              product_id: 0,
              quantity: Number(i.quantity),
            })),
          };
          order.shipments.push(shipment);
          const all = order.products.every((p) => p.quantity_shipped >= p.quantity);
          order.status_id = all ? 2 : 3;
          order.status = STATUS_NAMES[order.status_id]!;
          return send(201, shipment);
        }
      }
      notFound();
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

let deliveries = 0;

/**
 * A webhook as BigCommerce sends it (the reference's example shape: scope, store_id, data, hash,
 * created_at, producer), with the custom header its hook was created with.
 */
export function bigCommerceWebhook(
  scope: string,
  data: Json,
  secret: string,
  options: { createdAt?: number; storeHash?: string } = {},
): { rawBody: string; headers: Record<string, string> } {
  deliveries++;
  const createdAt = options.createdAt ?? 1772442000 + deliveries;
  const payload = {
    scope,
    store_id: '1025646',
    data,
    hash: createHash('sha1').update(JSON.stringify({ scope, data, createdAt })).digest('hex'),
    created_at: createdAt,
    producer: `stores/${options.storeHash ?? 'abc123xyz'}`,
  };
  return {
    rawBody: JSON.stringify(payload),
    headers: { 'content-type': 'application/json', 'x-backfill-webhook-secret': secret },
  };
}
