import { create, toBinary } from '@bufbuild/protobuf';
import { FeatureRowSchema } from '@mlops/proto/mlops/events/v1/events_pb';
import { describe, expect, it } from 'vitest';
import { microsToTimestamp } from '../domain/time.js';
import { boolValue, bytesValue, doubleValue, int64Value, nullValue, stringValue } from '../domain/values.js';
import { decodeFeatureRow, RowDecodeError } from './feature-row-decoder.js';

describe('decodeFeatureRow', () => {
  it('decodes exactly what protobuf-es encodes, every value kind and edge included', () => {
    const original = create(FeatureRowSchema, {
      entityKey: 'kund-ø-42',
      eventTime: microsToTimestamp(-1_500_001),
      values: {
        d: doubleValue(-0.125),
        nan: doubleValue(Number.NaN),
        i_min: int64Value(-(2n ** 63n)),
        i_max: int64Value(2n ** 63n - 1n),
        i_neg: int64Value(-1n),
        s: stringValue('héllo wörld, a string longer than sixty-four characters to leave the fast path'),
        empty: stringValue(''),
        t: boolValue(true),
        f: boolValue(false),
        b: bytesValue(new Uint8Array([0, 1, 255])),
        n: nullValue(),
        'ünïcode': doubleValue(1),
      },
    });
    expect(decodeFeatureRow(toBinary(FeatureRowSchema, original))).toEqual(original);
    const later = create(FeatureRowSchema, { entityKey: 'k', eventTime: { seconds: 4_102_444_800n, nanos: 999_999_999 } });
    expect(decodeFeatureRow(toBinary(FeatureRowSchema, later))).toEqual(later);
    const bare = create(FeatureRowSchema, { entityKey: 'k' });
    expect(decodeFeatureRow(toBinary(FeatureRowSchema, bare))).toEqual(bare);
  });

  it('rejects truncated input', () => {
    const bytes = toBinary(FeatureRowSchema, create(FeatureRowSchema, { entityKey: 'key', values: { a: doubleValue(1) } }));
    expect(() => decodeFeatureRow(bytes.subarray(0, bytes.length - 3))).toThrow(RowDecodeError);
  });
});
