/**
 * Model quality on labelled predictions. Classification: accuracy, macro precision / recall,
 * ROC AUC (binary, ties counted half as sklearn.metrics.roc_auc_score), log loss (probabilities
 * clipped to [1e-15, 1 - 1e-15] as sklearn does). Regression: MAE, RMSE.
 */
export type LabelledOutcome =
  | { readonly task: 'classification'; readonly label: string; readonly predicted: string; readonly probabilities: ReadonlyMap<string, number> }
  | { readonly task: 'regression'; readonly label: number; readonly predicted: number };

export type Metrics = Readonly<Record<string, number>>;

const LOG_LOSS_EPS = 1e-15;

/** Mann–Whitney form of ROC AUC: P(score of a positive > score of a negative), ties half. */
export function rocAuc(scores: readonly number[], positives: readonly boolean[]): number {
  const order = scores.map((s, i) => [s, i] as const).sort((a, b) => a[0] - b[0]);
  let rankSumPositive = 0;
  let nPos = 0;
  let i = 0;
  while (i < order.length) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    const midRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (positives[order[k]![1]]) {
        rankSumPositive += midRank;
        nPos++;
      }
    }
    i = j + 1;
  }
  const nNeg = order.length - nPos;
  if (nPos === 0 || nNeg === 0) return Number.NaN;
  return (rankSumPositive - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

export function classificationMetrics(outcomes: ReadonlyArray<Extract<LabelledOutcome, { task: 'classification' }>>): Metrics {
  const n = outcomes.length;
  if (n === 0) return {};
  const classes = [...new Set(outcomes.flatMap((o) => [o.label, o.predicted]))].sort();
  let correct = 0;
  let logLoss = 0;
  let logLossCount = 0;
  for (const o of outcomes) {
    if (o.label === o.predicted) correct++;
    if (o.probabilities.size > 0) {
      const p = Math.min(1 - LOG_LOSS_EPS, Math.max(LOG_LOSS_EPS, o.probabilities.get(o.label) ?? 0));
      logLoss -= Math.log(p);
      logLossCount++;
    }
  }
  const precision: number[] = [];
  const recall: number[] = [];
  for (const c of classes) {
    const tp = outcomes.filter((o) => o.predicted === c && o.label === c).length;
    const predicted = outcomes.filter((o) => o.predicted === c).length;
    const actual = outcomes.filter((o) => o.label === c).length;
    // sklearn's zero_division=0: a class never predicted has precision 0.
    precision.push(predicted > 0 ? tp / predicted : 0);
    recall.push(actual > 0 ? tp / actual : 0);
  }
  const metrics: Record<string, number> = {
    accuracy: correct / n,
    precision: precision.reduce((s, x) => s + x, 0) / classes.length,
    recall: recall.reduce((s, x) => s + x, 0) / classes.length,
  };
  if (logLossCount > 0) metrics['log_loss'] = logLoss / logLossCount;
  if (classes.length === 2) {
    // Binary: AUC of the probability of the positive class ("1" when present, else the later class).
    const positive = classes.includes('1') ? '1' : classes[1]!;
    const withScores = outcomes.filter((o) => o.probabilities.has(positive));
    if (withScores.length > 0) {
      const auc = rocAuc(
        withScores.map((o) => o.probabilities.get(positive)!),
        withScores.map((o) => o.label === positive),
      );
      if (!Number.isNaN(auc)) metrics['auc'] = auc;
    }
  }
  return metrics;
}

export function regressionMetrics(outcomes: ReadonlyArray<Extract<LabelledOutcome, { task: 'regression' }>>): Metrics {
  const n = outcomes.length;
  if (n === 0) return {};
  let abs = 0;
  let sq = 0;
  for (const o of outcomes) {
    const e = o.predicted - o.label;
    abs += Math.abs(e);
    sq += e * e;
  }
  return { mae: abs / n, rmse: Math.sqrt(sq / n) };
}

export function performanceMetrics(outcomes: readonly LabelledOutcome[]): Metrics {
  const classification = outcomes.filter((o): o is Extract<LabelledOutcome, { task: 'classification' }> => o.task === 'classification');
  const regression = outcomes.filter((o): o is Extract<LabelledOutcome, { task: 'regression' }> => o.task === 'regression');
  return classification.length >= regression.length ? classificationMetrics(classification) : regressionMetrics(regression);
}

/** Metrics where a larger value is worse (so "degraded" means rose, not fell). */
export const LOWER_IS_BETTER: ReadonlySet<string> = new Set(['log_loss', 'mae', 'rmse']);

/**
 * Relative degradation of each metric against its training value: (train - now) / |train| for
 * higher-is-better metrics, (now - train) / |train| for lower-is-better ones. Positive = worse.
 */
export function degradation(current: Metrics, training: Metrics): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, now] of Object.entries(current)) {
    const train = training[name];
    if (train === undefined || !Number.isFinite(train) || train === 0) continue;
    out[name] = LOWER_IS_BETTER.has(name) ? (now - train) / Math.abs(train) : (train - now) / Math.abs(train);
  }
  return out;
}
