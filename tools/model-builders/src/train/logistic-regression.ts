import type { LogisticRegressionSpec } from '../models/linear.js';
import { sigmoid } from '../models/reference.js';
import { checkDataset } from './check.js';

export type LogisticRegressionOptions = {
  readonly epochs: number;
  readonly learningRate: number;
  /** L2 penalty on the weights (not the bias). Default 0. */
  readonly l2?: number;
  /**
   * Train on standardized features (zero mean, unit variance), which lets one learning rate suit
   * features of any scale. The returned weights are mapped back to raw features. Default true.
   */
  readonly standardize?: boolean;
};

type Scaling = { readonly mean: number[]; readonly scale: number[] };

function scaling(X: readonly (readonly number[])[], features: number, standardize: boolean): Scaling {
  if (!standardize)
    return { mean: new Array<number>(features).fill(0), scale: new Array<number>(features).fill(1) };
  const mean = new Array<number>(features).fill(0);
  for (const row of X) row.forEach((value, j) => (mean[j]! += value / X.length));
  const variance = new Array<number>(features).fill(0);
  for (const row of X) row.forEach((value, j) => (variance[j]! += (value - mean[j]!) ** 2 / X.length));
  // A constant feature keeps scale 1: dividing by ~0 would blow its (useless) weight up.
  const scale = variance.map((v) => (v > 1e-12 ? Math.sqrt(v) : 1));
  return { mean, scale };
}

/**
 * Logistic regression by full-batch gradient descent on the mean log-loss (+ l2/2·|w|²).
 * Returns parameters for buildLogisticRegression / predictLogisticRegression.
 */
export function trainLogisticRegression(
  X: readonly (readonly number[])[],
  y: readonly number[],
  options: LogisticRegressionOptions,
): LogisticRegressionSpec {
  const features = checkDataset(X, y);
  const l2 = options.l2 ?? 0;
  const { mean, scale } = scaling(X, features, options.standardize ?? true);
  const Z = X.map((row) => row.map((value, j) => (value - mean[j]!) / scale[j]!));
  const weights = new Array<number>(features).fill(0);
  let bias = 0;

  for (let epoch = 0; epoch < options.epochs; epoch++) {
    const gradient = new Array<number>(features).fill(0);
    let biasGradient = 0;
    Z.forEach((row, i) => {
      const error = sigmoid(row.reduce((sum, value, j) => sum + value * weights[j]!, bias)) - y[i]!;
      row.forEach((value, j) => (gradient[j]! += (error * value) / Z.length));
      biasGradient += error / Z.length;
    });
    weights.forEach(
      (weight, j) => (weights[j] = weight - options.learningRate * (gradient[j]! + l2 * weight)),
    );
    bias -= options.learningRate * biasGradient;
  }

  // w·(x - m)/s + b = (w/s)·x + (b - Σ w·m/s)
  const rawWeights = weights.map((weight, j) => weight / scale[j]!);
  const rawBias = bias - rawWeights.reduce((sum, weight, j) => sum + weight * mean[j]!, 0);
  return { weights: rawWeights, bias: rawBias };
}
