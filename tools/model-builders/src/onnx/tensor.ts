import { create } from '@bufbuild/protobuf';
import { TensorProto_DataType, TensorProtoSchema, type TensorProto } from '@mlops/proto/onnx/onnx_pb';

/**
 * Constant tensors (initializers). Floating-point data goes to `raw_data` (little-endian, as the
 * ONNX spec requires) rather than `float_data`: a 1024×1024 weight matrix is then one memcpy on
 * both sides instead of a million varint-free but still per-element protobuf writes.
 */

/** Row-major values of a tensor, checked against its dims. */
function checkSize(name: string, dims: readonly number[], length: number): void {
  const expected = dims.reduce((product, dim) => product * dim, 1);
  if (expected !== length) {
    throw new RangeError(`tensor ${name}: dims [${dims.join(', ')}] hold ${expected} values, got ${length}`);
  }
}

function littleEndianBytes(view: Float32Array | Float64Array): Uint8Array {
  // Typed arrays use the platform byte order; every platform onnxruntime-node ships for is
  // little-endian, which is what raw_data must be.
  return new Uint8Array(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength));
}

export function floatTensor(name: string, dims: readonly number[], values: ArrayLike<number>): TensorProto {
  checkSize(name, dims, values.length);
  return create(TensorProtoSchema, {
    name,
    dims: dims.map(BigInt),
    dataType: TensorProto_DataType.FLOAT,
    rawData: littleEndianBytes(values instanceof Float32Array ? values : Float32Array.from(values)),
  });
}

export function doubleTensor(name: string, dims: readonly number[], values: ArrayLike<number>): TensorProto {
  checkSize(name, dims, values.length);
  return create(TensorProtoSchema, {
    name,
    dims: dims.map(BigInt),
    dataType: TensorProto_DataType.DOUBLE,
    rawData: littleEndianBytes(values instanceof Float64Array ? values : Float64Array.from(values)),
  });
}

export function int64Tensor(
  name: string,
  dims: readonly number[],
  values: readonly (number | bigint)[],
): TensorProto {
  checkSize(name, dims, values.length);
  return create(TensorProtoSchema, {
    name,
    dims: dims.map(BigInt),
    dataType: TensorProto_DataType.INT64,
    int64Data: values.map((value) => BigInt(value)),
  });
}
