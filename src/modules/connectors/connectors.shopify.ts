/**
 * The Shopify connector: webhooks (HMAC-SHA256 of the raw body with the app's client secret, in
 * X-Shopify-Hmac-Sha256), the payloads of the topics Backfill subscribes to, and the Admin API calls
 * that set a variant's inventory policy, quantity and expected date (metafield backfill.expected_date).
 */
import { toMinorUnits } from './connectors.models.ts';
import { header, hmacSignature, type Json, list, signatureMatches, text } from './connectors.payload.ts';
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
import { gid, nextPageInfo, restId, ShopifyApi, type ShopifyApiOptions } from './connectors.shopify.api.ts';

export const METAFIELD = { namespace: 'backfill', key: 'expected_date' } as const;

/** The topics Backfill subscribes to (docs/connectors.md), and the privacy ones every app must answer. */
export const SHOPIFY_TOPICS = [
  'orders/create',
  'orders/updated',
  'orders/cancelled',
  'fulfillments/create',
  'refunds/create',
  'products/create',
  'products/update',
  'inventory_levels/update',
  'customers/data_request',
  'customers/redact',
  'shop/redact',
] as const;

/** The platform's webhook signature (tests sign their payloads with it). */
export const shopifySignature = hmacSignature;

function verify(request: InboundRequest, credentials: Record<string, string>): boolean {
  return signatureMatches(
    header(request.headers, 'x-shopify-hmac-sha256'),
    request.rawBody,
    credentials.clientSecret,
  );
}

function describe(headers: InboundRequest['headers'], payload: Json): InboundEnvelope | null {
  const topic = header(headers, 'x-shopify-topic');
  if (!topic || !(SHOPIFY_TOPICS as readonly string[]).includes(topic)) return null;
  const webhookId = header(headers, 'x-shopify-webhook-id');
  const eventVersion =
    header(headers, 'x-shopify-event-id') ?? webhookId ?? header(headers, 'x-shopify-triggered-at');
  let resourceId: string | null;
  let version: string | null;
  switch (topic) {
    case 'inventory_levels/update':
      resourceId = `${text(payload.inventory_item_id)}@${text(payload.location_id)}`;
      version = text(payload.updated_at);
      break;
    case 'customers/data_request':
      resourceId =
        text((payload.data_request as Json | undefined)?.id) ?? text((payload.customer as Json)?.id);
      version = '1';
      break;
    case 'customers/redact':
      resourceId = text((payload.customer as Json | undefined)?.id);
      version = eventVersion;
      break;
    case 'shop/redact':
      resourceId = text(payload.shop_id) ?? text(payload.shop_domain);
      version = '1';
      break;
    default:
      resourceId = text(payload.id);
      version = text(payload.updated_at) ?? text(payload.created_at);
  }
  if (resourceId === null) return null;
  return { topic, resourceId, version: version ?? eventVersion ?? '0', webhookId };
}

function customerOf(order: Json): PlatformOrder['customer'] {
  const customer = (order.customer ?? {}) as Json;
  const shipping = (order.shipping_address ?? {}) as Json;
  const name = [customer.first_name, customer.last_name].filter((p) => typeof p === 'string' && p).join(' ');
  const email = text(order.email) ?? text(customer.email) ?? text(order.contact_email);
  const phone = text(order.phone) ?? text(customer.phone) ?? text(shipping.phone);
  return {
    ...(email ? { email } : {}),
    ...(name || text(shipping.name) ? { name: name || (text(shipping.name) as string) } : {}),
    ...(phone ? { phone } : {}),
  };
}

/** An order payload (webhook or REST listing) as Backfill needs it; lines without a SKU are not stock. */
export function shopifyOrder(order: Json, digits: number): PlatformOrder {
  return {
    id: text(order.id) ?? '',
    customer: customerOf(order),
    currency: text(order.currency) ?? '',
    lines: list(order.line_items).flatMap((item) => {
      const sku = text(item.sku)?.trim();
      const quantity = Number(item.quantity);
      if (!sku || !Number.isInteger(quantity) || quantity <= 0) return [];
      return [{ sku, quantity, unitPrice: toMinorUnits(item.price, digits) ?? 0 }];
    }),
    cancelled: typeof order.cancelled_at === 'string' && order.cancelled_at !== '',
  };
}

