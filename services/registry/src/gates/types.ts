/** Comparison operators a gate condition may use (the proto's ComparisonOperator, in text form). */
export type Comparison = '>=' | '>' | '<=' | '<';

/** What a metric is compared with: a fixed number, or a metric of the version holding an alias, plus an offset. */
export type GateBound =
  | { kind: 'threshold'; value: number }
  | { kind: 'alias'; alias: string; metric: string; offset: number };

/** One condition of a gate, e.g. `auc >= production.auc - 0.005`. */
export interface GateCondition {
  readonly metric: string;
  readonly op: Comparison;
  readonly bound: GateBound;
}

/** A version's metrics as the gate sees them: the candidate's, or the version an alias points to. */
export interface MetricSource {
  readonly version: number;
  readonly metrics: Readonly<Record<string, number>>;
}

/** The outcome of one condition, with the numbers a person needs to act on it. */
export type ConditionOutcome =
  | { kind: 'passed'; condition: string; actual: number; required: number }
  | { kind: 'failed'; condition: string; actual: number; required: number; explanation: string }
  | { kind: 'unevaluable'; condition: string; explanation: string };

export interface GateVerdict {
  readonly passed: boolean;
  readonly outcomes: readonly ConditionOutcome[];
}
