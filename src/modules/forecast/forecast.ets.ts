/**
 * Exponential smoothing with additive errors, in the innovations state-space form of Hyndman et al.
 * ("Forecasting with Exponential Smoothing", 2008) that R's `forecast::ets` uses:
 *
 *   ŷ(t)  = ℓ + φ·b + s[m−1]                 one-step forecast from the previous state
 *   e(t)  = y(t) − ŷ(t)
 *   ℓ'    = ℓ + φ·b + α·e
 *   b'    = φ·b + β·e
 *   s'    = (s[m−1] + γ·e, s[0], …, s[m−2])   the seasonal states rotate
 *
 * Covered models: ETS(A,N,N) = simple exponential smoothing, ETS(A,A,N) = Holt's linear trend,
 * ETS(A,Ad,N) = damped Holt, ETS(A,N,A), ETS(A,A,A) and ETS(A,Ad,A) with a seasonal period m
 * (7 for weekly seasonality in daily demand). β is the state-space β (R's `beta` in `ets` and
 * `holt`), not Holt's β* = β/α.
 *
 * Fitting minimises the in-sample sum of squared one-step errors, which is what R minimises for
 * these models (`opt.crit = "mse"` for `ses`/`holt`, and the likelihood n·log(SSE) for `ets`
 * with additive errors). The smoothing parameters are searched by Nelder–Mead inside R's "usual"
 * bounds (α, β, γ in [1e-4, 0.9999], β ≤ α, γ ≤ 1 − α, φ in [0.8, 0.98]) and, for seasonal
 * models, R's admissibility conditions (its default `bounds = "both"`); the initial states are not
 * searched: the one-step errors are linear in them, so for given smoothing parameters the best
 * initial states are a least-squares solution (the seasonal initial states sum to zero, as in R).
 * R searches them with Nelder–Mead along with the rest, so this fit often ends lower than R's.
 */
import { largestRootModulus, type MinimizeOptions, nelderMead, solveSymmetric } from './forecast.numeric.ts';

export type EtsTrend = 'N' | 'A' | 'Ad';
export type EtsSeason = 'N' | 'A';

export interface EtsSpec {
  trend: EtsTrend;
  season: EtsSeason;
  /** Seasonal period m (used only when `season` is 'A'). */
  period: number;
}

export interface EtsParameters {
  alpha: number;
  /** State-space trend smoothing (0 without a trend). */
  beta: number;
  /** Seasonal smoothing (0 without seasonality). */
  gamma: number;
  /** Damping (1 without damping or without a trend). */
  phi: number;
}

/** A state: level, trend, and the m seasonal states, `seasonal[0]` the most recent (R's order). */
export interface EtsState {
  level: number;
  trend: number;
  seasonal: number[];
}

export interface EtsFit {
  spec: EtsSpec;
  parameters: EtsParameters;
  initialState: EtsState;
  /** Observations the fit used. */
  n: number;
  /** In-sample sum of squared one-step errors. */
  sse: number;
  /** Residual variance as R's `ets` reports it: SSE / (n − number of estimated parameters). */
  sigma2: number;
}

export const PARAMETER_BOUNDS = { lower: 1e-4, upper: 0.9999, phiLower: 0.8, phiUpper: 0.98 } as const;

export function seasonLength(spec: EtsSpec): number {
  return spec.season === 'A' ? spec.period : 0;
}

/** Number of parameters R counts for σ²: smoothing parameters plus free initial states. */
export function estimatedParameterCount(spec: EtsSpec): number {
  const smoothing =
    1 + (spec.trend === 'N' ? 0 : 1) + (spec.trend === 'Ad' ? 1 : 0) + (spec.season === 'A' ? 1 : 0);
  return smoothing + freeInitialStateCount(spec);
}

function freeInitialStateCount(spec: EtsSpec): number {
  return 1 + (spec.trend === 'N' ? 0 : 1) + (spec.season === 'A' ? spec.period - 1 : 0);
}

