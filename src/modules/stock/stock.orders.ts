import { sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../../db/client.ts';
import type { StoreScope } from '../../shared/context.ts';
import { notFound } from '../../shared/errors.ts';
import { lockLevels, type SkuLevel } from './stock.levels.repository.ts';
import { repeatedLine, unknownLine } from './stock.lines.errors.ts';
import { findOrder, loadLines, lockOrder } from './stock.lines.repository.ts';
import { type LineRecord, type OrderView, toOrderView } from './stock.views.ts';

export async function getOrder(db: Executor, storeId: string, orderId: string): Promise<OrderView> {
  const order = await findOrder(db, storeId, orderId);
  if (!order) throw notFound('Order', orderId);
  return toOrderView(order, await loadLines(db, storeId, [orderId]));
}

export interface LineQuantityInput {
  lineId: string;
  quantity: number;
}

/**
 * Finds the order and locks, in this order, the stock rows of its SKUs and then the order row:
 * the same order every command uses (stock first), so commands on one order never deadlock.
 */
export async function lockOrderForChange(
  tx: Executor,
  store: StoreScope,
  orderId: string,
): Promise<{ levels: Map<string, SkuLevel>; lines: LineRecord[] }> {
  const existing = await findOrder(tx, store.id, orderId);
  if (!existing) throw notFound('Order', orderId);
  const skus = await queryRows<{ sku: string }>(
    tx,
    sql`SELECT DISTINCT sku FROM order_lines WHERE store_id = ${store.id} AND order_id = ${orderId}`,
  );
  const levels = await lockLevels(
    tx,
    skus.map((s) => ({ storeId: store.id, sku: s.sku })),
  );
  await lockOrder(tx, store.id, orderId);
  return { levels, lines: await loadLines(tx, store.id, [orderId]) };
}

/** Matches requested line ids to the order's lines: unknown or repeated ids are refused. */
export function resolveLines(lines: readonly LineRecord[], requested: readonly LineQuantityInput[]) {
  const byId = new Map(lines.map((l) => [l.id, l]));
  const seen = new Set<string>();
  return requested.map((r, i) => {
    const line = byId.get(r.lineId);
    if (!line) throw unknownLine(r.lineId, `/lines/${i}/lineId`);
    if (seen.has(r.lineId)) throw repeatedLine(r.lineId, `/lines/${i}/lineId`);
    seen.add(r.lineId);
    return { line, quantity: r.quantity };
  });
}
