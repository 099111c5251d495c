/**
 * The one interface every platform connector implements (Shopify, BigCommerce, WooCommerce). A
 * connector only speaks its platform's language: it verifies and reads webhooks into Backfill commands, and reads and writes the platform's API. Everything else — the
 * inbox, retries, ordering, coalescing, the commands themselves — is shared (connectors.inbox.ts,
 * connectors.outbound.ts, connectors.import.ts).
 */
import type { Customer } from '../stock/stock.orders.tables.ts';
import type { Platform, PushedState } from './connectors.tables.ts';

/** A connection as a connector needs it: where its API is, and its credentials (opened). */
export interface PlatformConnection {
  id: string;
  storeId: string;
  shop: string;
  baseUrl: string;
  locationId: string | null;
  credentials: Record<string, string>;
}

/** A webhook as received: headers (lower-case names) and the body's bytes exactly as sent. */
export interface InboundRequest {
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer;
}

/** What the inbox records of a webhook: once per (topic, resource, version). */
export interface InboundEnvelope {
  topic: string;
  resourceId: string;
  version: string;
  webhookId: string | null;
}

/** A platform order as Backfill needs it. */
export interface PlatformOrder {
  /** The platform's order id, Backfill's `externalId`. */
  id: string;
  customer: Customer;
  currency: string;
  lines: { sku: string; quantity: number; unitPrice: number }[];
  cancelled: boolean;
  /** Units refunded so far per SKU, where the listing reads them (WooCommerce's import). */
  refunded?: UnitsBySku[];
}

/** A platform variant with its ids (what outbound pushes address) and catalogue fields. */
export interface PlatformVariant {
  sku: string;
  productId: string;
  variantId: string;
  inventoryItemId: string | null;
  title: string;
  price: number;
  url: string | null;
  imageUrl: string | null;
  /** The platform's own "sell when out of stock" setting, for variants Backfill does not know yet. */
  continueSelling: boolean;
}

/** Units of an order's SKUs, for shipments and cancellations. */
export interface UnitsBySku {
  sku: string;
  quantity: number;
}

/** What an inbound event asks Backfill to do. */
export type InboundCommand =
  /** The order as the platform has it: placed if Backfill does not have it, cancelled if cancelled. */
  | { kind: 'order'; order: PlatformOrder }
  /** Ship units of a known order, once per platform shipment (`reference`). */
  | {
      kind: 'ship';
      orderId: string;
      reference: string;
      lines: UnitsBySku[];
      carrier: string | null;
      trackingNumber: string | null;
    }
  /** Cancel units of a known order, once per platform refund (`reference`). */
  | { kind: 'cancel_units'; orderId: string; reference: string; lines: UnitsBySku[] }
  /**
   * Units of a known order refunded on the platform so far, per SKU, all refunds together
   * (WooCommerce's refunds name units, not whether they had shipped): unshipped units are cancelled
   * until that many of the SKU are cancelled. A replay, or an older total arriving late, cancels
   * nothing more.
   */
  | { kind: 'refunded_units'; orderId: string; lines: UnitsBySku[] }
  /**
   * The platform marked the whole order done (WooCommerce's `completed`): every unit Backfill has
   * not shipped or cancelled ships now (nothing when none is left, so a repeat or an echo of
   * Backfill's own fulfilment changes nothing).
   */
  | { kind: 'complete'; orderId: string; carrier: string | null; trackingNumber: string | null }
  | { kind: 'catalogue'; variants: PlatformVariant[] }
  /** The platform's stock of an item changed there: Backfill's state is sent again (it is the record). */
  | { kind: 'resync'; inventoryItemId: string }
  | { kind: 'privacy_export'; email: string | null; phone: string | null; orderIds: string[] }
  | { kind: 'privacy_redact'; email: string | null; phone: string | null; orderIds: string[] }
  | { kind: 'privacy_redact_shop' }
  | { kind: 'ignore'; reason: string };

/** One SKU's wanted state on the platform, with the ids that address it. */
export interface OutboundItem {
  sku: string;
  productId: string;
  variantId: string;
  inventoryItemId: string | null;
  state: PushedState;
}

/** A push's outcome per SKU: done, or an error the pusher records (and retries later). */
export type PushOutcome = { sku: string; ok: true } | { sku: string; ok: false; error: string };

/** What the platform shows for a SKU, for reconciliation. */
export interface PlatformSkuState {
  sku: string;
  policy: 'CONTINUE' | 'DENY' | null;
  quantity: number | null;
  expectedDate: string | null;
  /** Units the platform lets wait beyond the stock, for platforms that show it (BigCommerce). */
  backorderLimit?: number | null;
}

