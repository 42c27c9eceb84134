import type { ElementType } from '../onnx/element-type.js';
import { BATCH_DIM, GraphBuilder, type Dim } from '../onnx/graph-builder.js';

export const IDENTITY_INPUT = 'input';
export const IDENTITY_OUTPUT = 'output';

/**
 * `output = input` for one element type: input `input` and output `output`, both
 * [batch, ...rowShape]. The inference service uses one per Open Inference Protocol datatype to
 * check that tensors of every type survive the trip through onnxruntime unchanged.
 * `rowShape` is the shape of one row (fixed sizes or symbolic names); default [] (a scalar per row).
 */
export function buildIdentityModel(elementType: ElementType, rowShape: readonly Dim[] = []): Uint8Array {
  const graph = new GraphBuilder(`identity_${elementType}`);
  const shape = [BATCH_DIM, ...rowShape];
  graph.input(IDENTITY_INPUT, elementType, shape);
  graph.node('Identity', [IDENTITY_INPUT], [IDENTITY_OUTPUT]);
  graph.output(IDENTITY_OUTPUT, elementType, shape);
  return graph.toBytes({ docString: `identity over ${elementType} [${shape.join(', ')}]` });
}
