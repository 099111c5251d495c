import { type SQL, sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../../db/client.ts';
import { statementEventId } from '../../db/outbox.ts';
import { groupBy } from '../../shared/collections.ts';
import { orderNumber } from '../../shared/ids.ts';
import { QUEUE_ORDER, queueSlice } from '../stock/stock.queue.sql.ts';
import {
  type EtaSource,
  LATEST_QUANTILE,
  latenessRecord,
  type PromiseInputs,
  quantileOf,
  type Segment,
} from './promises.models.ts';

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
  const lateDaysOf = (supplierId: string) => quantileOf(lateness.get(supplierId) ?? [], LATEST_QUANTILE);
  for (const row of skuRows) {
    result.set(row.sku, {
      supply: [],
      leadTimeDays: row.lead_time_days ?? row.default_lead_time_days,
      leadLateDays: row.supplier_id ? lateDaysOf(row.supplier_id) : 0,
      leadLateness: row.supplier_id ? (lateness.get(row.supplier_id) ?? []) : [],
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
      lateDays: lateDaysOf(row.supplier_id),
      lateness: lateness.get(row.supplier_id) ?? [],
    });
  }
  return result;
}

/** Each supplier's record: the days late of its most recent receipts (see `latenessRecord`). */
async function readLateness(tx: Executor, supplierIds: readonly string[]): Promise<Map<string, number[]>> {
  const result = new Map<string, number[]>();
  if (supplierIds.length === 0) return result;
  const rows = await queryRows<{ supplier_id: string; late_days: number }>(
    tx,
    sql`SELECT s.id AS supplier_id, r.late_days
          FROM unnest(${sql.param([...supplierIds])}::text[]) AS s(id)
          CROSS JOIN LATERAL (SELECT late_days FROM receipts WHERE supplier_id = s.id
                               ORDER BY seq DESC LIMIT ${RECENT_RECEIPTS}) r`,
  );
  for (const [id, group] of groupBy(rows, (row) => row.supplier_id)) {
    result.set(id, latenessRecord(group.map((row) => row.late_days)));
  }
  return result;
}

interface ScheduleScope {
  storeId: string;
  sku: string;
  segments: readonly Segment[];
  /** Waiting lines to consider from the head, or from `after` (all when null). */
  limit: number | null;
  /** Units taken from the head first (a simulated arrival): lines they cover leave the queue. */
  offset?: number;
  /** Start past this ticket, with `units` waiting units up to it (a chunk of a long queue). */
  after?: { ticket: number; units: number } | null;
}

/**
 * The CTEs `head` (the first `limit` waiting lines from the head or past `after`, each with its
 * place and the cumulative units through it after `offset`) and `target` (those whose promise
 * under `segments` differs from the stored one, with the new promise), shared by `applySchedule`
 * and `previewSchedule`. `head` keeps each line's row address (`row_id`): `applySchedule` writes
 * the rows through it, in the order they lie in the table, instead of looking each id up.
 */
function scheduleTargets({ storeId, sku, segments, limit, offset = 0, after = null }: ScheduleScope): SQL {
  // A line's segment is the first whose end (cumulative units) reaches the line's end: with the
  // ends in increasing order (as `planSchedule` makes them), width_bucket counts the ends before it.
  const ends = segments.flatMap((s) => (s.through === null ? [] : [s.through]));
  return sql`seg AS (
          SELECT ${sql.param(ends)}::bigint[] AS ends,
                 ${sql.param(segments.map((s) => s.eta))}::date[] AS etas,
                 ${sql.param(segments.map((s) => s.etaLatest))}::date[] AS latest,
                 ${sql.param(segments.map((s) => s.source))}::text[] AS sources),
        head AS (
          SELECT * FROM (
            SELECT row_id, id, order_id, queue_ticket, eta, eta_latest, eta_source, backordered,
                   row_number() OVER (ORDER BY ${QUEUE_ORDER}) AS place,
                   sum(backordered) OVER (ORDER BY ${QUEUE_ORDER}) + ${after?.units ?? 0}::bigint - ${offset}::bigint
                     AS through
              FROM (${queueSlice({
                storeId,
                sku,
                columns: sql`ctid AS row_id, id, order_id, backordered, queue_ticket, eta, eta_latest, eta_source`,
                after: after?.ticket ?? null,
                limit,
              })}) q) w
           WHERE through > 0),
        target AS (
          SELECT h.row_id, h.id, h.order_id, h.place, h.through, h.eta AS previous,
                 seg.etas[k.i] AS eta, seg.latest[k.i] AS eta_latest, seg.sources[k.i] AS source
            FROM head h CROSS JOIN seg
            CROSS JOIN LATERAL (SELECT width_bucket(h.through - 1, seg.ends) + 1 AS i) k
           WHERE h.eta IS DISTINCT FROM seg.etas[k.i] OR h.eta_latest IS DISTINCT FROM seg.latest[k.i]
              OR h.eta_source IS DISTINCT FROM seg.sources[k.i])`;
}

