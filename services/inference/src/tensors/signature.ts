import type { InferenceSession } from 'onnxruntime-node';
import { err, ok, type Result } from '../util/result.js';
import { datatypeOfOrt, type Datatype, type DatatypeInfo } from './datatypes.js';

/** A dimension the model fixes, or -1 where any size is accepted (a symbolic or free dimension). */
export const DYNAMIC_DIM = -1;

/** One input or output of a model as the protocol describes it. */
export interface TensorSignature {
  readonly name: string;
  readonly datatype: Datatype;
  readonly info: DatatypeInfo;
  /** -1 for a dynamic dimension. */
  readonly shape: readonly number[];
  /** The symbolic name of each dynamic dimension ("batch"), where the model gives one. */
  readonly dimNames: readonly (string | undefined)[];
}

export interface ModelSignature {
  readonly inputs: readonly TensorSignature[];
  /** Tensor outputs only: a non-tensor output (a sequence or map, e.g. ZipMap) cannot travel over the protocol. */
  readonly outputs: readonly TensorSignature[];
  readonly inputByName: ReadonlyMap<string, TensorSignature>;
  readonly outputByName: ReadonlyMap<string, TensorSignature>;
  /**
   * Whether requests can be stacked along dimension 0: every input and output has a dynamic
   * first dimension, and no input has another dynamic dimension (so any two requests stack).
   */
  readonly batchable: boolean;
}

const toShape = (dims: ReadonlyArray<number | string>): number[] =>
  dims.map((d) => (typeof d === 'number' && Number.isInteger(d) && d >= 0 ? d : DYNAMIC_DIM));

function toTensorSignatures(
  metadata: readonly InferenceSession.ValueMetadata[],
  role: 'input' | 'output',
): Result<TensorSignature[], string> {
  const tensors: TensorSignature[] = [];
  for (const value of metadata) {
    if (!value.isTensor) {
      // An input we cannot feed makes the model unservable; an output we cannot fetch is just left out.
      if (role === 'input')
        return err(`input "${value.name}" is not a tensor; the Open Inference Protocol carries tensors only`);
      continue;
    }
    const info = datatypeOfOrt(value.type);
    if (info === undefined) {
      if (role === 'input')
        return err(`input "${value.name}" has element type ${value.type}, which the protocol cannot carry`);
      continue;
    }
    tensors.push({
      name: value.name,
      datatype: info.datatype,
      info,
      shape: toShape(value.shape),
      dimNames: value.shape.map((d) => (typeof d === 'string' && d !== '' ? d : undefined)),
    });
  }
  return ok(tensors);
}

const hasBatchDim = (t: TensorSignature): boolean => t.shape.length >= 1 && t.shape[0] === DYNAMIC_DIM;

/** The protocol signature of a loaded session, or why the model cannot be served. */
export function signatureOf(
  session: Pick<InferenceSession, 'inputMetadata' | 'outputMetadata'>,
): Result<ModelSignature, string> {
  const inputs = toTensorSignatures(session.inputMetadata, 'input');
  if (!inputs.ok) return inputs;
  const outputs = toTensorSignatures(session.outputMetadata, 'output');
  if (!outputs.ok) return outputs;
  if (outputs.value.length === 0) return err('the model has no tensor output');
  const batchable =
    inputs.value.length > 0 &&
    inputs.value.every((t) => hasBatchDim(t) && t.shape.slice(1).every((d) => d !== DYNAMIC_DIM)) &&
    outputs.value.every(hasBatchDim);
  return ok({
    inputs: inputs.value,
    outputs: outputs.value,
    inputByName: new Map(inputs.value.map((t) => [t.name, t])),
    outputByName: new Map(outputs.value.map((t) => [t.name, t])),
    batchable,
  });
}

/** "FP32 [-1, 30]": how error messages show what a tensor must be. */
export const describeTensor = (t: Pick<TensorSignature, 'datatype' | 'shape'>): string =>
  `${t.datatype} ${formatShape(t.shape)}`;

export const formatShape = (shape: readonly (number | bigint)[]): string => `[${shape.join(', ')}]`;
