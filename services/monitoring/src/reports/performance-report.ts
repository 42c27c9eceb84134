/**
 * Quality on labelled predictions in a range, and service health from the panes. The task
 * (classification or regression) follows the training metrics in the lineage when they name
 * one, else the labels: a category label is classification, a number is regression.
 */
import type { Kysely } from 'kysely';
import { binnedCdf, inverseCdf } from '../drift/cdf.js';
import { performanceMetrics, type LabelledOutcome, type Metrics } from '../metrics/performance.js';
import type { MonitoringTables } from '../storage/schema.js';
import type { PaneSummary } from '../windows/pane.js';
import type { TimeRange } from '../windows/time.js';

const CLASSIFICATION_METRICS = new Set(['accuracy', 'auc', 'log_loss', 'precision', 'recall', 'f1']);
const REGRESSION_METRICS = new Set(['mae', 'rmse', 'mse', 'r2']);

export type Task = 'classification' | 'regression';

export function taskOf(trainingMetrics: Readonly<Record<string, number>>): Task | undefined {
  const names = Object.keys(trainingMetrics);
  if (names.some((n) => CLASSIFICATION_METRICS.has(n))) return 'classification';
  if (names.some((n) => REGRESSION_METRICS.has(n))) return 'regression';
  return undefined;
}

/** One labelled prediction as a metric input: class probabilities from the first output tensor. */
export function outcomeOf(outputs: readonly number[], label: { numeric: number | null; category: string | null }, task: Task | undefined): LabelledOutcome | undefined {
  if (outputs.length === 0) return undefined;
  const effective: Task = task ?? (label.category !== null ? 'classification' : 'regression');
  if (effective === 'regression') {
    if (label.numeric === null || outputs.length !== 1) return undefined;
    return { task: 'regression', label: label.numeric, predicted: outputs[0]! };
  }
  const truth = label.category ?? (label.numeric !== null ? String(label.numeric) : undefined);
  if (truth === undefined) return undefined;
  const probabilities = new Map<string, number>();
  if (outputs.length === 1) {
    // One score: the probability of class "1".
    probabilities.set('1', outputs[0]!);
    probabilities.set('0', 1 - outputs[0]!);
  } else {
    outputs.forEach((p, i) => probabilities.set(String(i), p));
  }
  let predicted = '';
  let best = -Infinity;
  for (const [c, p] of probabilities) if (p > best) [best, predicted] = [p, c];
  return { task: 'classification', label: truth, predicted, probabilities };
}

export interface PerformanceReport {
  readonly predictions: number;
  readonly labelled: number;
  readonly metrics: Metrics;
  readonly errors: number;
  readonly errorRate: number;
  readonly latency: { readonly p50: number; readonly p90: number; readonly p99: number };
}

export function latencyQuantile(window: PaneSummary, q: number): number {
  if (window.latency.n === 0) return 0;
  return inverseCdf(binnedCdf(window.latency), q);
}

export async function labelledOutcomes(db: Kysely<MonitoringTables>, model: string, version: bigint, range: TimeRange, task: Task | undefined): Promise<LabelledOutcome[]> {
  const rows = await db
    .selectFrom('predictions as p')
    .innerJoin('labels as l', 'l.joined_prediction_id', 'p.prediction_id')
    .select(['p.prediction_id', 'p.outputs', 'l.numeric_value', 'l.category'])
    .where('p.model', '=', model)
    .where('p.version', '=', version.toString())
    .where('p.is_error', '=', false)
    .where('p.served_at', '>=', new Date(range.startMs))
    .where('p.served_at', '<', new Date(range.endMs))
    .execute();
  const seen = new Set<string>();
  const out: LabelledOutcome[] = [];
  for (const r of rows) {
    // A prediction labelled both by id and by entity counts once.
    if (seen.has(r.prediction_id)) continue;
    seen.add(r.prediction_id);
    const o = outcomeOf(r.outputs, { numeric: r.numeric_value, category: r.category }, task);
    if (o) out.push(o);
  }
  return out;
}

export async function performanceReport(
  db: Kysely<MonitoringTables>,
  window: PaneSummary,
  model: string,
  version: bigint,
  range: TimeRange,
  trainingMetrics: Readonly<Record<string, number>>,
): Promise<PerformanceReport> {
  const outcomes = await labelledOutcomes(db, model, version, range, taskOf(trainingMetrics));
  return {
    predictions: window.predictions,
    labelled: outcomes.length,
    metrics: performanceMetrics(outcomes),
    errors: window.errors,
    errorRate: window.predictions > 0 ? window.errors / window.predictions : 0,
    latency: { p50: latencyQuantile(window, 0.5), p90: latencyQuantile(window, 0.9), p99: latencyQuantile(window, 0.99) },
  };
}
