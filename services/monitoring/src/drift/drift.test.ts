import { describe, expect, it } from 'vitest';
import { referenceFromDataset } from '../reference/build.js';
import { ks2samp } from '../stats/ks.js';
import { psiOfSamples } from '../stats/psi.js';
import { wassersteinDistance } from '../stats/wasserstein.js';
import { seededNormal } from '../testing/random.js';
import { CategoricalSummary } from '../windows/categorical-summary.js';
import { NumericSummary } from '../windows/numeric-summary.js';
import { PaneSummary, mergePanes } from '../windows/pane.js';
import { compareColumn } from './compare.js';
import type { ReferenceColumn } from './reference.js';

const draw = (seed: number, n: number, shift = 0, scale = 1): number[] => {
  const g = seededNormal(seed);
  return Array.from({ length: n }, () => shift + scale * g());
};

function referenceColumn(values: number[]): ReferenceColumn {
  const ref = referenceFromDataset('fixture', new Map([['x', { kind: 'numeric' as const, values }]]));
  return ref.columns.get('x')!;
}

function summaryOn(column: ReferenceColumn, values: readonly number[]): NumericSummary {
  const s = new NumericSummary((column.summary as NumericSummary).binning);
  for (const v of values) s.add(v);
  return s;
}

describe('streaming summaries against exact computation (same data)', () => {
  const reference = draw(1, 20_000);
  const current = draw(2, 50_000, 0.1, 1.1);
  const column = referenceColumn(reference);
  const window = summaryOn(column, current);

  it('KS: |streaming - exact| <= the bound the summary reports, and the bound is small', () => {
    const exact = ks2samp(reference, current);
    const r = compareColumn('x', column, window, { test: 'ks' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.approximationBound).toBeGreaterThan(0);
    expect(r.value.approximationBound).toBeLessThan(0.05);
    expect(Math.abs(r.value.statistic - exact.statistic)).toBeLessThanOrEqual(r.value.approximationBound);
    expect(r.value.drifted).toBe(true);
  });

  it('Wasserstein: |streaming - exact| <= bound, bound under 0.2 reference std', () => {
    const exact = wassersteinDistance(reference, current);
    const r = compareColumn('x', column, window, { test: 'wasserstein' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const std = (column.summary as NumericSummary).std;
    expect(Math.abs(r.value.statistic * std - exact)).toBeLessThanOrEqual(r.value.approximationBound * std + 1e-12);
    expect(r.value.approximationBound).toBeLessThan(0.2);
    expect(r.value.statistic).toBeGreaterThan(0.1);
  });

  it('PSI on reference-quantile bins is exact (deciles are bin edges)', () => {
    const r = compareColumn('x', column, window, { test: 'psi' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(Math.abs(r.value.statistic - psiOfSamples(reference, current))).toBeLessThan(1e-9);
  });

  it('merging panes split across replicas gives the single-pass summary', () => {
    const whole = summaryOn(column, current);
    const left = new PaneSummary();
    const right = new PaneSummary();
    current.forEach((v, i) => (i % 3 === 0 ? left : right).numeric('x', whole.binning)!.add(v));
    const merged = mergePanes([left, right]).features.get('x') as NumericSummary;
    expect(merged.n).toBe(whole.n);
    expect([...merged.bins].sort((a, b) => a[0] - b[0])).toEqual([...whole.bins].sort((a, b) => a[0] - b[0]));
    expect(merged.mean).toBeCloseTo(whole.mean, 10);
    expect(merged.std).toBeCloseTo(whole.std, 10);
    expect([merged.min, merged.max]).toEqual([whole.min, whole.max]);
  });

  it('no drift on a second sample of the reference distribution', () => {
    const same = summaryOn(column, draw(3, 50_000));
    const r = compareColumn('x', column, same);
    expect(r.ok && r.value.test).toBe('wasserstein');
    expect(r.ok && r.value.drifted).toBe(false);
  });
});

describe('exact results from summaries of discrete data (scipy literals)', () => {
  const C = [1, 2, 2, 3, 3, 3, 4, 4, 5, 6, 6, 7, 8, 9, 9];
  const D = [2, 3, 3, 4, 5, 5, 5, 6, 7, 7, 8, 9, 10, 10, 11];

  it('KS with p-value equals scipy ks_2samp on the raw samples', () => {
    const column = referenceColumn(C);
    const r = compareColumn('x', column, summaryOn(column, D));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.test).toBe('ks');
    expect(r.value.approximationBound).toBe(0);
    expect(r.value.statistic).toBeCloseTo(0.26666666666666666, 12);
    expect(r.value.pValue).toBeCloseTo(0.6781382270680966, 9);
    expect(r.value.drifted).toBe(false);
  });

  it('categorical columns: chi2 for small references, Jensen-Shannon for large ones', () => {
    const ref = new CategoricalSummary();
    const cur = new CategoricalSummary();
    [['a', 30], ['b', 20], ['c', 10]].forEach(([k, c]) => ref.add(k as string, c as number));
    [['a', 15], ['b', 25], ['c', 35]].forEach(([k, c]) => cur.add(k as string, c as number));
    const small = compareColumn('color', { summary: ref }, cur);
    expect(small.ok && small.value.test).toBe('chi2');
    if (!small.ok) return;
    expect(small.value.statistic).toBeCloseTo(18.0, 9); // scipy chi2_contingency
    expect(small.value.pValue).toBeCloseTo(0.00012340980408667962, 12);
    expect(small.value.drifted).toBe(true);

    const bigRef = new CategoricalSummary();
    bigRef.add('x', 1000);
    bigRef.add('z', 3000);
    bigRef.add('w', 6000);
    const bigCur = new CategoricalSummary();
    bigCur.add('y', 2);
    bigCur.add('z', 2);
    bigCur.add('w', 6);
    const large = compareColumn('color', { summary: bigRef }, bigCur);
    expect(large.ok && large.value.test).toBe('jensenshannon');
    if (!large.ok) return;
    expect(large.value.statistic).toBeCloseTo(0.33016049956296106, 12); // scipy jensenshannon([1,0,3,6],[0,2,2,6])
  });

  it('numeric columns with few distinct values are compared as categories', () => {
    const column = referenceColumn([0, 1, 1, 0, 1, 1, 1, 0]);
    const r = compareColumn('flag', column, summaryOn(column, [0, 0, 0, 1, 0, 0]));
    expect(r.ok && r.value.test).toBe('chi2');
  });

  it('a kind mismatch is an error value, not a throw', () => {
    const column = referenceColumn([1, 2, 3]);
    const r = compareColumn('x', column, new CategoricalSummary());
    expect(r).toEqual({ ok: false, error: { kind: 'kind-mismatch', reference: 'numeric', current: 'categorical' } });
  });
});
