import { describe, expect, it } from 'vitest';
import { binningFromEdges, UNIVERSAL_BINNING } from './binning.js';
import { DISTINCT_CAP, NumericSummary } from './numeric-summary.js';

describe('NumericSummary.addMany', () => {
  it('records what add records value by value: moments, bins, distinct values and missing values, on either binning', () => {
    const values = [3, -1.5, Number.NaN, 0, 1e9, Number.POSITIVE_INFINITY, 2, 2, -1e-7, 4.25];
    for (const binning of [UNIVERSAL_BINNING, binningFromEdges([-1, 0, 1, 2, 3])]) {
      const one = new NumericSummary(binning);
      for (const x of values) one.add(x);
      const many = addAll(new NumericSummary(binning), values);
      expect(json(many)).toEqual(json(one));
      expect(many.toJSON()).toMatchObject({ n: 8, missing: 2 });
    }
  });

  it('adds into a summary that already has values, and reads only the first `count` values', () => {
    const binning = binningFromEdges([0, 10, 20]);
    const one = new NumericSummary(binning);
    const many = new NumericSummary(binning);
    for (const x of [5, 15]) {
      one.add(x);
      many.add(x);
    }
    for (const x of [25, 5, -3]) one.add(x);
    many.addMany(Float64Array.of(25, 5, -3, 999, 999), 3);
    expect(json(many)).toEqual(json(one));
    expect(Object.fromEntries(many.bins)).toEqual({ 0: 1, 1: 2, 2: 1, 3: 1 });
  });

  it('stops tracking distinct values past the cap, as add does', () => {
    const values = Array.from({ length: DISTINCT_CAP + 1 }, (_, i) => i);
    const one = new NumericSummary(UNIVERSAL_BINNING);
    for (const x of values) one.add(x);
    const many = addAll(new NumericSummary(UNIVERSAL_BINNING), values);
    expect(many.distinct).toBeNull();
    expect(json(many)).toEqual(json(one));
  });
});

function addAll(summary: NumericSummary, values: readonly number[]): NumericSummary {
  summary.addMany(Float64Array.from(values));
  return summary;
}

/** The summary's JSON with bins in bin order (a map keeps insertion order, which the two ways of adding differ in). */
function json(summary: NumericSummary) {
  const j = summary.toJSON();
  return { ...j, bins: [...j.bins].sort((a, b) => a[0] - b[0]) };
}
