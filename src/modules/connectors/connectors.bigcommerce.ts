/**
 * The BigCommerce connector. Webhooks are thin (`{ scope, store_id, data: { type, id, … }, hash,
 * created_at, producer }`): they are verified by the secret header the connection's webhooks were
 * registered with (`X-Backfill-Webhook-Secret`, sent back by BigCommerce on every delivery), stored,
 * and when processed the resource they name is read from the API (`hydrate`): the order and its
 * products (v2), the shipment, the refund (v3 payment actions), the product with its variants (v3
 * catalog). Availability goes to BigCommerce's native fields through the Inventory API: the
 * location's on-hand quantity (absolute adjustment) and the item's `backorder_limit` (location item
 * settings), which together make its "available to sell"; the expected date is the variant metafield
 * `backfill.expected_date`. Backfill's shipments become order shipments (POST /v2/orders/{id}/shipments).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { BigCommerceApi, type BigCommerceApiOptions } from './connectors.bigcommerce.api.ts';
import { toMinorUnits } from './connectors.models.ts';
import { header, type Json, list, text } from './connectors.payload.ts';
import type {
  InboundCommand,
  InboundEnvelope,
  InboundRequest,
  OutboundItem,
  Page,
  PlatformConnection,
  PlatformConnector,
  PlatformOrder,
  PlatformSkuState,
  PlatformVariant,
  PushOutcome,
  UnitsBySku,
} from './connectors.platform.ts';
import { RetryLater } from './connectors.platform.ts';

/** The header the connection's webhooks are registered with (`headers` of POST /v3/hooks). */
export const SECRET_HEADER = 'x-backfill-webhook-secret';
export const BC_METAFIELD = { namespace: 'backfill', key: 'expected_date' } as const;
/** `backorder_limit` written for a SKU whose backorders Backfill does not cap. */
export const BACKORDER_UNLIMITED = 1_000_000;

/** The webhook scopes Backfill subscribes to (docs/connectors.md). */
export const BIGCOMMERCE_SCOPES = [
  'store/order/created',
  'store/order/updated',
  'store/order/statusUpdated',
  'store/order/refund/created',
  'store/shipment/created',
  'store/product/created',
  'store/product/updated',
  'store/product/inventory/updated',
  'store/sku/created',
  'store/sku/updated',
  'store/sku/inventory/updated',
] as const;

/** Order statuses (GET /v2/order_statuses): cancelled ones, and the open ones the import brings. */
const CANCELLED_STATUSES = new Set([4, 5, 6]);
const OPEN_STATUSES = new Set([3, 7, 8, 9, 11, 12]);
const INCOMPLETE = 0;

const obj = (value: unknown): Json => (value && typeof value === 'object' ? (value as Json) : {});

const digest = (value: string) => createHash('sha256').update(value).digest();

function verify(request: InboundRequest, credentials: Record<string, string>): boolean {
  const given = header(request.headers, SECRET_HEADER);
  const secret = credentials.webhookSecret;
  if (!given || !secret) return false;
  // Digests of equal length, compared in constant time.
  return timingSafeEqual(digest(given), digest(secret));
}

function describe(_headers: InboundRequest['headers'], payload: Json): InboundEnvelope | null {
  const scope = text(payload.scope);
  if (!scope || !(BIGCOMMERCE_SCOPES as readonly string[]).includes(scope)) return null;
  const data = obj(payload.data);
  const id = text(data.id);
  if (id === null) return null;
  const resourceId =
    scope === 'store/order/refund/created' ? `${id}/${text(obj(data.refund).refund_id) ?? ''}` : id;
  // BigCommerce repeats a delivery with the same payload (and `hash`); another change is another hash.
  const version = `${text(payload.created_at) ?? '0'}:${text(payload.hash) ?? ''}`;
  return { topic: scope, resourceId, version, webhookId: null };
}

function customerOf(order: Json): PlatformOrder['customer'] {
  const billing = obj(order.billing_address);
  const name = [billing.first_name, billing.last_name].filter((p) => typeof p === 'string' && p).join(' ');
  const email = text(billing.email);
  const phone = text(billing.phone);
  return {
    ...(email ? { email } : {}),
    ...(name ? { name } : {}),
    ...(phone ? { phone } : {}),
  };
}

