/** What a replenishment run reads: SKUs with a supplier and their stock, supply, history and promises. */
import { sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../../db/client.ts';
import { groupBy } from '../../shared/collections.ts';

export interface Candidate {
  sku: string;
  title: string;
  supplierId: string;
  supplierName: string;
  supplierEmail: string | null;
  leadTimeDays: number;
  onHand: number;
  allocated: number;
  waiting: number;
  onOrder: number;
  unitCost: number;
  serviceLevel: number | null;
  minUnits: number | null;
  maxUnits: number | null;
  moq: number | null;
  packSize: number | null;
  maxOrder: number | null;
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** Every variant with a supplier, with its stock, open purchase-order units, last unit cost and rule. */
export async function readCandidates(db: Executor, storeId: string): Promise<Candidate[]> {
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`SELECT v.sku, v.title, v.supplier_id, s.name AS supplier_name, s.email AS supplier_email, s.lead_time_days,
               l.on_hand, l.allocated, l.backordered,
               (SELECT coalesce(sum(pl.quantity - pl.received), 0) FROM purchase_order_lines pl
                  JOIN purchase_orders po ON po.store_id = pl.store_id AND po.id = pl.purchase_order_id
                 WHERE pl.store_id = v.store_id AND pl.sku = v.sku
                   AND po.status IN ('ordered', 'partially_received')) AS on_order,
               (SELECT pl.unit_cost FROM purchase_order_lines pl
                  JOIN purchase_orders po ON po.store_id = pl.store_id AND po.id = pl.purchase_order_id
                 WHERE pl.store_id = v.store_id AND pl.sku = v.sku ORDER BY po.seq DESC LIMIT 1) AS unit_cost,
               r.service_level, r.min_units, r.max_units, r.moq, r.pack_size, r.max_order
          FROM variants v
          JOIN suppliers s ON s.store_id = v.store_id AND s.id = v.supplier_id
          JOIN inventory_levels l ON l.store_id = v.store_id AND l.sku = v.sku
          LEFT JOIN replenishment_rules r ON r.store_id = v.store_id AND r.sku = v.sku
         WHERE v.store_id = ${storeId}
         ORDER BY v.sku`,
  );
  return rows.map((r) => ({
    sku: String(r.sku),
    title: String(r.title),
    supplierId: String(r.supplier_id),
    supplierName: String(r.supplier_name),
    supplierEmail: r.supplier_email === null ? null : String(r.supplier_email),
    leadTimeDays: Number(r.lead_time_days),
    onHand: Number(r.on_hand),
    allocated: Number(r.allocated),
    waiting: Number(r.backordered),
    onOrder: Number(r.on_order),
    unitCost: num(r.unit_cost) ?? 0,
    serviceLevel: num(r.service_level),
    minUnits: num(r.min_units),
    maxUnits: num(r.max_units),
    moq: num(r.moq),
    packSize: num(r.pack_size),
    maxOrder: num(r.max_order),
  }));
}

/** Each supplier's late days over its 20 most recent deliveries. */
export async function recentLateDays(db: Executor, storeId: string): Promise<Map<string, number[]>> {
  const rows = await queryRows<{ supplier_id: string; late_days: number }>(
    db,
    sql`SELECT supplier_id, late_days FROM (
          SELECT supplier_id, late_days, row_number() OVER (PARTITION BY supplier_id ORDER BY seq DESC) AS n
            FROM receipts WHERE store_id = ${storeId}) x
         WHERE n <= 20`,
  );
  return new Map(
    [...groupBy(rows, (r) => r.supplier_id)].map(([id, list]) => [id, list.map((r) => r.late_days)]),
  );
}

/**
 * Daily demand as expressed (units ordered plus units refused) of `skus`, from `from` to `to`
 * (store days), as a series per SKU starting at its first day with demand (zeros filled in).
 */
export async function demandHistory(
  db: Executor,
  storeId: string,
  skus: readonly string[],
  from: string,
  to: string,
): Promise<Map<string, { start: string; units: Map<string, number> }>> {
  if (skus.length === 0) return new Map();
  const rows = await queryRows<{ sku: string; day: string; units: unknown }>(
    db,
    sql`SELECT sku, day::text AS day, sum(units) AS units FROM (
          SELECT sku, day, ordered_units AS units FROM demand_daily
           WHERE store_id = ${storeId} AND sku = ANY(${sql.param(skus)}::text[]) AND day BETWEEN ${from}::date AND ${to}::date
          UNION ALL
          SELECT sku, day, units FROM demand_refusals
           WHERE store_id = ${storeId} AND sku = ANY(${sql.param(skus)}::text[]) AND day BETWEEN ${from}::date AND ${to}::date) x
         GROUP BY sku, day HAVING sum(units) > 0`,
  );
  const result = new Map<string, { start: string; units: Map<string, number> }>();
  for (const row of rows) {
    const entry = result.get(row.sku) ?? { start: row.day, units: new Map<string, number>() };
    if (row.day < entry.start) entry.start = row.day;
    entry.units.set(row.day, Number(row.units));
    result.set(row.sku, entry);
  }
  return result;
}

/** The promised date of the first waiting line whose units `covered` units of supply do not reach. */
export async function firstUncoveredEta(
  db: Executor,
  storeId: string,
  sku: string,
  covered: number,
): Promise<string | null> {
  const [row] = await queryRows<{ eta: string | null }>(
    db,
    sql`SELECT eta::text AS eta FROM (
          SELECT eta, queue_ticket, sum(backordered) OVER (ORDER BY queue_ticket) AS through
            FROM order_lines WHERE store_id = ${storeId} AND sku = ${sku} AND backordered > 0) q
         WHERE through > ${covered} ORDER BY queue_ticket LIMIT 1`,
  );
  return row?.eta ?? null;
}

export async function handlingDaysOf(db: Executor, storeId: string): Promise<number> {
  const [row] = await queryRows<{ handling_days: number }>(
    db,
    sql`SELECT handling_days FROM stores WHERE id = ${storeId}`,
  );
  return Number(row?.handling_days ?? 0);
}

/** Purchase orders earlier runs drafted that are still drafts. */
export async function openDrafts(db: Executor, storeId: string): Promise<string[]> {
  const rows = await queryRows<{ id: string }>(
    db,
    sql`SELECT d.purchase_order_id AS id FROM replenishment_drafts d
          JOIN purchase_orders po ON po.store_id = d.store_id AND po.id = d.purchase_order_id
         WHERE d.store_id = ${storeId} AND po.status = 'draft' ORDER BY po.seq`,
  );
  return rows.map((r) => r.id);
}

export async function automaticSuppliers(db: Executor, storeId: string): Promise<Set<string>> {
  const rows = await queryRows<{ supplier_id: string }>(
    db,
    sql`SELECT supplier_id FROM replenishment_suppliers WHERE store_id = ${storeId} AND automatic`,
  );
  return new Set(rows.map((r) => r.supplier_id));
}
