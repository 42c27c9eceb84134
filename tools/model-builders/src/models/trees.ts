import { attr, type AttributeValue } from '../onnx/attribute.js';
import { BATCH_DIM, GraphBuilder } from '../onnx/graph-builder.js';
import { DEFAULT_INPUT_NAME } from './linear.js';
import { sigmoid } from './reference.js';

/**
 * A decision tree. A split sends a row left when `row[feature] <= threshold` (ONNX BRANCH_LEQ,
 * the "true" branch) and right otherwise. Leaves hold a value: a number for regressors and
 * binary classifiers (a log-odds contribution), one number per class for multiclass ones.
 */
export type Tree<Value = number> =
  | { readonly kind: 'leaf'; readonly value: Value }
  | {
      readonly kind: 'split';
      readonly feature: number;
      readonly threshold: number;
      readonly mode: 'BRANCH_LEQ';
      readonly left: Tree<Value>;
      readonly right: Tree<Value>;
    };

export type PostTransform = 'NONE' | 'LOGISTIC';

/** The `nodes_*` attribute columns of a tree ensemble, plus the leaves found while walking. */
type FlatEnsemble<Value> = {
  readonly nodes: Record<string, AttributeValue>;
  readonly leaves: readonly { treeId: number; nodeId: number; value: Value }[];
  readonly featureCount: number;
};

/**
 * Lays trees out as ONNX wants them: per tree, node ids 0, 1, 2… in pre-order (ids must start
 * at 0 and increase by 1), one entry per node in every `nodes_*` column. Thresholds are written
 * as float, so a row compares exactly as it would against Math.fround(threshold).
 */
function flatten<Value>(trees: readonly Tree<Value>[]): FlatEnsemble<Value> {
  if (trees.length === 0) throw new RangeError('tree ensemble: trees must not be empty');
  const treeIds: number[] = [];
  const nodeIds: number[] = [];
  const featureIds: number[] = [];
  const modes: string[] = [];
  const values: number[] = [];
  const trueIds: number[] = [];
  const falseIds: number[] = [];
  const leaves: { treeId: number; nodeId: number; value: Value }[] = [];
  let maxFeature = -1;

  trees.forEach((tree, treeId) => {
    let nextId = 0;
    const visit = (node: Tree<Value>): number => {
      const nodeId = nextId++;
      const index = treeIds.length;
      treeIds.push(treeId);
      nodeIds.push(nodeId);
      if (node.kind === 'leaf') {
        featureIds.push(0);
        modes.push('LEAF');
        values.push(0);
        trueIds.push(0);
        falseIds.push(0);
        leaves.push({ treeId, nodeId, value: node.value });
        return nodeId;
      }
      if (!Number.isInteger(node.feature) || node.feature < 0) {
        throw new RangeError(`tree ${treeId}: feature must be a non-negative integer, got ${node.feature}`);
      }
      maxFeature = Math.max(maxFeature, node.feature);
      featureIds.push(node.feature);
      modes.push(node.mode);
      values.push(node.threshold);
      trueIds.push(0);
      falseIds.push(0);
      // Children get their ids as they are visited; patch this node's pointers afterwards.
      trueIds[index] = visit(node.left);
      falseIds[index] = visit(node.right);
      return nodeId;
    };
    visit(tree);
  });

  return {
    nodes: {
      nodes_treeids: attr.ints(treeIds),
      nodes_nodeids: attr.ints(nodeIds),
      nodes_featureids: attr.ints(featureIds),
      nodes_modes: attr.strings(modes),
      nodes_values: attr.floats(values),
      nodes_truenodeids: attr.ints(trueIds),
      nodes_falsenodeids: attr.ints(falseIds),
    },
    leaves,
    featureCount: maxFeature + 1,
  };
}

function resolveFeatureCount(flat: { featureCount: number }, requested: number | undefined): number {
  if (requested === undefined) return Math.max(1, flat.featureCount);
  if (requested < flat.featureCount) {
    throw new RangeError(
      `tree ensemble: featureCount ${requested} but a split uses feature ${flat.featureCount - 1}`,
    );
  }
  return requested;
}

export type TreeEnsembleRegressorSpec = {
  readonly trees: readonly Tree[];
  /** Added to the sum of the leaves (e.g. a boosted model's prior log-odds). Default 0. */
  readonly baseValue?: number;
  /** LOGISTIC turns the score into a probability. Default NONE. */
  readonly postTransform?: PostTransform;
  /** Sum the trees' leaves (boosting) or average them (forests). Default SUM. */
  readonly aggregate?: 'SUM' | 'AVERAGE';
  /** Width of the input; default one past the highest feature a split uses. */
  readonly featureCount?: number;
  readonly inputName?: string;
  /** Default `prediction`. */
  readonly outputName?: string;
};

