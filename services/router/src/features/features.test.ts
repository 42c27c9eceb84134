import { create } from '@bufbuild/protobuf';
import { ModelInferResponseSchema } from '@mlops/proto/inference/grpc_predict_v2_pb';
import { ValueSchema, type Value } from '@mlops/proto/mlops/events/v1/events_pb';
import { ElementType, TensorSpecSchema } from '@mlops/proto/mlops/registry/v1/registry_pb';
import { describe, expect, it } from 'vitest';
import { describeMissing, resolveFeatureRow, resolveOverrides, type StoredFeature } from './feature-values.js';
import { buildInputTensors, planInputLayout } from './input-tensors.js';
import { decodeOutputs, predictedLabel, sliceRow } from './output-tensors.js';

const num = (v: number): Value => create(ValueSchema, { kind: { case: 'doubleValue', value: v } });
const int = (v: bigint): Value => create(ValueSchema, { kind: { case: 'int64Value', value: v } });
const str = (v: string): Value => create(ValueSchema, { kind: { case: 'stringValue', value: v } });
const nul = (): Value => create(ValueSchema, {});
const present = (v: Value): StoredFeature => ({ kind: 'present', value: v });
const spec = (name: string, elementType: ElementType, shape: bigint[]) => create(TensorSpecSchema, { name, elementType, shape });

const REFS = ['customer:age', 'customer:tenure', 'orders:count'];

describe('resolveOverrides', () => {
  it('accepts full refs and unambiguous bare names', () => {
    const r = resolveOverrides(REFS, { age: num(40), 'orders:count': num(3) });
    expect(r.ok && [...r.value.keys()].sort()).toEqual(['customer:age', 'orders:count']);
  });
  it('rejects an unknown key and an ambiguous bare name, naming the choices', () => {
    const unknown = resolveOverrides(REFS, { agee: num(1) });
    expect(unknown).toEqual({ ok: false, error: { key: 'agee', expected: expect.stringContaining('customer:age') } });
    const ambiguous = resolveOverrides(['a:x', 'b:x'], { x: num(1) });
    expect(ambiguous.ok === false && ambiguous.error.expected).toContain('a:x, b:x share this name');
  });
});

describe('resolveFeatureRow', () => {
  const stored = new Map<string, StoredFeature>([
    ['customer:age', present(num(30))],
    ['customer:tenure', { kind: 'missing', reason: 'expired' }],
    ['orders:count', present(nul())],
  ]);

  it('rejects under the reject policy, naming every missing feature and why', () => {
    const r = resolveFeatureRow(REFS, stored, new Map(), { kind: 'reject' });
    expect(r).toEqual({ ok: false, error: [{ feature: 'customer:tenure', reason: 'expired' }, { feature: 'orders:count', reason: 'null' }] });
    if (!r.ok) expect(describeMissing(r.error)).toBe('customer:tenure (value expired), orders:count (stored value is null)');
  });

  it('uses declared defaults (by ref or bare name) under the defaults policy', () => {
    const r = resolveFeatureRow(REFS, stored, new Map(), { kind: 'use_defaults', defaults: { 'customer:tenure': num(12), count: num(0) } });
    expect(r.ok && r.value.map((v) => v.kind.value)).toEqual([30, 12, 0]);
  });

  it('still rejects a missing feature that has no default', () => {
    const r = resolveFeatureRow(REFS, stored, new Map(), { kind: 'use_defaults', defaults: { tenure: num(12) } });
    expect(r).toEqual({ ok: false, error: [{ feature: 'orders:count', reason: 'null' }] });
  });

  it('prefers inline values over stored ones', () => {
    const r = resolveFeatureRow(REFS, stored, new Map([['customer:age', num(99)], ['customer:tenure', num(1)], ['orders:count', num(2)]]), { kind: 'reject' });
    expect(r.ok && r.value.map((v) => v.kind.value)).toEqual([99, 1, 2]);
  });
});

