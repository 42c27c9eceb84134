/**
 * First Wasserstein (earth mover's) distance between two 1-D distributions given by samples and
 * optional non-negative weights, as scipy.stats.wasserstein_distance: ∫ |U(x) - V(x)| dx over
 * the merged support, with the empirical (weighted) CDFs.
 */
export interface WeightedSample {
  readonly values: ArrayLike<number>;
  readonly weights?: ArrayLike<number>;
}

interface SortedCdf {
  readonly values: Float64Array;
  /** cumulative weight up to and including values[i], normalised to 1 at the end. */
  readonly cum: Float64Array;
}

function sortedCdf(sample: WeightedSample): SortedCdf {
  const n = sample.values.length;
  if (n === 0) throw new RangeError('wasserstein: a distribution must have at least one value');
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => sample.values[x]! - sample.values[y]!);
  const values = new Float64Array(n);
  const cum = new Float64Array(n);
  let total = 0;
  for (let k = 0; k < n; k++) {
    const idx = order[k]!;
    values[k] = sample.values[idx]!;
    const w = sample.weights ? sample.weights[idx]! : 1;
    if (!(w >= 0) || !Number.isFinite(w)) throw new RangeError('wasserstein: weights must be finite and non-negative');
    total += w;
    cum[k] = total;
  }
  if (!(total > 0)) throw new RangeError('wasserstein: weights must sum to a positive number');
  for (let k = 0; k < n; k++) cum[k]! /= total;
  return { values, cum };
}

// Arrays have a `values` method, so tell the two shapes apart by what a plain sample is.
const asWeighted = (s: WeightedSample | ArrayLike<number>): WeightedSample =>
  Array.isArray(s) || ArrayBuffer.isView(s) ? { values: s as ArrayLike<number> } : (s as WeightedSample);

/** scipy.stats.wasserstein_distance(u_values, v_values, u_weights, v_weights). */
export function wassersteinDistance(u: WeightedSample | ArrayLike<number>, v: WeightedSample | ArrayLike<number>): number {
  const U = sortedCdf(asWeighted(u));
  const V = sortedCdf(asWeighted(v));
  let i = 0;
  let j = 0;
  let cu = 0;
  let cv = 0;
  let distance = 0;
  let prev = Math.min(U.values[0]!, V.values[0]!);
  while (i < U.values.length || j < V.values.length) {
    const x = j >= V.values.length || (i < U.values.length && U.values[i]! <= V.values[j]!) ? U.values[i]! : V.values[j]!;
    distance += Math.abs(cu - cv) * (x - prev);
    while (i < U.values.length && U.values[i]! <= x) cu = U.cum[i++]!;
    while (j < V.values.length && V.values[j]! <= x) cv = V.cum[j++]!;
    prev = x;
  }
  return distance;
}