export interface AppliedChunk {
  /** Lines whose promise was written. */
  changed: number;
  /** Waiting lines read (the chunk's length: fewer than `limit` when the queue's end was reached). */
  lines: number;
  /** The last ticket read, and the waiting units through it (where a next chunk starts). */
  last: { ticket: number; units: number } | null;
}

/** A re-date of more lines than this raises the transaction's `work_mem`. */
const LARGE_SCHEDULE_LINES = 20_000;

/**
 * Gives the first `limit` waiting lines of a SKU (all when null), from the head or past `after`,
 * the promise the schedule assigns to their place, writing only lines whose promise differs, and
 * appends one `backorder.eta_changed` event per line whose date moved — all in one statement, so
 * a million-line queue never travels to the application. Rows are written by their address (a
 * TID scan in table order) rather than by id, and events are numbered by place without sorting.
 * The event ids share the shape of application ids: `eventIdBase` (an id this process generated:
 * time and randomness) with its tail replaced by the line's place. Callers hold the SKU's lock,
 * so the addresses read at the start of the statement are the rows it writes.
 */
export async function applySchedule(
  tx: Executor,
  scope: ScheduleScope & { eventIdBase: string; now: Date },
): Promise<AppliedChunk> {
  // A whole long queue in one statement: its working sets (the queue's running sum, the rows to
  // write) would spill to disk at the default 4 MB; this transaction may use more.
  if (scope.limit === null || scope.limit > LARGE_SCHEDULE_LINES) {
    await tx.execute(sql`SET LOCAL work_mem = '128MB'`);
  }
  const [row] = await queryRows<{
    changed: number;
    lines: number;
    last_ticket: string | number | null;
    last_units: string | number | null;
  }>(
    tx,
    sql`WITH ${scheduleTargets(scope)},
        written AS (
          UPDATE order_lines AS l SET eta = t.eta, eta_latest = t.eta_latest, eta_source = t.source
            FROM target t
           WHERE l.ctid = t.row_id AND l.ctid = ANY(ARRAY(SELECT row_id FROM target))
          RETURNING 1),
        moved AS (
          INSERT INTO events (id, store_id, type, data, created_at)
          SELECT ${statementEventId(scope.eventIdBase, sql`t.place`)}, ${scope.storeId}::text,
                 'backorder.eta_changed',
                 jsonb_build_object('orderId', t.order_id, 'lineId', t.id, 'sku', ${scope.sku}::text,
                                    'previousEta', t.previous::text, 'eta', t.eta::text,
                                    'etaLatest', t.eta_latest::text, 'etaSource', t.source),
                 ${scope.now}::timestamptz
            FROM target t
           WHERE t.previous IS NOT NULL AND t.previous <> t.eta
          RETURNING 1)
        SELECT (SELECT count(*) FROM written)::int AS changed, c.lines, c.last_ticket, c.last_units
          FROM (SELECT count(*)::int AS lines, max(queue_ticket) AS last_ticket, max(through) AS last_units
                  FROM head) c`,
  );
  const lines = row?.lines ?? 0;
  return {
    changed: row?.changed ?? 0,
    lines,
    last:
      lines === 0 || row?.last_ticket == null
        ? null
        : { ticket: Number(row.last_ticket), units: Number(row.last_units) + (scope.offset ?? 0) },
  };
}

export interface PromiseChange {
  orderId: string;
  lineId: string;
  position: number;
  waitingQuantity: number;
  previousEta: string | null;
  eta: string;
  etaLatest: string;
  etaSource: EtaSource;
}

