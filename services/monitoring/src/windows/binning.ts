/**
 * Bin edges shared by a reference and the windows compared with it. Bins are (-∞, e0],
 * (e0, e1], …, (e_last, ∞); a summary counts values per bin, so two summaries on the same
 * binning merge by adding counts and compare bin against bin.
 */
import { binIndex, quantilesOfSorted } from '../stats/psi.js';

export interface Binning {
  /** Stable identity: summaries merge bin-wise only when their binning ids are equal. */
  readonly id: string;
  readonly edges: Float64Array;
}

/** Percentiles recorded as inner edges: 1 … 99, so the deciles PSI uses are exact edges. */
export const REFERENCE_BIN_COUNT = 100;
/** Geometric extension bins on each side of the reference range, so a shifted window still has resolution. */
const EXTENSION_BINS = 24;

export const binOf = (binning: Binning, x: number): number => binIndex(binning.edges, x);

/** FNV-1a over the edges' bytes: two binnings with the same edges get the same id. */
function edgesDigest(edges: Float64Array): string {
  const bytes = new Uint8Array(edges.buffer, edges.byteOffset, edges.byteLength);
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return `${edges.length}-${h.toString(16)}`;
}

export function binningFromEdges(edges: readonly number[]): Binning {
  const unique = Float64Array.from([...new Set(edges.filter((e) => Number.isFinite(e)))].sort((a, b) => a - b));
  return { id: `e${edgesDigest(unique)}`, edges: unique };
}

/**
 * Edges from reference quantiles (min, the percentiles 1..99, max) plus geometrically widening
 * extension edges beyond the reference range: width w, 2w, 4w, … with w = range / 100.
 */
export function quantileBinning(referenceQuantiles: { min: number; max: number; percentiles: readonly number[] }): Binning {
  const { min, max } = referenceQuantiles;
  const span = max - min;
  const w = span > 0 ? span / REFERENCE_BIN_COUNT : Math.max(Math.abs(min) * 0.01, 1e-9);
  return binningFromEdges(extend([min, ...referenceQuantiles.percentiles, max], min, max, w));
}

function extend(edges: number[], min: number, max: number, w: number): number[] {
  const out = edges.filter((e) => e >= min && e <= max);
  let offset = 0;
  let width = w;
  for (let k = 0; k < EXTENSION_BINS; k++) {
    offset += width;
    out.push(min - offset, max + offset);
    width *= 2;
  }
  return out;
}

/** The reference binning of a raw sample (ascending-sorted). */
export function binningOfSorted(sorted: ArrayLike<number>): Binning {
  const probs = Array.from({ length: REFERENCE_BIN_COUNT - 1 }, (_, i) => (i + 1) / REFERENCE_BIN_COUNT);
  return quantileBinning({ min: sorted[0]!, max: sorted[sorted.length - 1]!, percentiles: quantilesOfSorted(sorted, probs) });
}

/**
 * The fallback when a version has no reference yet: a fixed symmetric logarithmic grid
 * (edges 0, ±1e-6·1.02^k up to ±1e12), i.e. every value is binned within ±1 % of itself.
 */
export const UNIVERSAL_BINNING: Binning = (() => {
  const positive: number[] = [];
  for (let x = 1e-6; x <= 1e12; x *= 1.02) positive.push(x);
  const edges = [...positive.map((x) => -x).reverse(), 0, ...positive];
  return { id: 'log1.02', edges: Float64Array.from(edges) };
})();

/** Lower and upper bound of bin i, with the open tails clipped to the observed min and max. */
export function binBounds(binning: Binning, i: number, min: number, max: number): [number, number] {
  const e = binning.edges;
  const lo = i === 0 ? min : Math.max(e[i - 1]!, min);
  const hi = i === e.length ? max : Math.min(e[i]!, max);
  return [Math.min(lo, hi), hi];
}
