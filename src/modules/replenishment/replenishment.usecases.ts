/**
 * Replenishment commands: settings, per-variant rules, suppliers' automatic mode, and the run that
 * forecasts each SKU's demand (the forecast module's automatic choice on the demand counters),
 * plans it (replenishment.models) and drafts purchase orders grouped by supplier.
 */
import { and, eq, sql } from 'drizzle-orm';
import { type Executor, queryRows, type Tx } from '../../db/client.ts';
import type { Deps, StoreScope } from '../../shared/context.ts';
import { addDays, daysBetween, storeToday } from '../../shared/dates.ts';
import { invalid, notFound } from '../../shared/errors.ts';
import { forecastDemand } from '../forecast/forecast.models.ts';
import { normalQuantile } from '../forecast/forecast.numeric.ts';
import { findSupplier } from '../supply/supply.repository.ts';
import { createPurchaseOrder, transitionPurchaseOrder } from '../supply/supply.usecases.ts';
import { queuePurchaseOrderEmail } from './replenishment.email.ts';
import {
  lastOrderDate,
  latenessOf,
  meanForecast,
  planSku,
  protectionDays,
  type SkuPlan,
} from './replenishment.models.ts';
import {
  automaticSuppliers,
  type Candidate,
  demandHistory,
  firstUncoveredEta,
  handlingDaysOf,
  openDrafts,
  readCandidates,
  recentLateDays,
} from './replenishment.repository.ts';
import {
  replenishmentDrafts,
  replenishmentRules,
  replenishmentSettings,
  replenishmentSuppliers,
} from './replenishment.tables.ts';

export interface ReplenishmentSettings {
  serviceLevel: number;
  reviewDays: number;
  historyDays: number;
}

const DEFAULTS: ReplenishmentSettings = { serviceLevel: 0.95, reviewDays: 7, historyDays: 365 };

export async function getReplenishmentSettings(
  db: Executor,
  storeId: string,
): Promise<ReplenishmentSettings> {
  const [row] = await db
    .select()
    .from(replenishmentSettings)
    .where(eq(replenishmentSettings.storeId, storeId));
  return row
    ? { serviceLevel: row.serviceLevel, reviewDays: row.reviewDays, historyDays: row.historyDays }
    : DEFAULTS;
}

export async function patchReplenishmentSettings(
  tx: Executor,
  deps: Pick<Deps, 'clock'>,
  storeId: string,
  patch: Partial<ReplenishmentSettings>,
): Promise<ReplenishmentSettings> {
  const next = { ...(await getReplenishmentSettings(tx, storeId)), ...patch };
  await tx
    .insert(replenishmentSettings)
    .values({ storeId, ...next, updatedAt: deps.clock.now() })
    .onConflictDoUpdate({
      target: replenishmentSettings.storeId,
      set: { ...next, updatedAt: deps.clock.now() },
    });
  return next;
}

export interface RuleInput {
  serviceLevel?: number | null;
  min?: number | null;
  max?: number | null;
  moq?: number | null;
  packSize?: number | null;
  maxOrder?: number | null;
}

export type RuleView = { sku: string } & { [K in keyof RuleInput]-?: number | null };

export async function putReplenishmentRule(
  tx: Executor,
  deps: Pick<Deps, 'clock'>,
  storeId: string,
  sku: string,
  input: RuleInput,
): Promise<RuleView> {
  const [variant] = await queryRows<{ sku: string }>(
    tx,
    sql`SELECT sku FROM variants WHERE store_id = ${storeId} AND sku = ${sku}`,
  );
  if (!variant) throw notFound('SKU', sku);
  const min = input.min ?? null;
  const max = input.max ?? null;
  if ((min === null) !== (max === null))
    throw invalid('validation_failed', 'min and max go together: give both or neither', [
      { path: min === null ? '/min' : '/max', message: 'required with the other' },
    ]);
  if (min !== null && max !== null && max < min)
    throw invalid('validation_failed', `max (${max}) is below min (${min})`, [
      { path: '/max', message: 'at least min' },
    ]);
  const row = {
    serviceLevel: input.serviceLevel ?? null,
    minUnits: min,
    maxUnits: max,
    moq: input.moq ?? null,
    packSize: input.packSize ?? null,
    maxOrder: input.maxOrder ?? null,
    updatedAt: deps.clock.now(),
  };
  await tx
    .insert(replenishmentRules)
    .values({ storeId, sku, ...row })
    .onConflictDoUpdate({ target: [replenishmentRules.storeId, replenishmentRules.sku], set: row });
  return {
    sku,
    serviceLevel: row.serviceLevel,
    min,
    max,
    moq: row.moq,
    packSize: row.packSize,
    maxOrder: row.maxOrder,
  };
}

