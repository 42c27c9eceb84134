import type {
  ModelInferRequest,
  ModelInferRequest_InferInputTensor,
  InferTensorContents,
} from '@mlops/proto/inference/grpc_predict_v2_pb';
import { err, ok, type Result } from '../util/result.js';
import { decodeRawBytes, decodeUtf8 } from './bytes-codec.js';
import type { ContentsField, DatatypeInfo, NumericArray } from './datatypes.js';
import { HOST_IS_LITTLE_ENDIAN, swapBytes } from './endian.js';
import {
  DYNAMIC_DIM,
  describeTensor,
  formatShape,
  type ModelSignature,
  type TensorSignature,
} from './signature.js';
import type { HostTensor, TensorData } from './tensor.js';

const MAX_DIM = BigInt(Number.MAX_SAFE_INTEGER);

/** Why a request's tensors cannot be fed to the model: the field, what it must be, what it was. */
export interface InvalidTensor {
  readonly field: string;
  readonly expected: string;
  readonly received?: unknown;
}

export interface InputLimits {
  /** Most elements one input tensor may have (guards memory before any allocation). */
  readonly maxElementsPerTensor: number;
}

/** How the client sent its tensors; the response answers the same way. */
export type ContentsForm = 'raw' | 'typed';

export interface DecodedInputs {
  /** In the model's input order. */
  readonly tensors: readonly HostTensor[];
  /** Size of dimension 0 shared by every input (the batch size) when the model is batchable; else 0. */
  readonly rows: number;
  readonly form: ContentsForm;
}

const CONTENTS_FIELDS: readonly ContentsField[] = [
  'boolContents',
  'intContents',
  'int64Contents',
  'uintContents',
  'uint64Contents',
  'fp32Contents',
  'fp64Contents',
  'bytesContents',
];

/** The proto field names (what clients see in the spec and their generated code). */
const PROTO_NAMES: Readonly<Record<ContentsField, string>> = {
  boolContents: 'bool_contents',
  intContents: 'int_contents',
  int64Contents: 'int64_contents',
  uintContents: 'uint_contents',
  uint64Contents: 'uint64_contents',
  fp32Contents: 'fp32_contents',
  fp64Contents: 'fp64_contents',
  bytesContents: 'bytes_contents',
};

const tensorField = (name: string, rest: string): string => `inputs[${JSON.stringify(name)}]${rest}`;

const hasTypedContents = (contents: InferTensorContents | undefined): boolean =>
  contents !== undefined && CONTENTS_FIELDS.some((f) => contents[f].length > 0);

/**
 * Checks the shape against the signature and the symbolic dimensions already bound by earlier
 * inputs ("batch" must be the same size everywhere), and returns it as numbers.
 */
function checkShape(
  input: ModelInferRequest_InferInputTensor,
  sig: TensorSignature,
  bound: Map<string, { size: number; input: string }>,
  limits: InputLimits,
): Result<number[], InvalidTensor> {
  const field = tensorField(sig.name, '.shape');
  if (input.shape.length !== sig.shape.length) {
    return err({
      field,
      expected: `${sig.shape.length} dimensions ${formatShape(sig.shape)}`,
      received: formatShape(input.shape),
    });
  }
  const dims = new Array<number>(sig.shape.length);
  let elements = 1;
  for (let i = 0; i < sig.shape.length; i++) {
    const requested = input.shape[i]!;
    const expected = sig.shape[i]!;
    if (requested < 0n || requested > MAX_DIM) {
      return err({
        field,
        expected: `non-negative dimensions ${formatShape(sig.shape)}`,
        received: formatShape(input.shape),
      });
    }
    const size = Number(requested);
    if (expected !== DYNAMIC_DIM && size !== expected) {
      return err({
        field,
        expected: `${formatShape(sig.shape)} (dimension ${i} is fixed at ${expected})`,
        received: formatShape(input.shape),
      });
    }
    const symbol = sig.dimNames[i];
    if (symbol !== undefined) {
      const previous = bound.get(symbol);
      if (previous === undefined) bound.set(symbol, { size, input: sig.name });
      else if (previous.size !== size) {
        return err({
          field: `${field}[${i}]`,
          expected: `${previous.size} (dimension "${symbol}", as in input ${JSON.stringify(previous.input)})`,
          received: size,
        });
      }
    }
    dims[i] = size;
    elements *= size;
  }
  if (elements > limits.maxElementsPerTensor) {
    return err({
      field,
      expected: `at most ${limits.maxElementsPerTensor} elements`,
      received: `${formatShape(input.shape)} (${elements} elements)`,
    });
  }
  return ok(dims);
}

