/**
 * The insight reports' SQL. Demand, service and tolerance read the daily counters of the demand
 * module (never the orders), so a store with a million orders answers from a few thousand rows.
 */
import { type SQL, sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../../db/client.ts';
import { type Counted, cutByMonth, type Grain, type Period } from './analytics.models.ts';

/** Which SKUs a report covers: one SKU, a product's, or every SKU with an attribute value. */
export type SkuFilter =
  | { kind: 'all' }
  | { kind: 'sku'; sku: string }
  | { kind: 'product'; productId: string }
  | { kind: 'attribute'; name: string; value: string };

/** Rows of a report split by SKU, product or an attribute's values. */
export type Split =
  | { kind: 'none' }
  | { kind: 'sku' }
  | { kind: 'product' }
  | { kind: 'attribute'; name: string };

/**
 * The SKUs a filter names (null: every SKU), read from the variants first, so the counters are then
 * read by their primary key (store, SKU, day) for just those SKUs, whatever the engine's planner.
 */
async function skusOf(db: Executor, storeId: string, filter: SkuFilter): Promise<string[] | null> {
  if (filter.kind === 'all') return null;
  if (filter.kind === 'sku') return [filter.sku];
  const condition =
    filter.kind === 'product'
      ? sql`product_id = ${filter.productId}`
      : sql`attributes ->> ${filter.name} = ${filter.value}`;
  const rows = await queryRows<{ sku: string }>(
    db,
    sql`SELECT sku FROM variants WHERE store_id = ${storeId} AND ${condition} ORDER BY sku`,
  );
  return rows.map((r) => r.sku);
}

/** A condition on `column` (a SKU): one of `skus`, or any when null. */
const skuCondition = (skus: readonly string[] | null, column: SQL): SQL =>
  skus === null ? sql`TRUE` : sql`${column} = ANY(${sql.param(skus)}::text[])`;

const periodOf = (grain: Grain, column: SQL): SQL =>
  grain === 'day' ? sql`${column}` : sql`date_trunc(${grain}, ${column}::timestamp)::date`;

/** Each SKU's key under a product or attribute split (SKUs without one are left out of the map). */
async function splitKeys(db: Executor, storeId: string, split: Split, skus: readonly string[] | null) {
  if (split.kind !== 'product' && split.kind !== 'attribute') return null;
  const key = split.kind === 'product' ? sql`product_id` : sql`attributes ->> ${split.name}`;
  const rows = await queryRows<{ sku: string; key: string | null }>(
    db,
    sql`SELECT sku, ${key} AS key FROM variants WHERE store_id = ${storeId} AND ${skuCondition(skus, sql`sku`)}`,
  );
  return rows;
}

const n = (value: unknown): number => Number(value ?? 0);

export interface DemandRow {
  period: string;
  key: string | null;
  demandUnits: number;
  orderedUnits: number;
  orderedLines: number;
  allocatedUnits: number;
  waitingUnits: number;
  refusedUnits: number;
  alertSignups: number;
  cancelledUnits: number;
  shippedUnits: number;
}

export async function demandByPeriod(
  db: Executor,
  storeId: string,
  options: { period: Period; filter: SkuFilter; grain: Grain; split: Split },
): Promise<DemandRow[]> {
  const { period, filter, grain, split } = options;
  const skus = await skusOf(db, storeId, filter);
  const keys = await splitKeys(db, storeId, split, skus);
  const where = (table: string) =>
    sql`${sql.raw(table)}.store_id = ${storeId} AND ${sql.raw(table)}.day BETWEEN ${period.from}::date AND ${period.to}::date
        AND ${skuCondition(skus, sql.raw(`${table}.sku`))}`;
  const key = keys !== null ? sql`k.key` : split.kind === 'sku' ? sql`x.sku` : sql`NULL::text`;
  const keyJoin =
    keys === null
      ? sql``
      : sql`LEFT JOIN unnest(${sql.param(keys.map((k) => k.sku))}::text[], ${sql.param(keys.map((k) => k.key))}::text[])
              AS k(sku, key) ON k.sku = x.sku`;
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`SELECT ${periodOf(grain, sql`x.day`)}::text AS period, ${key} AS key,
               sum(x.ordered_units) AS ordered_units, sum(x.ordered_lines) AS ordered_lines,
               sum(x.allocated_units) AS allocated_units, sum(x.waiting_units) AS waiting_units,
               sum(x.refused_units) AS refused_units, sum(x.alert_signups) AS alert_signups,
               sum(x.cancelled_units) AS cancelled_units, sum(x.shipped_units) AS shipped_units
          FROM (SELECT d.sku, d.day, d.ordered_units, d.ordered_lines, d.allocated_units, d.waiting_units,
                       0 AS refused_units, d.alert_signups, d.cancelled_units, d.shipped_units
                  FROM demand_daily d WHERE ${where('d')}
                UNION ALL
                SELECT r.sku, r.day, 0, 0, 0, 0, r.units, 0, 0, 0 FROM demand_refusals r WHERE ${where('r')}) x
          ${keyJoin}
         GROUP BY 1, 2 ORDER BY 1, 2 NULLS LAST`,
  );
  return rows.map((r) => ({
    period: String(r.period),
    key: r.key === null || r.key === undefined ? null : String(r.key),
    demandUnits: n(r.ordered_units) + n(r.refused_units),
    orderedUnits: n(r.ordered_units),
    orderedLines: n(r.ordered_lines),
    allocatedUnits: n(r.allocated_units),
    waitingUnits: n(r.waiting_units),
    refusedUnits: n(r.refused_units),
    alertSignups: n(r.alert_signups),
    cancelledUnits: n(r.cancelled_units),
    shippedUnits: n(r.shipped_units),
  }));
}

