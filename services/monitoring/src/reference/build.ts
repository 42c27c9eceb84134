/**
 * Builds a Reference from one of its three sources:
 * - an uploaded dataset (exact: reference-quantile binning, exact deciles, exact value counts);
 * - the profile the registry recorded in the version's lineage (quantiles and/or a histogram:
 *   mass between two recorded quantiles is spread uniformly, so comparisons are approximate);
 * - a window of the version's own traffic (the merged panes, as they are).
 */
import type { FeatureProfile, ReferenceProfile } from '@mlops/proto/mlops/registry/v1/registry_pb';
import { DECILE_PROBS, type Reference, type ReferenceColumn, type ReferenceSource } from '../drift/reference.js';
import { decilesOf } from '../drift/compare.js';
import { quantilesOfSorted } from '../stats/psi.js';
import { binningFromEdges, binningOfSorted, quantileBinning, REFERENCE_BIN_COUNT, type Binning } from '../windows/binning.js';
import { CategoricalSummary } from '../windows/categorical-summary.js';
import { NumericSummary } from '../windows/numeric-summary.js';
import type { PaneSummary } from '../windows/pane.js';

/** One column of an uploaded dataset: numbers (null = missing) or categories (null = missing). */
export type DatasetColumn = { readonly kind: 'numeric'; readonly values: ReadonlyArray<number | null> } | { readonly kind: 'categorical'; readonly values: ReadonlyArray<string | null> };

export function referenceFromDataset(name: string, columns: ReadonlyMap<string, DatasetColumn>): Reference {
  const out = new Map<string, ReferenceColumn>();
  let rows = 0;
  for (const [column, data] of columns) {
    rows = Math.max(rows, data.values.length);
    if (data.kind === 'categorical') {
      const s = new CategoricalSummary();
      for (const v of data.values) {
        if (v === null) s.addMissing();
        else s.add(v);
      }
      out.set(column, { summary: s });
      continue;
    }
    const finite = data.values.filter((v): v is number => v !== null && Number.isFinite(v));
    const sorted = Float64Array.from(finite).sort();
    const binning = sorted.length > 0 ? binningOfSorted(sorted) : binningFromEdges([]);
    const s = new NumericSummary(binning);
    for (const v of data.values) s.add(v ?? Number.NaN);
    const psiEdges = sorted.length > 0 ? [...new Set(quantilesOfSorted(sorted, DECILE_PROBS))] : [];
    out.set(column, { summary: s, psiEdges });
  }
  return { source: { kind: 'dataset', name }, rows, columns: out };
}

function interpolate(probs: readonly number[], values: readonly number[], p: number): number {
  for (let i = 1; i < probs.length; i++) {
    if (probs[i]! >= p) {
      const span = probs[i]! - probs[i - 1]!;
      return span > 0 ? values[i - 1]! + ((values[i]! - values[i - 1]!) * (p - probs[i - 1]!)) / span : values[i]!;
    }
  }
  return values[values.length - 1]!;
}

/** Quantile knots (prob, value) of a profile: its quantiles with min at 0 and max at 1. */
function profileKnots(p: FeatureProfile): { probs: number[]; values: number[] } | undefined {
  const pairs: Array<[number, number]> = [];
  p.quantileProbs.forEach((prob, i) => {
    const v = p.quantiles[i];
    if (v !== undefined && Number.isFinite(v) && prob > 0 && prob < 1) pairs.push([prob, v]);
  });
  if (pairs.length === 0) return undefined;
  pairs.sort((a, b) => a[0] - b[0]);
  return { probs: [0, ...pairs.map((x) => x[0]), 1], values: [p.min, ...pairs.map((x) => x[1]), p.max] };
}

function numericFromProfile(p: FeatureProfile): ReferenceColumn | undefined {
  const n = Number(p.count);
  if (!(n > 0)) return undefined;
  const knots = profileKnots(p);
  let binning: Binning;
  const s = (b: Binning): NumericSummary => {
    const summary = new NumericSummary(b);
    summary.n = n;
    summary.missing = Number(p.missing);
    summary.mean = p.mean;
    summary.m2 = p.std * p.std * n;
    summary.min = p.min;
    summary.max = p.max;
    summary.distinct = null;
    return summary;
  };
  if (knots) {
    const percentiles = Array.from({ length: REFERENCE_BIN_COUNT - 1 }, (_, i) => interpolate(knots.probs, knots.values, (i + 1) / REFERENCE_BIN_COUNT));
    binning = quantileBinning({ min: p.min, max: p.max, percentiles });
    const summary = s(binning);
    // Percentile bins each hold 1 % of the reference (uniform between recorded quantiles).
    const edges = [p.min, ...percentiles, p.max];
    for (let i = 0; i + 1 < edges.length; i++) {
      const mid = (edges[i]! + edges[i + 1]!) / 2;
      const bin = binOfEdges(binning, mid, edges[i + 1]!);
      summary.bins.set(bin, (summary.bins.get(bin) ?? 0) + n / REFERENCE_BIN_COUNT);
    }
    return { summary, psiEdges: [...new Set(DECILE_PROBS.map((q) => interpolate(knots.probs, knots.values, q)))] };
  }
  const h = p.histogram;
  if (h && h.edges.length >= 2 && h.counts.length === h.edges.length - 1) {
    binning = binningFromEdges(h.edges);
    const summary = s(binning);
    const total = h.counts.reduce((a, c) => a + c, 0);
    h.counts.forEach((c, i) => {
      if (c <= 0) return;
      const bin = binOfEdges(binning, (h.edges[i]! + h.edges[i + 1]!) / 2, h.edges[i + 1]!);
      summary.bins.set(bin, (summary.bins.get(bin) ?? 0) + (c * n) / total);
    });
    return { summary, psiEdges: decilesOf(summary) };
  }
  return undefined;
}

/** The bin of a value inside (lo, hi]; a zero-width interval maps to the bin of its upper edge. */
function binOfEdges(binning: Binning, mid: number, hi: number): number {
  const e = binning.edges;
  let lo = 0;
  let top = e.length;
  const x = Number.isFinite(mid) ? mid : hi;
  while (lo < top) {
    const m = (lo + top) >>> 1;
    if (x <= e[m]!) top = m;
    else lo = m + 1;
  }
  return lo;
}

export function referenceFromProfile(profile: ReferenceProfile): Reference {
  const out = new Map<string, ReferenceColumn>();
  for (const p of profile.features) {
    const categories = Object.entries(p.categories);
    if (categories.length > 0) {
      const s = new CategoricalSummary();
      for (const [k, c] of categories) s.add(k, Number(c));
      s.addMissing(Number(p.missing));
      out.set(p.feature, { summary: s });
      continue;
    }
    const column = numericFromProfile(p);
    if (column) out.set(p.feature, column);
  }
  return { source: { kind: 'registry' }, rows: Number(profile.rows), columns: out };
}

export function referenceFromWindow(window: PaneSummary, source: Extract<ReferenceSource, { kind: 'window' }>): Reference {
  const out = new Map<string, ReferenceColumn>();
  for (const [column, summary] of window.features) {
    out.set(column, summary.kind === 'numeric' ? { summary, psiEdges: decilesOf(summary) } : { summary });
  }
  return { source, rows: window.predictions, columns: out };
}

/** Binning per numeric column that new panes of the version should use. */
export function binningsOf(reference: Reference): Map<string, Binning> {
  const out = new Map<string, Binning>();
  for (const [column, c] of reference.columns) if (c.summary.kind === 'numeric') out.set(column, c.summary.binning);
  return out;
}
