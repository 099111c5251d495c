import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mase, maseScale, rmsse, rmsseScale } from './forecast.accuracy.ts';
import {
  type EtsSpec,
  etsForecastFromState,
  etsForecastVariances,
  etsRun,
  fitEts,
  fitWithParameters,
} from './forecast.ets.ts';
import { fitIntermittent, intermittentParameters, intermittentRun } from './forecast.intermittent.ts';
import { FORECAST_METHODS, fitMethod } from './forecast.methods.ts';
import { chooseMethod, forecastDemand, type MethodScore, predictionIntervals } from './forecast.models.ts';
import { normalCdf, normalQuantile } from './forecast.numeric.ts';

const SPECS: EtsSpec[] = [
  { trend: 'N', season: 'N', period: 1 },
  { trend: 'A', season: 'N', period: 1 },
  { trend: 'Ad', season: 'N', period: 1 },
  { trend: 'N', season: 'A', period: 7 },
  { trend: 'Ad', season: 'A', period: 7 },
];

/** Daily demand: non-negative integers, some weekly pattern, sometimes many zeros. */
const demandSeries = (minLength: number, maxLength: number) =>
  fc
    .record({
      length: fc.integer({ min: minLength, max: maxLength }),
      level: fc.double({ min: 0, max: 100, noNaN: true }),
      weekly: fc.array(fc.double({ min: 0, max: 2, noNaN: true }), { minLength: 7, maxLength: 7 }),
      zeroShare: fc.double({ min: 0, max: 0.9, noNaN: true }),
      seed: fc.integer({ min: 1, max: 2 ** 30 }),
    })
    .map(({ length, level, weekly, zeroShare, seed }) => {
      let state = seed;
      const random = () => {
        state = (state * 48271) % 2147483647;
        return state / 2147483647;
      };
      return Array.from({ length }, (_, t) =>
        random() < zeroShare ? 0 : Math.round(level * weekly[t % 7]! * (0.5 + random())),
      );
    });

describe('ETS', () => {
  it('a constant series is forecast as that constant, by every model', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e4, max: 1e4, noNaN: true }),
        fc.integer({ min: 30, max: 80 }),
        (c, n) => {
          const y = new Array<number>(n).fill(c);
          for (const spec of SPECS) {
            const fit = fitEts(y, spec, { starts: 1 });
            const { finalState } = etsRun(y, spec, fit.parameters, fit.initialState);
            for (const f of etsForecastFromState(spec, fit.parameters, finalState, 10))
              expect(Math.abs(f - c)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(c)));
          }
        },
      ),
      { numRuns: 20 },
    );
  });

  it('SES with α = 1 is the naive forecast (the last value)', () => {
    fc.assert(
      fc.property(demandSeries(10, 60), fc.double({ min: -50, max: 50, noNaN: true }), (y, level) => {
        const spec: EtsSpec = { trend: 'N', season: 'N', period: 1 };
        const parameters = { alpha: 1, beta: 0, gamma: 0, phi: 1 };
        const { finalState } = etsRun(y, spec, parameters, { level, trend: 0, seasonal: [] });
        const forecast = etsForecastFromState(spec, parameters, finalState, 5);
        for (const f of forecast) expect(f).toBeCloseTo(y[y.length - 1]!, 9);
      }),
    );
  });

  it('fitted parameters stay inside the bounds, forecasts are finite and intervals widen with the horizon', () => {
    fc.assert(
      fc.property(demandSeries(40, 200), fc.constantFrom(...SPECS), (y, spec) => {
        const fit = fitEts(y, spec, { starts: 1, relativeTolerance: 1e-6 });
        const { alpha, beta, gamma, phi } = fit.parameters;
        expect(alpha).toBeGreaterThanOrEqual(1e-4);
        expect(alpha).toBeLessThanOrEqual(0.9999);
        if (spec.trend !== 'N') expect(beta).toBeLessThanOrEqual(alpha);
        if (spec.season === 'A') expect(gamma).toBeLessThanOrEqual(1 - alpha);
        if (spec.trend === 'Ad') expect(phi).toBeGreaterThanOrEqual(0.8);
        const { finalState } = etsRun(y, spec, fit.parameters, fit.initialState);
        const forecast = etsForecastFromState(spec, fit.parameters, finalState, 28);
        for (const f of forecast) expect(Number.isFinite(f)).toBe(true);
        const variances = etsForecastVariances(fit, 28);
        for (let i = 1; i < variances.length; i++)
          expect(variances[i]!).toBeGreaterThanOrEqual(variances[i - 1]!);
      }),
      { numRuns: 40 },
    );
  });

  it('the least-squares initial state is a minimum: moving it never lowers the SSE', () => {
    fc.assert(
      fc.property(
        demandSeries(30, 100),
        fc.constantFrom(...SPECS),
        fc.double({ min: -5, max: 5, noNaN: true }),
        (y, spec, shift) => {
          const parameters = { alpha: 0.3, beta: 0.05, gamma: 0.1, phi: 0.9 };
          const fit = fitWithParameters(y, spec, parameters);
          const moved = { ...fit.initialState, level: fit.initialState.level + shift };
          const other = fitWithParameters(y, spec, parameters, moved);
          expect(other.sse).toBeGreaterThanOrEqual(fit.sse * (1 - 1e-9) - 1e-9);
        },
      ),
    );
  });
});

