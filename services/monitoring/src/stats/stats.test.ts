// Every expected value below was computed once with scipy 1.10.1 (system python) on the same
// fixed samples and written here as a literal; the tests themselves need no Python.
import { describe, expect, it } from 'vitest';
import {
  chi2Contingency,
  chi2Sf,
  jensenShannon,
  kolmogn,
  kolmogorov,
  ks2samp,
  psiOfSamples,
  smirnov,
  wassersteinDistance,
} from './index.js';

/** |actual - expected| <= 1e-6 · max(1, |expected|): "agrees to 1e-6". */
const close = (actual: number, expected: number, tol = 1e-6): void => {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected)));
};
/** For p-values far below 1e-6 the absolute check is vacuous: compare relatively too. */
const closeRelative = (actual: number, expected: number, tol = 1e-6): void => {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tol * Math.abs(expected));
};

const A = [0.61, -1.2, 0.33, 2.05, -0.47, 1.18, 0.02, -0.93, 0.75, 1.6, -2.1, 0.41, -0.08, 0.99, 1.33, -0.66, 0.27, 0.58, -1.45, 0.84];
const B = [
  1.02, 0.35, 1.91, 2.44, 0.12, 1.37, 0.88, -0.21, 1.75, 0.63, 2.9, 1.11, 0.47, 1.56, 0.02, 2.18, 0.93, 1.29, 0.71, 1.84, 0.55, 2.62, 1.43,
  -0.38, 1.07,
];
const C = [1, 2, 2, 3, 3, 3, 4, 4, 5, 6, 6, 7, 8, 9, 9];
const D = [2, 3, 3, 4, 5, 5, 5, 6, 7, 7, 8, 9, 10, 10, 11];
// Identical in Python and JS: integer arithmetic, then one division.
const BIG1 = Array.from({ length: 10001 }, (_, i) => ((i * 7919) % 10007) / 10007);
const BIG2 = Array.from({ length: 12000 }, (_, j) => ((j * 104729) % 10009) / 10009 + 0.02);
const BIG3 = Array.from({ length: 12000 }, (_, j) => ((j * 104729) % 10009) / 10009 + 0.003);

describe('ks2samp (scipy.stats.ks_2samp, two-sided, auto)', () => {
  it('exact mode, unequal sizes', () => {
    const r = ks2samp(A, B);
    expect(r.method).toBe('exact');
    close(r.statistic, 0.39);
    close(r.pValue, 0.05159815495147436);
  });
  it('exact mode, equal sizes with ties', () => {
    const r = ks2samp(C, D);
    close(r.statistic, 0.26666666666666666);
    close(r.pValue, 0.6781382270680966);
  });
  it('exact mode, a tiny p-value', () => {
    const r = ks2samp(A, C);
    close(r.statistic, 0.8833333333333333);
    closeRelative(r.pValue, 2.5000437507656397e-7);
  });
  it('asymptotic mode (n > 10,000): smirnov branch and Durbin-matrix branch of kstwo', () => {
    const shifted = ks2samp(BIG1, BIG2);
    expect(shifted.method).toBe('asymp');
    close(shifted.statistic, 0.02046742825717429);
    close(shifted.pValue, 0.020422704363430695);
    const same = ks2samp(BIG1, BIG3);
    close(same.statistic, 0.003516598340165933);
    close(same.pValue, 0.9999998514543865);
  });
  it('rejects an empty sample', () => {
    expect(() => ks2samp([], [1])).toThrow(RangeError);
  });
});

