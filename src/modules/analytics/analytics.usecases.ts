/** The insight reports: counters read by analytics.queries, turned into figures by analytics.models. */
import type { Deps, StoreScope } from '../../shared/context.ts';
import { storeToday } from '../../shared/dates.ts';
import { prepaidHeldBySku } from '../payments/payments.summary.ts';
import {
  type Grain,
  meanOf,
  type Period,
  parseBuckets,
  percentileOf,
  reportPeriod,
  share,
  toleranceCurve,
  type WaitBucket,
} from './analytics.models.ts';
import {
  alertConversions,
  type DemandRow,
  demandByPeriod,
  type SkuFilter,
  type Split,
  serviceCounts,
  supplierLateness,
  toleranceCounts,
} from './analytics.queries.ts';

type ReportDeps = Pick<Deps, 'db' | 'clock'>;

export interface PeriodQuery {
  from?: string;
  to?: string;
}

const periodFor = (deps: ReportDeps, store: StoreScope, query: PeriodQuery): Period =>
  reportPeriod(query, storeToday(store, deps.clock.now()));

export async function demandReport(
  deps: ReportDeps,
  store: StoreScope,
  query: PeriodQuery & { filter: SkuFilter; grain: Grain; split: Split },
): Promise<Period & { grain: Grain; data: DemandRow[] }> {
  const period = periodFor(deps, store, query);
  const data = await demandByPeriod(deps.db, store.id, { ...query, period });
  return { ...period, grain: query.grain, data };
}

export interface ServiceReport extends Period {
  orderedUnits: number;
  allocatedUnits: number;
  waitingUnits: number;
  refusedUnits: number;
  fillRate: number | null;
  backorderRate: number | null;
  refusalRate: number | null;
  linesShipped: number;
  averageWaitDays: number | null;
  p90WaitDays: number | null;
  onTimeFirstPromise: number | null;
  onTimeLatest: number | null;
}

export async function serviceReport(
  deps: ReportDeps,
  store: StoreScope,
  query: PeriodQuery & { filter: SkuFilter },
): Promise<ServiceReport> {
  const period = periodFor(deps, store, query);
  const c = await serviceCounts(deps.db, store.id, { period, filter: query.filter });
  const linesShipped = c.waits.reduce((sum, w) => sum + w.count, 0);
  const onTime = c.errors.filter((e) => e.value <= 0).reduce((sum, e) => sum + e.count, 0);
  return {
    ...period,
    orderedUnits: c.orderedUnits,
    allocatedUnits: c.allocatedUnits,
    waitingUnits: c.waitingUnits,
    refusedUnits: c.refusedUnits,
    fillRate: share(c.allocatedUnits, c.orderedUnits),
    backorderRate: share(c.waitingUnits, c.orderedUnits),
    refusalRate: share(c.refusedUnits, c.orderedUnits + c.refusedUnits),
    linesShipped,
    averageWaitDays: meanOf(c.waits),
    p90WaitDays: percentileOf(c.waits, 90),
    onTimeFirstPromise: share(onTime, linesShipped),
    onTimeLatest: share(c.byLatest, linesShipped),
  };
}

export async function promiseErrorReport(
  deps: ReportDeps,
  store: StoreScope,
  query: PeriodQuery & { filter: SkuFilter },
): Promise<Period & { lines: number; data: { errorDays: number; lines: number; share: number }[] }> {
  const period = periodFor(deps, store, query);
  const c = await serviceCounts(deps.db, store.id, { period, filter: query.filter });
  const lines = c.errors.reduce((sum, e) => sum + e.count, 0);
  return {
    ...period,
    lines,
    data: c.errors.map((e) => ({ errorDays: e.value, lines: e.count, share: e.count / lines })),
  };
}

export async function toleranceReport(
  deps: ReportDeps,
  store: StoreScope,
  query: PeriodQuery & { filter: SkuFilter; buckets?: string },
): Promise<Period & { data: ({ product: string } & WaitBucket)[] }> {
  const edges = parseBuckets(query.buckets);
  const period = periodFor(deps, store, query);
  const rows = await toleranceCounts(deps.db, store.id, { period, filter: query.filter });
  const products = [...new Set(rows.map((r) => r.product))];
  const data = products.flatMap((product) =>
    toleranceCurve(
      rows.filter((r) => r.product === product),
      edges,
    ).map((bucket) => ({ product, ...bucket })),
  );
  return { ...period, data };
}

export async function alertReport(
  deps: ReportDeps,
  store: StoreScope,
  query: PeriodQuery & { filter: SkuFilter },
): Promise<
  Period & {
    data: { sku: string; signups: number; notified: number; converted: number; conversion: number | null }[];
  }
> {
  const period = periodFor(deps, store, query);
  const rows = await alertConversions(deps.db, store, { period, filter: query.filter });
  return { ...period, data: rows.map((r) => ({ ...r, conversion: share(r.converted, r.notified) })) };
}

export async function prepaidReport(
  deps: ReportDeps,
  store: StoreScope,
): Promise<{ currency: string; total: number; data: { sku: string; amount: number; lines: number }[] }> {
  const data = await prepaidHeldBySku(deps.db, store.id);
  return { currency: store.currency, total: data.reduce((sum, r) => sum + r.amount, 0), data };
}

export interface LatenessPoint {
  supplierId: string;
  supplierName: string;
  period: string;
  receipts: number;
  averageLateDays: number;
  p90LateDays: number;
  onTimeShare: number;
}

export async function latenessReport(
  deps: ReportDeps,
  store: StoreScope,
  query: PeriodQuery & { grain: Grain; supplierId?: string },
): Promise<Period & { grain: Grain; data: LatenessPoint[] }> {
  const period = periodFor(deps, store, query);
  const rows = await supplierLateness(deps.db, store.id, { ...query, period });
  const groups = new Map<string, typeof rows>();
  for (const row of rows) {
    const key = `${row.supplierId} ${row.period}`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  const data = [...groups.values()].map((group) => {
    const counted = group.map((r) => ({ value: r.lateDays, count: r.receipts }));
    const receipts = group.reduce((sum, r) => sum + r.receipts, 0);
    const onTime = group.filter((r) => r.lateDays <= 0).reduce((sum, r) => sum + r.receipts, 0);
    return {
      supplierId: group[0]!.supplierId,
      supplierName: group[0]!.supplierName,
      period: group[0]!.period,
      receipts,
      averageLateDays: meanOf(counted)!,
      p90LateDays: percentileOf(counted, 90)!,
      onTimeShare: onTime / receipts,
    };
  });
  return { ...period, grain: query.grain, data };
}
