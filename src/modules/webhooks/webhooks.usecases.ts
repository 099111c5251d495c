import { and, asc, count, eq, gt } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import type { Deps, StoreScope } from '../../shared/context.ts';
import { decodeKeyCursor, type Page, toPage } from '../../shared/cursor.ts';
import { invalid, notFound } from '../../shared/errors.ts';
import { refuseUrlCredentials } from '../../shared/outbound.ts';
import { stores } from '../stores/stores.tables.ts';
import { newWebhookSecret } from './webhooks.signing.ts';
import { webhookEndpoints } from './webhooks.tables.ts';

type EndpointRow = typeof webhookEndpoints.$inferSelect;

export interface WebhookEndpointView {
  id: string;
  url: string;
  description: string | null;
  eventTypes: string[];
  enabled: boolean;
  /**
   * The signing secret (`whsec_…`), for verifying deliveries per the Standard Webhooks spec: shown
   * only when the endpoint is created and when its secret is rotated.
   */
  secret?: string;
  /** Enough of the secret to tell which one a receiver has (`whsec_…` and its last 4 characters). */
  secretHint: string;
  createdAt: string;
  updatedAt: string;
}

export interface EndpointInput {
  url: string;
  description?: string | null;
  eventTypes?: string[];
  enabled?: boolean;
}

/** `withSecret` only where the secret is new: at creation and rotation. */
const toView = (row: EndpointRow, withSecret = false): WebhookEndpointView => ({
  id: row.id,
  url: row.url,
  description: row.description,
  eventTypes: row.eventTypes,
  enabled: row.enabled,
  ...(withSecret ? { secret: row.secret } : {}),
  secretHint: `${row.secret.slice(0, row.secret.indexOf('_') + 1)}…${row.secret.slice(-4)}`,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

/** Webhook URLs must be absolute http(s) without credentials (they would be logged and shown). */
function checkUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid('validation_failed', `"${url}" is not an absolute URL`, [
      { path: '/url', message: 'must be an absolute http(s) URL' },
    ]);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    throw invalid('validation_failed', 'Webhook URLs must use http or https', [
      { path: '/url', message: 'must use http or https' },
    ]);
  refuseUrlCredentials(url, '/url');
}

const MAX_ENDPOINTS = 20;

export async function createEndpoint(
  tx: Executor,
  deps: Pick<Deps, 'clock' | 'ids'>,
  store: StoreScope,
  input: EndpointInput,
): Promise<WebhookEndpointView> {
  checkUrl(input.url);
  // Endpoint creations of one store take turns on its row (NO KEY UPDATE does not stand in the way
  // of orders), so two at once cannot both pass the limit.
  await tx.select({ id: stores.id }).from(stores).where(eq(stores.id, store.id)).for('no key update');
  const [{ n } = { n: 0 }] = await tx
    .select({ n: count() })
    .from(webhookEndpoints)
    .where(eq(webhookEndpoints.storeId, store.id));
  if (n >= MAX_ENDPOINTS)
    throw invalid('too_many_endpoints', `A store may have at most ${MAX_ENDPOINTS} webhook endpoints`);
  const now = deps.clock.now();
  const [row] = await tx
    .insert(webhookEndpoints)
    .values({
      id: deps.ids.next('whe'),
      storeId: store.id,
      url: input.url,
      description: input.description ?? null,
      eventTypes: [...new Set(input.eventTypes ?? [])],
      secret: newWebhookSecret(),
      enabled: input.enabled ?? true,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  return toView(row!, true);
}

async function findEndpoint(db: Executor, storeId: string, id: string, lock = false): Promise<EndpointRow> {
  const query = db
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.storeId, storeId), eq(webhookEndpoints.id, id)));
  const [row] = lock ? await query.for('update') : await query;
  if (!row) throw notFound('Webhook endpoint', id);
  return row;
}

export async function getEndpoint(db: Executor, storeId: string, id: string): Promise<WebhookEndpointView> {
  return toView(await findEndpoint(db, storeId, id));
}

export async function listEndpoints(
  db: Executor,
  storeId: string,
  query: { limit: number; cursor?: string },
): Promise<Page<WebhookEndpointView>> {
  const after = decodeKeyCursor(query.cursor);
  const rows = await db
    .select()
    .from(webhookEndpoints)
    .where(
      and(eq(webhookEndpoints.storeId, storeId), after === null ? undefined : gt(webhookEndpoints.id, after)),
    )
    .orderBy(asc(webhookEndpoints.id))
    .limit(query.limit + 1);
  return toPage(rows, query.limit, (row) => row.id, toView);
}

export async function updateEndpoint(
  tx: Executor,
  deps: Pick<Deps, 'clock'>,
  storeId: string,
  id: string,
  input: Partial<EndpointInput> & { rotateSecret?: boolean },
): Promise<WebhookEndpointView> {
  await findEndpoint(tx, storeId, id, true);
  if (input.url !== undefined) checkUrl(input.url);
  const [row] = await tx
    .update(webhookEndpoints)
    .set({
      ...(input.url !== undefined ? { url: input.url } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.eventTypes !== undefined ? { eventTypes: [...new Set(input.eventTypes)] } : {}),
      ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
      ...(input.rotateSecret ? { secret: newWebhookSecret() } : {}),
      updatedAt: deps.clock.now(),
    })
    .where(eq(webhookEndpoints.id, id))
    .returning();
  return toView(row!, input.rotateSecret === true);
}

/** Deleting an endpoint stops its pending deliveries (they are marked suppressed when due). */
export async function deleteEndpoint(tx: Executor, storeId: string, id: string): Promise<void> {
  await findEndpoint(tx, storeId, id, true);
  await tx.delete(webhookEndpoints).where(eq(webhookEndpoints.id, id));
}