export interface ServiceCounts {
  orderedUnits: number;
  allocatedUnits: number;
  waitingUnits: number;
  refusedUnits: number;
  /** Lines that waited at placement and shipped in full in the period, by their wait in days. */
  waits: Counted[];
  /** The same lines by promise error in days (ship day − first eta). */
  errors: Counted[];
  /** Of those lines, shipped by their first etaLatest. */
  byLatest: number;
}

export async function serviceCounts(
  db: Executor,
  storeId: string,
  options: { period: Period; filter: SkuFilter },
): Promise<ServiceCounts> {
  const { period, filter } = options;
  const skus = await skusOf(db, storeId, filter);
  // Whole months from the monthly totals (migration 0021), the days at the ends from the daily rows.
  const cut = cutByMonth(period);
  const where = (alias: string, column: 'day' | 'month', ranges: readonly Period[]) => {
    const col = sql.raw(`${alias}.${column}`);
    const within = sql.join(
      ranges.map((r) => sql`${col} BETWEEN ${r.from}::date AND ${r.to}::date`),
      sql` OR `,
    );
    return sql`${sql.raw(alias)}.store_id = ${storeId} AND (${within})
               AND ${skuCondition(skus, sql.raw(`${alias}.sku`))}`;
  };
  /** Rows of a daily table over the period: its end days, and its months' totals when it has any. */
  const union = (columns: string, daily: string, monthly: string) => {
    const parts: SQL[] = [];
    if (cut.days.length > 0)
      parts.push(
        sql`SELECT ${sql.raw(columns)} FROM ${sql.raw(daily)} t WHERE ${where('t', 'day', cut.days)}`,
      );
    if (cut.months)
      parts.push(
        sql`SELECT ${sql.raw(columns)} FROM ${sql.raw(monthly)} t WHERE ${where('t', 'month', [cut.months])}`,
      );
    return sql.join(parts, sql` UNION ALL `);
  };
  const [units, refused, outcomes] = await Promise.all([
    queryRows<Record<string, unknown>>(
      db,
      sql`SELECT sum(ordered_units) AS ordered, sum(allocated_units) AS allocated, sum(waiting_units) AS waiting
            FROM (${union('ordered_units, allocated_units, waiting_units', 'demand_daily', 'demand_monthly')}) x`,
    ),
    queryRows<Record<string, unknown>>(
      db,
      sql`SELECT sum(units) AS units FROM (${union('units', 'demand_refusals', 'demand_refusals_monthly')}) x`,
    ),
    queryRows<{ wait_days: number; error_days: number; by_latest: boolean; lines: unknown }>(
      db,
      sql`SELECT wait_days, error_days, by_latest, sum(lines) AS lines
            FROM (${union('wait_days, error_days, by_latest, lines', 'demand_outcomes', 'demand_outcomes_monthly')}) x
           GROUP BY 1, 2, 3`,
    ),
  ]);
  const waits = new Map<number, number>();
  const errors = new Map<number, number>();
  let byLatest = 0;
  for (const row of outcomes) {
    const lines = n(row.lines);
    waits.set(row.wait_days, (waits.get(row.wait_days) ?? 0) + lines);
    errors.set(row.error_days, (errors.get(row.error_days) ?? 0) + lines);
    if (row.by_latest) byLatest += lines;
  }
  const counted = (map: Map<number, number>) =>
    [...map].map(([value, count]) => ({ value, count })).sort((a, b) => a.value - b.value);
  return {
    orderedUnits: n(units[0]?.ordered),
    allocatedUnits: n(units[0]?.allocated),
    waitingUnits: n(units[0]?.waiting),
    refusedUnits: n(refused[0]?.units),
    waits: counted(waits),
    errors: counted(errors),
    byLatest,
  };
}

export interface ToleranceRow {
  product: string;
  promisedWaitDays: number;
  waitingLines: number;
  cancelledLines: number;
}