/**
 * What `applySchedule` would change, writing nothing: the first `show` changes (head first) and
 * how many there are. Positions are the places in the queue as it is now.
 */
export async function previewSchedule(
  db: Executor,
  scope: ScheduleScope & { show: number },
): Promise<{ changes: PromiseChange[]; changedCount: number }> {
  const rows = await queryRows<{
    order_id: string | null;
    id: string | null;
    place: number | string;
    backordered: number;
    previous: string | null;
    eta: string;
    eta_latest: string;
    source: EtaSource;
    total: number;
  }>(
    db,
    sql`WITH ${scheduleTargets(scope)}
        SELECT t.order_id, t.id, t.place, h.backordered, t.previous::text AS previous, t.eta::text AS eta,
               t.eta_latest::text AS eta_latest, t.source, c.total
          FROM (SELECT count(*)::int AS total FROM target) c
          LEFT JOIN LATERAL (SELECT * FROM target ORDER BY through LIMIT ${scope.show}) t ON true
          LEFT JOIN head h ON h.id = t.id
         ORDER BY t.through`,
  );
  return {
    changedCount: rows[0]?.total ?? 0,
    changes: rows.flatMap((r) =>
      r.id === null || r.order_id === null
        ? []
        : [
            {
              orderId: r.order_id,
              lineId: r.id,
              position: Number(r.place),
              waitingQuantity: r.backordered,
              previousEta: r.previous,
              eta: r.eta,
              etaLatest: r.eta_latest,
              etaSource: r.source,
            },
          ],
    ),
  };
}

export interface QueueSliceLine {
  orderId: string;
  lineId: string;
  position: number;
  waiting: number;
  /** Cumulative waiting units from the head through this line. */
  through: number;
}

/** Waiting lines of a SKU whose units lie in the cumulative range (`from`, `to`], in queue order. */
export async function readQueueSlice(
  db: Executor,
  storeId: string,
  sku: string,
  from: number,
  to: number,
): Promise<QueueSliceLine[]> {
  if (to <= from) return [];
  const rows = await queryRows<{
    order_id: string;
    id: string;
    place: number | string;
    backordered: number;
    through: number | string;
  }>(
    db,
    sql`SELECT * FROM (
          SELECT order_id, id, backordered,
                 row_number() OVER (ORDER BY ${QUEUE_ORDER}) AS place,
                 sum(backordered) OVER (ORDER BY ${QUEUE_ORDER}) AS through
            FROM (${queueSlice({ storeId, sku, columns: sql`order_id, id, backordered, queue_ticket`, limit: to })}) q) w
         WHERE through > ${from} AND through - backordered < ${to}
         ORDER BY place`,
  );
  return rows.map((r) => ({
    orderId: r.order_id,
    lineId: r.id,
    position: Number(r.place),
    waiting: r.backordered,
    through: Number(r.through),
  }));
}

/** Who a waiting line is for, and its promise date now: what a what-if shows beside each line. */
export interface LineWhoAndWhen {
  number: string;
  customer: { name: string | null; email: string | null };
  eta: string | null;
}

export async function linesWhoAndWhen(
  db: Executor,
  storeId: string,
  lineIds: readonly string[],
): Promise<Map<string, LineWhoAndWhen>> {
  if (lineIds.length === 0) return new Map();
  const rows = await queryRows<{
    id: string;
    order_id: string;
    external_id: string | null;
    name: string | null;
    email: string | null;
    eta: string | null;
  }>(
    db,
    sql`SELECT l.id, l.order_id, o.external_id, o.customer->>'name' AS name, o.customer->>'email' AS email,
               l.eta::text AS eta
          FROM order_lines l
          JOIN orders o ON o.store_id = l.store_id AND o.id = l.order_id
         WHERE l.store_id = ${storeId} AND l.id = ANY(${sql.param([...new Set(lineIds)])}::text[])`,
  );
  return new Map(
    rows.map((r) => [
      r.id,
      {
        number: orderNumber({ id: r.order_id, externalId: r.external_id }),
        customer: { name: r.name, email: r.email },
        eta: r.eta,
      },
    ]),
  );
}
