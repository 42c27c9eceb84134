import type { CanaryPolicy as CanaryPolicyMessage } from '@mlops/proto/mlops/router/v1/router_pb';
import { fieldError, type FieldError } from '../domain/field-error.js';
import { err, ok, type Result } from '../domain/result.js';

/** A validated canary policy, defaults applied. A limit of 0 means the gate is off. */
export interface CanaryPolicy {
  /** Candidate weight in percent per step, strictly ascending, 1..100. */
  readonly steps: readonly number[];
  readonly stepDurationMs: number;
  readonly minSamples: number;
  readonly maxErrorRate: number;
  readonly maxP99LatencyMs: number;
  readonly maxDivergence: number;
  readonly minAccuracy: number;
  readonly minLabels: number;
  readonly promoteAlias: string;
}

export const POLICY_DEFAULTS = {
  stepDurationMs: 60_000,
  minSamples: 100,
  minLabels: 30,
  promoteAlias: 'production',
} as const;

const ALIAS = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

export function validateCanaryPolicy(message: CanaryPolicyMessage | undefined, field = 'policy'): Result<CanaryPolicy, FieldError> {
  if (!message) return err(fieldError(field, 'a canary policy'));
  const steps = [...message.steps];
  if (steps.length === 0) return err(fieldError(`${field}.steps`, 'at least one step (candidate weight in percent)'));
  for (const [i, step] of steps.entries()) {
    if (step < 1 || step > 100) return err(fieldError(`${field}.steps[${i}]`, 'a percentage in 1..100', step));
    if (i > 0 && step <= steps[i - 1]!) return err(fieldError(`${field}.steps[${i}]`, `a weight above the previous step's ${steps[i - 1]}`, step));
  }
  const durationMs = message.stepDuration ? Number(message.stepDuration.seconds) * 1000 + Math.round(message.stepDuration.nanos / 1e6) : 0;
  if (durationMs < 0) return err(fieldError(`${field}.step_duration`, 'a positive duration'));
  const nonNegative = (name: string, value: number, max = Infinity): FieldError | undefined =>
    Number.isFinite(value) && value >= 0 && value <= max ? undefined : fieldError(`${field}.${name}`, max === Infinity ? 'a number of at least 0' : `a number in 0..${max}`, value);
  const bad =
    nonNegative('max_error_rate', message.maxErrorRate, 1) ??
    nonNegative('max_p99_latency_ms', message.maxP99LatencyMs) ??
    nonNegative('max_divergence', message.maxDivergence) ??
    nonNegative('min_accuracy', message.minAccuracy, 1);
  if (bad) return err(bad);
  const promoteAlias = message.promoteAlias === '' ? POLICY_DEFAULTS.promoteAlias : message.promoteAlias;
  if (!ALIAS.test(promoteAlias)) return err(fieldError(`${field}.promote_alias`, 'an alias of letters, digits or "_", not starting with a digit', promoteAlias));
  return ok({
    steps,
    stepDurationMs: durationMs === 0 ? POLICY_DEFAULTS.stepDurationMs : durationMs,
    minSamples: message.minSamples === 0n ? POLICY_DEFAULTS.minSamples : Number(message.minSamples),
    maxErrorRate: message.maxErrorRate,
    maxP99LatencyMs: message.maxP99LatencyMs,
    maxDivergence: message.maxDivergence,
    minAccuracy: message.minAccuracy,
    minLabels: message.minLabels === 0n ? POLICY_DEFAULTS.minLabels : Number(message.minLabels),
    promoteAlias,
  });
}
