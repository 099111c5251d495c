import { and, eq } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import type { Deps, StoreScope } from '../../shared/context.ts';
import { DomainError, notFound } from '../../shared/errors.ts';
import { appendEvents } from '../events/events.usecases.ts';
import { levelKey, saveLevels } from '../inventory/inventory.repository.ts';
import { stockMovements } from '../inventory/inventory.tables.ts';
import { refreshOrderStatuses, saveLineQuantities } from '../orders/orders.repository.ts';
import { type LineQuantityInput, lockOrderForChange, resolveLines } from '../orders/orders.usecases.ts';
import { assertPaidToShip } from '../payments/payments.usecases.ts';
import { inputsOf, storeToday } from '../promises/promises.usecases.ts';
import { shipmentLines, shipments } from './shipments.tables.ts';

export interface ShipmentInput {
  /** Left out: every allocated unit of the order. */
  lines?: LineQuantityInput[];
  carrier?: string;
  trackingNumber?: string;
}

export interface ShipmentView {
  id: string;
  orderId: string;
  carrier: string | null;
  trackingNumber: string | null;
  lines: { lineId: string; sku: string; quantity: number }[];
  createdAt: string;
}

const notAllocated = (lineId: string, requested: number, allocated: number): DomainError =>
  new DomainError(
    'conflict',
    'not_allocated',
    `Line "${lineId}" has ${allocated} allocated units; ${requested} cannot ship`,
    { lineId, requested, allocated },
  );

const nothingAllocated = (orderId: string): DomainError =>
  new DomainError('conflict', 'not_allocated', `Order "${orderId}" has no allocated units to ship`, {
    orderId,
  });

const notReleased = (lineId: string, sku: string, releaseDate: string): DomainError =>
  new DomainError(
    'conflict',
    'not_released',
    `"${sku}" is a pre-order released on ${releaseDate}; line "${lineId}" cannot ship before then`,
    { lineId, sku, releaseDate },
  );

/**
 * Ships allocated units (all or nothing): onHand and allocated fall together, one ledger entry per
 * line. Without `lines`, every allocated unit of the order ships.
 */
export async function createShipment(
  tx: Executor,
  deps: Pick<Deps, 'clock' | 'ids'>,
  store: StoreScope,
  orderId: string,
  input: ShipmentInput,
): Promise<ShipmentView> {
  const { levels, lines } = await lockOrderForChange(tx, store, orderId);
  // No lines named: ship every allocated unit, as a cancel without lines cancels every open one.
  const plan = input.lines
    ? resolveLines(lines, input.lines)
    : lines.filter((line) => line.allocated > 0).map((line) => ({ line, quantity: line.allocated }));
  if (plan.length === 0) throw nothingAllocated(orderId);
  const now = deps.clock.now();
  const today = storeToday(store, now);
  for (const { line, quantity } of plan) {
    if (quantity > line.allocated) throw notAllocated(line.id, quantity, line.allocated);
    // Pre-orders: units may be allocated before the release but leave only from that day.
    const release = inputsOf(levels.get(levelKey(store.id, line.sku))!).releaseDate;
    if (release !== null && today < release) throw notReleased(line.id, line.sku, release);
  }
  await assertPaidToShip(
    tx,
    store.id,
    plan.map(({ line, quantity }) => ({ lineId: line.id, quantity })),
  );
  const shipment: ShipmentView = {
    id: deps.ids.next('shp'),
    orderId,
    carrier: input.carrier ?? null,
    trackingNumber: input.trackingNumber ?? null,
    lines: plan.map(({ line, quantity }) => ({ lineId: line.id, sku: line.sku, quantity })),
    createdAt: now.toISOString(),
  };
  for (const { line, quantity } of plan) {
    const level = levels.get(levelKey(store.id, line.sku))!;
    level.onHand -= quantity;
    level.allocated -= quantity;
    line.allocated -= quantity;
    line.shipped += quantity;
  }
  await tx.insert(shipments).values({
    id: shipment.id,
    storeId: store.id,
    orderId,
    carrier: shipment.carrier,
    trackingNumber: shipment.trackingNumber,
    createdAt: now,
  });
  await tx.insert(shipmentLines).values(shipment.lines.map((l) => ({ ...l, shipmentId: shipment.id })));
  await tx.insert(stockMovements).values(
    shipment.lines.map((l) => ({
      id: deps.ids.next('mov'),
      storeId: store.id,
      sku: l.sku,
      type: 'shipment' as const,
      quantity: -l.quantity,
      orderId,
      lineId: l.lineId,
      createdAt: now,
    })),
  );
  await saveLineQuantities(
    tx,
    plan.map((p) => p.line),
  );
  await saveLevels(tx, [...levels.values()], now);
  await refreshOrderStatuses(tx, store.id, [orderId], now);
  await appendEvents(tx, deps, [{ storeId: store.id, type: 'shipment.created', data: { shipment } }]);
  return shipment;
}

export async function getShipment(db: Executor, storeId: string, shipmentId: string): Promise<ShipmentView> {
  const [row] = await db
    .select()
    .from(shipments)
    .where(and(eq(shipments.storeId, storeId), eq(shipments.id, shipmentId)));
  if (!row) throw notFound('Shipment', shipmentId);
  const lines = await db
    .select({ lineId: shipmentLines.lineId, sku: shipmentLines.sku, quantity: shipmentLines.quantity })
    .from(shipmentLines)
    .where(eq(shipmentLines.shipmentId, shipmentId));
  return {
    id: row.id,
    orderId: row.orderId,
    carrier: row.carrier,
    trackingNumber: row.trackingNumber,
    lines,
    createdAt: row.createdAt.toISOString(),
  };
}
