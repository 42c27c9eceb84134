import type { MessageInitShape } from '@bufbuild/protobuf';
import type { InferTensorContentsSchema, ModelInferRequest_InferInputTensorSchema } from '@mlops/proto/inference/grpc_predict_v2_pb';
import type { Value } from '@mlops/proto/mlops/events/v1/events_pb';
import { ElementType, type TensorSpec } from '@mlops/proto/mlops/registry/v1/registry_pb';
import { err, ok, type Result } from '../domain/result.js';
import { bareName } from './feature-values.js';

export type InferInput = MessageInitShape<typeof ModelInferRequest_InferInputTensorSchema>;
type Contents = MessageInitShape<typeof InferTensorContentsSchema>;

/** How a model's inputs take its features. */
export type InputLayout =
  /** One input [batch, n]: every feature a column, in feature order. */
  | { readonly kind: 'matrix'; readonly input: TensorSpec; readonly width: number }
  /** One input per feature ([batch] or [batch, 1]), matched by name, else by position. */
  | { readonly kind: 'per_feature'; readonly inputs: readonly { readonly spec: TensorSpec; readonly feature: number }[] };

type Element =
  | { readonly datatype: string; readonly kind: 'float'; readonly field: 'fp32Contents' | 'fp64Contents' }
  | { readonly datatype: string; readonly kind: 'int'; readonly field: 'intContents' | 'uintContents'; readonly min: number; readonly max: number }
  | { readonly datatype: string; readonly kind: 'bigint'; readonly field: 'int64Contents' | 'uint64Contents'; readonly unsigned: boolean }
  | { readonly datatype: 'BOOL'; readonly kind: 'bool' }
  | { readonly datatype: 'BYTES'; readonly kind: 'bytes' };

/** ONNX element types (registry signature) as Open Inference Protocol datatypes and content fields. */
const ELEMENTS: Partial<Record<ElementType, Element>> = {
  [ElementType.FLOAT]: { datatype: 'FP32', kind: 'float', field: 'fp32Contents' },
  [ElementType.DOUBLE]: { datatype: 'FP64', kind: 'float', field: 'fp64Contents' },
  [ElementType.INT8]: { datatype: 'INT8', kind: 'int', field: 'intContents', min: -128, max: 127 },
  [ElementType.INT16]: { datatype: 'INT16', kind: 'int', field: 'intContents', min: -32768, max: 32767 },
  [ElementType.INT32]: { datatype: 'INT32', kind: 'int', field: 'intContents', min: -(2 ** 31), max: 2 ** 31 - 1 },
  [ElementType.UINT8]: { datatype: 'UINT8', kind: 'int', field: 'uintContents', min: 0, max: 255 },
  [ElementType.UINT16]: { datatype: 'UINT16', kind: 'int', field: 'uintContents', min: 0, max: 65535 },
  [ElementType.UINT32]: { datatype: 'UINT32', kind: 'int', field: 'uintContents', min: 0, max: 2 ** 32 - 1 },
  [ElementType.INT64]: { datatype: 'INT64', kind: 'bigint', field: 'int64Contents', unsigned: false },
  [ElementType.UINT64]: { datatype: 'UINT64', kind: 'bigint', field: 'uint64Contents', unsigned: true },
  [ElementType.BOOL]: { datatype: 'BOOL', kind: 'bool' },
  [ElementType.STRING]: { datatype: 'BYTES', kind: 'bytes' },
};

const describeShape = (shape: readonly bigint[]) => `[${shape.join(', ')}]`;

/** Sanitized forms an input may be named after a feature: `customer:age`, `age`, `customer_age`. */
const namesFor = (ref: string) => [ref, bareName(ref), ref.replace(/[^A-Za-z0-9_]/g, '_')];

/**
 * Decides once per model version how features become input tensors, so a model whose signature
 * cannot take its features fails with a clear FAILED_PRECONDITION instead of an inference error.
 */
export function planInputLayout(inputs: readonly TensorSpec[], features: readonly string[]): Result<InputLayout, string> {
  const n = features.length;
  const only = inputs.length === 1 ? inputs[0] : undefined;
  if (only && only.shape.length === 2 && (only.shape[1] === BigInt(n) || only.shape[1] === -1n) && n > 1) {
    return ok({ kind: 'matrix', input: only, width: n });
  }
  if (inputs.length === n && n > 0) {
    const scalarPerRow = (s: TensorSpec) => s.shape.length === 1 || (s.shape.length === 2 && (s.shape[1] === 1n || s.shape[1] === -1n));
    const bad = inputs.find((s) => !scalarPerRow(s));
    if (bad) return err(`input ${JSON.stringify(bad.name)} has shape ${describeShape(bad.shape)}; with one input per feature each must be [batch] or [batch, 1]`);
    const byName = inputs.map((spec) => features.findIndex((ref) => namesFor(ref).includes(spec.name)));
    const allNamed = byName.every((i) => i >= 0) && new Set(byName).size === n;
    return ok({ kind: 'per_feature', inputs: inputs.map((spec, i) => ({ spec, feature: allNamed ? byName[i]! : i })) });
  }
  if (only && only.shape.length === 2 && n === 1 && (only.shape[1] === 1n || only.shape[1] === -1n)) {
    return ok({ kind: 'matrix', input: only, width: 1 });
  }
  const shapes = inputs.map((s) => `${s.name} ${describeShape(s.shape)}`).join(', ');
  return err(`the model's inputs (${shapes || 'none'}) cannot take its ${n} feature(s) (${features.join(', ')}): expected one input [batch, ${n}] or ${n} inputs of [batch]`);
}