function normalise(spec: EtsSpec, p: EtsParameters): EtsParameters {
  return {
    alpha: p.alpha,
    beta: spec.trend === 'N' ? 0 : p.beta,
    gamma: spec.season === 'N' ? 0 : p.gamma,
    phi: spec.trend === 'Ad' ? p.phi : 1,
  };
}

/** Mutable filter state: level, trend and seasonal states in R's order. */
interface Running {
  level: number;
  trend: number;
  seasonal: Float64Array;
}

function running(state: EtsState, m: number): Running {
  const seasonal = new Float64Array(m);
  for (let j = 0; j < m; j++) seasonal[j] = state.seasonal[j] ?? 0;
  return { level: state.level, trend: state.trend, seasonal };
}

/** One observation: returns the one-step error and updates the state in place. */
function step(s: Running, y: number, p: EtsParameters, m: number): number {
  const damped = p.phi * s.trend;
  const seasonalNow = m > 0 ? s.seasonal[m - 1]! : 0;
  const error = y - (s.level + damped + seasonalNow);
  s.level = s.level + damped + p.alpha * error;
  s.trend = damped + p.beta * error;
  if (m > 0) {
    for (let j = m - 1; j > 0; j--) s.seasonal[j] = s.seasonal[j - 1]!;
    s.seasonal[0] = seasonalNow + p.gamma * error;
  }
  return error;
}

/** Point forecasts for 1..h steps from a state (R's `forecast` for these models). */
function forecastFromRunning(s: Running, p: EtsParameters, m: number, h: number): Float64Array {
  const out = new Float64Array(h);
  let phiSum = 0;
  let phiPower = 1;
  for (let i = 0; i < h; i++) {
    phiPower *= p.phi;
    phiSum += phiPower;
    let f = s.level + phiSum * s.trend;
    if (m > 0) f += s.seasonal[(((m - 1 - i) % m) + m) % m]!;
    out[i] = f;
  }
  return out;
}

export function etsForecastFromState(
  spec: EtsSpec,
  parameters: EtsParameters,
  state: EtsState,
  h: number,
): Float64Array {
  const m = seasonLength(spec);
  return forecastFromRunning(running(state, m), normalise(spec, parameters), m, h);
}

export interface EtsRun {
  /** One-step fitted values ŷ(t) for t = 0..n−1. */
  fitted: Float64Array;
  sse: number;
  finalState: EtsState;
}

/** Runs the model over `y` with the given parameters and initial state. */
export function etsRun(
  y: ArrayLike<number>,
  spec: EtsSpec,
  parameters: EtsParameters,
  initialState: EtsState,
): EtsRun {
  const m = seasonLength(spec);
  const p = normalise(spec, parameters);
  const s = running(initialState, m);
  const fitted = new Float64Array(y.length);
  let sse = 0;
  for (let t = 0; t < y.length; t++) {
    const e = step(s, y[t]!, p, m);
    fitted[t] = y[t]! - e;
    sse += e * e;
  }
  return {
    fitted,
    sse,
    finalState: { level: s.level, trend: s.trend, seasonal: Array.from(s.seasonal) },
  };
}

/**
 * Forecasts of h steps made at each origin (an origin o uses y[0..o)), with fixed parameters: one
 * pass over the data, so a rolling-origin backtest costs one filter run.
 */
