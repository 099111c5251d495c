/**
 * Daily demand forecasts per SKU, chosen automatically. Pure: a series of daily demand in, a
 * forecast with prediction intervals out; no I/O, no other domain module.
 *
 * The choice is a rolling-origin backtest: every candidate method is fitted once on the days before
 * the first origin, then run on with those parameters; at each origin (one a week over the last
 * eight weeks) it forecasts the horizon, and the forecasts are scored against what happened with
 * MASE and RMSSE (M5). The method with the least mean RMSSE wins — a squared error rewards the
 * mean, which is what safety stock and order quantities add up — except that the seasonal ETS,
 * ETS(A,N,A), stays chosen unless another candidate's RMSSE is `SWITCH_MARGIN` (5 %) lower: the
 * backtest is short, and switching on differences smaller than its noise lost accuracy on
 * held-out days (bench/README.md, "forecast"). Ties go to the earlier, simpler candidate; a series
 * whose scale is zero (flat history) is compared by mean absolute error. The winner is refitted on
 * the whole series for the forecast that is returned.
 *
 * Candidates: series with demand on most days ("smooth": average interval between demand days
 * ≤ 1.32, Syntetos–Boylan's cut-off) try seasonal naive, SES, damped Holt and ETS(A,N,A);
 * intermittent series try seasonal naive, SES, Croston, SBA, TSB and ETS(A,N,A). ETS(A,Ad,A) is
 * not a default candidate (it forecast the held-out days no better than ETS(A,N,A), at twice its
 * cost). Any subset of `FORECAST_METHODS` can be asked for instead.
 */
import { mase, maseScale, rmsse, rmsseScale } from './forecast.accuracy.ts';
import type { EtsFitOptions } from './forecast.ets.ts';
import { type FittedMethod, type ForecastMethod, fitMethod, minimumLength } from './forecast.methods.ts';
import { normalQuantile } from './forecast.numeric.ts';

export { FORECAST_METHODS, type ForecastMethod } from './forecast.methods.ts';

export const SMOOTH_CANDIDATES: readonly ForecastMethod[] = ['seasonalNaive', 'ses', 'holtDamped', 'etsANA'];
export const INTERMITTENT_CANDIDATES: readonly ForecastMethod[] = [
  'seasonalNaive',
  'ses',
  'croston',
  'sba',
  'tsb',
  'etsANA',
];

/** The method that stays chosen unless another is clearly better in the backtest. */
export const INCUMBENT: ForecastMethod = 'etsANA';
/** How much lower (relatively) a challenger's backtest RMSSE must be to replace the incumbent. */
export const SWITCH_MARGIN = 0.05;

/** Syntetos–Boylan cut-off on the average interval between demand days. */
export const INTERMITTENT_INTERVAL = 1.32;

export interface ChoiceOptions {
  /** Seasonal period in days. Default 7 (weekly). */
  period?: number;
  /** Days forecast at each origin. Default 28. */
  horizon?: number;
  /** Backtest origins. Default 8. */
  origins?: number;
  /** Days between origins. Default 7. */
  spacing?: number;
  /** Methods to compare; default by intermittency (see above). */
  candidates?: readonly ForecastMethod[];
  /** Nelder–Mead settings for the ETS family. */
  ets?: EtsFitOptions;
}

export interface MethodScore {
  method: ForecastMethod;
  /** Mean over the origins; NaN when the series' scale is zero. */
  mase: number;
  rmsse: number;
  /** Mean absolute error over origins and days (what the choice compares when RMSSE is NaN). */
  mae: number;
}

/** Mean interval between days with demand (∞ without demand). */
export function averageDemandInterval(y: ArrayLike<number>): number {
  let demandDays = 0;
  for (let t = 0; t < y.length; t++) if (y[t]! > 0) demandDays++;
  return demandDays > 0 ? y.length / demandDays : Number.POSITIVE_INFINITY;
}

export function defaultCandidates(y: ArrayLike<number>): readonly ForecastMethod[] {
  return averageDemandInterval(y) > INTERMITTENT_INTERVAL ? INTERMITTENT_CANDIDATES : SMOOTH_CANDIDATES;
}

export interface BacktestPlan {
  /** The methods are fitted on y[0..fitEnd). */
  fitEnd: number;
  origins: number[];
  horizon: number;
}

/** Origins one `spacing` apart, the last one `horizon` days before the end of `trainingLength`. */
export function backtestPlan(trainingLength: number, options: ChoiceOptions = {}): BacktestPlan {
  const horizon = options.horizon ?? 28;
  const count = options.origins ?? 8;
  const spacing = options.spacing ?? 7;
  const last = trainingLength - horizon;
  const origins = Array.from({ length: count }, (_, i) => last - (count - 1 - i) * spacing);
  return { fitEnd: origins[0]!, origins, horizon };
}

export interface Choice {
  chosen: ForecastMethod;
  scores: MethodScore[];
  /** Each candidate as fitted on y[0..fitEnd). */
  fitted: FittedMethod[];
  plan: BacktestPlan;
  /** Forecasts of every candidate at `extraOrigins` (same order), for evaluation outside the choice. */
  extraForecasts: Map<ForecastMethod, Float64Array[]>;
}

/**
 * Backtests the candidates on y[0..trainingLength) (default: all of y) and picks one. Extra
 * origins (for example the end of the training data, to evaluate on later days of y) are forecast
 * with the same fitted parameters.
 */
