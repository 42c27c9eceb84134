/**
 * Drift of one column: the reference summary against a window's summary, with the test chosen
 * as Evidently does (or forced), its statistic, p-value, threshold and verdict, PSI for numeric
 * columns, and whether the figures are exact or carry an approximation bound.
 */
import { chi2Contingency } from '../stats/chi2.js';
import { jensenShannon } from '../stats/jensen-shannon.js';
import { ksTwoSamplePValue } from '../stats/ks.js';
import { psi, quantilesOfSorted } from '../stats/psi.js';
import type { CategoricalSummary } from '../windows/categorical-summary.js';
import type { NumericSummary } from '../windows/numeric-summary.js';
import type { FeatureSummary } from '../windows/pane.js';
import { approximationBounds, binnedCdf, cdfAt, exactValues, ksOfCdfs, ksOfExact, wassersteinOfCdfs, wassersteinOfExact } from './cdf.js';
import { DECILE_PROBS, type ReferenceColumn } from './reference.js';
import { DEFAULT_THRESHOLDS, defaultTest, isDrifted, type ColumnKind, type DriftTest, type DriftThresholds } from './tests.js';

export interface ColumnDrift {
  readonly column: string;
  readonly kind: ColumnKind;
  readonly test: DriftTest;
  readonly statistic: number;
  /** NaN for distance tests (wasserstein, jensenshannon, psi). */
  readonly pValue: number;
  readonly threshold: number;
  readonly drifted: boolean;
  readonly referenceCount: number;
  readonly currentCount: number;
  /** PSI on the 10 reference-decile bins (numeric columns), NaN otherwise. */
  readonly psi: number;
  /** 0 when the statistic is exact; otherwise the bound on |approximate - exact| (see cdf.ts). */
  readonly approximationBound: number;
}

export type CompareError =
  | { readonly kind: 'kind-mismatch'; readonly reference: ColumnKind; readonly current: ColumnKind }
  | { readonly kind: 'no-data'; readonly side: 'reference' | 'current' }
  | { readonly kind: 'test-not-applicable'; readonly test: DriftTest; readonly columnKind: ColumnKind };

export type CompareOutcome = { ok: true; value: ColumnDrift } | { ok: false; error: CompareError };

export interface CompareOptions {
  /** Forces a test; 'auto' (default) chooses as Evidently does. */
  readonly test?: DriftTest | 'auto';
  readonly thresholds?: Partial<DriftThresholds>;
}

const kindOf = (s: FeatureSummary): ColumnKind => s.kind;

export function compareColumn(column: string, reference: ReferenceColumn, current: FeatureSummary, options: CompareOptions = {}): CompareOutcome {
  const ref = reference.summary;
  if (ref.kind !== current.kind) return { ok: false, error: { kind: 'kind-mismatch', reference: kindOf(ref), current: kindOf(current) } };
  if (ref.n === 0) return { ok: false, error: { kind: 'no-data', side: 'reference' } };
  if (current.n === 0) return { ok: false, error: { kind: 'no-data', side: 'current' } };
  const thresholds = { ...DEFAULT_THRESHOLDS, ...options.thresholds };
  if (ref.kind === 'categorical' && current.kind === 'categorical') {
    const test = options.test && options.test !== 'auto' ? options.test : defaultTest('categorical', ref.n, undefined);
    return categorical(column, ref, current, test, thresholds[test]);
  }
  return numeric(column, ref as NumericSummary, current as NumericSummary, reference.psiEdges, options.test ?? 'auto', thresholds);
}

function alignedCounts(a: ReadonlyMap<string | number, number>, b: ReadonlyMap<string | number, number>): [number[], number[]] {
  const keys = [...new Set([...a.keys(), ...b.keys()])];
  return [keys.map((k) => a.get(k) ?? 0), keys.map((k) => b.get(k) ?? 0)];
}

function countTest(
  column: string,
  kind: ColumnKind,
  refCounts: number[],
  curCounts: number[],
  test: DriftTest,
  threshold: number,
  psiValue: number,
): CompareOutcome {
  const referenceCount = refCounts.reduce((s, c) => s + c, 0);
  const currentCount = curCounts.reduce((s, c) => s + c, 0);
  let statistic: number;
  let pValue = Number.NaN;
  if (test === 'chi2') {
    const r = chi2Contingency([refCounts, curCounts]);
    // Only possible when a side is empty, which compareColumn excluded.
    if (!r.ok) return { ok: false, error: { kind: 'no-data', side: 'current' } };
    statistic = r.value.statistic;
    pValue = r.value.pValue;
  } else if (test === 'jensenshannon') {
    statistic = jensenShannon(refCounts, curCounts);
  } else if (test === 'psi') {
    statistic = psi(refCounts, curCounts);
  } else {
    return { ok: false, error: { kind: 'test-not-applicable', test, columnKind: kind } };
  }
  return {
    ok: true,
    value: {
      column,
      kind,
      test,
      statistic,
      pValue,
      threshold,
      drifted: isDrifted(test, statistic, pValue, threshold),
      referenceCount,
      currentCount,
      psi: psiValue,
      approximationBound: 0,
    },
  };
}

