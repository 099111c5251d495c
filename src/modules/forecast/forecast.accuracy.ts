/**
 * Scaled forecast errors, comparable across SKUs whatever their volume.
 *
 * - MASE (Hyndman & Koehler 2006): mean absolute error ÷ the in-sample mean absolute error of the
 *   seasonal naive forecast (y(t) − y(t−m)). Below 1: better than seasonal naive was in-sample.
 * - RMSSE (M5 competition): √(mean squared error ÷ the in-sample mean squared one-day change),
 *   the changes counted from the first day with demand (as M5 does for items launched later).
 */

export function maseScale(train: ArrayLike<number>, period: number): number {
  let sum = 0;
  let count = 0;
  for (let t = period; t < train.length; t++) {
    sum += Math.abs(train[t]! - train[t - period]!);
    count++;
  }
  return count > 0 ? sum / count : Number.NaN;
}

export function rmsseScale(train: ArrayLike<number>): number {
  let first = 0;
  while (first < train.length && train[first]! === 0) first++;
  let sum = 0;
  let count = 0;
  for (let t = first + 1; t < train.length; t++) {
    const d = train[t]! - train[t - 1]!;
    sum += d * d;
    count++;
  }
  return count > 0 ? sum / count : Number.NaN;
}

/** MASE of a forecast against what happened; NaN when the scale is zero (a flat history). */
export function mase(actual: ArrayLike<number>, forecast: ArrayLike<number>, scale: number): number {
  if (!(scale > 0)) return Number.NaN;
  let sum = 0;
  for (let i = 0; i < actual.length; i++) sum += Math.abs(actual[i]! - forecast[i]!);
  return sum / actual.length / scale;
}

/** RMSSE of a forecast against what happened; `scale` is `rmsseScale` (a mean square). */
export function rmsse(actual: ArrayLike<number>, forecast: ArrayLike<number>, scale: number): number {
  if (!(scale > 0)) return Number.NaN;
  let sum = 0;
  for (let i = 0; i < actual.length; i++) {
    const e = actual[i]! - forecast[i]!;
    sum += e * e;
  }
  return Math.sqrt(sum / actual.length / scale);
}