/** A page of a listing; `next` resumes it (null: the last page). */
export interface Page<T> {
  items: T[];
  next: string | null;
}

/**
 * The platform says to wait (HTTP 429 with Retry-After, or a spent query-cost budget) for longer
 * than a worker should sleep: the work is rescheduled `retryAfterMs` later.
 */
export class RetryLater extends Error {
  constructor(
    readonly retryAfterMs: number,
    message: string,
  ) {
    super(message);
    this.name = 'RetryLater';
  }
}

/** A Backfill shipment to create on the platform (the fulfilment push). */
export interface FulfilmentRequest {
  /** Backfill's shipment id: the connector finds a fulfilment it already made for it before making one. */
  shipmentId: string;
  /** The platform's order id (Backfill's `externalId`). */
  platformOrderId: string;
  lines: UnitsBySku[];
  carrier: string | null;
  trackingNumber: string | null;
  /** Every unit of Backfill's order has now shipped or been cancelled (WooCommerce completes the order). */
  orderFulfilled: boolean;
}

/** Which fields of a SKU's state the platform shows (a change to another one calls nothing). */
export type StateField = 'policy' | 'quantity' | 'expectedDate' | 'backorderRemaining';

export interface PlatformConnector {
  platform: Platform;
  /** Credential fields a connection must give (e.g. Shopify: accessToken, clientSecret). */
  credentialFields: readonly string[];
  /** The API origin for a shop domain when the merchant names none. */
  defaultBaseUrl(shop: string): string;
  /** Checks the webhook's signature over the raw body (constant time). False: 401, nothing stored. */
  verifyWebhook(request: InboundRequest, credentials: Record<string, string>): boolean;
  /** A delivery that carries no event but must be answered 200 (WooCommerce's unsigned ping). */
  isPing?(request: InboundRequest): boolean;
  /** Names the webhook's event for the inbox (null: a topic Backfill does not handle). */
  describeWebhook(
    headers: InboundRequest['headers'],
    payload: Record<string, unknown>,
  ): InboundEnvelope | null;
  /**
   * For webhooks that only name a resource (BigCommerce's), or leave out part of it (WooCommerce's
   * refunds): reads what the event is about from the API, before `mapEvent` (outside the event's
   * transaction). Absent: the payload is whole.
   */
  hydrate?(
    connection: PlatformConnection,
    topic: string,
    payload: Record<string, unknown>,
  ): Promise<Record<string, unknown>>;
  /** Which events `hydrate` must read first (absent: every event, when there is a `hydrate`). */
  needsHydration?(topic: string, payload: Record<string, unknown>): boolean;
  /** The state fields this platform shows (default: policy, quantity, expectedDate). */
  stateFields?: readonly StateField[];
  /** Maps a stored event to the commands Backfill applies, in order. */
  mapEvent(topic: string, payload: Record<string, unknown>, currencyDigits: number): InboundCommand[];
  /** Sets the platform's availability of each item (policy, quantity, expected date); idempotent. */
  pushAvailability(connection: PlatformConnection, items: readonly OutboundItem[]): Promise<PushOutcome[]>;
  /** The platform location whose quantities Backfill sets (its primary one). */
  findLocation(connection: PlatformConnection): Promise<string | null>;
  /** The catalogue, a page at a time, for the initial import. */
  listCatalogue(connection: PlatformConnection, cursor: string | null): Promise<Page<PlatformVariant>>;
  /** Open (unfulfilled, not cancelled) orders, a page at a time, for the initial import. */
  listOpenOrders(
    connection: PlatformConnection,
    cursor: string | null,
    currencyDigits: number,
  ): Promise<Page<PlatformOrder>>;
  /** What the platform shows now for these items, for reconciliation. */
  readState(
    connection: PlatformConnection,
    items: readonly Omit<OutboundItem, 'state'>[],
  ): Promise<PlatformSkuState[]>;
  /**
   * Creates a Backfill shipment on the platform as its fulfilment / shipment of the order's units;
   * idempotent per `shipmentId` (a repeat after a crash finds the first one). Returns the platform's
   * id; throws `RetryLater` to wait, any other error to be retried later and reported.
   */
  pushFulfilment(
    connection: PlatformConnection,
    fulfilment: FulfilmentRequest,
  ): Promise<{ platformId: string }>;
}

/** Whether an event must be read from the platform's API before it is mapped (`hydrate`). */
export const mustHydrate = (
  connector: Pick<PlatformConnector, 'hydrate' | 'needsHydration'>,
  topic: string,
  payload: Record<string, unknown>,
): boolean => connector.hydrate !== undefined && (connector.needsHydration?.(topic, payload) ?? true);