/** A v2 order with its products (GET /v2/orders/{id}/products) as Backfill needs it. */
export function bigCommerceOrder(order: Json, products: readonly Json[], digits: number): PlatformOrder {
  return {
    id: text(order.id) ?? '',
    customer: customerOf(order),
    currency: text(order.currency_code) ?? '',
    lines: products.flatMap((item) => {
      const sku = text(item.sku)?.trim();
      const quantity = Number(item.quantity);
      if (!sku || !Number.isInteger(quantity) || quantity <= 0) return [];
      return [{ sku, quantity, unitPrice: toMinorUnits(item.price_ex_tax ?? item.base_price, digits) ?? 0 }];
    }),
    cancelled: CANCELLED_STATUSES.has(Number(order.status_id)),
  };
}

const PRODUCT_ITEM = 'product:';
/** The inventory item of a product whose stock BigCommerce tracks by product. */
const productItem = (productId: string) => `${PRODUCT_ITEM}${productId}`;

/** How the Inventory API names an item: by product id when tracked by product, else by variant id. */
function identityOf(item: Pick<OutboundItem, 'inventoryItemId' | 'variantId'>) {
  return item.inventoryItemId?.startsWith(PRODUCT_ITEM)
    ? { product_id: Number(item.inventoryItemId.slice(PRODUCT_ITEM.length)) }
    : { variant_id: Number(item.variantId) };
}

/** A v3 catalog product (with `include=variants,images`) as variants. */
export function bigCommerceVariants(product: Json, shop: string | null, digits: number): PlatformVariant[] {
  const images = list(product.images);
  const image = images.find((i) => i.is_thumbnail === true) ?? images[0];
  const path = text(obj(product.custom_url).url);
  const variants = list(product.variants);
  return variants.flatMap((variant) => {
    const sku = text(variant.sku)?.trim();
    if (!sku) return [];
    const options = list(variant.option_values)
      .map((o) => text(o.label))
      .filter((l): l is string => !!l);
    const name = text(product.name) ?? sku;
    return [
      {
        sku,
        productId: text(variant.product_id) ?? text(product.id) ?? '',
        variantId: text(variant.id) ?? '',
        // Stock tracked by product is adjusted by product id (the Inventory API refuses a variant id).
        inventoryItemId:
          product.inventory_tracking === 'product' ? productItem(text(product.id) ?? '') : text(variant.id),
        title: options.length > 0 ? `${name} — ${options.join(' / ')}` : name,
        price: toMinorUnits(variant.price ?? variant.calculated_price ?? product.price, digits) ?? 0,
        url: path && shop ? `https://${shop}${path}` : null,
        imageUrl: text(variant.image_url) || text(image?.url_standard),
        continueSelling: product.inventory_tracking === 'none',
      },
    ];
  });
}

/** Units per SKU of order-product items (`{ order_product_id | item_id, quantity }`). */
function unitsOf(
  items: readonly { productId: string | null; quantity: number }[],
  products: readonly Json[],
  cap?: (product: Json) => number,
): UnitsBySku[] {
  const bySku = new Map<string, number>();
  for (const item of items) {
    const product = products.find((p) => text(p.id) === item.productId);
    const sku = text(product?.sku)?.trim();
    if (!product || !sku || !Number.isInteger(item.quantity) || item.quantity <= 0) continue;
    const quantity = cap ? Math.min(item.quantity, cap(product)) : item.quantity;
    if (quantity > 0) bySku.set(sku, (bySku.get(sku) ?? 0) + quantity);
  }
  return [...bySku].map(([sku, quantity]) => ({ sku, quantity }));
}