describe('planInputLayout and buildInputTensors', () => {
  it('puts features as columns of one [batch, n] float input, rows in order', () => {
    const layout = planInputLayout([spec('features', ElementType.FLOAT, [-1n, 3n])], REFS);
    expect(layout.ok && layout.value.kind).toBe('matrix');
    if (!layout.ok) return;
    const built = buildInputTensors(layout.value, REFS, [
      [num(1), num(2), int(3n)],
      [num(4), num(5), num(6)],
    ]);
    expect(built).toEqual({ ok: true, value: [{ name: 'features', datatype: 'FP32', shape: [2n, 3n], contents: { fp32Contents: [1, 2, 3, 4, 5, 6] } }] });
  });

  it('feeds one input per feature, matched by name whatever the signature order', () => {
    const inputs = [spec('tenure', ElementType.INT64, [-1n]), spec('customer_age', ElementType.DOUBLE, [-1n, 1n])];
    const refs = ['customer:age', 'customer:tenure'];
    const layout = planInputLayout(inputs, refs);
    expect(layout.ok).toBe(true);
    if (!layout.ok) return;
    const built = buildInputTensors(layout.value, refs, [[num(41), int(7n)]]);
    expect(built).toEqual({
      ok: true,
      value: [
        { name: 'tenure', datatype: 'INT64', shape: [1n], contents: { int64Contents: [7n] } },
        { name: 'customer_age', datatype: 'FP64', shape: [1n, 1n], contents: { fp64Contents: [41] } },
      ],
    });
  });

  it('refuses a signature that cannot take the features', () => {
    const r = planInputLayout([spec('x', ElementType.FLOAT, [-1n, 5n])], REFS);
    expect(r.ok === false && r.error).toContain('cannot take its 3 feature(s)');
  });

  it('refuses a value the input type cannot hold, naming the feature (never a zero)', () => {
    const layout = planInputLayout([spec('features', ElementType.FLOAT, [-1n, 3n])], REFS);
    if (!layout.ok) throw new Error('layout');
    const built = buildInputTensors(layout.value, REFS, [[num(1), str('abc'), num(3)]]);
    expect(built).toEqual({ ok: false, error: 'feature customer:tenure: "abc" is not a number (input FP32)' });
  });
});

describe('output decoding', () => {
  it('reads typed and raw outputs and slices rows', () => {
    const typed = create(ModelInferResponseSchema, {
      outputs: [{ name: 'probability', datatype: 'FP32', shape: [2n, 1n], contents: { fp32Contents: [0.25, 0.75] } }],
    });
    const decoded = decodeOutputs(typed);
    expect(decoded.ok && decoded.value[0]!.values).toEqual([0.25, 0.75]);
    if (!decoded.ok) return;
    const row1 = sliceRow(decoded.value, 1);
    expect(row1[0]!.shape).toEqual([1n, 1n]);
    expect(row1[0]!.values).toEqual([0.75]);
    expect(predictedLabel(row1)).toBe('1');

    const bytes = new Uint8Array(16);
    new DataView(bytes.buffer).setFloat64(0, 0.1, true);
    new DataView(bytes.buffer).setFloat64(8, 0.9, true);
    const raw = create(ModelInferResponseSchema, { outputs: [{ name: 'p', datatype: 'FP64', shape: [1n, 2n] }], rawOutputContents: [bytes] });
    const r = decodeOutputs(raw);
    expect(r.ok && r.value[0]!.values).toEqual([0.1, 0.9]);
    if (r.ok) expect(predictedLabel(sliceRow(r.value, 0))).toBe('1');
  });

  it('reports a shape that does not match the values', () => {
    const bad = create(ModelInferResponseSchema, { outputs: [{ name: 'p', datatype: 'FP32', shape: [2n], contents: { fp32Contents: [1] } }] });
    expect(decodeOutputs(bad).ok).toBe(false);
  });
});
