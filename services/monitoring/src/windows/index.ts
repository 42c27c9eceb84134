export { REFERENCE_BIN_COUNT, UNIVERSAL_BINNING, binBounds, binOf, binningFromEdges, binningOfSorted, quantileBinning, type Binning } from './binning.js';
export { CategoricalSummary, type CategoricalSummaryJson } from './categorical-summary.js';
export { DISTINCT_CAP, NumericSummary, type NumericSummaryJson } from './numeric-summary.js';
export {
  PaneSummary,
  featureSummaryFromJson,
  featureSummaryToJson,
  mergeFeatureSummary,
  mergePanes,
  type BinningResolver,
  type FeatureSummary,
  type FeatureSummaryJson,
  type PaneSummaryJson,
} from './pane.js';
export { DEFAULT_PANE_MS, paneStartOf, panesOf, windowsIn, type TimeRange, type WindowSpec } from './time.js';
