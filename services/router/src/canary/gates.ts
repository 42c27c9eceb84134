import type { CanaryFigures } from './figures.js';
import type { CanaryPolicy } from './policy.js';

export type GateName = 'error_rate' | 'p99_latency' | 'divergence' | 'accuracy';

/**
 * One gate's verdict. `insufficient`: not enough data to judge yet (a step cannot pass on it,
 * except accuracy, which is judged only "where labels exist"). `off`: the policy does not check it.
 */
export type GateVerdict =
  | { readonly gate: GateName; readonly verdict: 'pass'; readonly observed: number; readonly limit: number }
  | { readonly gate: GateName; readonly verdict: 'fail'; readonly observed: number; readonly limit: number; readonly reason: string }
  | { readonly gate: GateName; readonly verdict: 'insufficient'; readonly reason: string }
  | { readonly gate: GateName; readonly verdict: 'off' };

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toPrecision(3));

/** Paired comparisons needed before divergence is judged: half the samples, since mirrors can be shed. */
export const divergencePairsNeeded = (policy: CanaryPolicy) => Math.max(1, Math.ceil(policy.minSamples / 2));

export function evaluateGates(policy: CanaryPolicy, figures: CanaryFigures): GateVerdict[] {
  const { candidate, divergence } = figures;
  const enough = candidate.samples >= policy.minSamples;
  const waitingForSamples = `${candidate.samples}/${policy.minSamples} candidate predictions`;
  const verdicts: GateVerdict[] = [];

  if (policy.maxErrorRate > 0) {
    if (!enough) verdicts.push({ gate: 'error_rate', verdict: 'insufficient', reason: waitingForSamples });
    else {
      const rate = candidate.errors / candidate.samples;
      verdicts.push(
        rate > policy.maxErrorRate
          ? { gate: 'error_rate', verdict: 'fail', observed: rate, limit: policy.maxErrorRate, reason: `error rate ${fmt(rate)} above ${fmt(policy.maxErrorRate)} (${candidate.errors}/${candidate.samples})` }
          : { gate: 'error_rate', verdict: 'pass', observed: rate, limit: policy.maxErrorRate },
      );
    }
  } else verdicts.push({ gate: 'error_rate', verdict: 'off' });

  if (policy.maxP99LatencyMs > 0) {
    if (!enough || candidate.p99LatencyMs === undefined) verdicts.push({ gate: 'p99_latency', verdict: 'insufficient', reason: waitingForSamples });
    else {
      const p99 = candidate.p99LatencyMs;
      verdicts.push(
        p99 > policy.maxP99LatencyMs
          ? { gate: 'p99_latency', verdict: 'fail', observed: p99, limit: policy.maxP99LatencyMs, reason: `p99 latency ${fmt(p99)} ms above ${fmt(policy.maxP99LatencyMs)} ms` }
          : { gate: 'p99_latency', verdict: 'pass', observed: p99, limit: policy.maxP99LatencyMs },
      );
    }
  } else verdicts.push({ gate: 'p99_latency', verdict: 'off' });

  if (policy.maxDivergence > 0) {
    const needed = divergencePairsNeeded(policy);
    if (divergence.pairs < needed || divergence.mean === undefined) {
      verdicts.push({ gate: 'divergence', verdict: 'insufficient', reason: `${divergence.pairs}/${needed} paired comparisons with the stable version` });
    } else {
      const d = divergence.mean;
      verdicts.push(
        d > policy.maxDivergence
          ? { gate: 'divergence', verdict: 'fail', observed: d, limit: policy.maxDivergence, reason: `prediction divergence from stable ${fmt(d)} above ${fmt(policy.maxDivergence)} (${divergence.pairs} pairs)` }
          : { gate: 'divergence', verdict: 'pass', observed: d, limit: policy.maxDivergence },
      );
    }
  } else verdicts.push({ gate: 'divergence', verdict: 'off' });

  if (policy.minAccuracy > 0) {
    if (candidate.labelled < policy.minLabels) {
      verdicts.push({ gate: 'accuracy', verdict: 'insufficient', reason: `${candidate.labelled}/${policy.minLabels} labels` });
    } else {
      const accuracy = candidate.correct / candidate.labelled;
      verdicts.push(
        accuracy < policy.minAccuracy
          ? { gate: 'accuracy', verdict: 'fail', observed: accuracy, limit: policy.minAccuracy, reason: `accuracy ${fmt(accuracy)} below ${fmt(policy.minAccuracy)} (${candidate.correct}/${candidate.labelled} labelled)` }
          : { gate: 'accuracy', verdict: 'pass', observed: accuracy, limit: policy.minAccuracy },
      );
    }
  } else verdicts.push({ gate: 'accuracy', verdict: 'off' });

  return verdicts;
}