function variantsOf(product: Json, digits: number): PlatformVariant[] {
  const image = (product.image ?? (list(product.images)[0] as Json | undefined) ?? {}) as Json;
  return list(product.variants).flatMap((variant) => {
    const sku = text(variant.sku)?.trim();
    if (!sku) return [];
    const variantTitle = text(variant.title);
    return [
      {
        sku,
        productId: text(variant.product_id) ?? text(product.id) ?? '',
        variantId: text(variant.id) ?? '',
        inventoryItemId: text(variant.inventory_item_id),
        title:
          variantTitle && variantTitle !== 'Default Title'
            ? `${text(product.title) ?? sku} — ${variantTitle}`
            : (text(product.title) ?? sku),
        price: toMinorUnits(variant.price, digits) ?? 0,
        url: null,
        imageUrl: text(image.src),
        continueSelling: variant.inventory_policy === 'continue',
      },
    ];
  });
}

/** Units per SKU of a shipment's or refund's line items (a SKU on two lines adds up). */
function unitsOf(items: readonly { sku: string | null; quantity: number }[]): UnitsBySku[] {
  const bySku = new Map<string, number>();
  for (const item of items) {
    if (!item.sku || !Number.isInteger(item.quantity) || item.quantity <= 0) continue;
    bySku.set(item.sku, (bySku.get(item.sku) ?? 0) + item.quantity);
  }
  return [...bySku].map(([sku, quantity]) => ({ sku, quantity }));
}

function privacyTarget(payload: Json): { email: string | null; phone: string | null; orderIds: string[] } {
  const customer = (payload.customer ?? {}) as Json;
  const ids = (payload.orders_requested ?? payload.orders_to_redact ?? []) as unknown[];
  return {
    email: text(customer.email),
    phone: text(customer.phone),
    orderIds: ids.map(text).filter((id): id is string => id !== null),
  };
}

function mapEvent(topic: string, payload: Json, digits: number): InboundCommand[] {
  switch (topic) {
    case 'orders/create':
    case 'orders/updated':
    case 'orders/cancelled':
      return [{ kind: 'order', order: shopifyOrder(payload, digits) }];
    case 'fulfillments/create': {
      const status = text(payload.status);
      if (status === 'cancelled' || status === 'error' || status === 'failure') {
        return [{ kind: 'ignore', reason: `fulfilment status ${status}` }];
      }
      return [
        {
          kind: 'ship',
          orderId: text(payload.order_id) ?? '',
          reference: text(payload.id) ?? '',
          lines: unitsOf(
            list(payload.line_items).map((i) => ({ sku: text(i.sku), quantity: Number(i.quantity) })),
          ),
          carrier: text(payload.tracking_company),
          trackingNumber: text(payload.tracking_number),
        },
      ];
    }
    case 'refunds/create': {
      // Only units refunded before they shipped (restock type "cancel") are cancelled; returns of
      // shipped units are the platform's business.
      const cancelled = list(payload.refund_line_items).filter((i) => i.restock_type === 'cancel');
      if (cancelled.length === 0) return [{ kind: 'ignore', reason: 'no unshipped units refunded' }];
      return [
        {
          kind: 'cancel_units',
          orderId: text(payload.order_id) ?? '',
          reference: text(payload.id) ?? '',
          lines: unitsOf(
            cancelled.map((i) => ({
              sku: text((i.line_item as Json | undefined)?.sku),
              quantity: Number(i.quantity),
            })),
          ),
        },
      ];
    }
    case 'products/create':
    case 'products/update':
      return [{ kind: 'catalogue', variants: variantsOf(payload, digits) }];
    case 'inventory_levels/update':
      return [{ kind: 'resync', inventoryItemId: text(payload.inventory_item_id) ?? '' }];
    case 'customers/data_request':
      return [{ kind: 'privacy_export', ...privacyTarget(payload) }];
    case 'customers/redact':
      return [{ kind: 'privacy_redact', ...privacyTarget(payload) }];
    case 'shop/redact':
      return [{ kind: 'privacy_redact_shop' }];
    default:
      return [{ kind: 'ignore', reason: `topic ${topic} is not handled` }];
  }
}

const VARIANT_FIELDS = 'productVariants { id inventoryPolicy } userErrors { field message }';

