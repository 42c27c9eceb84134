import type { Tree, TreeEnsembleRegressorSpec } from '../models/trees.js';
import { evaluateTree } from '../models/trees.js';
import { sigmoid } from '../models/reference.js';
import { checkDataset } from './check.js';

export type GradientBoostingOptions = {
  readonly trees: number;
  /** Maximum depth of each tree (a depth-1 tree is a stump). */
  readonly depth: number;
  /** Shrinkage applied to every leaf. */
  readonly learningRate: number;
  /** Split candidates per feature, taken at quantiles of its values. Default 32. */
  readonly bins?: number;
  /** Fewest rows a leaf may hold. Default 5. */
  readonly minSamplesLeaf?: number;
  /** L2 regularisation of leaf values (XGBoost's lambda). Default 1. */
  readonly l2?: number;
};

/**
 * A boosted binary classifier: P(1) = sigmoid(baseScore + Σ tree leaves). It is directly a
 * `binary` TreeEnsembleClassifierSpec, and boostedTreesAsRegressor turns it into a regressor
 * spec with post_transform LOGISTIC that outputs the same probability.
 */
export type GradientBoostedTrees = {
  readonly kind: 'binary';
  readonly baseScore: number;
  readonly trees: Tree[];
  readonly featureCount: number;
};

/** Sorted, distinct split thresholds of one feature at its quantiles (all but the maximum). */
function splitCandidates(values: readonly number[], bins: number): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  const candidates = new Set<number>();
  for (let bin = 1; bin < bins; bin++) {
    const value = sorted[Math.min(sorted.length - 1, Math.floor((bin * sorted.length) / bins))]!;
    // Splitting at the maximum sends every row left: no split at all.
    if (value < sorted[sorted.length - 1]!) candidates.add(value);
  }
  return [...candidates].sort((a, b) => a - b);
}

/** Index of the first candidate ≥ value (so value ≤ candidates[bin]), or candidates.length. */
function binOf(value: number, candidates: readonly number[]): number {
  let low = 0;
  let high = candidates.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (candidates[middle]! < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

type Split = { feature: number; bin: number; gain: number };

/**
 * Second-order (Newton) boosting on the binary log-loss, with trees grown on histograms of
 * quantile bins: each node sums gradients and hessians per bin, and a prefix sum over bins gives
 * every split's left half at once.
 */
export function trainGradientBoostedTrees(
  X: readonly (readonly number[])[],
  y: readonly number[],
  options: GradientBoostingOptions,
): GradientBoostedTrees {
  const featureCount = checkDataset(X, y);
  const bins = options.bins ?? 32;
  const minLeaf = options.minSamplesLeaf ?? 5;
  const lambda = options.l2 ?? 1;
  // Thresholds are data values rounded to float32, and rows are compared as float32, so the
  // ONNX model (float input, float thresholds) routes every row exactly as training did.
  const rows = X.map((row) => row.map(Math.fround));
  const candidates = Array.from({ length: featureCount }, (_, j) =>
    splitCandidates(
      rows.map((row) => row[j]!),
      bins,
    ),
  );
  const binned = rows.map((row) => row.map((value, j) => binOf(value, candidates[j]!)));

  const positiveRate = Math.min(
    1 - 1e-6,
    Math.max(1e-6, y.reduce((sum, label) => sum + label, 0) / y.length),
  );
  const baseScore = Math.log(positiveRate / (1 - positiveRate));
  const scores = new Array<number>(rows.length).fill(baseScore);
  const gradients = new Array<number>(rows.length).fill(0);
  const hessians = new Array<number>(rows.length).fill(0);

  const leafValue = (indices: readonly number[]): number => {
    let g = 0;
    let h = 0;
    for (const i of indices) {
      g += gradients[i]!;
      h += hessians[i]!;
    }
    return Math.fround((-g / (h + lambda)) * options.learningRate);
  };

  const bestSplit = (indices: readonly number[]): Split | undefined => {
    let totalG = 0;
    let totalH = 0;
    for (const i of indices) {
      totalG += gradients[i]!;
      totalH += hessians[i]!;
    }
    const parentScore = (totalG * totalG) / (totalH + lambda);
    let best: Split | undefined;
    for (let feature = 0; feature < featureCount; feature++) {
      const binCount = candidates[feature]!.length;
      if (binCount === 0) continue;
      const g = new Float64Array(binCount + 1);
      const h = new Float64Array(binCount + 1);
      const n = new Int32Array(binCount + 1);
      for (const i of indices) {
        const bin = binned[i]![feature]!;
        g[bin]! += gradients[i]!;
        h[bin]! += hessians[i]!;
        n[bin]!++;
      }
      let leftG = 0;
      let leftH = 0;
      let leftN = 0;
      for (let bin = 0; bin < binCount; bin++) {
        leftG += g[bin]!;
        leftH += h[bin]!;
        leftN += n[bin]!;
        const rightN = indices.length - leftN;
        if (leftN < minLeaf || rightN < minLeaf) continue;
        const rightG = totalG - leftG;
        const rightH = totalH - leftH;
        const gain = (leftG * leftG) / (leftH + lambda) + (rightG * rightG) / (rightH + lambda) - parentScore;
        if (gain > 1e-12 && (best === undefined || gain > best.gain)) best = { feature, bin, gain };
      }
    }
    return best;
  };

  const grow = (indices: readonly number[], depth: number): Tree => {
    const split = depth > 0 ? bestSplit(indices) : undefined;
    if (split === undefined) return { kind: 'leaf', value: leafValue(indices) };
    const left = indices.filter((i) => binned[i]![split.feature]! <= split.bin);
    const right = indices.filter((i) => binned[i]![split.feature]! > split.bin);
    return {
      kind: 'split',
      feature: split.feature,
      threshold: candidates[split.feature]![split.bin]!,
      mode: 'BRANCH_LEQ',
      left: grow(left, depth - 1),
      right: grow(right, depth - 1),
    };
  };

  const all = rows.map((_, index) => index);
  const trees: Tree[] = [];
  for (let round = 0; round < options.trees; round++) {
    scores.forEach((score, i) => {
      const p = sigmoid(score);
      gradients[i] = p - y[i]!;
      hessians[i] = p * (1 - p);
    });
    const tree = grow(all, options.depth);
    trees.push(tree);
    rows.forEach((row, i) => (scores[i]! += evaluateTree(tree, row)));
  }
  return { kind: 'binary', baseScore, trees, featureCount };
}

/** P(label = 1) per row, as the trained ensemble (and its ONNX export) computes it. */
export function predictGradientBoostedTrees(
  model: GradientBoostedTrees,
  X: readonly (readonly number[])[],
): number[] {
  return X.map((row) =>
    sigmoid(model.trees.reduce((sum, tree) => sum + evaluateTree(tree, row), model.baseScore)),
  );
}

/** The same model as a TreeEnsembleRegressor spec whose output is the probability. */
export function boostedTreesAsRegressor(model: GradientBoostedTrees): TreeEnsembleRegressorSpec {
  return {
    trees: model.trees,
    baseValue: model.baseScore,
    postTransform: 'LOGISTIC',
    featureCount: model.featureCount,
    outputName: 'probability',
  };
}
