import type { MessageInitShape } from '@bufbuild/protobuf';
import type { GetExperimentReportResponseSchema } from '@mlops/proto/mlops/router/v1/router_pb';
import type { Kysely } from 'kysely';
import type { Deployment } from '../deployments/deployment.js';
import { variantFigures, type VariantFigures } from '../outcomes/queries.js';
import { twoProportionZTest, wilsonInterval } from '../stats/proportions.js';
import type { RouterTables } from '../storage/schema.js';

type Report = MessageInitShape<typeof GetExperimentReportResponseSchema>;

/** Heaviest live variant first (the control, by convention), then by name and version. */
function order(figures: VariantFigures[], deployment: Deployment | undefined): VariantFigures[] {
  const weight = (f: VariantFigures) => deployment?.variants.find((v) => v.name === f.variant && v.version === f.version)?.weight ?? -1;
  return [...figures].sort((a, b) => weight(b) - weight(a) || a.variant.localeCompare(b.variant) || Number(a.version - b.version));
}

/**
 * Per variant counts, latency percentiles, error rate, mean output and, where labels exist,
 * accuracy with a 95 % Wilson interval; plus a two-proportion z-test of accuracy between the first
 * two variants.
 */
export async function buildExperimentReport(db: Kysely<RouterTables>, model: string, start: Date, end: Date, deployment: Deployment | undefined): Promise<Report> {
  const figures = order(await variantFigures(db, model, start, end), deployment);
  const variants = figures.map((f) => {
    const ci = wilsonInterval(f.correct, f.labelled);
    return {
      variant: f.variant,
      version: f.version,
      requests: BigInt(f.requests),
      errors: BigInt(f.errors),
      errorRate: f.requests > 0 ? f.errors / f.requests : 0,
      p50LatencyMs: f.p50 ?? 0,
      p95LatencyMs: f.p95 ?? 0,
      p99LatencyMs: f.p99 ?? 0,
      meanOutput: f.meanScore ?? 0,
      labelled: BigInt(f.labelled),
      accuracy: f.labelled > 0 ? f.correct / f.labelled : 0,
      accuracyCiLow: f.labelled > 0 ? ci.low : 0,
      accuracyCiHigh: f.labelled > 0 ? ci.high : 0,
    };
  });
  const [a, b] = figures;
  if (!a || !b) return { variants, pValue: 1, zScore: 0, comparedVariants: figures.map((f) => f.variant) };
  const test = twoProportionZTest(a.correct, a.labelled, b.correct, b.labelled);
  return { variants, pValue: test.pValue, zScore: test.z, comparedVariants: [a.variant, b.variant] };
}