function mapEvent(topic: string, payload: Json, digits: number): InboundCommand[] {
  const data = obj(payload.data);
  const resource = obj(payload.resource);
  switch (topic) {
    case 'store/order/created':
    case 'store/order/updated':
    case 'store/order/statusUpdated': {
      const order = obj(resource.order);
      if (Number(order.status_id) === INCOMPLETE)
        return [{ kind: 'ignore', reason: 'the checkout is incomplete (status 0)' }];
      return [{ kind: 'order', order: bigCommerceOrder(order, list(resource.products), digits) }];
    }
    case 'store/shipment/created': {
      const shipment = obj(resource.shipment);
      if (String(shipment.comments ?? '').includes('[backfill '))
        return [{ kind: 'ignore', reason: 'a shipment Backfill pushed to BigCommerce' }];
      return [
        {
          kind: 'ship',
          orderId: text(shipment.order_id) ?? text(data.orderId) ?? '',
          reference: text(shipment.id) ?? text(data.id) ?? '',
          lines: unitsOf(
            list(shipment.items).map((i) => ({
              productId: text(i.order_product_id),
              quantity: Number(i.quantity),
            })),
            list(resource.products),
          ),
          carrier: text(shipment.shipping_provider) || text(shipment.tracking_carrier) || null,
          trackingNumber: text(shipment.tracking_number) || null,
        },
      ];
    }
    case 'store/order/refund/created': {
      // Units refunded before they shipped are cancelled; refunds of shipped units are returns.
      const products = list(resource.products);
      const lines = unitsOf(
        list(obj(resource.refund).items)
          .filter((i) => i.item_type === 'PRODUCT')
          .map((i) => ({ productId: text(i.item_id), quantity: Number(i.quantity) })),
        products,
        (p) => Math.max(0, Number(p.quantity) - Number(p.quantity_shipped ?? 0)),
      );
      if (lines.length === 0) return [{ kind: 'ignore', reason: 'no unshipped units refunded' }];
      return [
        {
          kind: 'cancel_units',
          orderId: text(data.id) ?? '',
          reference: text(obj(resource.refund).id) ?? '',
          lines,
        },
      ];
    }
    case 'store/product/created':
    case 'store/product/updated':
    case 'store/sku/created':
    case 'store/sku/updated':
      return [
        {
          kind: 'catalogue',
          variants: bigCommerceVariants(obj(resource.product), text(resource.shop), digits),
        },
      ];
    case 'store/product/inventory/updated':
      return [
        { kind: 'resync', inventoryItemId: productItem(text(data.id) ?? '') },
        ...list(resource.variants).map(
          (v): InboundCommand => ({ kind: 'resync', inventoryItemId: text(v.id) ?? '' }),
        ),
      ];
    case 'store/sku/inventory/updated':
      return [{ kind: 'resync', inventoryItemId: text(obj(data.inventory).variant_id) ?? '' }];
    default:
      return [{ kind: 'ignore', reason: `scope ${topic} is not handled` }];
  }
}

/** The catalog's answer's next page (`meta.pagination`), null after the last. */
function nextPage(json: unknown): string | null {
  const pagination = obj(obj(obj(json).meta).pagination);
  const current = Number(pagination.current_page);
  const total = Number(pagination.total_pages);
  return Number.isInteger(current) && Number.isInteger(total) && current < total ? String(current + 1) : null;
}

const marker = (shipmentId: string) => `[backfill ${shipmentId}]`;

