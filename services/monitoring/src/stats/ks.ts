/**
 * Two-sample Kolmogorov–Smirnov test, two-sided, as scipy.stats.ks_2samp(method='auto') in
 * scipy 1.10: exact p-value (Hodges' lattice-path counting, Viehmann's stable 1 - p recursion)
 * when both samples have at most 10,000 values, otherwise the exact one-sample distribution
 * kstwo.sf(D, round(n1·n2 / (n1 + n2))).
 */
import { kolmogn } from './kolmogorov.js';

export type KsMethod = 'exact' | 'asymp';

export interface KsResult {
  readonly statistic: number;
  readonly pValue: number;
  readonly method: KsMethod;
}

/** scipy's MAX_AUTO_N: 'auto' is exact while both samples have at most this many values. */
export const KS_MAX_EXACT_N = 10_000;

const gcd = (a: number, b: number): number => {
  let x = a;
  let y = b;
  while (y) [x, y] = [y, x % y];
  return x;
};

/** numpy's round (half to even). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Pr(D_{n,n} >= h/n) for equal sample sizes. */
function probOutsideSquare(n: number, h: number): number {
  let P = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    P = p1 * (1 - P);
  }
  return 2 * P;
}

/** 1 - proportion of lattice paths staying strictly inside |x/m - y/n| < h / lcm(m, n). */
function outerProbInsideMethod(m0: number, n0: number, g: number, h: number): number {
  const [m, n] = m0 < n0 ? [n0, m0] : [m0, n0];
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const A = new Float64Array(lenA).fill(1);
  for (let j = minj; j < maxj; j++) A[j] = 0;
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = (A[jj + minj - lastminj]! * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) {
      for (let j = maxj - minj; j < maxj - minj + (lastlen - curlen) && j < lenA; j++) A[j] = 1;
    }
  }
  return A[maxj - minj - 1]!;
}

/**
 * The p-value of an observed statistic `d` for sample sizes n1, n2 (two-sided, 'auto' mode).
 * Exact mode snaps `d` to the lattice h / lcm(n1, n2) the way scipy does, and returns it.
 */
export function ksTwoSamplePValue(d: number, n1: number, n2: number): KsResult {
  if (!(n1 > 0 && n2 > 0)) throw new RangeError('ks: both samples must be non-empty');
  if (Math.max(n1, n2) <= KS_MAX_EXACT_N) {
    const g = gcd(n1, n2);
    const lcm = (n1 / g) * n2;
    const h = roundHalfEven(d * lcm);
    const snapped = h / lcm;
    if (h === 0) return { statistic: snapped, pValue: 1, method: 'exact' };
    const prob = n1 === n2 ? probOutsideSquare(n1, h) : outerProbInsideMethod(n1, n2, g, h);
    if (Number.isFinite(prob) && prob >= 0 && prob <= 1) return { statistic: snapped, pValue: prob, method: 'exact' };
    // scipy warns and falls back to the asymptotic distribution, with the snapped statistic.
    return asymptotic(snapped, n1, n2);
  }
  return asymptotic(d, n1, n2);
}

function asymptotic(d: number, n1: number, n2: number): KsResult {
  const m = Math.max(n1, n2);
  const n = Math.min(n1, n2);
  const en = (m * n) / (m + n);
  const p = kolmogn(roundHalfEven(en), d, false);
  return { statistic: d, pValue: Math.min(1, Math.max(0, p)), method: 'asymp' };
}


/** The statistic sup |F1 - F2| of two samples (no NaN), evaluated after every tie, as scipy does. */
export function ksStatistic(sorted1: ArrayLike<number>, sorted2: ArrayLike<number>): number {
  const n1 = sorted1.length;
  const n2 = sorted2.length;
  let i = 0;
  let j = 0;
  let maxS = -Infinity;
  let minS = Infinity;
  while (i < n1 || j < n2) {
    const x = j >= n2 || (i < n1 && sorted1[i]! <= sorted2[j]!) ? sorted1[i]! : sorted2[j]!;
    while (i < n1 && sorted1[i]! <= x) i++;
    while (j < n2 && sorted2[j]! <= x) j++;
    const diff = i / n1 - j / n2;
    if (diff > maxS) maxS = diff;
    if (diff < minS) minS = diff;
  }
  return Math.max(maxS, Math.min(1, Math.max(0, -minS)));
}

/** scipy.stats.ks_2samp(a, b) (two-sided, method='auto'). */
export function ks2samp(a: ArrayLike<number>, b: ArrayLike<number>): KsResult {
  if (a.length === 0 || b.length === 0) throw new RangeError('ks: both samples must be non-empty');
  const s1 = Float64Array.from(a).sort();
  const s2 = Float64Array.from(b).sort();
  return ksTwoSamplePValue(ksStatistic(s1, s2), s1.length, s2.length);
}
