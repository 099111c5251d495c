import { and, eq } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { notFound } from '../../shared/errors.ts';
import type { ShipmentView } from '../stock/stock.ship.ts';
import { shipmentLines, shipments } from '../stock/stock.shipments.tables.ts';

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
