import { BATCH_DIM, GraphBuilder } from '../onnx/graph-builder.js';

/** An operator no ONNX runtime knows, so a model using it parses but never loads. */
export const UNKNOWN_OPERATOR = 'MlopsNoSuchOperator';

/**
 * A well-formed ONNX protobuf (it decodes, its inputs and outputs are declared) whose only node
 * is an operator that does not exist in ai.onnx: onnxruntime refuses to create a session. This
 * is the "valid upload, corrupt model" case a registry or inference service must reject.
 */
export function buildBrokenModel(): Uint8Array {
  const graph = new GraphBuilder('broken');
  graph.input('features', 'float', [BATCH_DIM, 2]);
  graph.node(UNKNOWN_OPERATOR, ['features'], ['scores']);
  graph.output('scores', 'float', [BATCH_DIM, 2]);
  return graph.toBytes({ docString: 'deliberately broken: uses an operator that does not exist' });
}

/** How much of a byte string to keep. */
export type Truncation = { readonly keepBytes: number } | { readonly keepFraction: number };

/**
 * The first part of `bytes` (a copy): a cut-off upload. Cutting a model inside a weight tensor
 * or a length-delimited field leaves bytes that no protobuf reader or ONNX runtime accepts.
 */
export function truncateBytes(bytes: Uint8Array, truncation: Truncation): Uint8Array {
  const keep =
    'keepBytes' in truncation ? truncation.keepBytes : Math.floor(bytes.length * truncation.keepFraction);
  if (!Number.isInteger(keep) || keep < 0 || keep >= bytes.length) {
    throw new RangeError(`truncateBytes: keep must be an integer in [0, ${bytes.length}), got ${keep}`);
  }
  return bytes.slice(0, keep);
}
