/**
 * Alert rules: a signal (a figure the evaluator computes per model version, optionally per
 * column), a direction, and one threshold per severity. Defaults follow common practice:
 * PSI 0.1 / 0.25 (the usual "moderate" / "significant" shift), Evidently's 50 % drifted-share
 * for dataset drift, and service-level error-rate and latency objectives.
 */
export type Severity = 'info' | 'warning' | 'critical';

export const SEVERITIES: readonly Severity[] = ['info', 'warning', 'critical'];

export type Signal =
  /** PSI of a numeric column (per column). */
  | 'column_psi'
  /** Jensen–Shannon distance of a categorical column (per column). */
  | 'column_jensenshannon'
  /** Share of columns whose drift test says drifted. */
  | 'drifted_share'
  /** Failed predictions / all predictions. */
  | 'error_rate'
  /** 99th percentile latency in ms. */
  | 'latency_p99_ms'
  /** Worst relative degradation of a quality metric against its training value (per metric). */
  | 'performance_degradation';

export interface AlertRule {
  readonly name: string;
  readonly signal: Signal;
  /** 'above': fires when the value >= threshold; 'below': when <= threshold. */
  readonly direction: 'above' | 'below';
  readonly thresholds: Readonly<Partial<Record<Severity, number>>>;
  /** Consecutive breaching evaluations before a (new) severity fires, like Prometheus' `for`. */
  readonly forEvaluations: number;
  /** Windows with fewer predictions (or labelled predictions) are not judged. */
  readonly minCount: number;
}

/**
 * Column distances need a window of 200: on n values PSI over 10 bins measures about 9/n from
 * sampling alone (n·PSI is roughly χ² with 9 degrees of freedom), so at 100 the 0.1 warning
 * fires on identical distributions four times in ten and the 0.25 critical about once in three
 * hundred; at 200, a chance warning is rare and a chance critical never happens.
 */
const COLUMN_MIN_COUNT = 200;

export const DEFAULT_RULES: readonly AlertRule[] = [
  { name: 'column_psi', signal: 'column_psi', direction: 'above', thresholds: { warning: 0.1, critical: 0.25 }, forEvaluations: 1, minCount: COLUMN_MIN_COUNT },
  {
    name: 'column_jensenshannon',
    signal: 'column_jensenshannon',
    direction: 'above',
    thresholds: { warning: 0.1, critical: 0.2 },
    forEvaluations: 1,
    minCount: COLUMN_MIN_COUNT,
  },
  { name: 'dataset_drift', signal: 'drifted_share', direction: 'above', thresholds: { info: 0.25, warning: 0.5 }, forEvaluations: 1, minCount: 100 },
  { name: 'error_rate', signal: 'error_rate', direction: 'above', thresholds: { warning: 0.01, critical: 0.05 }, forEvaluations: 1, minCount: 20 },
  { name: 'latency_p99', signal: 'latency_p99_ms', direction: 'above', thresholds: { warning: 500, critical: 2000 }, forEvaluations: 1, minCount: 20 },
  {
    name: 'performance_degradation',
    signal: 'performance_degradation',
    direction: 'above',
    thresholds: { warning: 0.05, critical: 0.1 },
    forEvaluations: 1,
    minCount: 50,
  },
];

/** The highest severity whose threshold the value crosses, or undefined. */
export function severityOf(rule: AlertRule, value: number): Severity | undefined {
  if (!Number.isFinite(value)) return undefined;
  for (const s of [...SEVERITIES].reverse()) {
    const t = rule.thresholds[s];
    if (t === undefined) continue;
    if (rule.direction === 'above' ? value >= t : value <= t) return s;
  }
  return undefined;
}