/** Waiting lines and their cancellations by product (the SKU when it names none) and promised wait. */
export async function toleranceCounts(
  db: Executor,
  storeId: string,
  options: { period: Period; filter: SkuFilter },
): Promise<ToleranceRow[]> {
  const { period, filter } = options;
  const skus = await skusOf(db, storeId, filter);
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`SELECT coalesce(v.product_id, t.sku) AS product, t.promised_wait_days,
               sum(t.waiting_lines) AS waiting, sum(t.cancelled_lines) AS cancelled
          FROM demand_tolerance t LEFT JOIN variants v ON v.store_id = t.store_id AND v.sku = t.sku
         WHERE t.store_id = ${storeId} AND t.day BETWEEN ${period.from}::date AND ${period.to}::date
           AND ${skuCondition(skus, sql`t.sku`)}
         GROUP BY 1, 2 ORDER BY 1, 2`,
  );
  return rows.map((r) => ({
    product: String(r.product),
    promisedWaitDays: n(r.promised_wait_days),
    waitingLines: n(r.waiting),
    cancelledLines: n(r.cancelled),
  }));
}

export interface AlertConversionRow {
  sku: string;
  signups: number;
  notified: number;
  converted: number;
}

/**
 * Per SKU: sign-ups in the period, email alerts sent in it, and those whose contact placed an
 * order for the SKU within 7 days of the alert (matched by email through the orders' email index).
 */
export async function alertConversions(
  db: Executor,
  store: { id: string; timezone: string },
  options: { period: Period; filter: SkuFilter },
): Promise<AlertConversionRow[]> {
  const { period, filter } = options;
  const skus = await skusOf(db, store.id, filter);
  const start = sql`(${period.from}::date::timestamp AT TIME ZONE ${store.timezone})`;
  const end = sql`((${period.to}::date + 1)::timestamp AT TIME ZONE ${store.timezone})`;
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`WITH signups AS (
          SELECT d.sku, sum(d.alert_signups) AS signups FROM demand_daily d
           WHERE d.store_id = ${store.id} AND d.day BETWEEN ${period.from}::date AND ${period.to}::date
             AND d.alert_signups > 0 AND ${skuCondition(skus, sql`d.sku`)}
           GROUP BY d.sku),
        sent AS (
          SELECT a.sku, count(*) AS notified,
                 count(*) FILTER (WHERE EXISTS (
                   SELECT 1 FROM orders o JOIN order_lines l ON l.order_id = o.id AND l.store_id = o.store_id
                    WHERE o.store_id = a.store_id AND lower(o.customer ->> 'email') = lower(a.contact)
                      AND o.created_at >= a.notified_at AND o.created_at < a.notified_at + interval '7 days'
                      AND l.sku = a.sku)) AS converted
            FROM stock_alerts a
           WHERE a.store_id = ${store.id} AND a.state = 'notified' AND a.channel = 'email'
             AND a.notified_at >= ${start} AND a.notified_at < ${end}
             AND ${skuCondition(skus, sql`a.sku`)}
           GROUP BY a.sku)
        SELECT coalesce(s.sku, n.sku) AS sku, coalesce(s.signups, 0) AS signups,
               coalesce(n.notified, 0) AS notified, coalesce(n.converted, 0) AS converted
          FROM signups s FULL JOIN sent n ON n.sku = s.sku
         ORDER BY 1`,
  );
  return rows.map((r) => ({
    sku: String(r.sku),
    signups: n(r.signups),
    notified: n(r.notified),
    converted: n(r.converted),
  }));
}

export interface LatenessRow {
  supplierId: string;
  supplierName: string;
  period: string;
  lateDays: number;
  receipts: number;
}

/** Receipts per supplier and period by how late they came (days past the date in force). */
export async function supplierLateness(
  db: Executor,
  storeId: string,
  options: { period: Period; grain: Grain; supplierId?: string },
): Promise<LatenessRow[]> {
  const { period, grain, supplierId } = options;
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`SELECT r.supplier_id, s.name, ${periodOf(grain, sql`r.received_on`)}::text AS period, r.late_days,
               count(*) AS receipts
          FROM receipts r JOIN suppliers s ON s.store_id = r.store_id AND s.id = r.supplier_id
         WHERE r.store_id = ${storeId} AND r.received_on BETWEEN ${period.from}::date AND ${period.to}::date
           ${supplierId === undefined ? sql`` : sql`AND r.supplier_id = ${supplierId}`}
         GROUP BY 1, 2, 3, 4 ORDER BY 2, 1, 3, 4`,
  );
  return rows.map((r) => ({
    supplierId: String(r.supplier_id),
    supplierName: String(r.name),
    period: String(r.period),
    lateDays: n(r.late_days),
    receipts: n(r.receipts),
  }));
}