export function createBigCommerceConnector(options: BigCommerceApiOptions = {}): PlatformConnector {
  const api = (connection: PlatformConnection) => new BigCommerceApi(connection, options);
  const location = (connection: PlatformConnection) => Number(connection.locationId ?? 1);

  async function orderProducts(connection: PlatformConnection, orderId: string): Promise<Json[]> {
    return list(await api(connection).get(`v2/orders/${encodeURIComponent(orderId)}/products?limit=250`));
  }

  /** The variant's `backfill.expected_date` metafield, if any. */
  async function findMetafield(
    connection: PlatformConnection,
    item: Pick<OutboundItem, 'productId' | 'variantId'>,
  ) {
    const json = await api(connection).get(
      `v3/catalog/products/${item.productId}/variants/${item.variantId}/metafields?namespace=${BC_METAFIELD.namespace}&key=${BC_METAFIELD.key}`,
    );
    return list(obj(json).data).find(
      (m) => m.namespace === BC_METAFIELD.namespace && m.key === BC_METAFIELD.key,
    );
  }

  async function setDate(connection: PlatformConnection, item: OutboundItem): Promise<void> {
    const existing = await findMetafield(connection, item);
    const base = `v3/catalog/products/${item.productId}/variants/${item.variantId}/metafields`;
    const date = item.state.expectedDate;
    if (date === null) {
      if (existing) await api(connection).request('DELETE', `${base}/${text(existing.id)}`);
      return;
    }
    if (existing && existing.value === date) return;
    if (existing) await api(connection).request('PUT', `${base}/${text(existing.id)}`, { value: date });
    else
      await api(connection).request('POST', base, {
        ...BC_METAFIELD,
        value: date,
        permission_set: 'read_and_sf_access',
        description: 'Backfill: when a unit ordered now would ship',
      });
  }

  return {
    platform: 'bigcommerce',
    credentialFields: ['storeHash', 'accessToken', 'webhookSecret'],
    defaultBaseUrl: () => 'https://api.bigcommerce.com',
    verifyWebhook: verify,
    describeWebhook: describe,
    stateFields: ['quantity', 'expectedDate', 'backorderRemaining'],
    mapEvent,

    async hydrate(connection, topic, payload) {
      const data = obj(payload.data);
      const id = encodeURIComponent(text(data.id) ?? '');
      const client = api(connection);
      let resource: Json = {};
      switch (topic) {
        case 'store/order/created':
        case 'store/order/updated':
        case 'store/order/statusUpdated':
          resource = {
            order: await client.get(`v2/orders/${id}`),
            products: await orderProducts(connection, id),
          };
          break;
        case 'store/shipment/created': {
          const orderId = encodeURIComponent(text(data.orderId) ?? '');
          resource = {
            shipment: await client.get(`v2/orders/${orderId}/shipments/${id}`),
            products: await orderProducts(connection, orderId),
          };
          break;
        }
        case 'store/order/refund/created': {
          const refundId = text(obj(data.refund).refund_id);
          const refunds = list(obj(await client.get(`v3/orders/${id}/payment_actions/refunds`)).data);
          resource = {
            refund: refunds.find((r) => text(r.id) === refundId) ?? {},
            products: await orderProducts(connection, id),
          };
          break;
        }
        case 'store/product/created':
        case 'store/product/updated':
        case 'store/sku/created':
        case 'store/sku/updated': {
          const productId = topic.startsWith('store/sku/') ? text(obj(data.sku).product_id) : text(data.id);
          const json = await client.get(
            `v3/catalog/products/${encodeURIComponent(productId ?? '')}?include=variants,images`,
          );
          resource = { product: obj(obj(json).data), shop: connection.shop };
          break;
        }
        case 'store/product/inventory/updated':
          resource = { variants: list(obj(await client.get(`v3/catalog/products/${id}/variants`)).data) };
          break;
      }
      return { ...payload, resource };
    },

    async pushAvailability(connection, items) {
      const client = api(connection);
      const locationId = location(connection);
      await client.request('PUT', 'v3/inventory/adjustments/absolute', {
        reason: 'Backfill availability',
        items: items.map((i) => ({ location_id: locationId, ...identityOf(i), quantity: i.state.quantity })),
      });
      await client.request('PUT', `v3/inventory/locations/${locationId}/items`, {
        settings: items.map((i) => ({
          identity: identityOf(i),
          backorder_limit:
            i.state.policy === 'DENY' ? 0 : (i.state.backorderRemaining ?? BACKORDER_UNLIMITED),
        })),
      });
      const outcomes: PushOutcome[] = [];
      for (const item of items) {
        try {
          await setDate(connection, item);
          outcomes.push({ sku: item.sku, ok: true });
        } catch (error) {
          if (!(error instanceof Error) || error instanceof RetryLater) throw error;
          outcomes.push({ sku: item.sku, ok: false, error: error.message });
        }
      }
      return outcomes;
    },

    async findLocation(connection) {
      const locations = list(obj(await api(connection).get('v3/inventory/locations')).data);
      const active = locations.find((l) => l.enabled !== false) ?? locations[0];
      return active ? text(active.id) : null;
    },

    async listCatalogue(connection, cursor): Promise<Page<PlatformVariant>> {
      const page = cursor ?? '1';
      const json = await api(connection).get(
        `v3/catalog/products?include=variants,images&limit=50&page=${encodeURIComponent(page)}`,
      );
      // Prices as decimals in the store's currency; 2 digits as BigCommerce's prices show them.
      const items = list(obj(json).data).flatMap((p) => bigCommerceVariants(p, connection.shop, 2));
      return { items, next: nextPage(json) };
    },

    async listOpenOrders(connection, cursor, digits): Promise<Page<PlatformOrder>> {
      const page = Number(cursor ?? '1');
      const limit = 50;
      const orders = list(await api(connection).get(`v2/orders?limit=${limit}&page=${page}&sort=id:asc`));
      const items: PlatformOrder[] = [];
      for (const order of orders) {
        if (!OPEN_STATUSES.has(Number(order.status_id)) || order.is_deleted === true) continue;
        items.push(bigCommerceOrder(order, await orderProducts(connection, text(order.id) ?? ''), digits));
      }
      return { items, next: orders.length === limit ? String(page + 1) : null };
    },

    async readState(connection, items): Promise<PlatformSkuState[]> {
      if (items.length === 0) return [];
      const ids = items.map((i) => i.variantId).join(',');
      const json = await api(connection).get(
        `v3/inventory/locations/${location(connection)}/items?variant_id:in=${ids}&limit=${items.length}`,
      );
      const byVariant = new Map(list(obj(json).data).map((row) => [text(obj(row.identity).variant_id), row]));
      const states: PlatformSkuState[] = [];
      for (const item of items) {
        const row = byVariant.get(item.variantId);
        const limit = row ? Number(obj(row.settings).backorder_limit ?? 0) : null;
        const date = await findMetafield(connection, item);
        states.push({
          sku: item.sku,
          policy: limit === null ? null : limit > 0 ? 'CONTINUE' : 'DENY',
          quantity: row ? Number(row.total_inventory_onhand) : null,
          expectedDate: text(date?.value),
          backorderLimit: limit === null || limit >= BACKORDER_UNLIMITED ? null : limit,
        });
      }
      return states;
    },

    async pushFulfilment(connection, fulfilment) {
      const client = api(connection);
      const orderId = encodeURIComponent(fulfilment.platformOrderId);
      // Made before (a crash between the call and its record)? Its comment names the shipment.
      const existing = list(await client.get(`v2/orders/${orderId}/shipments?limit=250`)).find((s) =>
        String(s.comments ?? '').includes(marker(fulfilment.shipmentId)),
      );
      if (existing) return { platformId: text(existing.id) ?? '' };
      const products = await orderProducts(connection, fulfilment.platformOrderId);
      const items: { order_product_id: number; quantity: number }[] = [];
      for (const { sku, quantity } of fulfilment.lines) {
        let left = quantity;
        for (const product of products.filter((p) => text(p.sku)?.trim() === sku)) {
          const room = Number(product.quantity) - Number(product.quantity_shipped ?? 0);
          const take = Math.min(left, room);
          if (take > 0) items.push({ order_product_id: Number(product.id), quantity: take });
          left -= Math.max(0, take);
          if (left === 0) break;
        }
        if (left > 0)
          throw new Error(`BigCommerce order ${fulfilment.platformOrderId} has no ${left} unshipped ${sku}`);
      }
      const addresses = list(await client.get(`v2/orders/${orderId}/shipping_addresses`));
      const addressId = Number(addresses[0]?.id ?? products[0]?.order_address_id);
      const { json } = await client.request('POST', `v2/orders/${orderId}/shipments`, {
        order_address_id: addressId,
        tracking_number: fulfilment.trackingNumber ?? '',
        shipping_provider: '',
        tracking_carrier: '',
        comments: `Shipped by Backfill ${marker(fulfilment.shipmentId)}${fulfilment.carrier ? ` via ${fulfilment.carrier}` : ''}`,
        items,
      });
      return { platformId: text(obj(json).id) ?? '' };
    },
  };
}
