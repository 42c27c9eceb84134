import { BATCH_DIM, GraphBuilder } from '../onnx/graph-builder.js';
import { seededRandom, uniformMatrix } from '../random.js';
import {
  addActivation,
  addDense,
  layerShape,
  type DenseLayer,
  type FloatElementType,
  type HiddenActivation,
  type OutputActivation,
} from './dense.js';
import { DEFAULT_INPUT_NAME, DEFAULT_OUTPUT_NAME } from './linear.js';
import { activate, denseForward } from './reference.js';

export type MlpSpec = {
  /** Dense layers in order; each layer's inputs equal the previous layer's outputs. */
  readonly layers: readonly DenseLayer[];
  /** Applied after every layer but the last. */
  readonly hiddenActivation: HiddenActivation;
  /** Applied after the last layer. */
  readonly outputActivation: OutputActivation;
  readonly inputName?: string;
  readonly outputName?: string;
  readonly elementType?: FloatElementType;
};

function checkLayers(spec: MlpSpec): { inputs: number; outputs: number } {
  const first = spec.layers[0];
  if (first === undefined) throw new RangeError('mlp: layers must not be empty');
  let previous = layerShape(first, 'mlp layer 0');
  spec.layers.slice(1).forEach((layer, index) => {
    const shape = layerShape(layer, `mlp layer ${index + 1}`);
    if (shape.inputs !== previous.outputs) {
      throw new RangeError(
        `mlp layer ${index + 1}: takes ${shape.inputs} inputs, previous layer gives ${previous.outputs}`,
      );
    }
    previous = shape;
  });
  return { inputs: layerShape(first, 'mlp layer 0').inputs, outputs: previous.outputs };
}

/** A multi-layer perceptron: input [batch, inputs] (`features`), output [batch, outputs] (`scores`). */
export function buildMlp(spec: MlpSpec): Uint8Array {
  const { inputs, outputs } = checkLayers(spec);
  const elementType = spec.elementType ?? 'float';
  const outputName = spec.outputName ?? DEFAULT_OUTPUT_NAME;
  const graph = new GraphBuilder('mlp');
  let x = graph.input(spec.inputName ?? DEFAULT_INPUT_NAME, elementType, [BATCH_DIM, inputs]);
  spec.layers.forEach((layer, index) => {
    const isLast = index === spec.layers.length - 1;
    const dense = addDense(graph, x, layer, elementType);
    x = isLast
      ? addActivation(graph, dense, spec.outputActivation, outputName)
      : addActivation(graph, dense, spec.hiddenActivation);
  });
  graph.output(outputName, elementType, [BATCH_DIM, outputs]);
  const sizes = [inputs, ...spec.layers.map((layer) => layer.bias.length)].join(' → ');
  return graph.toBytes({
    docString: `mlp ${sizes}, hidden ${spec.hiddenActivation}, output ${spec.outputActivation}`,
  });
}

/** What buildMlp's model computes, in plain TypeScript (double precision). */
export function predictMlp(spec: MlpSpec, rows: readonly (readonly number[])[]): number[][] {
  checkLayers(spec);
  let values = rows.map((row) => [...row]);
  spec.layers.forEach((layer, index) => {
    const isLast = index === spec.layers.length - 1;
    values = activate(denseForward(values, layer), isLast ? spec.outputActivation : spec.hiddenActivation);
  });
  return values;
}

export type SlowMlpOptions = {
  /** Default 30 (the demo's feature count). */
  readonly inputs?: number;
  /** Widths of the hidden layers; default [1024, 1024, 1024]. */
  readonly hidden?: readonly number[];
};

/**
 * A deliberately expensive binary classifier for batching benchmarks: 30 → 1024 → 1024 → 1024 → 1
 * is about two million multiply-adds per row. On the 2-core CI machine one single-row run of
 * 30 → 1024 → 1024 → 1 measured ~130-160 µs, under the ≥ 200 µs the batching benchmark wants, so
 * the default has a third hidden layer (~200-260 µs); `hidden` tunes it. Weights are seeded; the
 * Glorot-uniform scale keeps the tanh activations out of saturation, so outputs still depend on
 * the input.
 */
export function slowMlpSpec(seed: number, options: SlowMlpOptions = {}): MlpSpec {
  const random = seededRandom(seed);
  const widths = [options.inputs ?? 30, ...(options.hidden ?? [1024, 1024, 1024]), 1];
  const layers = widths.slice(1).map((outputs, index) => {
    const inputs = widths[index]!;
    const scale = Math.sqrt(6 / (inputs + outputs));
    return {
      weights: uniformMatrix(random, inputs, outputs, scale),
      bias: Array.from({ length: outputs }, () => (random() * 2 - 1) * 0.1),
    };
  });
  return { layers, hiddenActivation: 'tanh', outputActivation: 'sigmoid', outputName: 'probability' };
}

/** buildMlp(slowMlpSpec(seed, options)): input `features` [batch, 30] float, output `probability` [batch, 1] float. */
export function buildSlowMlp(seed: number, options: SlowMlpOptions = {}): Uint8Array {
  return buildMlp(slowMlpSpec(seed, options));
}
