import { BATCH_DIM, GraphBuilder } from '../onnx/graph-builder.js';
import { activate, denseForward } from './reference.js';
import {
  addActivation,
  addDense,
  layerShape,
  type FloatElementType,
  type OutputActivation,
} from './dense.js';

export type LinearModelSpec = {
  /** [features][outputs]. */
  readonly weights: readonly (readonly number[])[];
  /** [outputs]. */
  readonly bias: readonly number[];
  readonly activation: OutputActivation;
  /** Default `features`. */
  readonly inputName?: string;
  /** Default `scores`. */
  readonly outputName?: string;
  /** Default `float`; input, weights and output all use it. */
  readonly elementType?: FloatElementType;
};

export const DEFAULT_INPUT_NAME = 'features';
export const DEFAULT_OUTPUT_NAME = 'scores';

/** `activation(features · weights + bias)`: input [batch, features], output [batch, outputs]. */
export function buildLinearModel(spec: LinearModelSpec): Uint8Array {
  const { inputs, outputs } = layerShape(spec, 'linear model');
  const elementType = spec.elementType ?? 'float';
  const graph = new GraphBuilder('linear');
  const x = graph.input(spec.inputName ?? DEFAULT_INPUT_NAME, elementType, [BATCH_DIM, inputs]);
  const outputName = spec.outputName ?? DEFAULT_OUTPUT_NAME;
  addActivation(graph, addDense(graph, x, spec, elementType), spec.activation, outputName);
  graph.output(outputName, elementType, [BATCH_DIM, outputs]);
  return graph.toBytes({
    docString: `linear model, ${inputs} features → ${outputs} outputs, ${spec.activation}`,
  });
}

/** What buildLinearModel's model computes, in plain TypeScript (double precision). */
export function predictLinear(spec: LinearModelSpec, rows: readonly (readonly number[])[]): number[][] {
  return activate(denseForward(rows, spec), spec.activation);
}

export type LogisticRegressionSpec = {
  /** One weight per feature. */
  readonly weights: readonly number[];
  readonly bias: number;
};

/** The name of the binary models' probability output: [batch, 1], P(label = 1). */
export const PROBABILITY_OUTPUT = 'probability';

function logisticAsLinear(spec: LogisticRegressionSpec): LinearModelSpec {
  return {
    weights: spec.weights.map((weight) => [weight]),
    bias: [spec.bias],
    activation: 'sigmoid',
    inputName: DEFAULT_INPUT_NAME,
    outputName: PROBABILITY_OUTPUT,
  };
}

/** `sigmoid(features · weights + bias)`: input `features` [batch, n] float, output `probability` [batch, 1] float. */
export function buildLogisticRegression(spec: LogisticRegressionSpec): Uint8Array {
  return buildLinearModel(logisticAsLinear(spec));
}

/** P(label = 1) per row, as buildLogisticRegression's model computes it. */
export function predictLogisticRegression(
  spec: LogisticRegressionSpec,
  rows: readonly (readonly number[])[],
): number[] {
  return predictLinear(logisticAsLinear(spec), rows).map((row) => row[0]!);
}
