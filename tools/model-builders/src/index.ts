// Real ONNX models built in TypeScript, for tests, benchmarks and the demo. Every model imports
// opset 17 (ai.onnx) and 3 (ai.onnx.ml), IR version 8, and has a symbolic "batch" first dim.
export { seededRandom, gaussian, uniformMatrix, type Random } from './random.js';

export {
  ELEMENT_TYPES,
  onnxDataType,
  ortTensorType,
  type ElementType,
  type OrtTensorType,
} from './onnx/element-type.js';
export { attr, type AttributeValue } from './onnx/attribute.js';
export { floatTensor, doubleTensor, int64Tensor } from './onnx/tensor.js';
export {
  GraphBuilder,
  serializeModel,
  BATCH_DIM,
  IR_VERSION,
  OPSET,
  PRODUCER_NAME,
  type Dim,
  type ModelOptions,
  type NodeOptions,
  type OperatorDomain,
} from './onnx/graph-builder.js';

export type { DenseLayer, FloatElementType, HiddenActivation, OutputActivation } from './models/dense.js';
export {
  buildLinearModel,
  predictLinear,
  buildLogisticRegression,
  predictLogisticRegression,
  DEFAULT_INPUT_NAME,
  DEFAULT_OUTPUT_NAME,
  PROBABILITY_OUTPUT,
  type LinearModelSpec,
  type LogisticRegressionSpec,
} from './models/linear.js';
export {
  buildMlp,
  predictMlp,
  buildSlowMlp,
  slowMlpSpec,
  type MlpSpec,
  type SlowMlpOptions,
} from './models/mlp.js';
export {
  buildTreeEnsembleRegressor,
  predictTreeEnsembleRegressor,
  buildTreeEnsembleClassifier,
  predictTreeEnsembleClassifier,
  evaluateTree,
  LABEL_OUTPUT,
  PROBABILITIES_OUTPUT,
  type Tree,
  type PostTransform,
  type TreeEnsembleRegressorSpec,
  type TreeEnsembleClassifierSpec,
  type ClassifierPrediction,
} from './models/trees.js';
export { buildIdentityModel, IDENTITY_INPUT, IDENTITY_OUTPUT } from './models/identity.js';
export { buildBrokenModel, truncateBytes, UNKNOWN_OPERATOR, type Truncation } from './models/broken.js';
export { sigmoid } from './models/reference.js';

export { trainLogisticRegression, type LogisticRegressionOptions } from './train/logistic-regression.js';
export {
  trainGradientBoostedTrees,
  predictGradientBoostedTrees,
  boostedTreesAsRegressor,
  type GradientBoostingOptions,
  type GradientBoostedTrees,
} from './train/gradient-boosting.js';
export { auc, logLoss, accuracy } from './train/metrics.js';
export {
  syntheticBinaryDataset,
  trainTestSplit,
  type BinaryDataset,
  type SyntheticDatasetOptions,
} from './train/dataset.js';