/** A typed-array view of raw little-endian bytes: shared memory when aligned, a copy otherwise. */
function numericFromRaw(
  info: Extract<DatatypeInfo, { kind: 'numeric' }>,
  raw: Uint8Array,
  elements: number,
): NumericArray {
  if (HOST_IS_LITTLE_ENDIAN && raw.byteOffset % info.byteSize === 0) {
    return new info.array(raw.buffer, raw.byteOffset, elements);
  }
  // protobuf-es hands out bytes fields as views into the message buffer, which need not be
  // aligned to the element size; typed arrays require it, so unaligned data is copied once.
  const copy = new Uint8Array(raw.byteLength);
  copy.set(raw);
  if (!HOST_IS_LITTLE_ENDIAN) swapBytes(copy, info.byteSize);
  return new info.array(copy.buffer, 0, elements);
}

function fromRaw(sig: TensorSignature, raw: Uint8Array, elements: number): Result<TensorData, InvalidTensor> {
  const field = `raw_input_contents for input ${JSON.stringify(sig.name)}`;
  const info = sig.info;
  if (info.kind === 'bytes') {
    const values = decodeRawBytes(raw, elements);
    return values.ok ? values : err({ field, expected: values.error });
  }
  const expectedBytes = elements * info.byteSize;
  if (raw.byteLength !== expectedBytes) {
    return err({
      field,
      expected: `${expectedBytes} bytes (${elements} elements × ${info.byteSize} bytes of ${info.datatype})`,
      received: `${raw.byteLength} bytes`,
    });
  }
  return ok(numericFromRaw(info, raw, elements));
}

function checkIntegers(
  values: readonly number[],
  range: readonly [number, number],
  field: string,
  datatype: string,
): InvalidTensor | undefined {
  const [min, max] = range;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < min || v > max)
      return { field: `${field}[${i}]`, expected: `a ${datatype} value in [${min}, ${max}]`, received: v };
  }
  return undefined;
}

function fromTyped(
  sig: TensorSignature,
  contents: InferTensorContents | undefined,
  elements: number,
): Result<TensorData, InvalidTensor> {
  const info = sig.info;
  if (info.contents === undefined) {
    return err({
      field: tensorField(sig.name, '.contents'),
      expected: `${info.datatype} data in raw_input_contents (the protocol has no typed field for it)`,
    });
  }
  const own = info.contents;
  for (const other of CONTENTS_FIELDS) {
    if (other !== own && contents !== undefined && contents[other].length > 0) {
      return err({
        field: tensorField(sig.name, `.contents.${PROTO_NAMES[other]}`),
        expected: `no values for datatype ${info.datatype} (it uses ${PROTO_NAMES[own]})`,
        received: `${contents[other].length} values`,
      });
    }
  }
  const field = tensorField(sig.name, `.contents.${PROTO_NAMES[own]}`);
  const values = contents?.[own] ?? [];
  if (values.length !== elements) {
    return err({
      field,
      expected: `${elements} values (the element count of its shape)`,
      received: `${values.length} values`,
    });
  }
  if (info.kind === 'bytes') {
    const strings = new Array<string>(elements);
    const bytes = values as Uint8Array[];
    for (let i = 0; i < elements; i++) {
      const text = decodeUtf8(bytes[i]!);
      if (!text.ok) return err({ field: `${field}[${i}]`, expected: text.error });
      strings[i] = text.value;
    }
    return ok(strings);
  }
  if (info.range !== undefined) {
    const invalid = checkIntegers(values as number[], info.range, field, info.datatype);
    if (invalid) return err(invalid);
  }
  const data = new info.array(elements);
  switch (own) {
    case 'boolContents': {
      const bools = values as boolean[];
      for (let i = 0; i < elements; i++) data[i] = bools[i] ? 1 : 0;
      break;
    }
    default:
      // Same element kind on both sides (number → number array, bigint → bigint array).
      (data as { set(values: ArrayLike<number | bigint>): void }).set(values as ArrayLike<number | bigint>);
  }
  return ok(data);
}

