import type { Tensor } from 'onnxruntime-node';

/** The tensor datatypes of the Open Inference Protocol that onnxruntime-node can feed and fetch. */
export type Datatype =
  | 'BOOL'
  | 'UINT8'
  | 'UINT16'
  | 'UINT32'
  | 'UINT64'
  | 'INT8'
  | 'INT16'
  | 'INT32'
  | 'INT64'
  | 'FP16'
  | 'FP32'
  | 'FP64'
  | 'BYTES';

/** onnxruntime's element types that have an Open Inference Protocol counterpart. */
export type OrtType =
  | 'bool'
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'uint64'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'float16'
  | 'float32'
  | 'float64'
  | 'string';

/** The `InferTensorContents` field that carries a datatype, or none (FP16 travels only as raw bytes). */
export type ContentsField =
  | 'boolContents'
  | 'intContents'
  | 'int64Contents'
  | 'uintContents'
  | 'uint64Contents'
  | 'fp32Contents'
  | 'fp64Contents'
  | 'bytesContents';

/** The typed-array constructor holding one datatype's elements (onnxruntime's own choice: bool and FP16 as bits). */
export type NumericArray =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | BigInt64Array
  | BigUint64Array
  | Float32Array
  | Float64Array;

type NumericArrayConstructor = {
  new (length: number): NumericArray;
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): NumericArray;
  readonly BYTES_PER_ELEMENT: number;
};

export type DatatypeInfo =
  | {
      readonly kind: 'numeric';
      readonly datatype: Exclude<Datatype, 'BYTES'>;
      readonly ort: Exclude<OrtType, 'string'>;
      readonly byteSize: number;
      readonly array: NumericArrayConstructor;
      readonly contents: Exclude<ContentsField, 'bytesContents'> | undefined;
      /** Inclusive range of the values `intContents`/`uintContents` may carry for this datatype. */
      readonly range?: readonly [number, number];
    }
  | {
      readonly kind: 'bytes';
      readonly datatype: 'BYTES';
      readonly ort: 'string';
      readonly contents: 'bytesContents';
    };

const numeric = (
  datatype: Exclude<Datatype, 'BYTES'>,
  ort: Exclude<OrtType, 'string'>,
  array: NumericArrayConstructor,
  contents: Exclude<ContentsField, 'bytesContents'> | undefined,
  range?: readonly [number, number],
): DatatypeInfo => ({
  kind: 'numeric',
  datatype,
  ort,
  byteSize: array.BYTES_PER_ELEMENT,
  array,
  contents,
  ...(range ? { range } : {}),
});

export const DATATYPES: Readonly<Record<Datatype, DatatypeInfo>> = {
  BOOL: numeric('BOOL', 'bool', Uint8Array, 'boolContents'),
  UINT8: numeric('UINT8', 'uint8', Uint8Array, 'uintContents', [0, 0xff]),
  UINT16: numeric('UINT16', 'uint16', Uint16Array, 'uintContents', [0, 0xffff]),
  UINT32: numeric('UINT32', 'uint32', Uint32Array, 'uintContents', [0, 0xffffffff]),
  UINT64: numeric('UINT64', 'uint64', BigUint64Array as unknown as NumericArrayConstructor, 'uint64Contents'),
  INT8: numeric('INT8', 'int8', Int8Array, 'intContents', [-0x80, 0x7f]),
  INT16: numeric('INT16', 'int16', Int16Array, 'intContents', [-0x8000, 0x7fff]),
  INT32: numeric('INT32', 'int32', Int32Array, 'intContents', [-0x80000000, 0x7fffffff]),
  INT64: numeric('INT64', 'int64', BigInt64Array as unknown as NumericArrayConstructor, 'int64Contents'),
  // FP16 has no typed-contents field in the protocol: it must be sent raw, as IEEE half bits.
  FP16: numeric('FP16', 'float16', Uint16Array, undefined),
  FP32: numeric('FP32', 'float32', Float32Array, 'fp32Contents'),
  FP64: numeric('FP64', 'float64', Float64Array, 'fp64Contents'),
  BYTES: { kind: 'bytes', datatype: 'BYTES', ort: 'string', contents: 'bytesContents' },
};

const BY_ORT: ReadonlyMap<string, DatatypeInfo> = new Map(
  Object.values(DATATYPES).map((info) => [info.ort, info]),
);

export const isDatatype = (value: string): value is Datatype => Object.hasOwn(DATATYPES, value);

/** The protocol datatype of an onnxruntime element type, or undefined for types the protocol cannot carry. */
export const datatypeOfOrt = (ort: Tensor.Type | string): DatatypeInfo | undefined => BY_ORT.get(ort);

export const DATATYPE_NAMES: readonly Datatype[] = Object.keys(DATATYPES) as Datatype[];
