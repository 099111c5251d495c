import type { Executor } from '../../db/client.ts';
import { appendEvents } from '../../db/outbox.ts';
import type { StoreScope } from '../../shared/context.ts';
import { DomainError } from '../../shared/errors.ts';
import { linesChanged, type ShipmentLinePlan, type StockDeps } from './stock.hooks.ts';
import { levelKey, saveLevels } from './stock.levels.repository.ts';
import { refreshOrderStatuses, saveLineQuantities } from './stock.lines.repository.ts';
import { type LineQuantityInput, lockOrderForChange, resolveLines } from './stock.orders.ts';
import { shipmentLines, shipments } from './stock.shipments.tables.ts';
import { stockMovements } from './stock.tables.ts';

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

/**
 * Ships allocated units (all or nothing): onHand and allocated fall together, one ledger entry per
 * line. Without `lines`, every allocated unit of the order ships. The hooks' `beforeShip` may refuse
 * it (a pre-order before its release, units not paid for).
 */
export async function createShipment(
  tx: Executor,
  deps: StockDeps,
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
  for (const { line, quantity } of plan) {
    if (quantity > line.allocated) throw notAllocated(line.id, quantity, line.allocated);
  }
  const shipping: ShipmentLinePlan[] = plan.map(({ line, quantity }) => ({
    lineId: line.id,
    sku: line.sku,
    quantity,
  }));
  for (const hook of deps.stock.hooks) await hook.beforeShip?.(tx, deps, store, shipping, levels);
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
  await tx
    .insert(shipmentLines)
    .values(shipment.lines.map((l) => ({ ...l, shipmentId: shipment.id, storeId: store.id })));
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
  await linesChanged(
    tx,
    deps,
    store,
    plan.map(({ line, quantity }) => ({
      storeId: store.id,
      orderId,
      lineId: line.id,
      sku: line.sku,
      cause: 'shipped' as const,
      quantity,
      shipmentId: shipment.id,
    })),
  );
  return shipment;
}