describe('intermittent methods', () => {
  it('Croston on a series without zeros equals SES of the sizes started at the first value', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.5, max: 100, noNaN: true }), { minLength: 2, maxLength: 80 }),
        fc.double({ min: 0.01, max: 1, noNaN: true }),
        (y, alpha) => {
          const { rate } = intermittentRun(y, 'croston', intermittentParameters(y, alpha, 0));
          let level = y[0]!;
          for (const value of y.slice(1)) level += alpha * (value - level);
          expect(rate).toBeCloseTo(level, 9);
        },
      ),
    );
  });

  it('SBA is Croston × (1 − α/2), and every rate is finite and non-negative', () => {
    fc.assert(
      fc.property(demandSeries(20, 200), (y) => {
        fc.pre(y.filter((v) => v > 0).length >= 2);
        const p = intermittentParameters(y, 0.2, 0.1);
        const croston = intermittentRun(y, 'croston', p).rate;
        expect(intermittentRun(y, 'sba', p).rate).toBeCloseTo(croston * 0.9, 9);
        for (const method of ['croston', 'sba', 'tsb'] as const) {
          const fit = fitIntermittent(y, method);
          const { rate } = intermittentRun(y, method, fit.parameters);
          expect(Number.isFinite(rate)).toBe(true);
          expect(rate).toBeGreaterThanOrEqual(0);
        }
      }),
    );
  });

  it('TSB decays towards zero when demand stops', () => {
    const y = [3, 0, 2, 0, 0, 4, 1, 0, 2, 0, ...new Array<number>(60).fill(0)];
    const p = intermittentParameters(y.slice(0, 10), 0.1, 0.1);
    const early = intermittentRun(y.slice(0, 12), 'tsb', p).rate;
    const late = intermittentRun(y, 'tsb', p).rate;
    expect(late).toBeLessThan(early * 0.05);
    // Croston keeps its last rate however long the silence.
    const croston = intermittentParameters(y, 0.1, 0);
    expect(intermittentRun(y, 'croston', croston).rate).toBeCloseTo(
      intermittentRun(y.slice(0, 10), 'croston', croston).rate,
      12,
    );
  });
});

