/**
 * CDFs of numeric summaries, and the KS statistic and Wasserstein distance between two of them.
 *
 * Exact when both summaries still hold their exact value counts (few distinct values).
 * Otherwise each CDF is the piecewise-linear interpolation of the binned counts (values spread
 * uniformly inside each bin, the open tails clipped to the observed min and max). That CDF is
 * exact at every bin edge and off by at most the mass of the bin containing x elsewhere, so:
 *   |KS_approx - KS_exact| <= max over x of (mass1(bin of x) + mass2(bin of x))
 *   |W_approx - W_exact|   <= Σ_bins width · mass   (over both summaries' bins)
 * Both bounds are computed from the summaries and returned with the statistic.
 */
import { binBounds } from '../windows/binning.js';
import type { NumericSummary } from '../windows/numeric-summary.js';
import { wassersteinDistance } from '../stats/wasserstein.js';

/** Knots of a right-continuous piecewise-linear CDF: xs ascending (repeats mark jumps). */
export interface PiecewiseCdf {
  readonly xs: Float64Array;
  readonly ys: Float64Array;
  /** Largest share of the sample in one bin. */
  readonly maxBinMass: number;
  /** Σ width · mass over the bins: the L1 error bound of this CDF. */
  readonly l1Bound: number;
  readonly n: number;
}

export function binnedCdf(s: NumericSummary): PiecewiseCdf {
  const bins = [...s.bins].sort((a, b) => a[0] - b[0]);
  const xs: number[] = [];
  const ys: number[] = [];
  let cum = 0;
  let maxBinMass = 0;
  let l1Bound = 0;
  for (const [i, count] of bins) {
    if (count <= 0) continue;
    const [lo, hi] = binBounds(s.binning, i, s.min, s.max);
    const mass = count / s.n;
    xs.push(lo, hi);
    ys.push(cum, cum + mass);
    cum += mass;
    maxBinMass = Math.max(maxBinMass, mass);
    l1Bound += (hi - lo) * mass;
  }
  if (ys.length > 0) ys[ys.length - 1] = 1;
  return { xs: Float64Array.from(xs), ys: Float64Array.from(ys), maxBinMass, l1Bound, n: s.n };
}

/** F(x) (right-continuous) and F(x-) of a piecewise-linear CDF. */
function evaluate(cdf: PiecewiseCdf, x: number, left: boolean): number {
  const { xs, ys } = cdf;
  // Index of the last knot with xs[k] <= x (or < x for the left limit).
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (left ? xs[mid]! < x : xs[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  const k = lo - 1;
  if (k < 0) return 0;
  if (k >= xs.length - 1) return 1;
  const x0 = xs[k]!;
  const x1 = xs[k + 1]!;
  const y0 = ys[k]!;
  const y1 = ys[k + 1]!;
  if (x1 === x0) return y0;
  return y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
}

export const cdfAt = (cdf: PiecewiseCdf, x: number): number => evaluate(cdf, x, false);

/** x with F(x) = p (the smallest such), by linear interpolation between knots. */
export function inverseCdf(cdf: PiecewiseCdf, p: number): number {
  const { xs, ys } = cdf;
  for (let k = 1; k < xs.length; k++) {
    if (ys[k]! >= p) {
      const y0 = ys[k - 1]!;
      const y1 = ys[k]!;
      if (y1 === y0) return xs[k - 1]!;
      return xs[k - 1]! + ((xs[k]! - xs[k - 1]!) * (p - y0)) / (y1 - y0);
    }
  }
  return xs[xs.length - 1] ?? Number.NaN;
}

function unionKnots(a: PiecewiseCdf, b: PiecewiseCdf): Float64Array {
  return Float64Array.from(new Set([...a.xs, ...b.xs])).sort();
}

/** sup |F1 - F2| over two piecewise-linear CDFs (attained at a knot, from the right or the left). */
export function ksOfCdfs(a: PiecewiseCdf, b: PiecewiseCdf): number {
  let d = 0;
  for (const x of unionKnots(a, b)) {
    d = Math.max(d, Math.abs(evaluate(a, x, false) - evaluate(b, x, false)), Math.abs(evaluate(a, x, true) - evaluate(b, x, true)));
  }
  return d;
}

/** ∫ |F1 - F2| dx over two piecewise-linear CDFs (exact for them: linear between knots). */
export function wassersteinOfCdfs(a: PiecewiseCdf, b: PiecewiseCdf): number {
  const knots = unionKnots(a, b);
  let total = 0;
  for (let k = 0; k + 1 < knots.length; k++) {
    const x0 = knots[k]!;
    const x1 = knots[k + 1]!;
    const d0 = evaluate(a, x0, false) - evaluate(b, x0, false);
    const d1 = evaluate(a, x1, true) - evaluate(b, x1, true);
    const width = x1 - x0;
    if (d0 * d1 >= 0) total += (width * (Math.abs(d0) + Math.abs(d1))) / 2;
    else total += (width * (d0 * d0 + d1 * d1)) / (2 * (Math.abs(d0) + Math.abs(d1)));
  }
  return total;
}

/** Sorted distinct values and their counts, from a summary's exact value counts. */
export function exactValues(s: NumericSummary): { values: Float64Array; counts: Float64Array } | undefined {
  if (!s.distinct) return undefined;
  const entries = [...s.distinct].sort((x, y) => x[0] - y[0]);
  return { values: Float64Array.from(entries, (e) => e[0]), counts: Float64Array.from(entries, (e) => e[1]) };
}

/** KS statistic of two exact weighted value lists (as ks_2samp on the expanded samples). */
export function ksOfExact(a: { values: Float64Array; counts: Float64Array }, b: { values: Float64Array; counts: Float64Array }): number {
  const na = a.counts.reduce((s, c) => s + c, 0);
  const nb = b.counts.reduce((s, c) => s + c, 0);
  let i = 0;
  let j = 0;
  let ca = 0;
  let cb = 0;
  let maxS = -Infinity;
  let minS = Infinity;
  while (i < a.values.length || j < b.values.length) {
    const x = j >= b.values.length || (i < a.values.length && a.values[i]! <= b.values[j]!) ? a.values[i]! : b.values[j]!;
    while (i < a.values.length && a.values[i]! <= x) ca += a.counts[i++]!;
    while (j < b.values.length && b.values[j]! <= x) cb += b.counts[j++]!;
    const diff = ca / na - cb / nb;
    maxS = Math.max(maxS, diff);
    minS = Math.min(minS, diff);
  }
  return Math.max(maxS, Math.min(1, Math.max(0, -minS)));
}

export function wassersteinOfExact(a: { values: Float64Array; counts: Float64Array }, b: { values: Float64Array; counts: Float64Array }): number {
  return wassersteinDistance({ values: a.values, weights: a.counts }, { values: b.values, weights: b.counts });
}

/** The error bounds of comparing two binned CDFs (see the file comment). */
export function approximationBounds(a: NumericSummary, b: NumericSummary, ca: PiecewiseCdf, cb: PiecewiseCdf): { ks: number; wasserstein: number } {
  let ks = ca.maxBinMass + cb.maxBinMass;
  if (a.binning.id === b.binning.id) {
    // Same bins: the error inside one bin is at most that bin's two masses.
    ks = 0;
    for (const [i, c] of a.bins) ks = Math.max(ks, c / a.n + (b.bins.get(i) ?? 0) / b.n);
    for (const [i, c] of b.bins) ks = Math.max(ks, c / b.n + (a.bins.get(i) ?? 0) / a.n);
  }
  return { ks: Math.min(1, ks), wasserstein: ca.l1Bound + cb.l1Bound };
}
