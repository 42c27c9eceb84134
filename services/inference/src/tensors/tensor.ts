import type { NumericArray } from './datatypes.js';
import type { TensorSignature } from './signature.js';

/** Elements of a tensor as onnxruntime holds them: a typed array, or strings for BYTES. */
export type TensorData = NumericArray | string[];

/** A tensor on its way into or out of onnxruntime, tied to the model's signature for it. */
export interface HostTensor {
  readonly signature: TensorSignature;
  readonly dims: readonly number[];
  readonly data: TensorData;
}

export const elementCount = (dims: readonly number[]): number => dims.reduce((n, d) => n * d, 1);
