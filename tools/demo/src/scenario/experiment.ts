// An A/B split between two versions with a third mirrored as a shadow: live traffic, labels,
// and the router's experiment report.
import { randomBytes } from 'node:crypto';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { PredictionEventSchema, type ShadowComparison } from '@mlops/proto/mlops/events/v1/events_pb';
import { MissingFeaturePolicy, type VariantReport } from '@mlops/proto/mlops/router/v1/router_pb';
import type { Customer } from './churn-data.js';
import { publishLabels } from './labels.js';
import type { PlatformClients } from './platform-clients.js';
import { predictFor } from './traffic.js';
import { sleep, waitFor, type Progress } from './waiting.js';

/** Lets the warm-up's shadow calls finish before the measured traffic starts. */
const WARM_UP_SETTLE_MS = 500;

export interface ExperimentPlan {
  readonly model: string;
  readonly a: { readonly name: string; readonly version: bigint; readonly weight: number };
  readonly b: { readonly name: string; readonly version: bigint; readonly weight: number };
  readonly shadow: { readonly name: string; readonly version: bigint; readonly sampleRate: number };
}

export interface VariantFigures {
  readonly variant: string;
  readonly version: bigint;
  readonly requests: number;
  readonly errors: number;
  readonly labelled: number;
  readonly accuracy: number;
  readonly accuracyCi: readonly [number, number];
  readonly p99LatencyMs: number;
}

export interface ExperimentOutcome {
  readonly predictions: number;
  readonly labels: number;
  readonly variants: readonly VariantFigures[];
  /** Two-proportion z-test of accuracy between the two variants. */
  readonly pValue: number;
  /** The variant with the higher accuracy. */
  readonly leader: VariantFigures;
  readonly shadow: {
    readonly comparisons: number;
    readonly failed: number;
    /** Mean |shadow − primary| of the churn probability. */
    readonly meanAbsDifference: number;
    /** Share of requests where shadow and primary give the same side of 0.5. */
    readonly agreement: number;
  };
  readonly deploymentRevision: bigint;
}

const figuresOf = (v: VariantReport): VariantFigures => ({
  variant: v.variant,
  version: v.version,
  requests: Number(v.requests),
  errors: Number(v.errors),
  labelled: Number(v.labelled),
  accuracy: v.accuracy,
  accuracyCi: [v.accuracyCiLow, v.accuracyCiHigh],
  p99LatencyMs: v.p99LatencyMs,
});

export async function runExperiment(platform: PlatformClients, plan: ExperimentPlan, customers: readonly Customer[], progress: Progress): Promise<ExperimentOutcome> {
  const { model } = plan;
  const { deployment } = await platform.router.setDeployment({
    deployment: {
      model,
      variants: [plan.a, plan.b],
      shadows: [plan.shadow],
      missingFeaturePolicy: MissingFeaturePolicy.REJECT,
    },
    reason: 'demo: A/B of logistic regression against boosted trees, retrained trees in shadow',
  });
  progress(`deployment revision ${deployment!.revision}: ${plan.a.name}=v${plan.a.version} ${plan.a.weight}%, ${plan.b.name}=v${plan.b.version} ${plan.b.weight}%, shadow ${plan.shadow.name}=v${plan.shadow.version}`);

  // Shadow comparisons are published on mlops.predictions.<model> after each shadow call ends.
  const comparisons: ShadowComparison[] = [];
  const watch = await platform.bus.consume({
    name: `demo-shadow-watch-${randomBytes(4).toString('hex')}`,
    mode: 'broadcast',
    stream: 'PREDICTIONS',
    subjects: [`mlops.predictions.${model}`],
    schema: PredictionEventSchema,
    handler: async ({ message }) => {
      if (message.kind.case === 'shadow') comparisons.push(message.kind.value);
    },
  });
  try {
    // The first request to a version loads it into inference; warm every version up (forcing the
    // variant) so latency and the shadow's deadline are judged on a loaded model, and report on
    // the traffic after the warm-up only.
    for (const variant of [plan.a.name, plan.b.name, plan.shadow.name]) {
      await platform.router.predict({ model, entityKey: customers[0]!.id, forceVariant: variant });
    }
    await sleep(WARM_UP_SETTLE_MS);
    const since = timestampFromDate(new Date());
    const served = await predictFor(platform, model, customers);
    progress(`${served.length} predictions served; publishing each customer's true outcome on mlops.labels.${model}`);
    const labels = await publishLabels(platform, model, served);

    const report = await waitFor(
      async () => {
        const r = await platform.router.getExperimentReport({ model, start: since });
        const labelled = r.variants.filter((v) => v.variant === plan.a.name || v.variant === plan.b.name).reduce((n, v) => n + Number(v.labelled), 0);
        return labelled >= served.length ? r : undefined;
      },
      'the router to join every label to its prediction',
      60_000,
    );
    const servedIds = new Set(served.map((s) => s.response.predictionId));
    const ofServed = () => comparisons.filter((c) => servedIds.has(c.predictionId));
    const shadowed = await waitFor(() => (ofServed().length >= Math.floor(served.length * plan.shadow.sampleRate) ? ofServed() : undefined), 'the shadow comparisons', 60_000);

    const variants = report.variants.filter((v) => v.variant === plan.a.name || v.variant === plan.b.name).map(figuresOf);
    const leader = variants.reduce((best, v) => (v.accuracy > best.accuracy ? v : best));
    const ok = shadowed.filter((c) => c.shadowErrorCode === '' && c.shadowOutputs[0] && c.primaryOutputs[0]);
    const diffs = ok.map((c) => Math.abs(c.shadowOutputs[0]!.values[0]! - c.primaryOutputs[0]!.values[0]!));
    const agree = ok.filter((c) => c.shadowOutputs[0]!.values[0]! >= 0.5 === c.primaryOutputs[0]!.values[0]! >= 0.5).length;
    return {
      predictions: served.length,
      labels,
      variants,
      pValue: report.pValue,
      leader,
      shadow: {
        comparisons: shadowed.length,
        failed: shadowed.length - ok.length,
        meanAbsDifference: diffs.reduce((s, d) => s + d, 0) / Math.max(1, diffs.length),
        agreement: agree / Math.max(1, ok.length),
      },
      deploymentRevision: deployment!.revision,
    };
  } finally {
    await watch.stop();
  }
}
