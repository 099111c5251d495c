/**
 * Every forecasting method behind one shape, so the automatic choice can fit, backtest and compare
 * them alike. A fitted method keeps its parameters and can forecast from any origin of the series
 * it was fitted on (or of that series continued), which makes a rolling-origin backtest one pass.
 */
import {
  type EtsFit,
  type EtsFitOptions,
  type EtsSpec,
  etsForecastsAtOrigins,
  etsForecastVariances,
  fitEts,
  minimumObservations,
} from './forecast.ets.ts';
import {
  fitIntermittent,
  type IntermittentFit,
  intermittentRatesAtOrigins,
  intermittentVariances,
} from './forecast.intermittent.ts';

export const FORECAST_METHODS = [
  'seasonalNaive',
  'ses',
  'holt',
  'holtDamped',
  'etsANA',
  'etsAAdA',
  'croston',
  'sba',
  'tsb',
] as const;
export type ForecastMethod = (typeof FORECAST_METHODS)[number];

export interface FittedMethod {
  method: ForecastMethod;
  /** The fitted parameters, for explanations and tests. */
  parameters: Record<string, number>;
  /**
   * Forecasts of 1..h days made at each origin o from y[0..o), with the fitted parameters (y is
   * the fitted series, or that series continued).
   */
  forecastsAt(y: ArrayLike<number>, origins: readonly number[], h: number): Float64Array[];
  /** Forecast-error variances for 1..h days ahead (for prediction intervals). */
  variances(h: number): Float64Array;
}

const ETS_SPECS: Partial<Record<ForecastMethod, (period: number) => EtsSpec>> = {
  ses: () => ({ trend: 'N', season: 'N', period: 1 }),
  holt: () => ({ trend: 'A', season: 'N', period: 1 }),
  holtDamped: () => ({ trend: 'Ad', season: 'N', period: 1 }),
  etsANA: (period) => ({ trend: 'N', season: 'A', period }),
  etsAAdA: (period) => ({ trend: 'Ad', season: 'A', period }),
};

export interface FitOptions {
  /** Seasonal period in days (7: weekly). */
  period: number;
  /** Nelder–Mead settings for the ETS family. */
  ets?: EtsFitOptions;
}

/** Fewest observations a method needs to be fitted. */
export function minimumLength(method: ForecastMethod, period: number): number {
  const spec = ETS_SPECS[method];
  if (spec) return minimumObservations(spec(period));
  if (method === 'seasonalNaive') return period + 1;
  return 4;
}

export function fitMethod(method: ForecastMethod, y: ArrayLike<number>, options: FitOptions): FittedMethod {
  const spec = ETS_SPECS[method];
  if (spec) return etsMethod(method, fitEts(y, spec(options.period), options.ets));
  if (method === 'seasonalNaive') return seasonalNaive(y, options.period);
  return intermittentMethod(fitIntermittent(y, method as 'croston' | 'sba' | 'tsb'));
}

export function etsMethod(method: ForecastMethod, fit: EtsFit): FittedMethod {
  const { alpha, beta, gamma, phi } = fit.parameters;
  return {
    method,
    parameters: { alpha, beta, gamma, phi, sigma2: fit.sigma2 },
    forecastsAt: (y, origins, h) => etsForecastsAtOrigins(y, fit, origins, h),
    variances: (h) => etsForecastVariances(fit, h),
  };
}

export function intermittentMethod(fit: IntermittentFit): FittedMethod {
  return {
    method: fit.method,
    parameters: { ...fit.parameters, mse: fit.mse },
    forecastsAt: (y, origins, h) =>
      intermittentRatesAtOrigins(y, fit.method, fit.parameters, origins).map((r) =>
        new Float64Array(h).fill(r),
      ),
    variances: (h) => intermittentVariances(fit, h),
  };
}

/**
 * Seasonal naive: each day ahead repeats the same weekday of the last week seen. Variance as R's
 * `snaive`: the in-sample mean squared seasonal difference × (number of seasons ahead).
 */
export function seasonalNaive(y: ArrayLike<number>, period: number): FittedMethod {
  let sum = 0;
  let count = 0;
  for (let t = period; t < y.length; t++) {
    const d = y[t]! - y[t - period]!;
    sum += d * d;
    count++;
  }
  const sigma2 = count > 0 ? sum / count : Number.NaN;
  return {
    method: 'seasonalNaive',
    parameters: { period, sigma2 },
    forecastsAt: (series, origins, h) =>
      origins.map((origin) => {
        const out = new Float64Array(h);
        for (let i = 0; i < h; i++) out[i] = series[origin - period + (i % period)] ?? Number.NaN;
        return out;
      }),
    variances: (h) => {
      const out = new Float64Array(h);
      for (let i = 0; i < h; i++) out[i] = sigma2 * (Math.floor(i / period) + 1);
      return out;
    },
  };
}
