/**
 * What inbound commands do to Backfill, inside the event's transaction: each is safe to apply
 * again (an order is placed once per external id, a shipment or refund once per platform
 * reference, a refunded total only up to what is cancelled already), so a replay, a second
 * delivery or a retry after a crash changes nothing.
 */
import { and, eq, ne, sql } from 'drizzle-orm';
import { type Executor, queryRows, type Tx } from '../../db/client.ts';
import { errorOfOutcome } from '../../db/idempotency.models.ts';
import type { StoreScope } from '../../shared/context.ts';
import { DomainError } from '../../shared/errors.ts';
import { getVariant, patchVariant, putVariant } from '../catalog/catalog.usecases.ts';
import { getOrder } from '../stock/stock.orders.ts';
import { placeOrdersIn } from '../stock/stock.placement.batch.ts';
import { cancelOrder } from '../stock/stock.release.ts';
import { createShipment } from '../stock/stock.ship.ts';
import type { ConnectorDeps } from './connectors.context.ts';
import { unitsToCancelForRefunds } from './connectors.models.ts';
import type { InboundCommand, PlatformOrder, PlatformVariant, UnitsBySku } from './connectors.platform.ts';
import { exportShopper, redactShop, redactShopper } from './connectors.privacy.ts';
import { knownSkus, linkOrder, mapVariants, orderIdByExternalId } from './connectors.repository.ts';
import { connectorEvents, connectorFulfilments } from './connectors.tables.ts';

/** The event being applied, for the commands that need to know it. */
export interface EventContext {
  id: string;
  storeId: string;
  connectionId: string;
  topic: string;
  resourceId: string;
}

export type Applied =
  | { outcome: 'done'; orderId?: string; result: Record<string, unknown> }
  | { outcome: 'skipped'; result: Record<string, unknown> }
  /** The event is about an order Backfill does not have yet: it waits for that order's creation. */
  | { outcome: 'parked'; waitsFor: string };

export const waitKey = (platformOrderId: string) => `order:${platformOrderId}`;

/** Releases the events parked until this order arrived (they are processed next). */
async function releaseWaiting(tx: Executor, event: EventContext, platformOrderId: string, now: Date) {
  await tx
    .update(connectorEvents)
    .set({ state: 'pending', waitsFor: null, nextAttemptAt: now })
    .where(
      and(
        eq(connectorEvents.storeId, event.storeId),
        eq(connectorEvents.connectionId, event.connectionId),
        eq(connectorEvents.state, 'parked'),
        eq(connectorEvents.waitsFor, waitKey(platformOrderId)),
      ),
    );
}

/**
 * The platform's order as of this event: placed when Backfill lacks it, then cancelled if the
 * platform cancelled it. A cancellation that arrives before the creation carries the whole order
 * (Shopify's orders/cancelled payload is the order): it places and cancels it, and the creation
 * arriving later finds the order and changes nothing — the same end as in order.
 */
export async function applyOrder(
  tx: Tx,
  deps: ConnectorDeps,
  store: StoreScope,
  event: EventContext,
  order: PlatformOrder,
): Promise<Applied> {
  let orderId = await orderIdByExternalId(tx, store.id, order.id);
  let placed = false;
  if (orderId === null) {
    const known = await knownSkus(
      tx,
      store.id,
      order.lines.map((l) => l.sku),
    );
    const lines = order.lines.filter((l) => known.has(l.sku));
    if (lines.length === 0) {
      return { outcome: 'skipped', result: { reason: 'no line of the order is a SKU Backfill manages' } };
    }
    const [result] = await placeOrdersIn(tx, deps, [
      {
        store,
        input: {
          externalId: order.id,
          customer: order.customer,
          ...(order.currency ? { currency: order.currency } : {}),
          lines,
        },
        idempotency: null,
      },
    ]);
    const outcome = result!.outcome;
    if (!outcome.ok) throw errorOfOutcome(outcome);
    orderId = (outcome.body as { id: string }).id;
    placed = true;
  }
  let cancelled = false;
  if (order.cancelled) {
    const before = await getOrder(tx, store.id, orderId);
    if (before.status !== 'cancelled' && before.status !== 'fulfilled') {
      await cancelOrder(
        tx,
        deps,
        store,
        orderId,
        { reason: 'cancelled on the platform' },
        { refusable: false },
      );
      cancelled = true;
    }
  }
  await linkOrder(tx, store.id, event.connectionId, order.id, orderId, deps.clock.now());
  await releaseWaiting(tx, event, order.id, deps.clock.now());
  return { outcome: 'done', orderId, result: { orderId, placed, cancelled } };
}

