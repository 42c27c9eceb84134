import { create } from '@bufbuild/protobuf';
import {
  AttributeProto_AttributeType,
  AttributeProtoSchema,
  type AttributeProto,
  type TensorProto,
} from '@mlops/proto/onnx/onnx_pb';

/** A node attribute value; the kind decides which AttributeProto field carries it. */
export type AttributeValue =
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'int'; readonly value: number | bigint }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'tensor'; readonly value: TensorProto }
  | { readonly kind: 'floats'; readonly value: readonly number[] }
  | { readonly kind: 'ints'; readonly value: readonly (number | bigint)[] }
  | { readonly kind: 'strings'; readonly value: readonly string[] };

/** Short constructors, so a node reads `{ axis: attr.int(-1) }`. */
export const attr = {
  float: (value: number): AttributeValue => ({ kind: 'float', value }),
  int: (value: number | bigint): AttributeValue => ({ kind: 'int', value }),
  string: (value: string): AttributeValue => ({ kind: 'string', value }),
  tensor: (value: TensorProto): AttributeValue => ({ kind: 'tensor', value }),
  floats: (value: readonly number[]): AttributeValue => ({ kind: 'floats', value }),
  ints: (value: readonly (number | bigint)[]): AttributeValue => ({ kind: 'ints', value }),
  strings: (value: readonly string[]): AttributeValue => ({ kind: 'strings', value }),
} as const;

const utf8 = new TextEncoder();

/** Encodes one attribute; `type` is always set because IR ≥ 2 readers rely on it, not on presence. */
export function toAttributeProto(name: string, attribute: AttributeValue): AttributeProto {
  switch (attribute.kind) {
    case 'float':
      return create(AttributeProtoSchema, {
        name,
        type: AttributeProto_AttributeType.FLOAT,
        f: attribute.value,
      });
    case 'int':
      return create(AttributeProtoSchema, {
        name,
        type: AttributeProto_AttributeType.INT,
        i: BigInt(attribute.value),
      });
    case 'string':
      return create(AttributeProtoSchema, {
        name,
        type: AttributeProto_AttributeType.STRING,
        s: utf8.encode(attribute.value),
      });
    case 'tensor':
      return create(AttributeProtoSchema, {
        name,
        type: AttributeProto_AttributeType.TENSOR,
        t: attribute.value,
      });
    case 'floats':
      return create(AttributeProtoSchema, {
        name,
        type: AttributeProto_AttributeType.FLOATS,
        floats: [...attribute.value],
      });
    case 'ints':
      return create(AttributeProtoSchema, {
        name,
        type: AttributeProto_AttributeType.INTS,
        ints: attribute.value.map((value) => BigInt(value)),
      });
    case 'strings':
      return create(AttributeProtoSchema, {
        name,
        type: AttributeProto_AttributeType.STRINGS,
        strings: attribute.value.map((value) => utf8.encode(value)),
      });
  }
}
