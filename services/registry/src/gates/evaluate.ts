import { compare, formatCondition, formatNumber } from './format.js';
import type { ConditionOutcome, GateCondition, GateVerdict, MetricSource } from './types.js';

/**
 * Evaluates every condition (not just up to the first failure), so a refused promotion lists all
 * that is wrong with the candidate at once.
 *
 * `aliasHolder(alias)` returns the version an alias currently points to, or undefined when the
 * alias is unset. A comparison with an unset alias fails closed: a gate that says "no worse than
 * production" cannot be shown to hold when there is no production to compare with, and letting
 * it pass would make the gate vacuous exactly when it matters the first time. Promote the first
 * version without that condition.
 */
export function evaluateGate(
  conditions: readonly GateCondition[],
  candidate: MetricSource,
  aliasHolder: (alias: string) => MetricSource | undefined,
): GateVerdict {
  const outcomes = conditions.map((condition) => evaluateCondition(condition, candidate, aliasHolder));
  return { passed: outcomes.every((o) => o.kind === 'passed'), outcomes };
}

function evaluateCondition(
  condition: GateCondition,
  candidate: MetricSource,
  aliasHolder: (alias: string) => MetricSource | undefined,
): ConditionOutcome {
  const text = formatCondition(condition);
  const actual = candidate.metrics[condition.metric];
  if (actual === undefined) {
    return { kind: 'unevaluable', condition: text, explanation: `version ${candidate.version} has no metric "${condition.metric}"` };
  }

  let required: number;
  let basis = '';
  const { bound } = condition;
  if (bound.kind === 'threshold') {
    required = bound.value;
  } else {
    const holder = aliasHolder(bound.alias);
    if (holder === undefined) {
      return { kind: 'unevaluable', condition: text, explanation: `alias "${bound.alias}" is not set, so there is nothing to compare with` };
    }
    const reference = holder.metrics[bound.metric];
    if (reference === undefined) {
      return {
        kind: 'unevaluable',
        condition: text,
        explanation: `version ${holder.version} (${bound.alias}) has no metric "${bound.metric}"`,
      };
    }
    required = reference + bound.offset;
    basis = ` (${bound.alias} is version ${holder.version} with ${bound.metric} ${formatNumber(reference)})`;
  }

  if (compare(actual, condition.op, required)) return { kind: 'passed', condition: text, actual, required };
  const gap = Number.isFinite(actual) && Number.isFinite(required) ? `, off by ${formatNumber(Math.abs(actual - required))}` : '';
  return {
    kind: 'failed',
    condition: text,
    actual,
    required,
    explanation: `${condition.metric} is ${formatNumber(actual)}, required ${condition.op} ${formatNumber(required)}${gap}${basis}`,
  };
}

/** "gate failed: <condition>: <why>; ..." naming each failed condition and its values. */
export function describeFailedGate(verdict: GateVerdict): string {
  const failures = verdict.outcomes.filter((o) => o.kind !== 'passed');
  return `gate failed: ${failures.map((o) => `[${o.condition}] ${o.explanation}`).join('; ')}`;
}