/** Whether another event of this topic about this platform resource was already applied. */
async function alreadyApplied(tx: Executor, event: EventContext): Promise<boolean> {
  const rows = await tx
    .select({ id: connectorEvents.id })
    .from(connectorEvents)
    .where(
      and(
        eq(connectorEvents.storeId, event.storeId),
        eq(connectorEvents.connectionId, event.connectionId),
        eq(connectorEvents.topic, event.topic),
        eq(connectorEvents.resourceId, event.resourceId),
        eq(connectorEvents.state, 'done'),
        ne(connectorEvents.id, event.id),
      ),
    )
    .limit(1);
  return rows.length > 0;
}

/** Spreads units of each SKU over the order's lines of that SKU, in line order, up to `room` per line. */
function toLines(
  lines: readonly { id: string; sku: string; room: number }[],
  units: readonly UnitsBySku[],
): { lineId: string; quantity: number }[] {
  const result: { lineId: string; quantity: number }[] = [];
  for (const { sku, quantity } of units) {
    let left = quantity;
    const ofSku = lines.filter((l) => l.sku === sku);
    for (const [i, line] of ofSku.entries()) {
      const take = i === ofSku.length - 1 ? left : Math.min(left, line.room);
      if (take > 0) result.push({ lineId: line.id, quantity: take });
      left -= take;
      if (left === 0) break;
    }
  }
  return result;
}

/** Whether the platform's shipment is one Backfill created there (its fulfilment push's echo). */
async function pushedByBackfill(tx: Executor, event: EventContext, reference: string): Promise<boolean> {
  const rows = await tx
    .select({ id: connectorFulfilments.shipmentId })
    .from(connectorFulfilments)
    .where(
      and(
        eq(connectorFulfilments.storeId, event.storeId),
        eq(connectorFulfilments.connectionId, event.connectionId),
        eq(connectorFulfilments.platformId, reference),
        eq(connectorFulfilments.state, 'done'),
      ),
    )
    .limit(1);
  return rows.length > 0;
}

/** The platform made this shipment: it is not pushed back to it (the stock hook may have queued it). */
async function markFromPlatform(tx: Executor, event: EventContext, shipmentId: string, platformId: string) {
  await tx
    .update(connectorFulfilments)
    .set({ state: 'from_platform', platformId, nextAttemptAt: null })
    .where(
      and(
        eq(connectorFulfilments.storeId, event.storeId),
        eq(connectorFulfilments.connectionId, event.connectionId),
        eq(connectorFulfilments.shipmentId, shipmentId),
      ),
    );
}

