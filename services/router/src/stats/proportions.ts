/** Statistics for the experiment report: proportions with confidence intervals and a significance test. */

/** z for a two-sided 95 % interval. */
export const Z_95 = 1.959963984540054;

export interface Interval {
  readonly low: number;
  readonly high: number;
}

/**
 * Wilson score interval of a proportion. Chosen over the normal ("Wald") interval because it stays
 * inside [0, 1] and is honest for small samples and for accuracies near 0 or 1, which is exactly
 * where canaries live (few labels, accuracy close to 1).
 */
export function wilsonInterval(successes: number, trials: number, z = Z_95): Interval {
  if (trials <= 0) return { low: 0, high: 1 };
  const p = successes / trials;
  const z2 = z * z;
  const denominator = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / denominator;
  const margin = (z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / denominator;
  // At p = 0 or 1 the bound is exactly 0 or 1; floating point would leave 0.9999999999999999.
  return { low: successes <= 0 ? 0 : Math.max(0, centre - margin), high: successes >= trials ? 1 : Math.min(1, centre + margin) };
}

/** Standard normal CDF (Abramowitz & Stegun 7.1.26 via erf; absolute error below 1.5e-7). */
export function normalCdf(x: number): number {
  const t = 1 / (1 + 0.3275911 * (Math.abs(x) / Math.SQRT2));
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-(x * x) / 2);
  return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

export interface ZTest {
  readonly z: number;
  /** Two-sided. 1 when the test cannot be run (a group without trials, or no variance at all). */
  readonly pValue: number;
}

/** Two-proportion z-test with the pooled standard error: do groups a and b differ in rate? */
export function twoProportionZTest(successesA: number, trialsA: number, successesB: number, trialsB: number): ZTest {
  if (trialsA <= 0 || trialsB <= 0) return { z: 0, pValue: 1 };
  const pooled = (successesA + successesB) / (trialsA + trialsB);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / trialsA + 1 / trialsB));
  if (se === 0) return { z: 0, pValue: 1 };
  const z = (successesA / trialsA - successesB / trialsB) / se;
  return { z, pValue: Math.min(1, 2 * (1 - normalCdf(Math.abs(z)))) };
}
