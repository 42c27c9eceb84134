// Trains the demo's models in TypeScript and exports them to ONNX with @mlops/model-builders.
import {
  accuracy,
  auc,
  boostedTreesAsRegressor,
  buildLogisticRegression,
  buildTreeEnsembleRegressor,
  logLoss,
  predictGradientBoostedTrees,
  predictLogisticRegression,
  trainGradientBoostedTrees,
  trainLogisticRegression,
  type GradientBoostingOptions,
  type LogisticRegressionOptions,
  type LogisticRegressionSpec,
} from '@mlops/model-builders';
import { labelsOf, matrixOf, type ChurnDataset } from './churn-data.js';

export interface TrainedModel {
  /** What the model is, for people: "logistic regression", "gradient-boosted trees (60 × depth 3)". */
  readonly description: string;
  readonly onnx: Uint8Array;
  readonly hyperparameters: Readonly<Record<string, string>>;
  /** On the held-out customers. */
  readonly metrics: { readonly auc: number; readonly accuracy: number; readonly log_loss: number };
  readonly trainingMs: number;
}

function evaluate(dataset: ChurnDataset, predict: (X: number[][]) => number[]): TrainedModel['metrics'] {
  const y = labelsOf(dataset.test);
  const p = predict(matrixOf(dataset.test));
  return { auc: auc(y, p), accuracy: accuracy(y, p), log_loss: logLoss(y, p) };
}

const stringify = (options: object): Record<string, string> => Object.fromEntries(Object.entries(options).map(([k, v]) => [k, String(v)]));

export const LOGISTIC_OPTIONS: LogisticRegressionOptions = { epochs: 400, learningRate: 0.5, l2: 0.001 };
export const BOOSTING_OPTIONS: GradientBoostingOptions = { trees: 60, depth: 3, learningRate: 0.1 };
/** The "retrained" candidate: more, slightly gentler trees on finer bins. */
export const RETRAINED_BOOSTING_OPTIONS: GradientBoostingOptions = { trees: 120, depth: 3, learningRate: 0.07, bins: 64 };

export function trainLogistic(dataset: ChurnDataset, options = LOGISTIC_OPTIONS): TrainedModel & { readonly spec: LogisticRegressionSpec } {
  const started = performance.now();
  const spec = trainLogisticRegression(matrixOf(dataset.train), labelsOf(dataset.train), options);
  const trainingMs = performance.now() - started;
  return {
    description: 'logistic regression',
    spec,
    onnx: buildLogisticRegression(spec),
    hyperparameters: { algorithm: 'logistic_regression', ...stringify(options) },
    metrics: evaluate(dataset, (X) => predictLogisticRegression(spec, X)),
    trainingMs,
  };
}

export function trainBoosted(dataset: ChurnDataset, options = BOOSTING_OPTIONS): TrainedModel {
  const started = performance.now();
  const model = trainGradientBoostedTrees(matrixOf(dataset.train), labelsOf(dataset.train), options);
  const trainingMs = performance.now() - started;
  return {
    description: `gradient-boosted trees (${options.trees} × depth ${options.depth})`,
    // As a regressor whose output is "probability" [batch, 1], like the logistic model's, so the
    // router compares the two variants' first outputs like for like.
    onnx: buildTreeEnsembleRegressor(boostedTreesAsRegressor(model)),
    hyperparameters: { algorithm: 'gradient_boosted_trees', ...stringify(options) },
    metrics: evaluate(dataset, (X) => predictGradientBoostedTrees(model, X)),
    trainingMs,
  };
}

/**
 * A bad candidate: the logistic model exported with every sign flipped (the kind of bug a broken
 * export script makes), so it ranks customers backwards. Its lineage records its real metrics.
 */
export function invertedCandidate(dataset: ChurnDataset, good: LogisticRegressionSpec): TrainedModel {
  const spec: LogisticRegressionSpec = { weights: good.weights.map((w) => -w), bias: -good.bias };
  return {
    description: 'logistic regression exported with inverted signs',
    onnx: buildLogisticRegression(spec),
    hyperparameters: { algorithm: 'logistic_regression', export_bug: 'inverted_signs' },
    metrics: evaluate(dataset, (X) => predictLogisticRegression(spec, X)),
    trainingMs: 0,
  };
}
