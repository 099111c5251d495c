/**
 * The WooCommerce connector: webhooks (X-WC-Webhook-Signature, the base64 HMAC-SHA256 of the raw
 * body keyed by the webhook's secret; the unsigned `webhook_id=<id>` ping sent when a webhook is
 * saved is answered and not stored), the REST v3 payloads of orders and products (a variation
 * comes as a product of type `variation` with its `parent_id`; an order's refunds are read from
 * `orders/<id>/refunds`, which names their units), and the calls that set a product's
 * or variation's `manage_stock`, `stock_quantity`, `backorders` and the expected date in its
 * `meta_data` (`backfill_expected_date`), through the batch endpoints.
 *
 * Ids: a simple product is addressed with `variantId === productId`; a variation with its own id
 * and its product's.
 */
import { chunksOf } from '../../shared/collections.ts';
import { toMinorUnits } from './connectors.models.ts';
import { header, hmacSignature, type Json, list, signatureMatches, text } from './connectors.payload.ts';
import type {
  FulfilmentRequest,
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
import { nextPage, WooApi, type WooApiOptions } from './connectors.woocommerce.api.ts';

/** The meta key of the expected date on products and variations (a theme reads it). */
export const EXPECTED_DATE_META = 'backfill_expected_date';

/** The topics Backfill subscribes to (docs/connectors.md). */
export const WOO_TOPICS = ['order.created', 'order.updated', 'product.created', 'product.updated'] as const;

/** Order statuses whose units Backfill holds (paid or on hold); `pending` and `failed` are not sales yet. */
const PLACED_STATUSES = new Set(['processing', 'on-hold', 'completed']);
const CANCELLED_STATUSES = new Set(['cancelled', 'refunded']);
/** Open orders for the initial import. */
const OPEN_STATUSES = 'processing,on-hold';
/** WooCommerce's batch endpoints take up to 100 objects by default. */
const BATCH_LIMIT = 100;
const PER_PAGE = 100;

/** The platform's webhook signature (tests sign their payloads with it). */
export const wooSignature = hmacSignature;

function verify(request: InboundRequest, credentials: Record<string, string>): boolean {
  return signatureMatches(
    header(request.headers, 'x-wc-webhook-signature'),
    request.rawBody,
    credentials.webhookSecret,
  );
}

/** The ping WooCommerce sends when a webhook is saved: `webhook_id=<id>` as a form body, unsigned. */
function isPing(request: InboundRequest): boolean {
  return (
    header(request.headers, 'x-wc-webhook-signature') === null &&
    /^webhook_id=\d+$/.test(request.rawBody.toString('utf8').trim())
  );
}

/**
 * The inbox's key: the resource id and its version. WooCommerce's own retries resend the same
 * body; `date_modified_gmt` changes with every save, and the status is added because two saves
 * within one second share it.
 */
function describe(headers: InboundRequest['headers'], payload: Json): InboundEnvelope | null {
  const topic = header(headers, 'x-wc-webhook-topic');
  if (!topic || !(WOO_TOPICS as readonly string[]).includes(topic)) return null;
  const resourceId = text(payload.id);
  if (resourceId === null) return null;
  const modified =
    text(payload.date_modified_gmt) ?? text(payload.date_modified) ?? text(payload.date_created_gmt);
  const status = text(payload.status);
  return {
    topic,
    resourceId,
    version: `${modified ?? header(headers, 'x-wc-webhook-delivery-id') ?? '0'}${status ? `|${status}` : ''}`,
    webhookId: header(headers, 'x-wc-webhook-delivery-id') ?? header(headers, 'x-wc-webhook-id'),
  };
}

function customerOf(order: Json): PlatformOrder['customer'] {
  const billing = (order.billing ?? {}) as Json;
  const shipping = (order.shipping ?? {}) as Json;
  const nameOf = (part: Json) =>
    [part.first_name, part.last_name].filter((p) => typeof p === 'string' && p).join(' ');
  const name = nameOf(billing) || nameOf(shipping);
  const email = text(billing.email) || null;
  const phone = text(billing.phone) || text(shipping.phone) || null;
  return {
    ...(email ? { email } : {}),
    ...(name ? { name } : {}),
    ...(phone ? { phone } : {}),
  };
}

/** An order (webhook or REST listing) as Backfill needs it; lines without a SKU are not stock. */
export function wooOrder(order: Json, digits: number): PlatformOrder {
  return {
    id: text(order.id) ?? '',
    customer: customerOf(order),
    currency: text(order.currency) ?? '',
    lines: list(order.line_items).flatMap((item) => {
      const sku = text(item.sku)?.trim();
      const quantity = Number(item.quantity);
      if (!sku || !Number.isInteger(quantity) || quantity <= 0) return [];
      // `price` is the unit price before tax (a number); `subtotal / quantity` when it is absent.
      const unit =
        toMinorUnits(item.price, digits) ?? Math.round((toMinorUnits(item.subtotal, digits) ?? 0) / quantity);
      return [{ sku, quantity, unitPrice: unit }];
    }),
    cancelled: CANCELLED_STATUSES.has(text(order.status) ?? ''),
  };
}

/**
 * Where `hydrate` puts an order's refunds as `GET orders/<id>/refunds` shows them: the order's own
 * payload lists each refund's id and amount only, not its units.
 */
const REFUNDS_READ = 'backfill_refunds';

const hasRefunds = (order: Json) => list(order.refunds).length > 0;

/**
 * Units refunded so far per SKU, over every refund of the order. A refund's line item names its
 * SKU (else the order's line it refunds, `_refunded_item_id`) and a quantity WooCommerce shows as
 * negative.
 */
export function refundedUnits(order: Json, refunds: readonly Json[]): UnitsBySku[] {
  const orderLines = list(order.line_items);
  const bySku = new Map<string, number>();
  for (const refund of refunds) {
    for (const item of list(refund.line_items)) {
      const refundedItem = text(list(item.meta_data).find((m) => m.key === '_refunded_item_id')?.value);
      const line = orderLines.find((l) => refundedItem !== null && text(l.id) === refundedItem);
      const sku = (text(item.sku) || text(line?.sku))?.trim();
      const quantity = Math.abs(Number(item.quantity));
      if (!sku || !Number.isInteger(quantity) || quantity === 0) continue;
      bySku.set(sku, (bySku.get(sku) ?? 0) + quantity);
    }
  }
  return [...bySku].map(([sku, quantity]) => ({ sku, quantity }));
}

/** What Backfill should hold of an order in this status: the order as it stands, or nothing yet. */
function orderCommands(payload: Json, digits: number): InboundCommand[] {
  const status = text(payload.status) ?? '';
  const order = wooOrder(payload, digits);
  if (!PLACED_STATUSES.has(status) && !CANCELLED_STATUSES.has(status)) {
    return [{ kind: 'ignore', reason: `order status ${status || 'unknown'} is not a sale yet` }];
  }
  const commands: InboundCommand[] = [{ kind: 'order', order }];
  // Partial refunds (a whole refund is the status `refunded`), before a completion would ship
  // the refunded units.
  const refunded = Array.isArray(payload[REFUNDS_READ])
    ? refundedUnits(payload, list(payload[REFUNDS_READ]))
    : [];
  if (refunded.length > 0) commands.push({ kind: 'refunded_units', orderId: order.id, lines: refunded });
  if (status === 'completed') {
    const tracking = trackingOf(payload);
    commands.push({ kind: 'complete', orderId: order.id, ...tracking });
  }
  return commands;
}

/** Tracking from the Shipment Tracking extension's order meta, when the store uses it. */
function trackingOf(order: Json): { carrier: string | null; trackingNumber: string | null } {
  const meta = list(order.meta_data).find((m) => m.key === '_wc_shipment_tracking_items');
  const first = list(meta?.value)[0];
  return {
    carrier: text(first?.tracking_provider) || text(first?.custom_tracking_provider) || null,
    trackingNumber: text(first?.tracking_number) || null,
  };
}

/** The variant a product payload is: a simple product, or a variation of `parent_id`. */
export function wooVariant(item: Json, digits: number, parent: Json | null = null): PlatformVariant | null {
  const sku = text(item.sku)?.trim();
  if (!sku) return null;
  const isVariation = text(item.type) === 'variation' || parent !== null;
  const productId = isVariation ? (text(parent?.id) ?? text(item.parent_id) ?? '') : (text(item.id) ?? '');
  const attributes = list(item.attributes)
    .map((a) => text(a.option))
    .filter((o): o is string => !!o);
  const baseTitle = text(parent?.name) ?? text(item.name) ?? sku;
  const image = isVariation
    ? ((item.image ?? list(parent?.images)[0] ?? null) as Json | null)
    : ((list(item.images)[0] ?? null) as Json | null);
  return {
    sku,
    productId,
    variantId: text(item.id) ?? '',
    inventoryItemId: null,
    title: parent && attributes.length > 0 ? `${baseTitle} — ${attributes.join(' / ')}` : baseTitle,
    price: toMinorUnits(item.price, digits) ?? toMinorUnits(item.regular_price, digits) ?? 0,
    url: text(item.permalink),
    imageUrl: text(image?.src) || null,
    continueSelling: item.backorders === 'notify' || item.backorders === 'yes',
  };
}

function productCommands(payload: Json, digits: number): InboundCommand[] {
  if (text(payload.type) === 'variable') {
    // A variable product's payload names its variations by id only; each variation is delivered
    // as its own product.updated (type `variation`), and the import lists them.
    return [{ kind: 'ignore', reason: 'a variable product: its variations come on their own' }];
  }
  const variant = wooVariant(payload, digits);
  return variant
    ? [{ kind: 'catalogue', variants: [variant] }]
    : [{ kind: 'ignore', reason: 'a product without a SKU' }];
}

function mapEvent(topic: string, payload: Json, digits: number): InboundCommand[] {
  switch (topic) {
    case 'order.created':
    case 'order.updated':
      return orderCommands(payload, digits);
    case 'product.created':
    case 'product.updated':
      return productCommands(payload, digits);
    default:
      return [{ kind: 'ignore', reason: `topic ${topic} is not handled` }];
  }
}

/** The fields Backfill sets on a product or variation for one SKU's state. */
function stockFields(item: OutboundItem): Json {
  return {
    id: Number(item.variantId),
    manage_stock: true,
    stock_quantity: item.state.quantity,
    backorders: item.state.policy === 'CONTINUE' ? 'notify' : 'no',
    // An empty value clears the date (WooCommerce keeps the key; the theme shows nothing).
    meta_data: [{ key: EXPECTED_DATE_META, value: item.state.expectedDate ?? '' }],
  };
}

const isSimple = (item: Pick<OutboundItem, 'productId' | 'variantId'>) => item.productId === item.variantId;

/** A batch answer's per-object outcome: the object, or `{ id, error: { code, message } }`. */
function outcomesOf(items: readonly OutboundItem[], answer: unknown): PushOutcome[] {
  const updated = list((answer as Json | null)?.update);
  return items.map((item) => {
    const row = updated.find((u) => text(u.id) === item.variantId);
    if (!row) return { sku: item.sku, ok: false, error: 'WooCommerce did not answer for this item' };
    const error = row.error as Json | undefined;
    return error
      ? { sku: item.sku, ok: false, error: `${text(error.code) ?? 'error'}: ${text(error.message) ?? ''}` }
      : { sku: item.sku, ok: true };
  });
}

function stateOf(sku: string, row: Json | undefined): PlatformSkuState {
  if (!row) return { sku, policy: null, quantity: null, expectedDate: null };
  const date = list(row.meta_data).find((m) => m.key === EXPECTED_DATE_META);
  return {
    sku,
    policy: row.backorders === 'notify' || row.backorders === 'yes' ? 'CONTINUE' : 'DENY',
    quantity: row.manage_stock === true && row.stock_quantity !== null ? Number(row.stock_quantity) : null,
    expectedDate: text(date?.value) || null,
  };
}

export function createWooConnector(options: WooApiOptions = {}): PlatformConnector {
  const api = (connection: PlatformConnection) => new WooApi(connection, options);

  /** Every object of a listing (`path` without its paging), page by page. */
  async function allPages(connection: PlatformConnection, path: string): Promise<Json[]> {
    const all: Json[] = [];
    for (let page = 1; ; page++) {
      const { json, headers } = await api(connection).request(
        'GET',
        `${path}?per_page=${PER_PAGE}&page=${page}`,
      );
      all.push(...list(json));
      if (nextPage(headers, page) === null) return all;
    }
  }
  /** Every variation of a variable product. */
  const variationsOf = (connection: PlatformConnection, product: Json) =>
    allPages(connection, `products/${text(product.id)}/variations`);
  /** Every refund of an order, with their line items. */
  const refundsOf = (connection: PlatformConnection, order: Json) =>
    allPages(connection, `orders/${encodeURIComponent(text(order.id) ?? '')}/refunds`);

  return {
    platform: 'woocommerce',
    credentialFields: ['consumerKey', 'consumerSecret', 'webhookSecret'],
    defaultBaseUrl: (shop) => `https://${shop}`,
    verifyWebhook: verify,
    isPing,
    describeWebhook: describe,
    mapEvent,
    // An order with refunds: which units they refunded is read from the API (the payload has amounts).
    needsHydration: (topic, payload) => topic.startsWith('order.') && hasRefunds(payload),

    async hydrate(connection, _topic, payload) {
      return { ...payload, [REFUNDS_READ]: await refundsOf(connection, payload) };
    },

    async pushAvailability(connection, items) {
      const outcomes: PushOutcome[] = [];
      const simple = items.filter(isSimple);
      const byProduct = new Map<string, OutboundItem[]>();
      for (const item of items.filter((i) => !isSimple(i)))
        byProduct.set(item.productId, [...(byProduct.get(item.productId) ?? []), item]);
      for (const group of chunksOf(simple, BATCH_LIMIT)) {
        const { json } = await api(connection).request('POST', 'products/batch', {
          update: group.map(stockFields),
        });
        outcomes.push(...outcomesOf(group, json));
      }
      for (const [productId, variations] of byProduct) {
        for (const group of chunksOf(variations, BATCH_LIMIT)) {
          const { json } = await api(connection).request('POST', `products/${productId}/variations/batch`, {
            update: group.map(stockFields),
          });
          outcomes.push(...outcomesOf(group, json));
        }
      }
      return outcomes;
    },

    // WooCommerce keeps one stock figure per product or variation: no locations.
    findLocation: async () => 'store',

    async listCatalogue(connection, cursor): Promise<Page<PlatformVariant>> {
      const page = Number(cursor ?? '1');
      const { json, headers } = await api(connection).request(
        'GET',
        `products?per_page=${PER_PAGE}&page=${page}&orderby=id&order=asc`,
      );
      const items: PlatformVariant[] = [];
      // Prices in the store's currency, as decimals ("19.99"); 2 digits as WooCommerce shows them.
      for (const product of list(json)) {
        if (text(product.type) === 'variable') {
          for (const variation of await variationsOf(connection, product)) {
            const variant = wooVariant(variation, 2, product);
            if (variant) items.push(variant);
          }
        } else {
          const variant = wooVariant(product, 2);
          if (variant) items.push(variant);
        }
      }
      return { items, next: nextPage(headers, page) };
    },

    async listOpenOrders(connection, cursor, digits): Promise<Page<PlatformOrder>> {
      const page = Number(cursor ?? '1');
      const { json, headers } = await api(connection).request(
        'GET',
        `orders?status=${OPEN_STATUSES}&per_page=${PER_PAGE}&page=${page}&orderby=id&order=asc`,
      );
      const items: PlatformOrder[] = [];
      for (const raw of list(json)) {
        const order = wooOrder(raw, digits);
        // Only orders with refunds cost a call: which units they refunded.
        if (hasRefunds(raw)) order.refunded = refundedUnits(raw, await refundsOf(connection, raw));
        items.push(order);
      }
      return { items, next: nextPage(headers, page) };
    },

    async readState(connection, items): Promise<PlatformSkuState[]> {
      const rows = new Map<string, Json>();
      const simple = items.filter(isSimple);
      const byProduct = new Map<string, string[]>();
      for (const item of items.filter((i) => !isSimple(i)))
        byProduct.set(item.productId, [...(byProduct.get(item.productId) ?? []), item.variantId]);
      for (const group of chunksOf(simple, PER_PAGE)) {
        const { json } = await api(connection).request(
          'GET',
          `products?include=${group.map((i) => i.variantId).join(',')}&per_page=${PER_PAGE}`,
        );
        for (const row of list(json)) rows.set(text(row.id) ?? '', row);
      }
      for (const [productId, ids] of byProduct) {
        for (const group of chunksOf(ids, PER_PAGE)) {
          const { json } = await api(connection).request(
            'GET',
            `products/${productId}/variations?include=${group.join(',')}&per_page=${PER_PAGE}`,
          );
          for (const row of list(json)) rows.set(text(row.id) ?? '', row);
        }
      }
      return items.map((item) => stateOf(item.sku, rows.get(item.variantId)));
    },

    /**
     * WooCommerce has no shipments: a private order note names the shipment's units, carrier and
     * tracking and the shipment (once: a note already carrying the shipment's id is not added
     * again), then the order becomes `completed` once Backfill's order has nothing left to ship
     * (not again when it already is). The note's id is the platform's id of the fulfilment.
     */
    async pushFulfilment(connection, fulfilment: FulfilmentRequest): Promise<{ platformId: string }> {
      const client = api(connection);
      const id = encodeURIComponent(fulfilment.platformOrderId);
      const order = (await client.request('GET', `orders/${id}`)).json as Json;
      const marker = `[backfill:${fulfilment.shipmentId}]`;
      const notes = list((await client.request('GET', `orders/${id}/notes?per_page=100`)).json);
      let noteId = text(notes.find((n) => (text(n.note) ?? '').includes(marker))?.id);
      if (!noteId) {
        const items = fulfilment.lines.map((l) => `${l.quantity} × ${l.sku}`).join(', ');
        const tracking = fulfilment.trackingNumber
          ? ` — ${fulfilment.carrier ? `${fulfilment.carrier} ` : ''}tracking ${fulfilment.trackingNumber}`
          : '';
        const { json } = await client.request('POST', `orders/${id}/notes`, {
          note: `Shipped ${items}${tracking} ${marker}`,
          customer_note: false,
        });
        noteId = text((json as Json | null)?.id);
      }
      if (fulfilment.orderFulfilled && text(order.status) !== 'completed') {
        await client.request('PUT', `orders/${id}`, { status: 'completed' });
      }
      return { platformId: noteId ?? marker };
    },
  };
}
