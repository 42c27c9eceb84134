import { TensorProto_DataType } from '@mlops/proto/onnx/onnx_pb';

/**
 * The ONNX tensor element types onnxruntime-node can feed and fetch, named as the Open Inference
 * Protocol and ONNX docs name them (`float` is float32, `double` is float64).
 */
export type ElementType =
  | 'float'
  | 'double'
  | 'float16'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'uint64'
  | 'bool'
  | 'string';

/** onnxruntime's name for the same element type (`ort.Tensor#type`). */
export type OrtTensorType =
  | 'float32'
  | 'float64'
  | 'float16'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'uint64'
  | 'bool'
  | 'string';

type ElementTypeInfo = { readonly dataType: TensorProto_DataType; readonly ort: OrtTensorType };

const ELEMENT_TYPE_INFO: Readonly<Record<ElementType, ElementTypeInfo>> = {
  float: { dataType: TensorProto_DataType.FLOAT, ort: 'float32' },
  double: { dataType: TensorProto_DataType.DOUBLE, ort: 'float64' },
  float16: { dataType: TensorProto_DataType.FLOAT16, ort: 'float16' },
  int8: { dataType: TensorProto_DataType.INT8, ort: 'int8' },
  int16: { dataType: TensorProto_DataType.INT16, ort: 'int16' },
  int32: { dataType: TensorProto_DataType.INT32, ort: 'int32' },
  int64: { dataType: TensorProto_DataType.INT64, ort: 'int64' },
  uint8: { dataType: TensorProto_DataType.UINT8, ort: 'uint8' },
  uint16: { dataType: TensorProto_DataType.UINT16, ort: 'uint16' },
  uint32: { dataType: TensorProto_DataType.UINT32, ort: 'uint32' },
  uint64: { dataType: TensorProto_DataType.UINT64, ort: 'uint64' },
  bool: { dataType: TensorProto_DataType.BOOL, ort: 'bool' },
  string: { dataType: TensorProto_DataType.STRING, ort: 'string' },
};

/** Every element type, in a stable order (handy for table-driven tests). */
export const ELEMENT_TYPES: readonly ElementType[] = Object.keys(ELEMENT_TYPE_INFO) as ElementType[];

/** The `TensorProto.DataType` number ONNX files use for an element type. */
export function onnxDataType(elementType: ElementType): TensorProto_DataType {
  return ELEMENT_TYPE_INFO[elementType].dataType;
}

/** The onnxruntime tensor type name for an element type. */
export function ortTensorType(elementType: ElementType): OrtTensorType {
  return ELEMENT_TYPE_INFO[elementType].ort;
}
