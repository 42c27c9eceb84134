import { ValueType } from '@mlops/proto/mlops/featurestore/v1/featurestore_pb';
import { describe, expect, it } from 'vitest';
import { valueFromFlag, valueFromJson, valueFromText } from './values.js';

describe('feature values from files and flags', () => {
  it('types CSV cells by the declared feature type; empty is an explicit null', () => {
    expect(valueFromText('42', ValueType.INT64)).toEqual({ ok: true, value: { kind: { case: 'int64Value', value: 42n } } });
    expect(valueFromText('0.5', ValueType.DOUBLE)).toEqual({ ok: true, value: { kind: { case: 'doubleValue', value: 0.5 } } });
    expect(valueFromText('yes', ValueType.BOOL)).toEqual({ ok: true, value: { kind: { case: 'boolValue', value: true } } });
    expect(valueFromText('', ValueType.DOUBLE)).toEqual({ ok: true, value: {} });
    expect(valueFromText('4.5', ValueType.INT64)).toEqual({ ok: false, error: 'expected a whole number, got "4.5"' });
  });

  it('types JSON values, converting where the declared type asks', () => {
    expect(valueFromJson(3, ValueType.INT64)).toEqual({ ok: true, value: { kind: { case: 'int64Value', value: 3n } } });
    expect(valueFromJson(null, ValueType.STRING)).toEqual({ ok: true, value: {} });
    expect(valueFromJson({ a: 1 }, ValueType.STRING).ok).toBe(false);
  });

  it('infers flag values: numbers as doubles, booleans, quoted text as strings', () => {
    expect(valueFromFlag('42')).toEqual({ kind: { case: 'doubleValue', value: 42 } });
    expect(valueFromFlag('true')).toEqual({ kind: { case: 'boolValue', value: true } });
    expect(valueFromFlag("'42'")).toEqual({ kind: { case: 'stringValue', value: '42' } });
    expect(valueFromFlag('gold')).toEqual({ kind: { case: 'stringValue', value: 'gold' } });
  });
});
