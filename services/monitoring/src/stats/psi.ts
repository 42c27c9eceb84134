/**
 * Population Stability Index over shared bins: Σ (c_i - r_i) · ln(c_i / r_i) with r, c the
 * reference and current shares per bin. An empty bin's share is replaced by 0.0001 (as
 * Evidently does) so one empty bin gives a large but finite index.
 */
export const PSI_EMPTY_SHARE = 0.0001;

export function psi(referenceCounts: ArrayLike<number>, currentCounts: ArrayLike<number>): number {
  if (referenceCounts.length !== currentCounts.length) throw new RangeError('psi: bins differ in number');
  let rt = 0;
  let ct = 0;
  for (let i = 0; i < referenceCounts.length; i++) {
    rt += referenceCounts[i]!;
    ct += currentCounts[i]!;
  }
  if (!(rt > 0 && ct > 0)) return Number.NaN;
  let sum = 0;
  for (let i = 0; i < referenceCounts.length; i++) {
    const r = referenceCounts[i]! / rt || PSI_EMPTY_SHARE;
    const c = currentCounts[i]! / ct || PSI_EMPTY_SHARE;
    sum += (c - r) * Math.log(c / r);
  }
  return sum;
}

/**
 * numpy.quantile(values, probs) with linear interpolation (method 'linear', numpy's default) on
 * an ascending-sorted array.
 */
export function quantilesOfSorted(sorted: ArrayLike<number>, probs: readonly number[]): number[] {
  const n = sorted.length;
  return probs.map((p) => {
    const pos = p * (n - 1);
    const lo = Math.floor(pos);
    const hi = Math.min(lo + 1, n - 1);
    const frac = pos - lo;
    return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * frac;
  });
}

/** Bin index of x for ascending edges e: bin 0 is (-∞, e0], bin i is (e_{i-1}, e_i], the last (e_last, ∞). */
export function binIndex(edges: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x <= edges[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** PSI of two raw samples on `bins` reference-quantile bins (10 by default). */
export function psiOfSamples(reference: ArrayLike<number>, current: ArrayLike<number>, bins = 10): number {
  const sorted = Float64Array.from(reference).sort();
  const probs = Array.from({ length: bins - 1 }, (_, i) => (i + 1) / bins);
  const edges = [...new Set(quantilesOfSorted(sorted, probs))];
  const r = new Float64Array(edges.length + 1);
  const c = new Float64Array(edges.length + 1);
  for (let i = 0; i < reference.length; i++) r[binIndex(edges, reference[i]!)]! += 1;
  for (let i = 0; i < current.length; i++) c[binIndex(edges, current[i]!)]! += 1;
  return psi(r, c);
}