function categorical(column: string, ref: CategoricalSummary, cur: CategoricalSummary, test: DriftTest, threshold: number): CompareOutcome {
  const [r, c] = alignedCounts(ref.categories, cur.categories);
  return countTest(column, 'categorical', r, c, test, threshold, Number.NaN);
}

/** PSI over the reference deciles: exact from exact value counts or bin edges, else interpolated. */
function psiOf(ref: NumericSummary, cur: NumericSummary, psiEdges: readonly number[] | undefined): number {
  const edges = psiEdges ?? decilesOf(ref);
  const shares = (s: NumericSummary): number[] => {
    const exact = exactValues(s);
    const cdfOfBins = exact ? undefined : binnedCdf(s);
    const below = (e: number): number => {
      if (!cdfOfBins && exact) {
        let c = 0;
        for (let i = 0; i < exact.values.length && exact.values[i]! <= e; i++) c += exact.counts[i]!;
        return c / s.n;
      }
      return cdfAt(cdfOfBins!, e);
    };
    const cdf = edges.map(below);
    return [...cdf, 1].map((v, i) => v - (i === 0 ? 0 : cdf[i - 1]!));
  };
  return psi(shares(ref), shares(cur));
}

/** Reference deciles from a summary: exact (numpy 'linear') from exact counts, else from the binned CDF. */
export function decilesOf(s: NumericSummary): number[] {
  const exact = exactValues(s);
  if (exact) {
    const expanded: number[] = [];
    exact.values.forEach((v, i) => {
      for (let k = 0; k < exact.counts[i]!; k++) expanded.push(v);
    });
    return [...new Set(quantilesOfSorted(expanded, DECILE_PROBS))];
  }
  const cdf = binnedCdf(s);
  const out: number[] = [];
  for (const p of DECILE_PROBS) {
    // The smallest x with F(x) >= p: a bin edge whenever p is a bin's cumulative share.
    let lo = cdf.xs[0]!;
    let hi = cdf.xs[cdf.xs.length - 1]!;
    for (let it = 0; it < 100 && hi - lo > 1e-12 * Math.max(1, Math.abs(hi)); it++) {
      const mid = (lo + hi) / 2;
      if (cdfAt(cdf, mid) >= p) hi = mid;
      else lo = mid;
    }
    out.push(hi);
  }
  return [...new Set(out)];
}

function numeric(
  column: string,
  ref: NumericSummary,
  cur: NumericSummary,
  psiEdges: readonly number[] | undefined,
  forced: DriftTest | 'auto',
  thresholds: DriftThresholds,
): CompareOutcome {
  const exactRef = exactValues(ref);
  const exactCur = exactValues(cur);
  const distinct = exactRef && exactCur ? new Set([...exactRef.values, ...exactCur.values]).size : undefined;
  const test = forced === 'auto' ? defaultTest('numeric', ref.n, distinct) : forced;
  const threshold = thresholds[test];
  const psiValue = psiOf(ref, cur, psiEdges);
  if (test === 'chi2' || test === 'jensenshannon') {
    if (!ref.distinct || !cur.distinct) return { ok: false, error: { kind: 'test-not-applicable', test, columnKind: 'numeric' } };
    const [r, c] = alignedCounts(ref.distinct, cur.distinct);
    return countTest(column, 'numeric', r, c, test, threshold, psiValue);
  }
  const base = { column, kind: 'numeric' as const, test, threshold, referenceCount: ref.n, currentCount: cur.n, psi: psiValue };
  if (test === 'psi') {
    return { ok: true, value: { ...base, statistic: psiValue, pValue: Number.NaN, drifted: isDrifted(test, psiValue, Number.NaN, threshold), approximationBound: 0 } };
  }
  let raw: number;
  let bound = 0;
  if (exactRef && exactCur) {
    raw = test === 'ks' ? ksOfExact(exactRef, exactCur) : wassersteinOfExact(exactRef, exactCur);
  } else {
    const cr = binnedCdf(ref);
    const cc = binnedCdf(cur);
    const bounds = approximationBounds(ref, cur, cr, cc);
    raw = test === 'ks' ? ksOfCdfs(cr, cc) : wassersteinOfCdfs(cr, cc);
    bound = test === 'ks' ? bounds.ks : bounds.wasserstein;
  }
  if (test === 'ks') {
    const r = ksTwoSamplePValue(raw, ref.n, cur.n);
    // Exact-mode p-values snap D to the lattice of the sample sizes; keep the raw statistic when approximate.
    const statistic = bound === 0 ? r.statistic : raw;
    return { ok: true, value: { ...base, statistic, pValue: r.pValue, drifted: isDrifted(test, statistic, r.pValue, threshold), approximationBound: bound } };
  }
  // Evidently's wasserstein test: distance divided by the reference std (at least 0.001).
  const norm = Math.max(ref.std, 0.001);
  const statistic = raw / norm;
  return {
    ok: true,
    value: { ...base, statistic, pValue: Number.NaN, drifted: isDrifted(test, statistic, Number.NaN, threshold), approximationBound: bound / norm },
  };
}
