import type { Value } from '@mlops/proto/mlops/events/v1/events_pb';
import { ValueType } from '@mlops/proto/mlops/featurestore/v1/featurestore_pb';

/** The scalar types a feature can have (ValueType without UNSPECIFIED). */
export type FeatureType = 'double' | 'int64' | 'string' | 'bool' | 'bytes';

export const FEATURE_TYPES: readonly FeatureType[] = ['double', 'int64', 'string', 'bool', 'bytes'];

type ValueCase = NonNullable<Value['kind']['case']>;


const TYPE_OF_CASE: Record<ValueCase, FeatureType> = {
  doubleValue: 'double',
  int64Value: 'int64',
  stringValue: 'string',
  boolValue: 'bool',
  bytesValue: 'bytes',
};

/** A value's type, or 'null' for an explicit null (unset oneof). */
export type ValueKind = FeatureType | 'null';

/** The value's type, or 'null' for an explicit null (unset oneof). */
export const valueTypeOf = (value: Value): ValueKind =>
  value.kind.case === undefined ? 'null' : TYPE_OF_CASE[value.kind.case];


export function featureTypeFromProto(type: ValueType): FeatureType | undefined {
  switch (type) {
    case ValueType.DOUBLE:
      return 'double';
    case ValueType.INT64:
      return 'int64';
    case ValueType.STRING:
      return 'string';
    case ValueType.BOOL:
      return 'bool';
    case ValueType.BYTES:
      return 'bytes';
    default:
      return undefined;
  }
}

export function featureTypeToProto(type: FeatureType): ValueType {
  switch (type) {
    case 'double':
      return ValueType.DOUBLE;
    case 'int64':
      return ValueType.INT64;
    case 'string':
      return ValueType.STRING;
    case 'bool':
      return ValueType.BOOL;
    case 'bytes':
      return ValueType.BYTES;
  }
}

/**
 * How one value was kept in the JSON columns before migration 0002 (values are protobuf now);
 * still read by that migration, and a plain-JSON form of a value for tools.
 */
export type StoredValue = number | string | boolean | null | { i: string } | { b: string } | { d: 'NaN' | 'Infinity' | '-Infinity' };

export type StoredValues = Record<string, StoredValue>;

export function encodeValue(value: Value): StoredValue {
  const kind = value.kind;
  switch (kind.case) {
    case undefined:
      return null;
    case 'doubleValue':
      return Number.isFinite(kind.value) ? kind.value : { d: String(kind.value) as 'NaN' | 'Infinity' | '-Infinity' };
    case 'int64Value':
      return { i: kind.value.toString() };
    case 'stringValue':
      return kind.value;
    case 'boolValue':
      return kind.value;
    case 'bytesValue':
      return { b: Buffer.from(kind.value.buffer, kind.value.byteOffset, kind.value.byteLength).toString('base64') };
  }
}

export function encodeValues(values: Readonly<Record<string, Value>>): StoredValues {
  const out: StoredValues = {};
  for (const name in values) {
    const value = values[name];
    if (value !== undefined) out[name] = encodeValue(value);
  }
  return out;
}

const VALUE = 'mlops.events.v1.Value' as const;

export const nullValue = (): Value => ({ $typeName: VALUE, kind: { case: undefined } });
export const doubleValue = (value: number): Value => ({ $typeName: VALUE, kind: { case: 'doubleValue', value } });
export const int64Value = (value: bigint): Value => ({ $typeName: VALUE, kind: { case: 'int64Value', value } });
export const stringValue = (value: string): Value => ({ $typeName: VALUE, kind: { case: 'stringValue', value } });
export const boolValue = (value: boolean): Value => ({ $typeName: VALUE, kind: { case: 'boolValue', value } });
export const bytesValue = (value: Uint8Array): Value => ({ $typeName: VALUE, kind: { case: 'bytesValue', value } });

export function decodeValue(stored: StoredValue): Value {
  switch (typeof stored) {
    case 'number':
      return doubleValue(stored);
    case 'string':
      return stringValue(stored);
    case 'boolean':
      return boolValue(stored);
    default:
      if (stored === null) return nullValue();
      if ('i' in stored) return int64Value(BigInt(stored.i));
      if ('b' in stored) return bytesValue(new Uint8Array(Buffer.from(stored.b, 'base64')));
      return doubleValue(Number(stored.d));
  }
}

export function decodeValues(stored: StoredValues): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const name in stored) out[name] = decodeValue(stored[name] as StoredValue);
  return out;
}

/** A value as plain text (CSV cells): bytes as base64, null as the empty string. */
export function valueToText(value: Value): string {
  const kind = value.kind;
  switch (kind.case) {
    case undefined:
      return '';
    case 'bytesValue':
      return Buffer.from(kind.value).toString('base64');
    default:
      return String(kind.value);
  }
}