export function chooseMethod(
  y: ArrayLike<number>,
  options: ChoiceOptions & { trainingLength?: number; extraOrigins?: readonly number[] } = {},
): Choice {
  const period = options.period ?? 7;
  const trainingLength = options.trainingLength ?? y.length;
  const plan = backtestPlan(trainingLength, options);
  const fitSeries = Array.prototype.slice.call(y, 0, Math.max(plan.fitEnd, 0)) as number[];
  const candidates = options.candidates ?? defaultCandidates(fitSeries);
  const maseDenominator = maseScale(fitSeries, period);
  const rmsseDenominator = rmsseScale(fitSeries);
  const extraOrigins = options.extraOrigins ?? [];
  const origins = [...plan.origins, ...extraOrigins];

  const scores: MethodScore[] = [];
  const fitted: FittedMethod[] = [];
  // ETS(A,Ad,A) starts its search from ETS(A,N,A)'s optimum when that was fitted first (it then
  // needs fewer steps; the result is still its own optimum).
  const etsOptions = (method: ForecastMethod) => {
    const ana = fitted.find((f) => f.method === 'etsANA')?.parameters;
    if (method !== 'etsAAdA' || !ana) return options.ets ?? {};
    const alpha = ana.alpha!;
    const start = { alpha, beta: 1e-4 + 0.1 * (alpha - 1e-4), gamma: ana.gamma!, phi: 0.97 };
    return { ...options.ets, startFrom: start };
  };
  const extraForecasts = new Map<ForecastMethod, Float64Array[]>();
  for (const method of candidates) {
    if (fitSeries.length < minimumLength(method, period)) continue;
    let model: FittedMethod;
    try {
      model = fitMethod(method, fitSeries, { period, ets: etsOptions(method) });
    } catch (error) {
      if (error instanceof RangeError) continue;
      throw error;
    }
    const forecasts = model.forecastsAt(y, origins, plan.horizon);
    let maseSum = 0;
    let rmsseSum = 0;
    let absSum = 0;
    for (let i = 0; i < plan.origins.length; i++) {
      const origin = plan.origins[i]!;
      const actual = Array.prototype.slice.call(y, origin, origin + plan.horizon) as number[];
      const forecast = forecasts[i]!;
      maseSum += mase(actual, forecast, maseDenominator);
      rmsseSum += rmsse(actual, forecast, rmsseDenominator);
      for (let d = 0; d < actual.length; d++) absSum += Math.abs(actual[d]! - forecast[d]!);
    }
    const count = plan.origins.length;
    const mae = absSum / (count * plan.horizon);
    if (!Number.isFinite(mae)) continue;
    scores.push({ method, mase: maseSum / count, rmsse: rmsseSum / count, mae });
    fitted.push(model);
    extraForecasts.set(method, forecasts.slice(plan.origins.length));
  }
  if (scores.length === 0)
    throw new RangeError(`no forecasting method can be fitted on ${fitSeries.length} days of history`);
  return { chosen: pickMethod(scores), scores, fitted, plan, extraForecasts };
}

/**
 * The backtest's winner (see the top of this file): the least mean RMSSE (MAE when the series'
 * scale is zero), the incumbent kept unless beaten by `SWITCH_MARGIN`; ties to the earlier.
 */
export function pickMethod(scores: readonly MethodScore[]): ForecastMethod {
  const byRmsse = scores.every((s) => Number.isFinite(s.rmsse));
  const error = (s: MethodScore) => (byRmsse ? s.rmsse : s.mae);
  let best = scores[0]!;
  for (const score of scores) if (error(score) < error(best)) best = score;
  const incumbent = scores.find((s) => s.method === INCUMBENT);
  if (incumbent && best !== incumbent && error(best) > error(incumbent) * (1 - SWITCH_MARGIN))
    return incumbent.method;
  return best.method;
}

export interface PredictionInterval {
  /** Coverage, e.g. 0.95. */
  level: number;
  lower: number[];
  upper: number[];
}

/** Normal prediction intervals around point forecasts, from the forecast-error variances. */
export function predictionIntervals(
  forecast: ArrayLike<number>,
  variances: ArrayLike<number>,
  level: number,
): PredictionInterval {
  const z = normalQuantile(0.5 + level / 2);
  const lower: number[] = [];
  const upper: number[] = [];
  for (let i = 0; i < forecast.length; i++) {
    const half = z * Math.sqrt(Math.max(variances[i]!, 0));
    lower.push(forecast[i]! - half);
    upper.push(forecast[i]! + half);
  }
  return { level, lower, upper };
}

export interface DemandForecast {
  method: ForecastMethod;
  parameters: Record<string, number>;
  /** Expected demand for each of the next `horizon` days. */
  forecast: number[];
  intervals: PredictionInterval[];
  backtest: MethodScore[];
}

/**
 * The forecast for the next `horizon` days of a daily demand series: the backtest's choice,
 * refitted on the whole series, with prediction intervals at `levels` (default 80 % and 95 %).
 */
export function forecastDemand(
  y: ArrayLike<number>,
  options: ChoiceOptions & { levels?: readonly number[] } = {},
): DemandForecast {
  const period = options.period ?? 7;
  const horizon = options.horizon ?? 28;
  const choice = chooseMethod(y, options);
  const model = fitMethod(choice.chosen, y, { period, ...(options.ets ? { ets: options.ets } : {}) });
  const [forecast] = model.forecastsAt(y, [y.length], horizon);
  const variances = model.variances(horizon);
  return {
    method: choice.chosen,
    parameters: model.parameters,
    forecast: Array.from(forecast!),
    intervals: (options.levels ?? [0.8, 0.95]).map((level) =>
      predictionIntervals(forecast!, variances, level),
    ),
    backtest: choice.scores,
  };
}
