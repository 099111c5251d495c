/**
 * Replenishment rules, pure: how much to keep in reserve, when to reorder and how much, from a
 * SKU's daily demand forecast, its supplier's lead time and measured lateness, what is on hand,
 * waiting and on order. No I/O.
 *
 * - Protection period P = lead time + the supplier's mean lateness (rounded up, never negative).
 * - Safety stock = z(service level) × √(Σ_{h=1..P} σ²_h + d̄² × σ²_late): the forecast's error
 *   variance summed over P (h-step variances of the chosen method), plus the lateness' own
 *   variability times the mean daily demand (d̄ over P).
 * - Reorder point = forecast demand over P + safety stock. Position = on hand − allocated − waiting
 *   + on order (open purchase-order units): waiting backorders are demand already owed.
 * - When position ≤ reorder point, order up to reorder point + forecast demand over the review
 *   period. Min/max rules replace both: reorder at `min`, order up to `max`.
 * - The quantity is then at least the MOQ, a whole number of packs and at most the maximum.
 */

import { addDays } from '../../shared/dates.ts';
import { normalQuantile } from '../forecast/forecast.numeric.ts';

export interface OrderConstraints {
  /** Minimum order quantity (units); null = 1. */
  moq: number | null;
  /** Units per pack: orders are whole packs; null = 1. */
  packSize: number | null;
  /** Most units one order may hold; null = no maximum. */
  maxOrder: number | null;
}

/**
 * The units to order for a need of `need` units: nothing for no need; else at least the MOQ,
 * rounded up to whole packs, and at most `maxOrder` (rounded down to whole packs when a pack fits).
 */
export function orderQuantity(need: number, c: OrderConstraints): number {
  if (need <= 0) return 0;
  const pack = Math.max(1, c.packSize ?? 1);
  let quantity = Math.max(Math.ceil(need), c.moq ?? 1);
  quantity = Math.ceil(quantity / pack) * pack;
  if (c.maxOrder !== null && quantity > c.maxOrder) {
    const packs = Math.floor(c.maxOrder / pack);
    quantity = packs > 0 ? packs * pack : c.maxOrder;
  }
  return quantity;
}

export interface Lateness {
  /** Mean days late of the supplier's recent deliveries (negative: early). */
  meanDays: number;
  /** Their standard deviation. */
  sdDays: number;
}

/** Days between ordering and the goods being on the shelf, as planned: lead time plus mean lateness. */
export const protectionDays = (leadTimeDays: number, lateness: Lateness): number =>
  leadTimeDays + Math.max(0, Math.ceil(lateness.meanDays));

/** Mean and standard deviation (population) of late days; zeros without deliveries. */
export function latenessOf(lateDays: readonly number[]): Lateness {
  if (lateDays.length === 0) return { meanDays: 0, sdDays: 0 };
  const mean = lateDays.reduce((a, b) => a + b, 0) / lateDays.length;
  const variance = lateDays.reduce((a, b) => a + (b - mean) ** 2, 0) / lateDays.length;
  return { meanDays: mean, sdDays: Math.sqrt(variance) };
}

/** z for a one-sided service level (0.95 → 1.645). */
export const serviceFactor = (serviceLevel: number): number => normalQuantile(serviceLevel);

export function safetyStock(options: {
  serviceLevel: number;
  /** Forecast error variance of each day of the protection period. */
  dailyVariances: readonly number[];
  /** Mean forecast daily demand over the protection period. */
  meanDailyDemand: number;
  latenessSdDays: number;
}): number {
  const forecastVariance = options.dailyVariances.reduce((a, v) => a + Math.max(0, v), 0);
  const latenessVariance = options.meanDailyDemand ** 2 * options.latenessSdDays ** 2;
  return Math.max(0, serviceFactor(options.serviceLevel) * Math.sqrt(forecastVariance + latenessVariance));
}

export interface MinMaxRule {
  min: number;
  max: number;
}

