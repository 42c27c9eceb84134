/**
 * Which statistical test a column gets, as Evidently chooses by default (data_drift
 * "get_default_stattest"), and the thresholds that say "drifted".
 *   reference <= 1000 rows: numeric with <= 5 distinct values -> chi2, numeric -> ks, categorical -> chi2
 *   reference  > 1000 rows: numeric with <= 5 distinct values -> jensenshannon, numeric -> wasserstein
 *                           (normed by the reference std), categorical -> jensenshannon
 * Evidently uses a proportions z-test for binary columns of small references; a 2x2 chi-squared
 * test with Yates' correction answers the same question, so binary columns get chi2 here.
 */
export type DriftTest = 'ks' | 'wasserstein' | 'psi' | 'chi2' | 'jensenshannon';

export const DRIFT_TESTS: readonly DriftTest[] = ['ks', 'wasserstein', 'psi', 'chi2', 'jensenshannon'];

/** p-value tests drift when p < threshold; distance tests when statistic >= threshold. */
export const P_VALUE_TESTS: ReadonlySet<DriftTest> = new Set(['ks', 'chi2']);

export type DriftThresholds = Readonly<Record<DriftTest, number>>;

export const DEFAULT_THRESHOLDS: DriftThresholds = { ks: 0.05, chi2: 0.05, wasserstein: 0.1, jensenshannon: 0.1, psi: 0.1 };

export const SMALL_REFERENCE_ROWS = 1000;
export const FEW_DISTINCT_VALUES = 5;

export type ColumnKind = 'numeric' | 'categorical';

export function defaultTest(kind: ColumnKind, referenceRows: number, distinctValues: number | undefined): DriftTest {
  const few = distinctValues !== undefined && distinctValues <= FEW_DISTINCT_VALUES;
  if (referenceRows <= SMALL_REFERENCE_ROWS) return kind === 'categorical' || few ? 'chi2' : 'ks';
  return kind === 'categorical' || few ? 'jensenshannon' : 'wasserstein';
}

export function isDrifted(test: DriftTest, statistic: number, pValue: number, threshold: number): boolean {
  return P_VALUE_TESTS.has(test) ? pValue < threshold : statistic >= threshold;
}