describe('Kolmogorov distributions', () => {
  it('kolmogn = scipy.stats.kstwo.sf in every algorithm region', () => {
    const cases: Array<[number, number, number]> = [
      [3, 0.4, 0.5946666666666665],
      [5, 0.3, 0.664],
      [10, 0.08, 0.9999978058034054],
      [10, 0.55, 0.0022805103214843725],
      [100, 0.05, 0.9532159710635725],
      [100, 0.15, 0.019839242125641813],
      [140, 0.1, 0.11353657290090946],
      [1000, 0.02, 0.8108971656895577],
      [1000, 0.01, 0.9999496745370611],
      [1000, 0.05, 0.013012074781090332],
      [20000, 0.0045, 0.8109869770024166],
      [50000, 0.006, 0.05442749636006261],
      [200000, 0.002, 0.39995085369038097],
      [5000, 0.6, 0],
    ];
    for (const [n, x, sf] of cases) close(kolmogn(n, x, false), sf);
    closeRelative(kolmogn(100, 0.25, false), 5.408871776434847e-6);
    closeRelative(kolmogn(10, 0.08, true), 2.194196594688005e-6);
    closeRelative(kolmogn(200, 0.004, true), 2.0947856200911138e-130);
  });
  it('smirnov and kolmogorov = scipy.special', () => {
    close(smirnov(10, 0.2), 0.39676169159999997);
    close(smirnov(2000, 0.03), 0.026773982498367117);
    close(kolmogorov(0.3), 0.9999906941986655);
    close(kolmogorov(0.9), 0.3927307079406543);
    close(kolmogorov(1.0), 0.26999967167735456);
    close(kolmogorov(1.5), 0.022217962616525127);
  });
});

describe('wassersteinDistance (scipy.stats.wasserstein_distance)', () => {
  it('on samples', () => close(wassersteinDistance(A, B), 0.9389));
  it('on weighted values', () => {
    close(wassersteinDistance({ values: [0, 1, 3], weights: [1, 1, 1] }, { values: [5, 6, 8], weights: [1, 1, 1] }), 5);
    close(
      wassersteinDistance({ values: [0, 1, 3, 7.5], weights: [0.5, 2, 1, 0.25] }, { values: [5, 6, 8], weights: [3, 1, 0.5] }),
      3.7222222222222223,
    );
  });
  it('rejects negative weights', () => {
    expect(() => wassersteinDistance({ values: [1], weights: [-1] }, [1])).toThrow(RangeError);
  });
});

describe('chi2Contingency (scipy.stats.chi2_contingency, defaults)', () => {
  const cases: Array<[number[][], number, number, number]> = [
    [[[12, 5], [7, 15]], 4.322120391218687, 0.03762001663483994, 1],
    [[[30, 20, 10], [15, 25, 35]], 18.0, 0.00012340980408667962, 2],
    [[[5, 0, 3, 9], [2, 8, 4, 1], [6, 6, 6, 6]], 16.508521870286575, 0.011269774231102881, 6],
    // Yates' correction can take the statistic to exactly 0.
    [[[100, 3], [90, 2]], 0, 1, 1],
  ];
  it.each(cases)('%j', (table, statistic, pValue, dof) => {
    const r = chi2Contingency(table);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    close(r.value.statistic, statistic);
    close(r.value.pValue, pValue);
    expect(r.value.dof).toBe(dof);
  });
  it('reports a zero expected frequency as an error value', () => {
    expect(chi2Contingency([[0, 0], [1, 2]])).toEqual({ ok: false, error: { kind: 'zero-expected', row: 0, column: 0 } });
  });
  it('chi2Sf = scipy.stats.chi2.sf', () => {
    close(chi2Sf(3.84, 1), 0.05004352124870519);
    close(chi2Sf(100, 50), 3.454931382984871e-5);
    close(chi2Sf(0.5, 10), 0.999993388289439);
    close(chi2Sf(1000, 900), 0.010994608942135844);
    closeRelative(chi2Sf(60, 3), 5.878230727906921e-13);
  });
});

describe('jensenShannon (scipy.spatial.distance.jensenshannon)', () => {
  it('natural log by default, base 2 on request, zeros allowed', () => {
    close(jensenShannon([0.1, 0.4, 0.5], [0.3, 0.3, 0.4]), 0.1803596560271257);
    close(jensenShannon([1, 0, 3, 6], [0, 2, 2, 6]), 0.33016049956296106);
    close(jensenShannon([1, 0, 3, 6], [0, 2, 2, 6], 2), 0.3965631745212014);
  });
});

describe('psi on 10 reference-quantile bins', () => {
  it('matches the numpy computation (linear quantiles, empty share 1e-4)', () => {
    close(psiOfSamples(A, B), 1.8761796033659424);
    close(psiOfSamples(C, D), 0.551043344372022);
  });
  it('is 0 for identical samples', () => close(psiOfSamples(A, A), 0));
});