/** One product's items in one GraphQL document: policy, quantities, and the date set or removed. */
function availabilityMutation(
  connection: PlatformConnection,
  productId: string,
  items: readonly OutboundItem[],
): { query: string; variables: Record<string, unknown>; cost: number } {
  const dated = items.filter((i) => i.state.expectedDate !== null);
  const undated = items.filter((i) => i.state.expectedDate === null);
  const stocked = connection.locationId ? items.filter((i) => i.inventoryItemId !== null) : [];
  const declarations = ['$productId: ID!', '$variants: [ProductVariantsBulkInput!]!'];
  const fields = [
    `productVariantsBulkUpdate(productId: $productId, variants: $variants) { ${VARIANT_FIELDS} }`,
  ];
  const variables: Record<string, unknown> = {
    productId: gid('Product', productId),
    variants: items.map((i) => ({ id: gid('ProductVariant', i.variantId), inventoryPolicy: i.state.policy })),
  };
  if (stocked.length > 0) {
    declarations.push('$quantities: InventorySetQuantitiesInput!');
    fields.push(
      'inventorySetQuantities(input: $quantities) { inventoryAdjustmentGroup { id } userErrors { field message code } }',
    );
    variables.quantities = {
      name: 'available',
      reason: 'correction',
      ignoreCompareQuantity: true,
      referenceDocumentUri: 'gid://backfill/Availability/sync',
      quantities: stocked.map((i) => ({
        inventoryItemId: gid('InventoryItem', i.inventoryItemId!),
        locationId: gid('Location', connection.locationId!),
        quantity: i.state.quantity,
      })),
    };
  }
  if (dated.length > 0) {
    declarations.push('$metafields: [MetafieldsSetInput!]!');
    fields.push(
      'metafieldsSet(metafields: $metafields) { metafields { key value } userErrors { field message } }',
    );
    variables.metafields = dated.map((i) => ({
      ownerId: gid('ProductVariant', i.variantId),
      ...METAFIELD,
      type: 'date',
      value: i.state.expectedDate,
    }));
  }
  if (undated.length > 0) {
    declarations.push('$identifiers: [MetafieldIdentifierInput!]!');
    fields.push(
      'metafieldsDelete(metafields: $identifiers) { deletedMetafields { key } userErrors { field message } }',
    );
    variables.identifiers = undated.map((i) => ({
      ownerId: gid('ProductVariant', i.variantId),
      ...METAFIELD,
    }));
  }
  return {
    query: `mutation BackfillAvailability(${declarations.join(', ')}) {\n  ${fields.join('\n  ')}\n}`,
    variables,
    cost: 10 * fields.length,
  };
}

type UserErrors = { userErrors?: { message: string }[] } | null | undefined;