async function applyToOrder(
  tx: Tx,
  deps: ConnectorDeps,
  store: StoreScope,
  event: EventContext,
  platformOrderId: string,
  action: 'ship' | 'cancel',
  units: readonly UnitsBySku[],
  extra: { carrier?: string | null; trackingNumber?: string | null; reference?: string } = {},
): Promise<Applied> {
  const reference = extra.reference ?? '';
  const orderId = await orderIdByExternalId(tx, store.id, platformOrderId);
  if (orderId === null) return { outcome: 'parked', waitsFor: waitKey(platformOrderId) };
  if (await alreadyApplied(tx, event)) return { outcome: 'skipped', result: { reason: 'already applied' } };
  if (action === 'ship' && (await pushedByBackfill(tx, event, reference))) {
    return { outcome: 'skipped', result: { reason: 'a shipment Backfill pushed to the platform' } };
  }
  const order = await getOrder(tx, store.id, orderId);
  const managed = units.filter((u) => order.lines.some((l) => l.sku === u.sku));
  if (managed.length === 0)
    return { outcome: 'skipped', result: { reason: 'no SKU of the order Backfill manages' } };
  const lines = toLines(
    order.lines.map((l) => ({
      id: l.id,
      sku: l.sku,
      room: action === 'ship' ? l.allocatedQuantity : l.allocatedQuantity + l.backorderedQuantity,
    })),
    managed,
  );
  if (action === 'ship') {
    const shipment = await createShipment(tx, deps, store, orderId, {
      lines,
      ...(extra.carrier ? { carrier: extra.carrier } : {}),
      ...(extra.trackingNumber ? { trackingNumber: extra.trackingNumber } : {}),
    });
    await markFromPlatform(tx, event, shipment.id, reference || event.resourceId);
    return { outcome: 'done', orderId, result: { orderId, shipmentId: shipment.id } };
  }
  return cancelRefunded(tx, deps, store, orderId, lines);
}

/** Units the platform refunded are cancelled: a fact recorded, which no hook may refuse. */
async function cancelRefunded(
  tx: Tx,
  deps: ConnectorDeps,
  store: StoreScope,
  orderId: string,
  lines: { lineId: string; quantity: number }[],
): Promise<Applied> {
  await cancelOrder(
    tx,
    deps,
    store,
    orderId,
    { lines, reason: 'refunded on the platform' },
    { refusable: false },
  );
  return { outcome: 'done', orderId, result: { orderId, cancelled: lines } };
}

/** Cancels unshipped units until as many are cancelled as the platform has refunded (see the rule). */
async function applyRefunded(
  tx: Tx,
  deps: ConnectorDeps,
  store: StoreScope,
  command: Extract<InboundCommand, { kind: 'refunded_units' }>,
): Promise<Applied> {
  const orderId = await orderIdByExternalId(tx, store.id, command.orderId);
  if (orderId === null) return { outcome: 'parked', waitsFor: waitKey(command.orderId) };
  const order = await getOrder(tx, store.id, orderId);
  const lines = unitsToCancelForRefunds(
    order.lines.map((l) => ({
      id: l.id,
      sku: l.sku,
      cancelled: l.cancelledQuantity,
      open: l.allocatedQuantity + l.backorderedQuantity,
    })),
    command.lines,
  );
  if (lines.length === 0) {
    return { outcome: 'skipped', result: { reason: 'the refunded units are cancelled or shipped already' } };
  }
  return cancelRefunded(tx, deps, store, orderId, lines);
}

/**
 * The platform marked the order done: every unit not yet shipped or cancelled ships (all must be
 * allocated: units still waiting make the event fail and be retried). Nothing left: nothing to do.
 */
async function applyComplete(
  tx: Tx,
  deps: ConnectorDeps,
  store: StoreScope,
  event: EventContext,
  command: Extract<InboundCommand, { kind: 'complete' }>,
): Promise<Applied> {
  const orderId = await orderIdByExternalId(tx, store.id, command.orderId);
  if (orderId === null) return { outcome: 'parked', waitsFor: waitKey(command.orderId) };
  const order = await getOrder(tx, store.id, orderId);
  const open = order.lines.filter((l) => l.allocatedQuantity + l.backorderedQuantity > 0);
  if (open.length === 0) return { outcome: 'skipped', result: { reason: 'nothing left to ship' } };
  const waiting = open.filter((l) => l.backorderedQuantity > 0);
  if (waiting.length > 0) {
    throw new DomainError(
      'conflict',
      'not_allocated',
      `The platform completed order ${command.orderId}, but ${waiting.map((l) => `${l.backorderedQuantity} × ${l.sku}`).join(', ')} still wait(s) for stock in Backfill`,
    );
  }
  const shipment = await createShipment(tx, deps, store, orderId, {
    ...(command.carrier ? { carrier: command.carrier } : {}),
    ...(command.trackingNumber ? { trackingNumber: command.trackingNumber } : {}),
  });
  await markFromPlatform(tx, event, shipment.id, event.resourceId);
  return { outcome: 'done', orderId, result: { orderId, shipmentId: shipment.id } };
}

