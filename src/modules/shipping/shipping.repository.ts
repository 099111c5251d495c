import { and, eq, inArray, sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../../db/client.ts';
import { MONDAY_TO_FRIDAY, type Weekday, type WorkingCalendar } from '../../shared/dates.ts';
import type { ShippingMethod } from './shipping.models.ts';
import { shippingLines } from './shipping.tables.ts';

/** Everything a delivery window needs of a store: its calendar and methods (retired ones too). */
export interface StoreShipping {
  calendar: WorkingCalendar;
  defaultMethod: string | null;
  methods: ShippingMethod[];
}

interface ShippingRow {
  working_days: Weekday[] | null;
  closed_dates: string[] | null;
  default_method: string | null;
  /** Built by the query in the model's own shape. */
  methods: ShippingMethod[];
}

/** The store's shipping in one round trip (product pages read it on every view). */
export async function loadStoreShipping(db: Executor, storeId: string): Promise<StoreShipping> {
  const [row] = await queryRows<ShippingRow>(
    db,
    sql`SELECT to_jsonb(s.working_days) AS working_days, to_jsonb(s.closed_dates) AS closed_dates, s.default_method,
               COALESCE((SELECT jsonb_agg(jsonb_build_object(
                          'code', m.code, 'name', m.name, 'transitDaysMin', m.transit_days_min,
                          'transitDaysMax', m.transit_days_max, 'cutoffMinute', m.cutoff_minute,
                          'position', m.position, 'retired', m.retired) ORDER BY m.position)
                           FROM shipping_methods m WHERE m.store_id = x.id), '[]'::jsonb) AS methods
          FROM (SELECT ${storeId}::text AS id) x
          LEFT JOIN shipping_settings s ON s.store_id = x.id`,
  );
  return {
    calendar: row?.working_days
      ? { workingDays: row.working_days, closedDates: row.closed_dates ?? [] }
      : MONDAY_TO_FRIDAY,
    defaultMethod: row?.default_method ?? null,
    methods: row?.methods ?? [],
  };
}

export type ShippingLineRow = typeof shippingLines.$inferSelect;

/** The methods lines were placed with or upgraded to (lines without a row ship by the default). */
export async function loadShippingLines(
  db: Executor,
  storeId: string,
  lineIds: readonly string[],
): Promise<Map<string, ShippingLineRow>> {
  if (lineIds.length === 0) return new Map();
  const rows = await db
    .select()
    .from(shippingLines)
    .where(and(eq(shippingLines.storeId, storeId), inArray(shippingLines.lineId, [...new Set(lineIds)])));
  return new Map(rows.map((r) => [r.lineId, r]));
}

/** Rows recording the method orders named, written in the placement's own statement. */
export function insertShippingLines(
  rows: readonly { lineId: string; storeId: string; orderId: string; method: string }[],
): ReturnType<typeof sql> | null {
  if (rows.length === 0) return null;
  const records = rows.map((r) => ({
    line_id: r.lineId,
    store_id: r.storeId,
    order_id: r.orderId,
    method: r.method,
  }));
  return sql`
    INSERT INTO shipping_lines (line_id, store_id, order_id, method, ordered_method)
    SELECT r.line_id, r.store_id, r.order_id, r.method, r.method
      FROM jsonb_to_recordset(${JSON.stringify(records)}::jsonb)
           AS r(line_id text, store_id text, order_id text, method text)`;
}

/**
 * Product pages and order placements read the store's shipping on every request: they use a copy
 * at most this old (a change shows in this process at once, in others within this time).
 */
const CACHE_MS = 2000;
const CACHE_STORES = 10_000;
const cache = new Map<string, { until: number; shipping: Promise<StoreShipping> }>();

export function cachedStoreShipping(db: Executor, storeId: string): Promise<StoreShipping> {
  const now = Date.now();
  const hit = cache.get(storeId);
  if (hit && hit.until > now) return hit.shipping;
  if (cache.size >= CACHE_STORES) cache.clear();
  const shipping = loadStoreShipping(db, storeId);
  cache.set(storeId, { until: now + CACHE_MS, shipping });
  shipping.catch(() => cache.delete(storeId));
  return shipping;
}

/**
 * Forgets the cached copy. Every change calls it in its transaction, and its route again once it
 * committed (a read in between may have cached the state before the change).
 */
export const forgetStoreShipping = (storeId: string): void => {
  cache.delete(storeId);
};