/** ai.onnx.ml TreeEnsembleRegressor: input [batch, features] float, output [batch, 1] float. */
export function buildTreeEnsembleRegressor(spec: TreeEnsembleRegressorSpec): Uint8Array {
  const flat = flatten(spec.trees);
  const featureCount = resolveFeatureCount(flat, spec.featureCount);
  const graph = new GraphBuilder('tree_ensemble_regressor');
  const x = graph.input(spec.inputName ?? DEFAULT_INPUT_NAME, 'float', [BATCH_DIM, featureCount]);
  const outputName = spec.outputName ?? 'prediction';
  const logistic = spec.postTransform === 'LOGISTIC';
  // onnxruntime ignores post_transform LOGISTIC when there is a single target (it only applies
  // PROBIT there), so the logistic is a Sigmoid node after the ensemble instead.
  const scores = logistic ? graph.fresh('ensemble_score') : outputName;
  graph.node('TreeEnsembleRegressor', [x], [scores], {
    domain: 'ai.onnx.ml',
    attributes: {
      ...flat.nodes,
      n_targets: attr.int(1),
      target_treeids: attr.ints(flat.leaves.map((leaf) => leaf.treeId)),
      target_nodeids: attr.ints(flat.leaves.map((leaf) => leaf.nodeId)),
      target_ids: attr.ints(flat.leaves.map(() => 0)),
      target_weights: attr.floats(flat.leaves.map((leaf) => leaf.value)),
      base_values: attr.floats([spec.baseValue ?? 0]),
      aggregate_function: attr.string(spec.aggregate ?? 'SUM'),
      post_transform: attr.string('NONE'),
    },
  });
  if (logistic) graph.node('Sigmoid', [scores], [outputName]);
  graph.output(outputName, 'float', [BATCH_DIM, 1]);
  return graph.toBytes({ docString: `tree ensemble regressor, ${spec.trees.length} trees` });
}

/** The leaf a row lands in. */
export function evaluateTree<Value>(tree: Tree<Value>, row: readonly number[]): Value {
  let node = tree;
  while (node.kind === 'split') {
    const value = row[node.feature];
    if (value === undefined)
      throw new RangeError(`row has ${row.length} features, a split reads feature ${node.feature}`);
    // Compare as float32, as onnxruntime does with float input and float thresholds.
    node = Math.fround(value) <= Math.fround(node.threshold) ? node.left : node.right;
  }
  return node.value;
}

/** What buildTreeEnsembleRegressor's model computes, one number per row. */
export function predictTreeEnsembleRegressor(
  spec: TreeEnsembleRegressorSpec,
  rows: readonly (readonly number[])[],
): number[] {
  return rows.map((row) => {
    const leaves = spec.trees.map((tree) => evaluateTree(tree, row));
    const total = leaves.reduce((sum, value) => sum + value, 0);
    const score = (spec.baseValue ?? 0) + (spec.aggregate === 'AVERAGE' ? total / leaves.length : total);
    return spec.postTransform === 'LOGISTIC' ? sigmoid(score) : score;
  });
}

/**
 * A tree ensemble classifier; labels are class indices 0…classes-1.
 * - `binary`: each leaf holds a log-odds contribution to class 1 (gradient boosting);
 *   P(1) = sigmoid(baseScore + Σ leaves), probabilities = [1 - P(1), P(1)].
 * - `multiclass`: each leaf holds one score per class; probabilities = softmax(baseScores + Σ leaves).
 */
export type TreeEnsembleClassifierSpec =
  | {
      readonly kind: 'binary';
      readonly trees: readonly Tree[];
      /** Prior log-odds of class 1. Default 0. */
      readonly baseScore?: number;
      readonly featureCount?: number;
      readonly inputName?: string;
    }
  | {
      readonly kind: 'multiclass';
      readonly classes: number;
      readonly trees: readonly Tree<readonly number[]>[];
      /** One prior score per class. Default all 0. */
      readonly baseScores?: readonly number[];
      readonly featureCount?: number;
      readonly inputName?: string;
    };

export const LABEL_OUTPUT = 'label';
export const PROBABILITIES_OUTPUT = 'probabilities';

type ClassVotes = { classIds: number[]; treeIds: number[]; nodeIds: number[]; weights: number[] };

