export {
  approximationBounds,
  binnedCdf,
  cdfAt,
  exactValues,
  inverseCdf,
  ksOfCdfs,
  ksOfExact,
  wassersteinOfCdfs,
  wassersteinOfExact,
  type PiecewiseCdf,
} from './cdf.js';
export { compareColumn, decilesOf, type ColumnDrift, type CompareError, type CompareOptions, type CompareOutcome } from './compare.js';
export { DECILE_PROBS, PSI_BINS, type Reference, type ReferenceColumn, type ReferenceSource } from './reference.js';
export {
  DEFAULT_THRESHOLDS,
  DRIFT_TESTS,
  FEW_DISTINCT_VALUES,
  P_VALUE_TESTS,
  SMALL_REFERENCE_ROWS,
  defaultTest,
  isDrifted,
  type ColumnKind,
  type DriftTest,
  type DriftThresholds,
} from './tests.js';
