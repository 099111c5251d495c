/**
 * Small numeric tools the forecasting methods need, written here so the module has no
 * dependencies: a Nelder–Mead minimiser, a symmetric positive-definite solver, and the normal
 * quantile for prediction intervals. Pure functions, no I/O.
 */

export interface MinimizeOptions {
  /** Stop when the simplex's function values differ by less than this, relatively (R's `reltol`). */
  relativeTolerance?: number;
  /** Most function evaluations. */
  maxEvaluations?: number;
  /** Size of the first simplex's steps from the start point. */
  initialStep?: number;
}

export interface MinimizeResult {
  point: number[];
  value: number;
  evaluations: number;
}

/**
 * Nelder–Mead downhill simplex (reflection 1, expansion 2, contraction ½, shrink ½) over an
 * unconstrained space; callers map bounded parameters into it. A non-finite value counts as +∞,
 * so an objective can refuse a point by returning NaN or Infinity.
 */
export function nelderMead(
  objective: (point: readonly number[]) => number,
  start: readonly number[],
  options: MinimizeOptions = {},
): MinimizeResult {
  const tolerance = options.relativeTolerance ?? 1e-8;
  const maxEvaluations = options.maxEvaluations ?? 2000;
  const step = options.initialStep ?? 0.5;
  const n = start.length;
  let evaluations = 0;
  const f = (p: readonly number[]): number => {
    evaluations++;
    const v = objective(p);
    return Number.isFinite(v) ? v : Number.POSITIVE_INFINITY;
  };

  const simplex: number[][] = [start.slice()];
  for (let i = 0; i < n; i++) {
    const vertex = start.slice();
    vertex[i] = vertex[i]! + step;
    simplex.push(vertex);
  }
  const values = simplex.map(f);
  const order = simplex.map((_, i) => i);

  const centroidExcept = (worst: number): number[] => {
    const c = new Array<number>(n).fill(0);
    for (let i = 0; i <= n; i++) {
      if (i === worst) continue;
      const v = simplex[i]!;
      for (let j = 0; j < n; j++) c[j] = c[j]! + v[j]! / n;
    }
    return c;
  };
  const along = (from: number[], to: number[], t: number): number[] =>
    from.map((x, j) => x + t * (to[j]! - x));

  while (evaluations < maxEvaluations) {
    order.sort((a, b) => values[a]! - values[b]!);
    const best = order[0]!;
    const worst = order[n]!;
    const secondWorst = order[n - 1] ?? best;
    const fBest = values[best]!;
    const fWorst = values[worst]!;
    if (Number.isFinite(fWorst) && Math.abs(fWorst - fBest) <= tolerance * (Math.abs(fBest) + tolerance))
      break;

    const centroid = centroidExcept(worst);
    const reflected = along(simplex[worst]!, centroid, 2);
    const fReflected = f(reflected);
    if (fReflected < fBest) {
      const expanded = along(simplex[worst]!, centroid, 3);
      const fExpanded = f(expanded);
      if (fExpanded < fReflected) {
        simplex[worst] = expanded;
        values[worst] = fExpanded;
      } else {
        simplex[worst] = reflected;
        values[worst] = fReflected;
      }
      continue;
    }
    if (fReflected < values[secondWorst]!) {
      simplex[worst] = reflected;
      values[worst] = fReflected;
      continue;
    }
    // Contract towards the better of the worst point and its reflection.
    const outside = fReflected < fWorst;
    const contracted = outside ? along(centroid, reflected, 0.5) : along(centroid, simplex[worst]!, 0.5);
    const fContracted = f(contracted);
    if (fContracted < Math.min(fReflected, fWorst)) {
      simplex[worst] = contracted;
      values[worst] = fContracted;
      continue;
    }
    // Shrink everything towards the best vertex.
    for (let i = 0; i <= n; i++) {
      if (i === best) continue;
      simplex[i] = along(simplex[best]!, simplex[i]!, 0.5);
      values[i] = f(simplex[i]!);
    }
  }
  let bestIndex = 0;
  for (let i = 1; i <= n; i++) if (values[i]! < values[bestIndex]!) bestIndex = i;
  return { point: simplex[bestIndex]!, value: values[bestIndex]!, evaluations };
}

/**
 * Solves A x = b for a symmetric positive semi-definite A (row-major, size k×k) by Cholesky; a
 * tiny ridge is added when A is singular or nearly so (an initial state the data cannot pin down
 * then stays near zero instead of blowing up). Returns null only if even that fails.
 */