function classVotes(
  spec: TreeEnsembleClassifierSpec,
  leaves: FlatEnsemble<number | readonly number[]>['leaves'],
): ClassVotes {
  const votes: ClassVotes = { classIds: [], treeIds: [], nodeIds: [], weights: [] };
  for (const leaf of leaves) {
    // Binary ensembles vote for class 0 only: that is the layout onnxruntime reads as "one
    // log-odds score", and the one its LOGISTIC post-transform turns into [1 - p, p].
    const scores = typeof leaf.value === 'number' ? [leaf.value] : leaf.value;
    if (spec.kind === 'multiclass' && scores.length !== spec.classes) {
      throw new RangeError(
        `tree ${leaf.treeId}: a leaf has ${scores.length} class scores, expected ${spec.classes}`,
      );
    }
    scores.forEach((weight, classId) => {
      votes.classIds.push(classId);
      votes.treeIds.push(leaf.treeId);
      votes.nodeIds.push(leaf.nodeId);
      votes.weights.push(weight);
    });
  }
  return votes;
}

/**
 * ai.onnx.ml TreeEnsembleClassifier without ZipMap: input [batch, features] float, outputs
 * `label` [batch] int64 and `probabilities` [batch, classes] float.
 */
export function buildTreeEnsembleClassifier(spec: TreeEnsembleClassifierSpec): Uint8Array {
  const classes = spec.kind === 'binary' ? 2 : spec.classes;
  if (!Number.isInteger(classes) || classes < 2)
    throw new RangeError(`classifier: classes must be an integer ≥ 2, got ${classes}`);
  const baseValues =
    spec.kind === 'binary' ? [spec.baseScore ?? 0] : (spec.baseScores ?? new Array<number>(classes).fill(0));
  if (baseValues.length !== (spec.kind === 'binary' ? 1 : classes)) {
    throw new RangeError(`classifier: baseScores has ${baseValues.length} values, expected ${classes}`);
  }
  const flat = flatten<number | readonly number[]>(spec.trees);
  const featureCount = resolveFeatureCount(flat, spec.featureCount);
  const votes = classVotes(spec, flat.leaves);

  const graph = new GraphBuilder('tree_ensemble_classifier');
  const x = graph.input(spec.inputName ?? DEFAULT_INPUT_NAME, 'float', [BATCH_DIM, featureCount]);
  const [, probabilities] = graph.node(
    'TreeEnsembleClassifier',
    [x],
    [graph.fresh('ensemble_label'), PROBABILITIES_OUTPUT],
    {
      domain: 'ai.onnx.ml',
      attributes: {
        ...flat.nodes,
        class_ids: attr.ints(votes.classIds),
        class_treeids: attr.ints(votes.treeIds),
        class_nodeids: attr.ints(votes.nodeIds),
        class_weights: attr.floats(votes.weights),
        classlabels_int64s: attr.ints(Array.from({ length: classes }, (_, index) => index)),
        base_values: attr.floats(baseValues),
        post_transform: attr.string(spec.kind === 'binary' ? 'LOGISTIC' : 'SOFTMAX'),
      },
    },
  );
  // The label is the arg-max of the probabilities rather than the operator's own label output:
  // for a binary ensemble whose leaf weights are all positive, onnxruntime thresholds the raw
  // score at 0.5 instead of the probability, so its label can disagree with its probabilities.
  graph.node('ArgMax', [probabilities!], [LABEL_OUTPUT], {
    attributes: { axis: attr.int(1), keepdims: attr.int(0) },
  });
  graph.output(LABEL_OUTPUT, 'int64', [BATCH_DIM]);
  graph.output(PROBABILITIES_OUTPUT, 'float', [BATCH_DIM, classes]);
  return graph.toBytes({
    docString: `tree ensemble classifier (${spec.kind}), ${spec.trees.length} trees, ${classes} classes`,
  });
}

export type ClassifierPrediction = { readonly label: number; readonly probabilities: readonly number[] };

/** What buildTreeEnsembleClassifier's model computes, per row. */
export function predictTreeEnsembleClassifier(
  spec: TreeEnsembleClassifierSpec,
  rows: readonly (readonly number[])[],
): ClassifierPrediction[] {
  return rows.map((row) => {
    let probabilities: number[];
    if (spec.kind === 'binary') {
      const score = spec.trees.reduce((sum, tree) => sum + evaluateTree(tree, row), spec.baseScore ?? 0);
      const positive = sigmoid(score);
      probabilities = [1 - positive, positive];
    } else {
      const scores = spec.baseScores ? [...spec.baseScores] : new Array<number>(spec.classes).fill(0);
      for (const tree of spec.trees)
        evaluateTree(tree, row).forEach((value, index) => (scores[index]! += value));
      const max = Math.max(...scores);
      const exps = scores.map((score) => Math.exp(score - max));
      const total = exps.reduce((sum, value) => sum + value, 0);
      probabilities = exps.map((value) => value / total);
    }
    // First maximum wins, as ONNX ArgMax does.
    const label = probabilities.indexOf(Math.max(...probabilities));
    return { label, probabilities };
  });
}
