/**
 * Methods for intermittent demand (many days without a sale):
 *
 * - Croston (1972): smooths the non-zero demand sizes z and the intervals between them p with the
 *   same α, each started at its first value (as R's `forecast::croston`); the rate is z / p.
 * - SBA (Syntetos–Boylan approximation, 2005): Croston's rate × (1 − α/2), removing its bias.
 * - TSB (Teunter–Syntetos–Babai, 2011): smooths the probability of a demand every day (β) and
 *   the size on demand days (α); the rate is probability × size, so it decays when demand stops.
 *
 * The forecast is flat (the same rate every day ahead).
 */

export type IntermittentMethod = 'croston' | 'sba' | 'tsb';

export interface IntermittentParameters {
  alpha: number;
  /** TSB's smoothing of the demand probability (unused by Croston and SBA). */
  beta: number;
  /** TSB's starting probability and size (from the fitted data; unused by Croston and SBA). */
  initialProbability: number;
  initialSize: number;
}

/** Running state: Croston's size and interval, or TSB's probability and size. */
interface State {
  size: number;
  interval: number;
  probability: number;
  /** Days since the last demand (Croston), counting the current one. */
  sinceDemand: number;
  started: boolean;
}

function start(method: IntermittentMethod, p: IntermittentParameters): State {
  return method === 'tsb'
    ? { size: p.initialSize, interval: 1, probability: p.initialProbability, sinceDemand: 0, started: true }
    : { size: 0, interval: 1, probability: 1, sinceDemand: 0, started: false };
}

/** The daily rate the state forecasts (NaN before Croston has seen a demand). */
function rate(method: IntermittentMethod, s: State, p: IntermittentParameters): number {
  if (method === 'tsb') return s.probability * s.size;
  if (!s.started) return Number.NaN;
  const croston = s.size / s.interval;
  return method === 'sba' ? croston * (1 - p.alpha / 2) : croston;
}

function update(method: IntermittentMethod, s: State, y: number, p: IntermittentParameters): void {
  if (method === 'tsb') {
    const demanded = y > 0 ? 1 : 0;
    s.probability += p.beta * (demanded - s.probability);
    if (demanded) s.size += p.alpha * (y - s.size);
    return;
  }
  s.sinceDemand++;
  if (y <= 0) return;
  if (!s.started) {
    s.size = y;
    s.interval = s.sinceDemand;
    s.started = true;
  } else {
    s.size += p.alpha * (y - s.size);
    s.interval += p.alpha * (s.sinceDemand - s.interval);
  }
  s.sinceDemand = 0;
}

/** One-step in-sample forecasts (NaN where Croston has no demand yet) and the final rate. */
export function intermittentRun(
  y: ArrayLike<number>,
  method: IntermittentMethod,
  parameters: IntermittentParameters,
): { fitted: Float64Array; rate: number } {
  const s = start(method, parameters);
  const fitted = new Float64Array(y.length);
  for (let t = 0; t < y.length; t++) {
    fitted[t] = rate(method, s, parameters);
    update(method, s, y[t]!, parameters);
  }
  return { fitted, rate: rate(method, s, parameters) };
}

/** The flat forecast's rate at each origin (an origin o uses y[0..o)), in one pass. */
export function intermittentRatesAtOrigins(
  y: ArrayLike<number>,
  method: IntermittentMethod,
  parameters: IntermittentParameters,
  origins: readonly number[],
): number[] {
  const s = start(method, parameters);
  const sorted = origins.map((o, i) => [o, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(origins.length);
  let t = 0;
  for (const [origin, index] of sorted) {
    for (; t < origin; t++) update(method, s, y[t]!, parameters);
    out[index] = rate(method, s, parameters);
  }
  return out;
}

export interface IntermittentFit {
  method: IntermittentMethod;
  parameters: IntermittentParameters;
  /** Mean squared one-step error where a forecast existed. */
  mse: number;
  n: number;
}

/** Parameters for a series: TSB's starting probability and size from the data. */
export function intermittentParameters(
  y: ArrayLike<number>,
  alpha: number,
  beta: number,
): IntermittentParameters {
  let demandDays = 0;
  let total = 0;
  for (let t = 0; t < y.length; t++) {
    if (y[t]! > 0) {
      demandDays++;
      total += y[t]!;
    }
  }
  return {
    alpha,
    beta,
    initialProbability: y.length > 0 ? demandDays / y.length : 0,
    initialSize: demandDays > 0 ? total / demandDays : 0,
  };
}

function inSampleMse(y: ArrayLike<number>, method: IntermittentMethod, p: IntermittentParameters): number {
  const { fitted } = intermittentRun(y, method, p);
  let sum = 0;
  let count = 0;
  for (let t = 0; t < y.length; t++) {
    if (Number.isNaN(fitted[t]!)) continue;
    const e = y[t]! - fitted[t]!;
    sum += e * e;
    count++;
  }
  return count > 0 ? sum / count : Number.NaN;
}

/** Smoothing values tried when none is given (R's croston fixes α = 0.1; a grid is cheap). */
export const SMOOTHING_GRID = [0.05, 0.1, 0.2, 0.3] as const;

/**
 * Fits a method: with `alpha` (and for TSB `beta`) given, only the starting values; otherwise the
 * grid value with the least in-sample MSE.
 */
export function fitIntermittent(
  y: ArrayLike<number>,
  method: IntermittentMethod,
  options: { alpha?: number; beta?: number } = {},
): IntermittentFit {
  let demandDays = 0;
  for (let t = 0; t < y.length; t++) if (y[t]! > 0) demandDays++;
  if (demandDays < 2 && method !== 'tsb')
    throw new RangeError(`${method} needs at least two days with demand, got ${demandDays}`);
  const alphas = options.alpha !== undefined ? [options.alpha] : SMOOTHING_GRID;
  const betas = method !== 'tsb' ? [0] : options.beta !== undefined ? [options.beta] : SMOOTHING_GRID;
  let best: IntermittentFit | null = null;
  for (const alpha of alphas) {
    for (const beta of betas) {
      const parameters = intermittentParameters(y, alpha, beta);
      const mse = inSampleMse(y, method, parameters);
      if (!best || mse < best.mse) best = { method, parameters, mse, n: y.length };
    }
  }
  return best!;
}

/**
 * Forecast variances for 1..h days: the one-step MSE, growing as for simple exponential smoothing
 * with the method's α, σ²·(1 + (j−1)α²). An approximation (these methods have no agreed
 * likelihood); it keeps intervals honest about the day-to-day noise of intermittent demand.
 */
export function intermittentVariances(fit: IntermittentFit, h: number): Float64Array {
  const out = new Float64Array(h);
  for (let j = 0; j < h; j++) out[j] = fit.mse * (1 + j * fit.parameters.alpha * fit.parameters.alpha);
  return out;
}
