/** Schemas shared by every route module: problems, lists, identifiers. */
import { type TSchema, Type } from 'typebox';

export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String({ description: 'Stable, machine-readable error code' }),
    errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
  },
  { additionalProperties: true, description: 'RFC 9457 problem details' },
);

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed request (e.g. invalid JSON): `malformed_json`',
  401: 'Missing or invalid API key: `unauthorized`',
  403: 'The key may not use this endpoint: `forbidden`',
  404: 'No such resource in this store: `not_found`',
  409: 'The current state forbids it',
  413: 'Body over 1 MiB: `payload_too_large`',
  422: 'The request is well-formed but not acceptable: `validation_failed` and others',
  429: 'Too many requests: `rate_limited`',
  503: 'A service the request needs is not available: the payment provider did not answer (`provider_unavailable`; retry later), or the server is not ready or shutting down (`not_ready`)',
};

/** Problem responses for the listed statuses, for the OpenAPI document. */
export function problems(...statuses: number[]): Record<number, TSchema> {
  const result: Record<number, TSchema> = {};
  for (const status of statuses) {
    result[status] = {
      description: ERROR_DESCRIPTIONS[status] ?? 'Error',
      content: { 'application/problem+json': { schema: ProblemSchema } },
    } as unknown as TSchema;
  }
  return result;
}

/**
 * Every 409 code, in the merchant's words. An operation's 409 response lists the codes it can
 * answer (`conflicts(...)`), so a generated client knows each one.
 */
export const CONFLICTS = {
  insufficient_stock:
    'Orders: a line cannot be accepted — not enough available, and the variant cannot be backordered ' +
    '(mode `deny`) or its backorder limit leaves too little room (members `sku`, `available`, ' +
    '`backorderRemaining`). Adjustments: the removal would take onHand below zero (members `sku`, `onHand`, ' +
    '`requested`); below the allocated units it is a write-off, which succeeds',
  duplicate_external_id: 'An order with this `externalId` already exists (member `externalId`)',
  idempotency_key_in_use:
    'A request with this Idempotency-Key is still running; retry shortly to get its answer',
  already_shipped:
    'A line has fewer unshipped units than asked to cancel (members `lineId`, `requested`, `cancellable`)',
  balance_below_minimum:
    "Cancelling that many units would leave the line owing less than the payment provider's smallest " +
    'charge, money no charge could take: cancel the whole line or at most `largestPartial` units (members ' +
    '`lineId`, `requested`, `balance`, `minimum`, `currency`, `unshipped`, `largestPartial`)',
  not_allocated:
    'Only allocated units ship: a line holds fewer than asked (members `lineId`, `requested`, `allocated`), ' +
    'or, without lines, nothing in the order is allocated (member `orderId`)',
  not_released:
    'A pre-order line cannot ship before its release date (members `lineId`, `sku`, `releaseDate`)',
  payment_required: 'The units are not paid for yet (members `lineId`, `shortfall`, `currency`)',
  duplicate_reference: 'A purchase order with this `reference` already exists',
  purchase_order_closed:
    'The purchase order is received or cancelled and can no longer be changed (member `currentStatus`)',
  invalid_transition:
    "The purchase order's status does not allow this step (members `currentStatus`, `action`)",
  below_received:
    'Units of the line have already arrived: it cannot be cut below them or removed (members `sku`, `received`, ' +
    '`requested`)',
  over_receipt:
    'More units than the line still expects; send `allowOverReceipt: true` to receive them (members `sku`, ' +
    '`openQuantity`, `requested`)',
  overpayment: 'More money than is due now (members `due`, `currency`)',
  provider_mismatch:
    'Payments can be reported only for orders of stores that take money themselves (provider `manual`)',
  payments_not_managed: "The order was placed while Backfill did not manage the store's payments",
  provider_not_configured: 'Stripe is not configured on this server (STRIPE_SECRET_KEY)',
  secrets_key_not_configured:
    'Platform credentials cannot be stored: the server has no BACKFILL_SECRETS_KEY to encrypt them with',
  duplicate_connection: 'The store is already connected to this shop (member `connectionId`)',
  event_not_failed: 'Only a failed or parked event can be retried (member `state`)',
  message_in_flight: 'The message is queued or being sent',
  message_not_rendered: 'The message has no content to send again',
  in_stock: 'The variant is in stock: it can be ordered now',
  backorder_available: 'The variant can be backordered or pre-ordered now',
  stock_alert_notified: "The alert's message has been created: it can no longer be cancelled",
  last_full_key: "The store's last full key cannot be revoked: create another full key first",
  staff_exists: 'A staff member of this store already has this email (member `staffId`)',
  staff_active: 'The staff member has already chosen a password: there is no invitation to send again',
  channel_not_set_up: 'The store has no such channel: set one up (or the built-in outbox) first',
  last_owner: "The store's last owner cannot be removed or given another role: make someone else owner first",
  default_shipping_method:
    "The shipping method is the store's default: choose another default (or none) first (member `shippingMethod`)",
} as const;

export type ConflictCode = keyof typeof CONFLICTS;

/** The 409 response of an operation, naming every code it can answer. */
export function conflicts(...codes: ConflictCode[]): Record<number, TSchema> {
  const list = codes.map((code) => `- \`${code}\`: ${CONFLICTS[code]}`).join('\n');
  return {
    409: {
      description: `The current state forbids it; \`code\` is one of:\n${list}`,
      content: { 'application/problem+json': { schema: ProblemSchema } },
    } as unknown as TSchema,
  };
}

/** Errors any authenticated endpoint can answer with. */
export const AUTH_ERRORS = [401, 403, 429] as const;
export const WRITE_ERRORS = [400, 401, 403, 413, 422, 429] as const;

export const SKU_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._:+\\-]{0,99}$';
export const Sku = Type.String({ pattern: SKU_PATTERN, description: 'Stock keeping unit, unique per store' });

export const idOf = (prefix: string) =>
  Type.String({ pattern: `^${prefix}_[0-9a-z]{1,40}$`, description: `${prefix}_… identifier` });

export const Quantity = Type.Integer({
  minimum: 1,
  maximum: 1_000_000,
  description: 'A positive number of units',
});

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const Text = (maxLength: number, description?: string) =>
  Type.String({ minLength: 1, maxLength, ...(description ? { description } : {}) });

export const ListQuery = {
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  cursor: Type.Optional(Type.String({ maxLength: 200, pattern: '^[A-Za-z0-9_-]+$' })),
};

export const pageOf = (item: TSchema) =>
  Type.Object({ data: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({ description: 'Makes retries safe: same key + same body replays the first response' }),
  ),
});

/** A calendar date as the API writes it. */
export const DateText = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}$',
  description: 'ISO date YYYY-MM-DD',
});
