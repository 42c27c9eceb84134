// The training data's per-feature profile, recorded in the registry's lineage: monitoring
// compares live traffic with it (registry.proto ReferenceProfile).
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { FeatureProfileSchema, ReferenceProfileSchema } from '@mlops/proto/mlops/registry/v1/registry_pb';

export type ReferenceProfileInit = MessageInitShape<typeof ReferenceProfileSchema>;
type FeatureProfileInit = MessageInitShape<typeof FeatureProfileSchema>;

/** Every percentile: monitoring spreads mass uniformly between recorded quantiles, so dense knots keep its PSI exact enough. */
export const QUANTILE_PROBS: readonly number[] = Array.from({ length: 99 }, (_, i) => (i + 1) / 100);
const HISTOGRAM_BINS = 20;

/** Linear interpolation between order statistics (numpy's default "linear" method). */
function quantileOfSorted(sorted: Float64Array, p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (h - lo);
}

function profileColumn(feature: string, values: readonly number[]): FeatureProfileInit {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  const mean = sorted.reduce((s, v) => s + v, 0) / n;
  const std = Math.sqrt(sorted.reduce((s, v) => s + (v - mean) ** 2, 0) / n);
  const min = sorted[0]!;
  const max = sorted[n - 1]!;
  const width = (max - min) / HISTOGRAM_BINS || 1;
  const edges = Array.from({ length: HISTOGRAM_BINS + 1 }, (_, i) => min + i * width);
  const counts = new Array<number>(HISTOGRAM_BINS).fill(0);
  for (const v of sorted) counts[Math.min(HISTOGRAM_BINS - 1, Math.floor((v - min) / width))]!++;
  return {
    feature,
    count: BigInt(n),
    missing: 0n,
    mean,
    std,
    min,
    max,
    quantileProbs: [...QUANTILE_PROBS],
    quantiles: QUANTILE_PROBS.map((p) => quantileOfSorted(sorted, p)),
    histogram: { edges, counts },
  };
}

/** One profile per column of `rows` (model-input order), named by `names` (the feature refs). */
export function referenceProfile(names: readonly string[], rows: readonly (readonly number[])[]): ReferenceProfileInit {
  return {
    rows: BigInt(rows.length),
    features: names.map((name, j) => profileColumn(name, rows.map((row) => row[j]!))),
  };
}