export async function setSupplierMode(
  tx: Executor,
  deps: Pick<Deps, 'clock'>,
  storeId: string,
  supplierId: string,
  automatic: boolean,
): Promise<{ supplierId: string; automatic: boolean }> {
  if (!(await findSupplier(tx, storeId, supplierId))) throw notFound('Supplier', supplierId);
  const now = deps.clock.now();
  await tx
    .insert(replenishmentSuppliers)
    .values({ storeId, supplierId, automatic, updatedAt: now })
    .onConflictDoUpdate({
      target: [replenishmentSuppliers.storeId, replenishmentSuppliers.supplierId],
      set: { automatic, updatedAt: now },
    });
  return { supplierId, automatic };
}

export interface PlannedLine extends SkuPlan {
  sku: string;
  lastOrderDate: string | null;
}

export interface DraftView {
  purchaseOrderId: string;
  supplierId: string;
  status: 'draft' | 'ordered';
  expectedDate: string;
  emailMessageId: string | null;
  lines: PlannedLine[];
}

export interface RunResult {
  runAt: string;
  drafts: DraftView[];
  /** Every SKU planned, ordered or not. */
  plans: PlannedLine[];
  /** Earlier drafts still unordered, replaced by this run (cancelled). */
  replacedDrafts: string[];
}

/** Daily demand of the days `start`..`end`, zeros where nothing was counted. */
function series(history: { start: string; units: Map<string, number> } | undefined, end: string): number[] {
  if (!history || history.start > end) return [];
  const days = daysBetween(history.start, end) + 1;
  return Array.from({ length: days }, (_, i) => history.units.get(addDays(history.start, i)) ?? 0);
}

/** The forecast of the next `horizon` days, and each day's error variance; the mean when history is short. */
export function forecastFor(
  y: readonly number[],
  horizon: number,
): { method: string; forecast: number[]; variances: number[] } {
  try {
    const result = forecastDemand(y, { horizon, levels: [0.8] });
    const z = normalQuantile(0.9);
    const interval = result.intervals[0]!;
    return {
      method: result.method,
      forecast: result.forecast.map((f) => Math.max(0, f)),
      variances: result.forecast.map((f, i) => ((interval.upper[i]! - f) / z) ** 2),
    };
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    return { method: 'mean', ...meanForecast(y, horizon) };
  }
}