const valueText = (v: Value): string => {
  switch (v.kind.case) {
    case 'stringValue':
      return JSON.stringify(v.kind.value);
    case 'bytesValue':
      return `${v.kind.value.byteLength} bytes`;
    case undefined:
      return 'null';
    default:
      return String(v.kind.value);
  }
};

type Converted = { ok: true; value: number | bigint | boolean | Uint8Array } | { ok: false; error: string };

const encoder = new TextEncoder();

function convert(value: Value, element: Element): Converted {
  const k = value.kind;
  const bad = (what: string): Converted => ({ ok: false, error: `${valueText(value)} is not ${what}` });
  switch (element.kind) {
    case 'float':
      if (k.case === 'doubleValue') return { ok: true, value: k.value };
      if (k.case === 'int64Value') return { ok: true, value: Number(k.value) };
      if (k.case === 'boolValue') return { ok: true, value: k.value ? 1 : 0 };
      return bad(`a number (input ${element.datatype})`);
    case 'int': {
      const n = k.case === 'int64Value' ? Number(k.value) : k.case === 'doubleValue' ? k.value : k.case === 'boolValue' ? (k.value ? 1 : 0) : NaN;
      if (!Number.isInteger(n) || n < element.min || n > element.max) return bad(`an integer in ${element.min}..${element.max} (input ${element.datatype})`);
      return { ok: true, value: n };
    }
    case 'bigint': {
      let n: bigint | undefined;
      if (k.case === 'int64Value') n = k.value;
      else if (k.case === 'doubleValue' && Number.isInteger(k.value)) n = BigInt(k.value);
      else if (k.case === 'boolValue') n = k.value ? 1n : 0n;
      if (n === undefined || (element.unsigned && n < 0n)) return bad(`an integer (input ${element.datatype})`);
      return { ok: true, value: n };
    }
    case 'bool':
      if (k.case === 'boolValue') return { ok: true, value: k.value };
      if ((k.case === 'doubleValue' || k.case === 'int64Value') && (Number(k.value) === 0 || Number(k.value) === 1)) return { ok: true, value: Number(k.value) === 1 };
      return bad('a boolean (input BOOL)');
    case 'bytes':
      if (k.case === 'bytesValue') return { ok: true, value: k.value };
      if (k.case === 'stringValue') return { ok: true, value: encoder.encode(k.value) };
      if (k.case === undefined) return bad('a string (input BYTES)');
      return { ok: true, value: encoder.encode(String(k.value)) };
  }
}

function contentsOf(element: Element, values: (number | bigint | boolean | Uint8Array)[]): Contents {
  switch (element.kind) {
    case 'float':
    case 'int':
      return { [element.field]: values as number[] };
    case 'bigint':
      return { [element.field]: values as bigint[] };
    case 'bool':
      return { boolContents: values as boolean[] };
    case 'bytes':
      return { bytesContents: values as Uint8Array[] };
  }
}

function tensor(spec: TensorSpec, rows: number, width: number | undefined, column: (row: number, col: number) => Value, features: readonly string[], featureOf: (col: number) => number): Result<InferInput, string> {
  const element = ELEMENTS[spec.elementType];
  if (!element) return err(`input ${JSON.stringify(spec.name)} has element type ${ElementType[spec.elementType] ?? spec.elementType}, which the router cannot feed`);
  const cols = width ?? 1;
  const values: (number | bigint | boolean | Uint8Array)[] = new Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const converted = convert(column(r, c), element);
      if (!converted.ok) return err(`feature ${features[featureOf(c)]}: ${converted.error}`);
      values[r * cols + c] = converted.value;
    }
  }
  const shape = width === undefined ? [BigInt(rows)] : [BigInt(rows), BigInt(width)];
  return ok({ name: spec.name, datatype: element.datatype, shape, contents: contentsOf(element, values) });
}

/**
 * The input tensors for rows of feature values (each row in feature order), in signature order.
 * A value the input's type cannot hold is an error naming the feature (never coerced to 0).
 */
export function buildInputTensors(layout: InputLayout, features: readonly string[], rows: readonly (readonly Value[])[]): Result<InferInput[], string> {
  if (layout.kind === 'matrix') {
    const built = tensor(layout.input, rows.length, layout.width, (r, c) => rows[r]![c]!, features, (c) => c);
    return built.ok ? ok([built.value]) : built;
  }
  const inputs: InferInput[] = [];
  for (const { spec, feature } of layout.inputs) {
    const width = spec.shape.length === 2 ? 1 : undefined;
    const built = tensor(spec, rows.length, width, (r) => rows[r]![feature]!, features, () => feature);
    if (!built.ok) return built;
    inputs.push(built.value);
  }
  return ok(inputs);
}