/** Maps platform variants; creates the ones Backfill lacks, and follows title, price and image of the others. */
export async function applyCatalogue(
  tx: Tx,
  deps: ConnectorDeps,
  store: StoreScope,
  connectionId: string,
  variants: readonly PlatformVariant[],
): Promise<{ created: number; updated: number }> {
  const known = await knownSkus(
    tx,
    store.id,
    variants.map((v) => v.sku),
  );
  let created = 0;
  let updated = 0;
  for (const v of [...variants].sort((a, b) => (a.sku < b.sku ? -1 : 1))) {
    if (!known.has(v.sku)) {
      await putVariant(tx, deps, store, v.sku, {
        title: v.title.slice(0, 200),
        price: v.price,
        ...(v.imageUrl ? { imageUrl: v.imageUrl } : {}),
        backorder: { mode: v.continueSelling ? 'backorder' : 'deny', limit: null },
      });
      created++;
      continue;
    }
    const current = await getVariant(tx, store.id, v.sku);
    const patch: Record<string, string | number> = {};
    if (current.title !== v.title.slice(0, 200)) patch.title = v.title.slice(0, 200);
    if (current.price !== v.price) patch.price = v.price;
    if (v.imageUrl && current.imageUrl !== v.imageUrl) patch.imageUrl = v.imageUrl;
    if (Object.keys(patch).length > 0) {
      await patchVariant(tx, deps, store, v.sku, patch);
      updated++;
    }
  }
  await mapVariants(tx, store.id, connectionId, variants, deps.clock.now());
  return { created, updated };
}

/** Applies an event's commands in order; the first that parks or fails decides. */
export async function applyCommands(
  tx: Tx,
  deps: ConnectorDeps,
  store: StoreScope,
  event: EventContext,
  commands: readonly InboundCommand[],
): Promise<Applied> {
  let last: Applied = { outcome: 'skipped', result: { reason: 'nothing to do' } };
  for (const command of commands) {
    switch (command.kind) {
      case 'order':
        last = await applyOrder(tx, deps, store, event, command.order);
        break;
      case 'ship':
        last = await applyToOrder(tx, deps, store, event, command.orderId, 'ship', command.lines, command);
        break;
      case 'cancel_units':
        last = await applyToOrder(tx, deps, store, event, command.orderId, 'cancel', command.lines);
        break;
      case 'refunded_units':
        last = await applyRefunded(tx, deps, store, command);
        break;
      case 'complete':
        last = await applyComplete(tx, deps, store, event, command);
        break;
      case 'catalogue':
        last = {
          outcome: 'done',
          result: await applyCatalogue(tx, deps, store, event.connectionId, command.variants),
        };
        break;
      case 'resync': {
        // Backfill is the record of stock: a change made on the platform is answered with Backfill's state.
        const rows = await queryRows<{ sku: string }>(
          tx,
          sql`UPDATE connector_skus SET wanted_version = wanted_version + 1, pushed_state = NULL
               WHERE store_id = ${store.id} AND connection_id = ${event.connectionId}
                 AND inventory_item_id = ${command.inventoryItemId}
              RETURNING sku`,
        );
        last = { outcome: 'done', result: { resync: rows.map((r) => r.sku) } };
        break;
      }
      case 'privacy_export':
        last = { outcome: 'done', result: await exportShopper(tx, store.id, command) };
        break;
      case 'privacy_redact':
        last = { outcome: 'done', result: await redactShopper(tx, store.id, event.connectionId, command) };
        break;
      case 'privacy_redact_shop':
        last = { outcome: 'done', result: await redactShop(tx, store.id, event.connectionId) };
        break;
      case 'ignore':
        last = { outcome: 'skipped', result: { reason: command.reason } };
        break;
    }
    if (last.outcome === 'parked') return last;
  }
  return last;
}
