import {
  buildLogisticRegression,
  buildMlp,
  buildTreeEnsembleClassifier,
  seededRandom,
  uniformMatrix,
  type MlpSpec,
  type Tree,
} from '@mlops/model-builders';

/** The models the tests serve, built with @mlops/model-builders (real ONNX, real onnxruntime). */
export const FEATURES = 30;

export function logisticRegression(seed: number): Uint8Array {
  const random = seededRandom(seed);
  return buildLogisticRegression({
    weights: Array.from({ length: FEATURES }, () => random() * 2 - 1),
    bias: random() - 0.5,
  });
}

export function smallMlp(seed: number): Uint8Array {
  const random = seededRandom(seed);
  const spec: MlpSpec = {
    layers: [
      { weights: uniformMatrix(random, 4, 8, 0.7), bias: Array.from({ length: 8 }, () => random() - 0.5) },
      { weights: uniformMatrix(random, 8, 3, 0.7), bias: Array.from({ length: 3 }, () => random() - 0.5) },
    ],
    hiddenActivation: 'relu',
    outputActivation: 'softmax',
  };
  return buildMlp(spec);
}

const split = (feature: number, threshold: number, left: Tree, right: Tree): Tree => ({
  kind: 'split',
  feature,
  threshold,
  mode: 'BRANCH_LEQ',
  left,
  right,
});
const leaf = (value: number): Tree => ({ kind: 'leaf', value });

/** A binary gradient-boosted ensemble from the ai.onnx.ml domain: outputs `label` (INT64) and `probabilities` (FP32). */
export function treeEnsemble(): Uint8Array {
  return buildTreeEnsembleClassifier({
    kind: 'binary',
    featureCount: 4,
    baseScore: -0.2,
    trees: [
      split(0, 0.5, split(1, 0.1, leaf(-0.8), leaf(0.3)), leaf(0.9)),
      split(2, -0.3, leaf(-0.4), split(3, 0.7, leaf(0.2), leaf(1.1))),
    ],
  });
}

/** Deterministic rows of `width` features in [-1, 1). */
export function rows(seed: number, count: number, width: number): Float32Array {
  const random = seededRandom(seed);
  return Float32Array.from({ length: count * width }, () => random() * 2 - 1);
}
