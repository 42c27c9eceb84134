import type { MessageInitShape } from '@bufbuild/protobuf';
import type {
  InferTensorContentsSchema,
  ModelInferResponse_InferOutputTensorSchema,
} from '@mlops/proto/inference/grpc_predict_v2_pb';
import { encodeRawBytes, encodeUtf8 } from './bytes-codec.js';
import type { NumericArray } from './datatypes.js';
import type { ContentsForm } from './decode-inputs.js';
import { HOST_IS_LITTLE_ENDIAN, swapBytes } from './endian.js';
import type { HostTensor } from './tensor.js';

type OutputTensorInit = MessageInitShape<typeof ModelInferResponse_InferOutputTensorSchema>;
type ContentsInit = MessageInitShape<typeof InferTensorContentsSchema>;

export interface EncodedOutputs {
  readonly outputs: OutputTensorInit[];
  readonly rawOutputContents: Uint8Array[];
}

/** The little-endian bytes of a typed array: the same memory on a little-endian host. */
function rawOf(data: NumericArray): Uint8Array {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (HOST_IS_LITTLE_ENDIAN) return bytes;
  const copy = bytes.slice();
  swapBytes(copy, data.BYTES_PER_ELEMENT);
  return copy;
}

function typedContents(tensor: HostTensor): ContentsInit {
  const { data, signature } = tensor;
  const info = signature.info;
  if (info.kind === 'bytes') return { bytesContents: (data as string[]).map(encodeUtf8) };
  switch (info.contents) {
    case 'boolContents':
      return { boolContents: Array.from(data as Uint8Array, (v) => v !== 0) };
    case 'int64Contents':
      return { int64Contents: Array.from(data as BigInt64Array) };
    case 'uint64Contents':
      return { uint64Contents: Array.from(data as BigUint64Array) };
    case 'intContents':
    case 'uintContents':
    case 'fp32Contents':
    case 'fp64Contents':
      return { [info.contents]: Array.from(data as ArrayLike<number>) };
    case undefined:
      throw new Error(`${info.datatype} has no typed contents; the caller must answer raw`);
  }
}

/**
 * The response tensors, in the form the request used. FP16 has no typed field, and the protocol
 * forbids mixing typed and raw outputs, so a response with any FP16 output is raw throughout.
 */
export function encodeOutputs(tensors: readonly HostTensor[], form: ContentsForm): EncodedOutputs {
  const raw = form === 'raw' || tensors.some((t) => t.signature.info.contents === undefined);
  const outputs: OutputTensorInit[] = new Array<OutputTensorInit>(tensors.length);
  const rawOutputContents: Uint8Array[] = raw ? new Array<Uint8Array>(tensors.length) : [];
  for (let i = 0; i < tensors.length; i++) {
    const tensor = tensors[i]!;
    const shape = tensor.dims.map(BigInt);
    if (raw) {
      outputs[i] = { name: tensor.signature.name, datatype: tensor.signature.datatype, shape };
      rawOutputContents[i] =
        tensor.signature.info.kind === 'bytes'
          ? encodeRawBytes(tensor.data as string[])
          : rawOf(tensor.data as NumericArray);
    } else {
      outputs[i] = {
        name: tensor.signature.name,
        datatype: tensor.signature.datatype,
        shape,
        contents: typedContents(tensor),
      };
    }
  }
  return { outputs, rawOutputContents };
}