/**
 * Validates a request's inputs against the model's signature and turns them into onnxruntime's
 * element arrays, before onnxruntime sees anything: unknown, missing or repeated inputs, wrong
 * datatypes, shapes the signature cannot take, too many elements, and contents whose size does
 * not match shape × datatype are all refused with the tensor named.
 */
export function decodeInputs(
  request: ModelInferRequest,
  signature: ModelSignature,
  limits: InputLimits,
): Result<DecodedInputs, InvalidTensor> {
  const raw = request.rawInputContents;
  const form: ContentsForm = raw.length > 0 ? 'raw' : 'typed';
  if (form === 'raw' && raw.length !== request.inputs.length) {
    return err({
      field: 'raw_input_contents',
      expected: `one entry per input (${request.inputs.length})`,
      received: `${raw.length} entries`,
    });
  }
  const byIndex = new Array<HostTensor | undefined>(signature.inputs.length);
  const bound = new Map<string, { size: number; input: string }>();
  for (let i = 0; i < request.inputs.length; i++) {
    const input = request.inputs[i]!;
    const sig = signature.inputByName.get(input.name);
    if (sig === undefined) {
      return err({
        field: `inputs[${i}].name`,
        expected: `one of ${signature.inputs.map((t) => JSON.stringify(t.name)).join(', ')}`,
        received: input.name,
      });
    }
    const position = signature.inputs.indexOf(sig);
    if (byIndex[position] !== undefined)
      return err({
        field: `inputs[${i}].name`,
        expected: `each input once`,
        received: `${JSON.stringify(input.name)} again`,
      });
    if (input.datatype !== sig.datatype) {
      return err({
        field: tensorField(sig.name, '.datatype'),
        expected: sig.datatype,
        received: input.datatype,
      });
    }
    const dims = checkShape(input, sig, bound, limits);
    if (!dims.ok) return dims;
    const elements = dims.value.reduce((n, d) => n * d, 1);
    let data: Result<TensorData, InvalidTensor>;
    if (form === 'raw') {
      if (hasTypedContents(input.contents)) {
        return err({
          field: tensorField(sig.name, '.contents'),
          expected: 'no typed contents when raw_input_contents is used',
        });
      }
      data = fromRaw(sig, raw[i]!, elements);
    } else {
      data = fromTyped(sig, input.contents, elements);
    }
    if (!data.ok) return data;
    byIndex[position] = { signature: sig, dims: dims.value, data: data.value };
  }
  const missing = signature.inputs.filter((_, position) => byIndex[position] === undefined);
  if (missing.length > 0) {
    return err({
      field: 'inputs',
      expected: missing.map((t) => `input ${JSON.stringify(t.name)} (${describeTensor(t)})`).join(', '),
      received: 'none',
    });
  }
  const tensors = byIndex as HostTensor[];
  if (!signature.batchable) return ok({ tensors, rows: 0, form });
  // Batched runs stack inputs along dimension 0, so every input must agree on its size.
  const rows = tensors[0]!.dims[0]!;
  const disagreeing = tensors.find((t) => t.dims[0] !== rows);
  if (disagreeing) {
    return err({
      field: tensorField(disagreeing.signature.name, '.shape[0]'),
      expected: `${rows} (the batch size of input ${JSON.stringify(tensors[0]!.signature.name)})`,
      received: disagreeing.dims[0],
    });
  }
  return ok({ tensors, rows, form });
}