async function planAll(
  tx: Executor,
  deps: Pick<Deps, 'clock'>,
  store: StoreScope,
): Promise<{ plans: (PlannedLine & { candidate: Candidate })[] }> {
  const settings = await getReplenishmentSettings(tx, store.id);
  const today = storeToday(store, deps.clock.now());
  const yesterday = addDays(today, -1);
  const candidates = await readCandidates(tx, store.id);
  const [late, history, handling] = await Promise.all([
    recentLateDays(tx, store.id),
    demandHistory(
      tx,
      store.id,
      candidates.map((c) => c.sku),
      addDays(today, -settings.historyDays),
      yesterday,
    ),
    handlingDaysOf(tx, store.id),
  ]);
  const plans: (PlannedLine & { candidate: Candidate })[] = [];
  for (const c of candidates) {
    const lateness = latenessOf(late.get(c.supplierId) ?? []);
    const protection = protectionDays(c.leadTimeDays, lateness);
    const { method, forecast, variances } = forecastFor(
      series(history.get(c.sku), yesterday),
      protection + settings.reviewDays,
    );
    const plan = planSku({
      ...c,
      forecast,
      variances,
      method,
      serviceLevel: c.serviceLevel ?? settings.serviceLevel,
      lateness,
      reviewDays: settings.reviewDays,
      rule: c.minUnits !== null && c.maxUnits !== null ? { min: c.minUnits, max: c.maxUnits } : null,
    });
    const uncovered = c.waiting > c.onOrder ? await firstUncoveredEta(tx, store.id, c.sku, c.onOrder) : null;
    plans.push({
      sku: c.sku,
      ...plan,
      lastOrderDate: lastOrderDate(uncovered, plan.protectionDays, handling),
      candidate: c,
    });
  }
  return { plans };
}

/**
 * One run: cancels the drafts earlier runs left unordered, plans every SKU with a supplier and
 * drafts one purchase order per supplier with the lines to order (expected after the supplier's
 * lead time). Suppliers in automatic mode get their order placed and emailed at once.
 */
export async function runReplenishment(tx: Tx, deps: Deps, store: StoreScope): Promise<RunResult> {
  const replacedDrafts = await openDrafts(tx, store.id);
  for (const id of replacedDrafts) await transitionPurchaseOrder(tx, deps, store, id, 'cancel');
  const { plans } = await planAll(tx, deps, store);
  const automatic = await automaticSuppliers(tx, store.id);
  const today = storeToday(store, deps.clock.now());
  const bySupplier = new Map<string, typeof plans>();
  for (const plan of plans.filter((p) => p.quantity > 0)) {
    bySupplier.set(plan.candidate.supplierId, [...(bySupplier.get(plan.candidate.supplierId) ?? []), plan]);
  }
  const drafts: DraftView[] = [];
  const strip = ({ candidate: _c, ...line }: PlannedLine & { candidate: Candidate }): PlannedLine => line;
  for (const [supplierId, lines] of bySupplier) {
    const supplier = lines[0]!.candidate;
    let po = await createPurchaseOrder(tx, deps, store, {
      supplierId,
      status: 'draft',
      expectedDate: addDays(today, supplier.leadTimeDays),
      lines: lines.map((l) => ({ sku: l.sku, quantity: l.quantity, unitCost: l.candidate.unitCost })),
    });
    await tx.insert(replenishmentDrafts).values({
      storeId: store.id,
      purchaseOrderId: po.id,
      supplierId,
      explanations: lines.map(strip) as unknown as Record<string, unknown>[],
      createdAt: deps.clock.now(),
    });
    let emailMessageId: string | null = null;
    if (automatic.has(supplierId)) {
      po = await transitionPurchaseOrder(tx, deps, store, po.id, 'order');
      const titles = new Map(lines.map((l) => [l.sku, l.candidate.title]));
      emailMessageId = await queuePurchaseOrderEmail(
        tx,
        deps,
        store.id,
        { email: supplier.supplierEmail, name: supplier.supplierName },
        po,
        titles,
      );
    }
    drafts.push({
      purchaseOrderId: po.id,
      supplierId,
      status: po.status === 'ordered' ? 'ordered' : 'draft',
      expectedDate: po.expectedDate,
      emailMessageId,
      lines: lines.map(strip),
    });
  }
  return { runAt: deps.clock.now().toISOString(), drafts, plans: plans.map(strip), replacedDrafts };
}

/** The explanation a run stored for a drafted purchase order, or null when no run drafted it. */
export async function draftExplanation(db: Executor, storeId: string, purchaseOrderId: string) {
  const [row] = await db
    .select()
    .from(replenishmentDrafts)
    .where(
      and(eq(replenishmentDrafts.storeId, storeId), eq(replenishmentDrafts.purchaseOrderId, purchaseOrderId)),
    );
  return row ?? null;
}
