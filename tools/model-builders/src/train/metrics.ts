/**
 * Binary classification metrics. `y` holds labels 0/1, `scores`/`probabilities` P(label = 1) or
 * any score that ranks like it.
 */

function checkLengths(y: readonly number[], scores: readonly number[]): void {
  if (y.length !== scores.length)
    throw new RangeError(`y has ${y.length} labels but there are ${scores.length} scores`);
  if (y.length === 0) throw new RangeError('metrics need at least one row');
}

/**
 * Area under the ROC curve: the probability that a random positive scores above a random
 * negative (ties count one half), computed from ranks (Mann–Whitney U) in O(n log n).
 */
export function auc(y: readonly number[], scores: readonly number[]): number {
  checkLengths(y, scores);
  const order = scores
    .map((score, index) => ({ score, positive: y[index] === 1 }))
    .sort((a, b) => a.score - b.score);
  let positives = 0;
  let positiveRankSum = 0;
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end < order.length && order[end]!.score === order[start]!.score) end++;
    // Tied scores share the average of the ranks they span (ranks are 1-based).
    const averageRank = (start + 1 + end) / 2;
    for (let index = start; index < end; index++) {
      if (order[index]!.positive) {
        positives++;
        positiveRankSum += averageRank;
      }
    }
    start = end;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) throw new RangeError('auc needs both positive and negative labels');
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Mean negative log-likelihood of the labels; probabilities are clipped to [eps, 1 - eps]. */
export function logLoss(y: readonly number[], probabilities: readonly number[], eps = 1e-15): number {
  checkLengths(y, probabilities);
  let total = 0;
  probabilities.forEach((probability, index) => {
    const p = Math.min(1 - eps, Math.max(eps, probability));
    total -= y[index] === 1 ? Math.log(p) : Math.log(1 - p);
  });
  return total / y.length;
}

/** Share of rows whose thresholded probability equals the label. */
export function accuracy(y: readonly number[], probabilities: readonly number[], threshold = 0.5): number {
  checkLengths(y, probabilities);
  const correct = probabilities.filter(
    (probability, index) => (probability > threshold ? 1 : 0) === y[index],
  ).length;
  return correct / y.length;
}