export function solveSymmetric(a: Float64Array, b: Float64Array, k: number): Float64Array | null {
  let trace = 0;
  for (let i = 0; i < k; i++) trace += a[i * k + i]!;
  const scale = trace / Math.max(k, 1) || 1;
  for (const ridge of [0, 1e-12, 1e-9, 1e-6]) {
    const l = new Float64Array(k * k);
    let ok = true;
    for (let i = 0; i < k && ok; i++) {
      for (let j = 0; j <= i; j++) {
        let sum = a[i * k + j]! + (i === j ? ridge * scale : 0);
        for (let p = 0; p < j; p++) sum -= l[i * k + p]! * l[j * k + p]!;
        if (i === j) {
          if (!(sum > 1e-14 * scale)) {
            ok = false;
            break;
          }
          l[i * k + i] = Math.sqrt(sum);
        } else {
          l[i * k + j] = sum / l[j * k + j]!;
        }
      }
    }
    if (!ok) continue;
    const z = new Float64Array(k);
    for (let i = 0; i < k; i++) {
      let sum = b[i]!;
      for (let p = 0; p < i; p++) sum -= l[i * k + p]! * z[p]!;
      z[i] = sum / l[i * k + i]!;
    }
    const x = new Float64Array(k);
    for (let i = k - 1; i >= 0; i--) {
      let sum = z[i]!;
      for (let p = i + 1; p < k; p++) sum -= l[p * k + i]! * x[p]!;
      x[i] = sum / l[i * k + i]!;
    }
    return x;
  }
  return null;
}

/** Standard normal cumulative distribution, accurate to ~1e-15 in the range intervals use. */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

function erfc(x: number): number {
  if (x < 0) return 2 - erfc(-x);
  if (x < 3) {
    // Maclaurin series of erf: 2/√π Σ (-1)^n x^(2n+1) / (n! (2n+1)).
    let term = x;
    let sum = x;
    for (let n = 1; n < 200; n++) {
      term *= (-x * x) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * sum;
  }
  // Continued fraction for the tail, evaluated from the bottom up.
  let fraction = 0;
  for (let n = 60; n >= 1; n--) fraction = n / 2 / (x + fraction);
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / (x + fraction);
}

/** Quantile of the standard normal (probability in (0, 1)), by Newton steps on `normalCdf`. */
export function normalQuantile(probability: number): number {
  if (!(probability > 0 && probability < 1)) throw new RangeError('probability must be in (0, 1)');
  // Newton's method from a logistic approximation, kept inside a bracket of the root: a step that
  // leaves the bracket (far in the tails, where the density is tiny) bisects it instead.
  let low = -40;
  let high = 40;
  let x = Math.min(high, Math.max(low, Math.log(probability / (1 - probability)) / 1.702));
  for (let i = 0; i < 200; i++) {
    const error = normalCdf(x) - probability;
    if (error === 0) return x;
    if (error > 0) high = x;
    else low = x;
    const density = Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
    let next = x - error / density;
    if (!(next > low && next < high)) next = (low + high) / 2;
    if (Math.abs(next - x) < 1e-14 * Math.max(1, Math.abs(x))) return next;
    x = next;
  }
  return x;
}

/**
 * Largest modulus among the roots of the polynomial c[0] + c[1]·z + … + c[n]·z^n (c[n] ≠ 0), by
 * Durand–Kerner iteration (all roots at once, complex arithmetic written out).
 */
export function largestRootModulus(coefficients: readonly number[]): number {
  const n = coefficients.length - 1;
  if (n < 1) return 0;
  const lead = coefficients[n]!;
  const a = coefficients.map((c) => c / lead);
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  // Starting points spread on a spiral, none on the real axis.
  for (let k = 0; k < n; k++) {
    const angle = (2 * Math.PI * k) / n + 0.4;
    re[k] = 0.9 * Math.cos(angle);
    im[k] = 0.9 * Math.sin(angle);
  }
  for (let iteration = 0; iteration < 500; iteration++) {
    let largestStep = 0;
    for (let k = 0; k < n; k++) {
      // p(z) by Horner.
      let pr = 1;
      let pi = 0;
      for (let j = n - 1; j >= 0; j--) {
        const r = pr * re[k]! - pi * im[k]! + a[j]!;
        pi = pr * im[k]! + pi * re[k]!;
        pr = r;
      }
      // ∏ (z_k − z_j), j ≠ k.
      let qr = 1;
      let qi = 0;
      for (let j = 0; j < n; j++) {
        if (j === k) continue;
        const dr = re[k]! - re[j]!;
        const di = im[k]! - im[j]!;
        const r = qr * dr - qi * di;
        qi = qr * di + qi * dr;
        qr = r;
      }
      const denominator = qr * qr + qi * qi;
      if (denominator === 0) continue;
      const sr = (pr * qr + pi * qi) / denominator;
      const si = (pi * qr - pr * qi) / denominator;
      re[k] = re[k]! - sr;
      im[k] = im[k]! - si;
      largestStep = Math.max(largestStep, Math.hypot(sr, si));
    }
    if (largestStep < 1e-14) break;
  }
  let largest = 0;
  for (let k = 0; k < n; k++) largest = Math.max(largest, Math.hypot(re[k]!, im[k]!));
  return largest;
}
