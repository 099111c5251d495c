/**
 * The demand counters' SQL. Each write is one statement for a whole batch of changes (upserts of
 * counters from unnest'ed arrays), so a flash sale's placement batch stays one round trip.
 */
import { type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import type { StoreScope } from '../../shared/context.ts';
import type { PlacedCounts, RefusalCounts, ToleranceCounts, WaitFact } from './demand.models.ts';

const texts = (values: readonly string[]) => sql`${sql.param(values)}::text[]`;
const ints = (values: readonly number[]) => sql`${sql.param(values)}::int[]`;
const dates = (values: readonly string[]) => sql`${sql.param(values)}::date[]`;

export function addPlacedCounts(rows: readonly PlacedCounts[]): SQL | null {
  if (rows.length === 0) return null;
  const col = <K extends keyof PlacedCounts>(k: K) => rows.map((r) => r[k]);
  return sql`
    INSERT INTO demand_daily AS d (store_id, sku, day, ordered_units, ordered_lines, allocated_units,
                                   waiting_units, waiting_lines)
    SELECT * FROM unnest(${texts(col('storeId'))}, ${texts(col('sku'))}, ${dates(col('day'))},
                         ${ints(col('orderedUnits'))}, ${ints(col('orderedLines'))}, ${ints(col('allocatedUnits'))},
                         ${ints(col('waitingUnits'))}, ${ints(col('waitingLines'))})
    ON CONFLICT (store_id, sku, day) DO UPDATE SET
      ordered_units = d.ordered_units + excluded.ordered_units,
      ordered_lines = d.ordered_lines + excluded.ordered_lines,
      allocated_units = d.allocated_units + excluded.allocated_units,
      waiting_units = d.waiting_units + excluded.waiting_units,
      waiting_lines = d.waiting_lines + excluded.waiting_lines`;
}

export function insertWaitFacts(rows: readonly WaitFact[]): SQL | null {
  if (rows.length === 0) return null;
  const col = <K extends keyof WaitFact>(k: K) => rows.map((r) => r[k]);
  return sql`
    INSERT INTO demand_waits (store_id, line_id, sku, placed_on, waiting_units, promised_on, promised_latest,
                              promised_wait_days)
    SELECT * FROM unnest(${texts(col('storeId'))}, ${texts(col('lineId'))}, ${texts(col('sku'))},
                         ${dates(col('placedOn'))}, ${ints(col('waitingUnits'))}, ${dates(col('promisedOn'))},
                         ${dates(col('promisedLatest'))}, ${ints(col('promisedWaitDays'))})`;
}

export function addToleranceCounts(rows: readonly ToleranceCounts[]): SQL | null {
  if (rows.length === 0) return null;
  const col = <K extends keyof ToleranceCounts>(k: K) => rows.map((r) => r[k]);
  return sql`
    INSERT INTO demand_tolerance AS t (store_id, sku, day, promised_wait_days, waiting_lines)
    SELECT * FROM unnest(${texts(col('storeId'))}, ${texts(col('sku'))}, ${dates(col('day'))},
                         ${ints(col('promisedWaitDays'))}, ${ints(col('waitingLines'))})
    ON CONFLICT (store_id, sku, day, promised_wait_days) DO UPDATE SET
      waiting_lines = t.waiting_lines + excluded.waiting_lines`;
}

export function addRefusalCounts(rows: readonly RefusalCounts[]): SQL | null {
  if (rows.length === 0) return null;
  const col = <K extends keyof RefusalCounts>(k: K) => rows.map((r) => r[k]);
  return sql`
    INSERT INTO demand_refusals AS r (store_id, sku, day, reason, units, lines)
    SELECT * FROM unnest(${texts(col('storeId'))}, ${texts(col('sku'))}, ${dates(col('day'))},
                         ${texts(col('reason'))}, ${ints(col('units'))}, ${ints(col('lines'))})
    ON CONFLICT (store_id, sku, day, reason) DO UPDATE SET
      units = r.units + excluded.units, lines = r.lines + excluded.lines`;
}

export interface CancelledLine {
  lineId: string;
  sku: string;
  reason: string;
  units: number;
  /** Of `units`, those that were waiting. */
  waiting: number;
}

/**
 * Counts a cancellation on `day`, in one statement: the day's cancelled units, per reason the
 * units and lines (and, for lines that waited at placement and are cancelled for the first time,
 * the waits they had been promised), and those lines in the tolerance curve of their placement day.
 */
export async function countCancellations(
  tx: Executor,
  store: Pick<StoreScope, 'id'>,
  day: string,
  lines: readonly CancelledLine[],
): Promise<void> {
  if (lines.length === 0) return;
  const col = <K extends keyof CancelledLine>(k: K) => lines.map((r) => r[k]);
  const waitingIds = lines.filter((l) => l.waiting > 0).map((l) => l.lineId);
  await tx.execute(sql`
    WITH c AS (
      SELECT * FROM unnest(${texts(col('lineId'))}, ${texts(col('sku'))}, ${texts(col('reason'))},
                           ${ints(col('units'))}, ${ints(col('waiting'))}) AS c(line_id, sku, reason, units, waiting)),
    marked AS (
      UPDATE demand_waits w SET cancelled_on = ${day}::date
       WHERE w.store_id = ${store.id} AND w.line_id = ANY(${texts(waitingIds)}) AND w.cancelled_on IS NULL
      RETURNING w.line_id, w.sku, w.placed_on, w.promised_wait_days),
    tolerance AS (
      INSERT INTO demand_tolerance AS t (store_id, sku, day, promised_wait_days, cancelled_lines)
      SELECT ${store.id}, sku, placed_on, promised_wait_days, count(*)::int FROM marked
       GROUP BY sku, placed_on, promised_wait_days
      ON CONFLICT (store_id, sku, day, promised_wait_days) DO UPDATE SET
        cancelled_lines = t.cancelled_lines + excluded.cancelled_lines),
    daily AS (
      INSERT INTO demand_daily AS d (store_id, sku, day, cancelled_units, cancelled_lines, cancelled_waiting_units)
      SELECT ${store.id}, sku, ${day}::date, sum(units)::int, count(*)::int, sum(waiting)::int FROM c GROUP BY sku
      ON CONFLICT (store_id, sku, day) DO UPDATE SET
        cancelled_units = d.cancelled_units + excluded.cancelled_units,
        cancelled_lines = d.cancelled_lines + excluded.cancelled_lines,
        cancelled_waiting_units = d.cancelled_waiting_units + excluded.cancelled_waiting_units)
    INSERT INTO demand_cancellations AS x (store_id, sku, day, reason, units, lines, waiting_units, waiting_lines,
                                           promised_wait_days)
    SELECT ${store.id}, c.sku, ${day}::date, c.reason, sum(c.units)::int, count(*)::int, sum(c.waiting)::int,
           count(m.line_id)::int, COALESCE(sum(m.promised_wait_days), 0)::int
      FROM c LEFT JOIN marked m ON m.line_id = c.line_id
     GROUP BY c.sku, c.reason
    ON CONFLICT (store_id, sku, day, reason) DO UPDATE SET
      units = x.units + excluded.units, lines = x.lines + excluded.lines,
      waiting_units = x.waiting_units + excluded.waiting_units,
      waiting_lines = x.waiting_lines + excluded.waiting_lines,
      promised_wait_days = x.promised_wait_days + excluded.promised_wait_days`);
}

/**
 * Counts a shipment on `day`, in one statement: the day's shipped units, and each line that
 * waited at placement and has now shipped in full (nothing allocated or waiting is left) as an
 * outcome: its wait and how far its first promise was off.
 */
export async function countShipments(
  tx: Executor,
  store: Pick<StoreScope, 'id'>,
  day: string,
  lines: readonly { lineId: string; sku: string; units: number }[],
): Promise<void> {
  if (lines.length === 0) return;
  await tx.execute(sql`
    WITH done AS (
      UPDATE demand_waits w SET shipped_on = ${day}::date
        FROM order_lines l
       WHERE w.store_id = ${store.id} AND w.line_id = ANY(${texts(lines.map((l) => l.lineId))})
         AND w.shipped_on IS NULL
         AND l.store_id = w.store_id AND l.id = w.line_id AND l.allocated = 0 AND l.backordered = 0 AND l.shipped > 0
      RETURNING w.sku, w.placed_on, w.promised_on, w.promised_latest, l.shipped),
    outcomes AS (
      INSERT INTO demand_outcomes AS o (store_id, sku, day, wait_days, error_days, by_latest, lines, units)
      SELECT ${store.id}, sku, ${day}::date, ${day}::date - placed_on, ${day}::date - promised_on,
             ${day}::date <= promised_latest, count(*)::int, sum(shipped)::int
        FROM done GROUP BY 1, 2, 3, 4, 5, 6
      ON CONFLICT (store_id, sku, day, wait_days, error_days, by_latest) DO UPDATE SET
        lines = o.lines + excluded.lines, units = o.units + excluded.units)
    INSERT INTO demand_daily AS d (store_id, sku, day, shipped_units)
    SELECT ${store.id}, s.sku, ${day}::date, sum(s.units)::int
      FROM unnest(${texts(lines.map((l) => l.sku))}, ${ints(lines.map((l) => l.units))}) AS s(sku, units)
     GROUP BY s.sku
    ON CONFLICT (store_id, sku, day) DO UPDATE SET shipped_units = d.shipped_units + excluded.shipped_units`);
}

/** A stock-alert sign-up, counted on `day`. */
export async function countAlertSignup(
  tx: Executor,
  store: Pick<StoreScope, 'id'>,
  sku: string,
  day: string,
): Promise<void> {
  await tx.execute(sql`
    INSERT INTO demand_daily AS d (store_id, sku, day, alert_signups) VALUES (${store.id}, ${sku}, ${day}::date, 1)
    ON CONFLICT (store_id, sku, day) DO UPDATE SET alert_signups = d.alert_signups + 1`);
}