export function createShopifyConnector(options: ShopifyApiOptions = {}): PlatformConnector {
  const api = (connection: PlatformConnection) => new ShopifyApi(connection, options);
  return {
    platform: 'shopify',
    credentialFields: ['accessToken', 'clientSecret'],
    defaultBaseUrl: (shop) => `https://${shop}`,
    verifyWebhook: verify,
    describeWebhook: describe,
    mapEvent,

    async pushAvailability(connection, items) {
      const byProduct = new Map<string, OutboundItem[]>();
      for (const item of items)
        byProduct.set(item.productId, [...(byProduct.get(item.productId) ?? []), item]);
      const outcomes: PushOutcome[] = [];
      for (const [productId, group] of byProduct) {
        const { query, variables, cost } = availabilityMutation(connection, productId, group);
        const data = await api(connection).graphql<Record<string, UserErrors>>(query, variables, cost);
        const errors = Object.values(data ?? {}).flatMap((field) => field?.userErrors ?? []);
        for (const item of group) {
          outcomes.push(
            errors.length === 0
              ? { sku: item.sku, ok: true }
              : { sku: item.sku, ok: false, error: errors.map((e) => e.message).join('; ') },
          );
        }
      }
      return outcomes;
    },

    async findLocation(connection) {
      const { json } = await api(connection).request('GET', 'locations.json');
      const locations = list((json as Json | null)?.locations);
      const active = locations.find((l) => l.active !== false) ?? locations[0];
      return active ? text(active.id) : null;
    },

    async listCatalogue(connection, cursor): Promise<Page<PlatformVariant>> {
      const query = cursor ? `page_info=${encodeURIComponent(cursor)}&limit=100` : 'limit=100';
      const { json, headers } = await api(connection).request('GET', `products.json?${query}`);
      // Prices in the store's currency: Shopify sends them as decimals ("19.99"); 2 digits is what
      // Shopify's own currencies use for prices shown (JPY prices come as "1500.00").
      const items = list((json as Json | null)?.products).flatMap((p) => variantsOf(p, 2));
      return { items, next: nextPageInfo(headers.get('link')) };
    },

    async listOpenOrders(connection, cursor, digits): Promise<Page<PlatformOrder>> {
      const query = cursor ? `page_info=${encodeURIComponent(cursor)}&limit=100` : 'status=open&limit=100';
      const { json, headers } = await api(connection).request('GET', `orders.json?${query}`);
      const items = list((json as Json | null)?.orders).map((o) => shopifyOrder(o, digits));
      return { items, next: nextPageInfo(headers.get('link')) };
    },

    async pushFulfilment(connection, fulfilment) {
      const client = api(connection);
      const data = await client.graphql<{ order: Json | null }>(
        `query BackfillFulfilmentOrders($id: ID!) {
  order(id: $id) {
    fulfillments(first: 50) { id trackingInfo { number } }
    fulfillmentOrders(first: 20) {
      nodes { id status lineItems(first: 100) { nodes { id remainingQuantity lineItem { sku } } } }
    }
  }
}`,
        { id: gid('Order', fulfilment.platformOrderId) },
        12,
      );
      if (!data.order) throw new Error(`Shopify has no order ${fulfilment.platformOrderId}`);
      const fulfillments = list(data.order.fulfillments);
      if (fulfilment.trackingNumber) {
        const same = fulfillments.find((f) =>
          list(f.trackingInfo).some((t) => t.number === fulfilment.trackingNumber),
        );
        if (same) return { platformId: restId(String(same.id)) };
      }
      // The units Shopify still has to fulfil, per fulfilment order, in line order.
      const open = list((data.order.fulfillmentOrders as Json | undefined)?.nodes).filter(
        (fo) => fo.status === 'OPEN' || fo.status === 'IN_PROGRESS',
      );
      const byOrder = new Map<string, { id: string; quantity: number }[]>();
      let wanted = 0;
      let placed = 0;
      for (const { sku, quantity } of fulfilment.lines) {
        wanted += quantity;
        let left = quantity;
        for (const fo of open) {
          for (const item of list((fo.lineItems as Json | undefined)?.nodes)) {
            if (left === 0) break;
            if (text((item.lineItem as Json | undefined)?.sku)?.trim() !== sku) continue;
            const take = Math.min(left, Number(item.remainingQuantity));
            if (take <= 0) continue;
            const id = String(fo.id);
            byOrder.set(id, [...(byOrder.get(id) ?? []), { id: String(item.id), quantity: take }]);
            left -= take;
            placed += take;
          }
        }
      }
      // Nothing left to fulfil: this shipment was made before (a repeat after a crash).
      if (placed === 0 && wanted > 0 && fulfillments.length > 0)
        return { platformId: restId(String(fulfillments[fulfillments.length - 1]!.id)) };
      if (placed === 0) throw new Error(`Shopify order ${fulfilment.platformOrderId} has nothing to fulfil`);
      const created = await client.graphql<{
        fulfillmentCreate: { fulfillment: { id: string } | null; userErrors: { message: string }[] };
      }>(
        `mutation BackfillFulfil($fulfillment: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $fulfillment) { fulfillment { id } userErrors { field message } }
}`,
        {
          fulfillment: {
            notifyCustomer: true,
            lineItemsByFulfillmentOrder: [...byOrder].map(([fulfillmentOrderId, items]) => ({
              fulfillmentOrderId,
              fulfillmentOrderLineItems: items,
            })),
            ...(fulfilment.trackingNumber || fulfilment.carrier
              ? {
                  trackingInfo: {
                    ...(fulfilment.trackingNumber ? { number: fulfilment.trackingNumber } : {}),
                    ...(fulfilment.carrier ? { company: fulfilment.carrier } : {}),
                  },
                }
              : {}),
          },
        },
        10,
      );
      const errors = created.fulfillmentCreate.userErrors;
      if (errors.length > 0 || !created.fulfillmentCreate.fulfillment)
        throw new Error(`Shopify refused the fulfilment: ${errors.map((e) => e.message).join('; ')}`);
      return { platformId: restId(created.fulfillmentCreate.fulfillment.id) };
    },

    async readState(connection, items): Promise<PlatformSkuState[]> {
      if (items.length === 0) return [];
      const query = `query BackfillState($ids: [ID!]!, $locationId: ID!) {
  nodes(ids: $ids) {
    ... on ProductVariant {
      id
      inventoryPolicy
      metafield(namespace: "${METAFIELD.namespace}", key: "${METAFIELD.key}") { value }
      inventoryItem { inventoryLevel(locationId: $locationId) { quantities(names: ["available"]) { name quantity } } }
    }
  }
}`;
      const data = await api(connection).graphql<{ nodes: (Json | null)[] }>(
        query,
        {
          ids: items.map((i) => gid('ProductVariant', i.variantId)),
          locationId: gid('Location', connection.locationId ?? '0'),
        },
        items.length + 2,
      );
      const byId = new Map(
        data.nodes.filter((n): n is Json => n !== null).map((n) => [restId(String(n.id)), n]),
      );
      return items.map((item) => {
        const node = byId.get(item.variantId);
        const level = ((node?.inventoryItem as Json | undefined)?.inventoryLevel ?? null) as Json | null;
        const available = list(level?.quantities).find((q) => q.name === 'available');
        return {
          sku: item.sku,
          policy: (node?.inventoryPolicy as PlatformSkuState['policy']) ?? null,
          quantity: available ? Number(available.quantity) : null,
          expectedDate: text((node?.metafield as Json | null)?.value),
        };
      });
    },
  };
}
