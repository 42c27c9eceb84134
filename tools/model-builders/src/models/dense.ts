import { doubleTensor, floatTensor } from '../onnx/tensor.js';
import type { GraphBuilder } from '../onnx/graph-builder.js';

/** Floating-point element types a dense layer can compute in. */
export type FloatElementType = 'float' | 'double';

/** What the last layer of a linear model or MLP applies to its scores. */
export type OutputActivation = 'none' | 'sigmoid' | 'softmax';
export type HiddenActivation = 'relu' | 'tanh';

/** One dense layer: `weights` is [inputs][outputs] (the MatMul layout), `bias` is [outputs]. */
export type DenseLayer = {
  readonly weights: readonly (readonly number[])[];
  readonly bias: readonly number[];
};

/** [inputs, outputs] of a layer, after checking the matrix is rectangular and the bias fits. */
export function layerShape(layer: DenseLayer, label: string): { inputs: number; outputs: number } {
  const inputs = layer.weights.length;
  const outputs = layer.weights[0]?.length ?? 0;
  if (inputs === 0 || outputs === 0)
    throw new RangeError(`${label}: weights must be a non-empty [inputs][outputs] matrix`);
  layer.weights.forEach((row, index) => {
    if (row.length !== outputs) {
      throw new RangeError(`${label}: weights row ${index} has ${row.length} values, expected ${outputs}`);
    }
  });
  if (layer.bias.length !== outputs) {
    throw new RangeError(
      `${label}: bias has ${layer.bias.length} values, expected ${outputs} (one per output)`,
    );
  }
  return { inputs, outputs };
}

/** Adds `x · W + b` to the graph (MatMul then Add, which onnxruntime fuses) and returns its name. */
export function addDense(
  graph: GraphBuilder,
  x: string,
  layer: DenseLayer,
  elementType: FloatElementType,
): string {
  const { inputs, outputs } = layerShape(layer, 'dense layer');
  const tensor = elementType === 'float' ? floatTensor : doubleTensor;
  // Row-major [inputs, outputs] straight into a typed array: the slow MLP has millions of weights.
  const flat = new Float64Array(inputs * outputs);
  layer.weights.forEach((row, i) => flat.set(row, i * outputs));
  const weights = graph.initializer(tensor(graph.fresh('weights'), [inputs, outputs], flat));
  const bias = graph.initializer(tensor(graph.fresh('bias'), [outputs], layer.bias));
  const [product] = graph.node('MatMul', [x, weights], [graph.fresh('matmul')]);
  const [sum] = graph.node('Add', [product!, bias], [graph.fresh('dense')]);
  return sum!;
}

const ACTIVATION_OPS = { relu: 'Relu', tanh: 'Tanh', sigmoid: 'Sigmoid', softmax: 'Softmax' } as const;

/**
 * Applies an activation, writing into `outputName` when given (the graph output) or a fresh name.
 * Softmax runs over the last axis (the opset-13+ default), i.e. over each row's classes.
 */
export function addActivation(
  graph: GraphBuilder,
  x: string,
  activation: HiddenActivation | OutputActivation,
  outputName?: string,
): string {
  if (activation === 'none') {
    if (outputName === undefined) return x;
    // A graph output must be produced by a node, so "no activation" still needs an Identity.
    return graph.node('Identity', [x], [outputName])[0]!;
  }
  return graph.node(ACTIVATION_OPS[activation], [x], [outputName ?? graph.fresh(activation)])[0]!;
}
