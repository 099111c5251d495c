import type { Executor } from '../../db/client.ts';
import { appendEvents } from '../../db/outbox.ts';
import type { Deps, StoreScope } from '../../shared/context.ts';
import { storeToday } from '../../shared/dates.ts';
import { DomainError } from '../../shared/errors.ts';
import { assertPaidToShip } from '../payments/payments.usecases.ts';
import { inputsOf } from '../promises/promises.usecases.ts';
import { levelKey, saveLevels } from './stock.levels.repository.ts';
import { refreshOrderStatuses, saveLineQuantities } from './stock.lines.repository.ts';
import { type LineQuantityInput, lockOrderForChange, resolveLines } from './stock.orders.ts';
import { shipmentLines, shipments } from './stock.shipments.tables.ts';
import { stockMovements } from './stock.tables.ts';

export interface ShipmentInput {
  lines: LineQuantityInput[];
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

const notReleased = (lineId: string, sku: string, releaseDate: string): DomainError =>
  new DomainError(
    'conflict',
    'not_released',
    `"${sku}" is a pre-order released on ${releaseDate}; line "${lineId}" cannot ship before then`,
    { lineId, sku, releaseDate },
  );

/** Ships allocated units (all or nothing): onHand and allocated fall together, one ledger entry per line. */
export async function createShipment(
  tx: Executor,
  deps: Pick<Deps, 'clock' | 'ids'>,
  store: StoreScope,
  orderId: string,
  input: ShipmentInput,
): Promise<ShipmentView> {
  const { levels, lines } = await lockOrderForChange(tx, store, orderId);
  const plan = resolveLines(lines, input.lines);
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