export function etsForecastsAtOrigins(
  y: ArrayLike<number>,
  fit: Pick<EtsFit, 'spec' | 'parameters' | 'initialState'>,
  origins: readonly number[],
  h: number,
): Float64Array[] {
  const m = seasonLength(fit.spec);
  const p = normalise(fit.spec, fit.parameters);
  const s = running(fit.initialState, m);
  const sorted = origins.map((o, i) => [o, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<Float64Array>(origins.length);
  let t = 0;
  for (const [origin, index] of sorted) {
    for (; t < origin; t++) step(s, y[t]!, p, m);
    out[index] = forecastFromRunning(s, p, m, h);
  }
  return out;
}

/**
 * Forecast variances for 1..h steps of a fitted model (R's "class 1" formula for linear models):
 * σ²·(1 + Σ_{j<h} c_j²) with c_j = w'F^(j−1)g, the j-step forecast of the state g = (α, β, γ, 0…).
 */
export function etsForecastVariances(fit: EtsFit, h: number): Float64Array {
  const m = seasonLength(fit.spec);
  const p = normalise(fit.spec, fit.parameters);
  const g: Running = { level: p.alpha, trend: p.beta, seasonal: new Float64Array(m) };
  if (m > 0) g.seasonal[0] = p.gamma;
  const c = forecastFromRunning(g, p, m, Math.max(h - 1, 0));
  const out = new Float64Array(h);
  let sum = 1;
  for (let i = 0; i < h; i++) {
    if (i > 0) sum += c[i - 1]! * c[i - 1]!;
    out[i] = fit.sigma2 * sum;
  }
  return out;
}

/** Buffers one fit reuses across its many objective evaluations (no allocation per evaluation). */
interface FitWorkspace {
  k: number;
  ring: Float64Array;
  rRing: Float64Array;
  xtx: Float64Array;
  xty: Float64Array;
  x: Float64Array;
}

function fitWorkspace(spec: EtsSpec): FitWorkspace {
  const m = seasonLength(spec);
  const k = freeInitialStateCount(spec);
  return {
    k,
    ring: new Float64Array(Math.max(m, 1)),
    rRing: new Float64Array(Math.max(2 * m, 1)),
    xtx: new Float64Array(k * k),
    xty: new Float64Array(k),
    x: new Float64Array(k),
  };
}

/**
 * For fixed smoothing parameters: the least-squares initial state and the SSE it gives. The
 * one-step errors are e(t) = ẽ(t) − X(t)·z, with ẽ the errors from a zero initial state, z the free
 * initial states (ℓ, b, s[0..m−2]; s[m−1] = −Σ) and X(t) = w'D^(t−1)P, D = F − g·w'. X(t) is
 * carried along as a row vector r, r ← r·F − (r·g)·w'.
 */
function concentratedFit(
  y: ArrayLike<number>,
  spec: EtsSpec,
  p: EtsParameters,
  work: FitWorkspace = fitWorkspace(spec),
): { sse: number; state: EtsState } | null {
  const m = seasonLength(spec);
  const hasTrend = spec.trend !== 'N';
  const k = work.k;
  const { alpha, beta, gamma, phi } = p;
  // The run from a zero initial state; its seasonal states in a ring, slot t mod m used at t.
  let level = 0;
  let trend = 0;
  const ring = work.ring;
  ring.fill(0);
  // r over the full state (ℓ, b, s[0..m−1]); starts at w' = (1, φ, 0, …, 0, 1). Its seasonal part
  // rotates each step, kept as a ring too: logical s[j] sits in slot (j + rOffset) mod m, stored
  // twice (at the slot and the slot + m) so that s[j] is rRing[rOffset + j], with no modulo.
  let rLevel = 1;
  let rTrend = hasTrend ? phi : 0;
  const rRing = work.rRing;
  rRing.fill(0);
  let rOffset = 0;
  if (m > 0) {
    rRing[m - 1] = 1;
    rRing[2 * m - 1] = 1;
  }
  const xtx = work.xtx;
  const xty = work.xty;
  const x = work.x;
  xtx.fill(0);
  xty.fill(0);
  let yy = 0;
  const seasonOffset = hasTrend ? 2 : 1;
  const n = y.length;
  for (let t = 0, slot = 0; t < n; t++) {
    const damped = phi * trend;
    const seasonalNow = m > 0 ? ring[slot]! : 0;
    const e0 = y[t]! - (level + damped + seasonalNow);
    level += damped + alpha * e0;
    trend = damped + beta * e0;
    if (m > 0) {
      ring[slot] = seasonalNow + gamma * e0;
      slot = slot + 1 === m ? 0 : slot + 1;
    }
    x[0] = rLevel;
    if (hasTrend) x[1] = rTrend;
    if (m > 0) {
      const last = rRing[rOffset + m - 1]!;
      for (let j = 0; j < m - 1; j++) x[seasonOffset + j] = rRing[rOffset + j]! - last;
    }
    for (let i = 0; i < k; i++) {
      const xi = x[i]!;
      xty[i] = xty[i]! + xi * e0;
      const row = i * k;
      for (let j = 0; j <= i; j++) xtx[row + j] = xtx[row + j]! + xi * x[j]!;
    }
    yy += e0 * e0;
    // r ← r·F − (r·g)·w'
    const first = m > 0 ? rRing[rOffset]! : 0;
    const c = rLevel * alpha + rTrend * beta + first * gamma;
    if (m > 0) {
      rRing[rOffset] = first - c;
      rRing[rOffset + m] = first - c;
      rOffset = rOffset + 1 === m ? 0 : rOffset + 1;
    }
    rTrend = hasTrend ? phi * (rLevel + rTrend - c) : 0;
    rLevel -= c;
  }
  for (let i = 0; i < k; i++) for (let j = 0; j < i; j++) xtx[j * k + i] = xtx[i * k + j]!;
  const z = solveSymmetric(xtx, xty, k);
  if (!z) return null;
  let explained = 0;
  for (let i = 0; i < k; i++) explained += z[i]! * xty[i]!;
  // e = ẽ − X·z  ⇒  SSE = ẽ'ẽ − 2z'X'ẽ + z'X'Xz = ẽ'ẽ − z'X'ẽ at the least-squares z.
  const seasonal: number[] = [];
  if (m > 0) {
    let sum = 0;
    for (let j = 0; j < m - 1; j++) {
      seasonal.push(z[seasonOffset + j]!);
      sum += z[seasonOffset + j]!;
    }
    seasonal.push(-sum);
  }
  return {
    sse: Math.max(yy - explained, 0),
    state: { level: z[0]!, trend: hasTrend ? z[1]! : 0, seasonal },
  };
}

/**
 * The searched parameters as a point (α, then β, φ, γ as the model has them), and back; a point
 * outside R's "usual" bounds maps to null, which the objective turns into +∞ (as R's `ets` does).
 */
function parameterMap(spec: EtsSpec) {
  const { lower, upper, phiLower, phiUpper } = PARAMETER_BOUNDS;
  const hasTrend = spec.trend !== 'N';
  const damped = spec.trend === 'Ad';
  const seasonal = spec.season === 'A';
  const inside = (lo: number, hi: number, x: number) => x >= lo && x <= hi;
  return {
    toParameters(u: readonly number[]): EtsParameters | null {
      let i = 0;
      const alpha = u[i++]!;
      const beta = hasTrend ? u[i++]! : 0;
      const phi = damped ? u[i++]! : 1;
      const gamma = seasonal ? u[i++]! : 0;
      if (!inside(lower, upper, alpha)) return null;
      if (hasTrend && !inside(lower, Math.min(alpha, upper), beta)) return null;
      if (damped && !inside(phiLower, phiUpper, phi)) return null;
      if (seasonal && !inside(lower, Math.min(1 - alpha, upper), gamma)) return null;
      const p = { alpha, beta, gamma, phi };
      return seasonal && !isAdmissible(p, spec.period) ? null : p;
    },
    toPoint(p: EtsParameters): number[] {
      const u = [p.alpha];
      if (hasTrend) u.push(p.beta);
      if (damped) u.push(p.phi);
      if (seasonal) u.push(p.gamma);
      return u;
    },
  };
}

/**
 * R's admissibility test for a seasonal model (`admissible` in forecast's ets.R): the model's
 * forecasts stay stable, i.e. all roots of its characteristic polynomial lie in the unit disk.
 * Non-seasonal models inside the usual bounds always pass it.
 */
export function isAdmissible(p: EtsParameters, period: number): boolean {
  const { alpha, beta, gamma, phi } = p;
  const m = period;
  if (phi < 0 || phi > 1 + 1e-8) return false;
  if (gamma < Math.max(1 - 1 / phi - alpha, 0) || gamma > 1 + 1 / phi - alpha) return false;
  if (alpha < 1 - 1 / phi - (gamma * (1 - m + phi + phi * m)) / (2 * phi * m)) return false;
  if (beta < -(1 - phi) * (gamma / m + alpha)) return false;
  const middle = alpha + beta - alpha * phi;
  const polynomial = [
    phi * (1 - alpha - gamma),
    middle + gamma - 1,
    ...new Array<number>(m - 2).fill(middle),
    alpha + beta - phi,
    1,
  ];
  return largestRootModulus(polynomial) <= 1 + 1e-10;
}

/** R's starting values (`initparam` in forecast's ets.R) and a few spread-out alternatives. */
function startingPoints(spec: EtsSpec, count: number): EtsParameters[] {
  const { lower, upper, phiLower, phiUpper } = PARAMETER_BOUNDS;
  const m = spec.season === 'A' ? spec.period : 1;
  const starts: EtsParameters[] = [];
  for (const alphaShare of [0.2 / m, 0.5, 0.05, 0.9].slice(0, Math.max(count, 1))) {
    const alpha = lower + alphaShare * (upper - lower);
    starts.push({
      alpha,
      beta: lower + 0.1 * (alpha - lower),
      gamma: lower + 0.05 * (1 - alpha - lower),
      phi: phiLower + 0.9 * (phiUpper - phiLower),
    });
  }
  return starts;
}

export interface EtsFitOptions extends MinimizeOptions {
  /** How many starting points Nelder–Mead runs from (best result kept). Default 2. */
  starts?: number;
  /** Start from these parameters instead (e.g. a related model's optimum). */
  startFrom?: EtsParameters;
}

export function minimumObservations(spec: EtsSpec): number {
  return estimatedParameterCount(spec) + 2;
}

/** Fits the model to `y` (finite values), minimising the in-sample SSE. */
export function fitEts(y: ArrayLike<number>, spec: EtsSpec, options: EtsFitOptions = {}): EtsFit {
  if (spec.season === 'A' && !(Number.isInteger(spec.period) && spec.period >= 2))
    throw new RangeError('a seasonal model needs an integer period of at least 2');
  if (y.length < minimumObservations(spec))
    throw new RangeError(`ETS needs at least ${minimumObservations(spec)} observations, got ${y.length}`);
  const map = parameterMap(spec);
  // One typed copy of the series and one set of buffers for every evaluation of the search.
  const data = y instanceof Float64Array ? y : Float64Array.from(y);
  const work = fitWorkspace(spec);
  const objective = (u: readonly number[]) => {
    const p = map.toParameters(u);
    return p ? (concentratedFit(data, spec, p, work)?.sse ?? Number.NaN) : Number.NaN;
  };
  const starts = options.startFrom ? [options.startFrom] : startingPoints(spec, options.starts ?? 2);
  let best: { point: number[]; value: number } | null = null;
  for (const start of starts) {
    const result = nelderMead(objective, map.toPoint(start), {
      relativeTolerance: options.relativeTolerance ?? 1e-8,
      maxEvaluations: options.maxEvaluations ?? 1000,
      initialStep: options.initialStep ?? 0.05,
    });
    if (!best || result.value < best.value) best = result;
  }
  return fitWithParameters(data, spec, map.toParameters(best!.point)!);
}

/**
 * The fit for given smoothing parameters: least-squares initial states, SSE and σ². With
 * `initialState` given too, nothing is estimated (e.g. to reproduce R's fit exactly).
 */
export function fitWithParameters(
  y: ArrayLike<number>,
  spec: EtsSpec,
  parameters: EtsParameters,
  initialState?: EtsState,
): EtsFit {
  const p = normalise(spec, parameters);
  let state = initialState;
  if (!state) {
    const concentrated = concentratedFit(y, spec, p);
    if (!concentrated) throw new RangeError('initial states cannot be estimated from this series');
    state = concentrated.state;
  }
  // The SSE from a direct run, not the normal equations (no cancellation).
  const { sse } = etsRun(y, spec, p, state);
  const n = y.length;
  const dof = n - estimatedParameterCount(spec);
  return {
    spec,
    parameters: p,
    initialState: state,
    n,
    sse,
    sigma2: dof > 0 ? sse / dof : Number.NaN,
  };
}
