import { sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../../db/client.ts';
import { type LinePromise, measuredLateness, type PromiseInputs, type Segment } from './promises.models.ts';

interface SupplyRow {
  sku: string;
  purchase_order_id: string;
  expected_date: string;
  quantity: number;
  supplier_id: string;
}

interface SkuRow {
  sku: string;
  expected_date: string | null;
  release_date: string | null;
  supplier_id: string | null;
  lead_time_days: number | null;
  handling_days: number;
  default_lead_time_days: number;
}

const RECENT_RECEIPTS = 20;

/** Reads, for each SKU, what the promise engine needs (see `PromiseInputs`). */
export async function readPromiseInputs(
  tx: Executor,
  storeId: string,
  skus: readonly string[],
): Promise<Map<string, PromiseInputs>> {
  const result = new Map<string, PromiseInputs>();
  if (skus.length === 0) return result;
  const list = sql.param([...skus]);
  // The lead-time supplier: the variant's own, else the one of the SKU's latest purchase order.
  const skuRows = await queryRows<SkuRow>(
    tx,
    sql`SELECT v.sku, v.expected_date::text AS expected_date, v.release_date::text AS release_date,
               s.id AS supplier_id, s.lead_time_days, st.handling_days, st.default_lead_time_days
          FROM variants v
          JOIN stores st ON st.id = v.store_id
          LEFT JOIN LATERAL (
            SELECT po.supplier_id FROM purchase_order_lines pl JOIN purchase_orders po ON po.id = pl.purchase_order_id
             WHERE pl.store_id = v.store_id AND pl.sku = v.sku AND po.status <> 'cancelled'
             ORDER BY po.seq DESC LIMIT 1) latest ON true
          LEFT JOIN suppliers s ON s.store_id = v.store_id AND s.id = coalesce(v.supplier_id, latest.supplier_id)
         WHERE v.store_id = ${storeId} AND v.sku = ANY(${list}::text[])`,
  );
  const supplyRows = await queryRows<SupplyRow>(
    tx,
    sql`SELECT pl.sku, po.id AS purchase_order_id, po.expected_date::text AS expected_date,
               (pl.quantity - pl.received) AS quantity, po.supplier_id
          FROM purchase_order_lines pl JOIN purchase_orders po ON po.id = pl.purchase_order_id
         WHERE pl.store_id = ${storeId} AND pl.sku = ANY(${list}::text[])
           AND po.status IN ('ordered', 'partially_received') AND pl.quantity > pl.received`,
  );
  const supplierIds = [
    ...new Set([
      ...supplyRows.map((r) => r.supplier_id),
      ...skuRows.flatMap((r) => (r.supplier_id ? [r.supplier_id] : [])),
    ]),
  ];
  const lateness = await readLateness(tx, supplierIds);
  for (const row of skuRows) {
    result.set(row.sku, {
      supply: [],
      leadTimeDays: row.lead_time_days ?? row.default_lead_time_days,
      leadLateDays: row.supplier_id ? (lateness.get(row.supplier_id) ?? 0) : 0,
      merchantDate: row.expected_date,
      releaseDate: row.release_date,
      handlingDays: row.handling_days,
    });
  }
  for (const row of supplyRows) {
    result.get(row.sku)?.supply.push({
      purchaseOrderId: row.purchase_order_id,
      expectedDate: row.expected_date,
      quantity: row.quantity,
      lateDays: lateness.get(row.supplier_id) ?? 0,
    });
  }
  return result;
}

/** Each supplier's measured lateness over its most recent receipts. */
async function readLateness(tx: Executor, supplierIds: readonly string[]): Promise<Map<string, number>> {
  const result = new Map<string, number>();
  if (supplierIds.length === 0) return result;
  const rows = await queryRows<{ supplier_id: string; late_days: number }>(
    tx,
    sql`SELECT s.id AS supplier_id, r.late_days
          FROM unnest(${sql.param([...supplierIds])}::text[]) AS s(id)
          CROSS JOIN LATERAL (SELECT late_days FROM receipts WHERE supplier_id = s.id
                               ORDER BY seq DESC LIMIT ${RECENT_RECEIPTS}) r`,
  );
  const bySupplier = new Map<string, number[]>();
  for (const row of rows)
    bySupplier.set(row.supplier_id, [...(bySupplier.get(row.supplier_id) ?? []), row.late_days]);
  for (const [id, days] of bySupplier) result.set(id, measuredLateness(days));
  return result;
}

/**
 * Gives the first `limit` waiting lines of a SKU (all when null) the promise the schedule assigns
 * to their place, writing only lines whose promise differs, and appends one `backorder.eta_changed`
 * event per line whose date moved — all in one statement, so a million-line queue never travels to
 * the application. The event ids share the shape of application ids: `evtPrefix` (an id this
 * process generated, time and randomness) with its tail replaced by the row number.
 */
export async function applySchedule(
  tx: Executor,
  options: {
    storeId: string;
    sku: string;
    segments: readonly Segment[];
    limit: number | null;
    eventIdBase: string;
    now: Date;
  },
): Promise<number> {
  const { storeId, sku, segments, limit, eventIdBase, now } = options;
  const rows = segments.map((s, i) => ({
    idx: i,
    through: s.through,
    eta: s.eta,
    eta_latest: s.etaLatest,
    source: s.source,
  }));
  // ids are `evt_` + 26 characters: keep 20 of this process's (time + randomness), add 6 hex digits.
  const base = eventIdBase.slice(0, 'evt_'.length + 20);
  const [row] = await queryRows<{ changed: number }>(
    tx,
    sql`WITH seg AS (
          SELECT * FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
                   AS s(idx int, through bigint, eta date, eta_latest date, source text)),
        head AS (
          SELECT id, order_id, eta, eta_latest, eta_source,
                 sum(backordered) OVER (ORDER BY queue_ticket) AS through
            FROM (SELECT id, order_id, backordered, queue_ticket, eta, eta_latest, eta_source
                    FROM order_lines
                   WHERE store_id = ${storeId} AND sku = ${sku} AND backordered > 0
                   ORDER BY queue_ticket
                   ${limit === null ? sql`` : sql`LIMIT ${limit}`}) q),
        target AS (
          SELECT h.id, h.order_id, h.through, h.eta AS previous, s.eta, s.eta_latest, s.source
            FROM head h
            CROSS JOIN LATERAL (SELECT eta, eta_latest, source FROM seg
                                 WHERE seg.through IS NULL OR seg.through >= h.through
                                 ORDER BY seg.idx LIMIT 1) s
           WHERE h.eta IS DISTINCT FROM s.eta OR h.eta_latest IS DISTINCT FROM s.eta_latest
              OR h.eta_source IS DISTINCT FROM s.source),
        written AS (
          UPDATE order_lines AS l SET eta = t.eta, eta_latest = t.eta_latest, eta_source = t.source
            FROM target t WHERE l.id = t.id
          RETURNING l.id),
        moved AS (
          INSERT INTO events (id, store_id, type, data, created_at)
          SELECT ${base}::text || lpad(to_hex(row_number() OVER (ORDER BY t.through)), 6, '0'), ${storeId}::text,
                 'backorder.eta_changed',
                 jsonb_build_object('orderId', t.order_id, 'lineId', t.id, 'sku', ${sku}::text,
                                    'previousEta', t.previous::text, 'eta', t.eta::text,
                                    'etaLatest', t.eta_latest::text, 'etaSource', t.source),
                 ${now}::timestamptz
            FROM target t
           WHERE t.previous IS NOT NULL AND t.previous <> t.eta
           ORDER BY t.through
          RETURNING 1)
        SELECT (SELECT count(*) FROM written)::int AS changed`,
  );
  return row?.changed ?? 0;
}

/** Sets the promise of lines that just stopped waiting (all their units allocated). */
export async function setStockPromises(
  tx: Executor,
  lineIds: readonly string[],
  promise: LinePromise,
): Promise<void> {
  if (lineIds.length === 0) return;
  await tx.execute(sql`
    UPDATE order_lines SET eta = ${promise.eta}::date, eta_latest = ${promise.etaLatest}::date, eta_source = ${promise.source}
     WHERE id = ANY(${sql.param([...lineIds])}::text[])`);
}