export interface SkuSituation {
  onHand: number;
  allocated: number;
  /** Units waiting in the SKU's queue (backorders owed). */
  waiting: number;
  /** Units on purchase orders ordered and not yet received. */
  onOrder: number;
}

export interface PlanInput extends SkuSituation, OrderConstraints {
  /** Forecast demand per day from tomorrow, at least protection + review days long. */
  forecast: readonly number[];
  /** Its error variance per day (same length). */
  variances: readonly number[];
  method: string;
  serviceLevel: number;
  leadTimeDays: number;
  lateness: Lateness;
  reviewDays: number;
  rule: MinMaxRule | null;
}

export interface SkuPlan {
  basis: 'forecast' | 'min_max';
  method: string;
  serviceLevel: number;
  leadTimeDays: number;
  protectionDays: number;
  /** Forecast demand over the protection period. */
  forecastOverLeadTime: number;
  safetyStock: number;
  reorderPoint: number;
  orderUpTo: number;
  onHand: number;
  allocated: number;
  waiting: number;
  onOrder: number;
  position: number;
  quantity: number;
}

const sum = (values: readonly number[], from: number, to: number): number => {
  let total = 0;
  for (let i = from; i < to && i < values.length; i++) total += values[i]!;
  return total;
};

const round2 = (x: number) => Math.round(x * 100) / 100;

/** What to order of one SKU now, with every figure that explains it. */
export function planSku(input: PlanInput): SkuPlan {
  const days = protectionDays(input.leadTimeDays, input.lateness);
  const position = input.onHand - input.allocated - input.waiting + input.onOrder;
  const overLead = sum(input.forecast, 0, days);
  const safety = safetyStock({
    serviceLevel: input.serviceLevel,
    dailyVariances: input.variances.slice(0, days),
    meanDailyDemand: days > 0 ? overLead / days : 0,
    latenessSdDays: input.lateness.sdDays,
  });
  const byForecast = {
    reorderPoint: overLead + safety,
    orderUpTo: overLead + safety + sum(input.forecast, days, days + input.reviewDays),
  };
  const levels = input.rule ? { reorderPoint: input.rule.min, orderUpTo: input.rule.max } : byForecast;
  const need = position <= levels.reorderPoint ? levels.orderUpTo - position : 0;
  return {
    basis: input.rule ? 'min_max' : 'forecast',
    method: input.rule ? 'min_max' : input.method,
    serviceLevel: input.serviceLevel,
    leadTimeDays: input.leadTimeDays,
    protectionDays: days,
    forecastOverLeadTime: round2(overLead),
    safetyStock: round2(safety),
    reorderPoint: round2(levels.reorderPoint),
    orderUpTo: round2(levels.orderUpTo),
    onHand: input.onHand,
    allocated: input.allocated,
    waiting: input.waiting,
    onOrder: input.onOrder,
    position,
    quantity: orderQuantity(need, input),
  };
}

/**
 * The last day an order can be placed and still keep the promises already made: the first
 * waiting line whose units no open purchase order covers was promised `firstUncoveredEta`; the
 * goods must be ordered `protectionDays + handlingDays` before it. Null when every waiting unit is
 * covered.
 */
export function lastOrderDate(
  firstUncoveredEta: string | null,
  protection: number,
  handlingDays: number,
): string | null {
  return firstUncoveredEta === null ? null : addDays(firstUncoveredEta, -(protection + handlingDays));
}

/**
 * Without enough history for the forecasting methods: the mean daily demand, with a Poisson
 * variance (the mean) per day.
 */
export function meanForecast(
  history: readonly number[],
  horizon: number,
): { forecast: number[]; variances: number[] } {
  const mean = history.length > 0 ? history.reduce((a, b) => a + b, 0) / history.length : 0;
  return { forecast: Array(horizon).fill(mean), variances: Array(horizon).fill(mean) };
}