describe('accuracy and choice', () => {
  it('a perfect forecast scores 0; the seasonal naive in-sample forecast scores MASE 1', () => {
    fc.assert(
      fc.property(demandSeries(30, 120), (y) => {
        const scale = maseScale(y, 7);
        fc.pre(scale > 0);
        expect(mase(y, y, scale)).toBe(0);
        expect(mase(y.slice(7), y.slice(0, -7), scale)).toBeCloseTo(1, 12);
        // RMSSE's scale starts at the first sale: a history whose only sale is its last day has
        // no scale (NaN, like a flat one), whatever the seasonal scale says.
        const squaredScale = rmsseScale(y);
        if (squaredScale > 0) expect(rmsse(y, y, squaredScale)).toBe(0);
        else expect(rmsse(y, y, squaredScale)).toBeNaN();
      }),
    );
  });

  it('every method forecasts finite numbers; the choice is the least backtest RMSSE, ETS(A,N,A) unless beaten by 5 %', () => {
    fc.assert(
      fc.property(demandSeries(120, 220), (y) => {
        fc.pre(y.filter((v) => v > 0).length >= 5);
        for (const method of FORECAST_METHODS) {
          const model = fitMethod(method, y, { period: 7, ets: { starts: 1, relativeTolerance: 1e-5 } });
          const [forecast] = model.forecastsAt(y, [y.length], 14);
          for (const f of forecast!) expect(Number.isFinite(f), method).toBe(true);
        }
        const choice = chooseMethod(y, { ets: { starts: 1, relativeTolerance: 1e-5 } });
        const finite = choice.scores.every((s) => Number.isFinite(s.rmsse));
        const error = (s: MethodScore) => (finite ? s.rmsse : s.mae);
        const best = Math.min(...choice.scores.map(error));
        const chosen = choice.scores.find((s) => s.method === choice.chosen)!;
        const ets = choice.scores.find((s) => s.method === 'etsANA');
        if (ets && best > error(ets) * 0.95) expect(chosen.method).toBe('etsANA');
        else expect(error(chosen)).toBe(best);
      }),
      { numRuns: 15 },
    );
  });

  it('forecastDemand gives the horizon with nested intervals around the forecast', () => {
    const y = Array.from(
      { length: 200 },
      (_, t) => 20 + 8 * Math.sin((2 * Math.PI * t) / 7) + ((t * 7919) % 5),
    );
    const result = forecastDemand(y, { horizon: 14 });
    expect(result.forecast).toHaveLength(14);
    const [i80, i95] = result.intervals;
    for (let i = 0; i < 14; i++) {
      expect(i95!.lower[i]!).toBeLessThanOrEqual(i80!.lower[i]!);
      expect(i80!.lower[i]!).toBeLessThanOrEqual(result.forecast[i]!);
      expect(i80!.upper[i]!).toBeLessThanOrEqual(i95!.upper[i]!);
    }
    // A weekly pattern this clear is not forecast flat.
    expect(['etsANA', 'etsAAdA', 'seasonalNaive']).toContain(result.method);
  });

  it('normal quantiles and intervals', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 12);
    expect(normalQuantile(0.9)).toBeCloseTo(1.2815515655446004, 12);
    // Far in the tails too (the plain Newton iteration diverged there and returned NaN).
    expect(normalQuantile(1e-8)).toBeCloseTo(-5.612, 3);
    expect(normalQuantile(0.9999)).toBeCloseTo(3.719, 3);
    expect(normalQuantile(0.99993)).toBeGreaterThan(normalQuantile(0.9999));
    fc.assert(
      fc.property(fc.double({ min: 1e-12, max: 0.5, noNaN: true }), (p) => {
        const x = normalQuantile(p);
        expect(Number.isFinite(x)).toBe(true);
        // Within 1e-8 of p, relatively (CI met p = 1.29e-5 with 1.4e-9: the Newton steps stop
        // near there), far finer than any interval needs.
        expect(Math.abs(normalCdf(x) - p)).toBeLessThanOrEqual(1e-8 * p);
        expect(normalQuantile(Math.min(0.5, p * 1.01))).toBeGreaterThanOrEqual(x);
      }),
    );
    const { lower, upper } = predictionIntervals([10], [4], 0.95);
    expect(lower[0]).toBeCloseTo(10 - 2 * 1.959963984540054, 12);
    expect(upper[0]).toBeCloseTo(10 + 2 * 1.959963984540054, 12);
  });
});
