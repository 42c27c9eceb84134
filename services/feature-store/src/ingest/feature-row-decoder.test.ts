import { create, toBinary } from '@bufbuild/protobuf';
import { FeatureRowSchema, type Value } from '@mlops/proto/mlops/events/v1/events_pb';
import { describe, expect, it } from 'vitest';
import { microsToTimestamp } from '../domain/time.js';
import { boolValue, bytesValue, doubleValue, int64Value, nullValue, stringValue } from '../domain/values.js';
import { WireError } from '@mlops/wire';
import { decodeFeatureRow, decodeRowValues, encodeRowValues, scanFeatureRow } from './feature-row-decoder.js';

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
    expect(() => decodeFeatureRow(bytes.subarray(0, bytes.length - 3))).toThrow(WireError);
  });
});

describe('scanFeatureRow', () => {
  const values = { a: doubleValue(1.5), b: int64Value(-3n), c: stringValue('ø'), d: nullValue(), e: boolValue(true), f: bytesValue(new Uint8Array([9])) };

  it('keeps the values in their encoding, which decodes to what the producer sent', () => {
    const scanned = scanFeatureRow(toBinary(FeatureRowSchema, create(FeatureRowSchema, { entityKey: 'k1', eventTime: microsToTimestamp(1_700_000_000_123_456), values })));
    expect(scanned.entityKey).toBe('k1');
    expect(scanned.eventTimeMicros).toBe(1_700_000_000_123_456);
    expect(decodeRowValues(scanned.values)).toEqual(values);
    expect(scanned.layout).toEqual({ names: ['a', 'b', 'c', 'd', 'e', 'f'], kinds: ['double', 'int64', 'string', 'null', 'bool', 'bytes'] });
    expect(scanFeatureRow(toBinary(FeatureRowSchema, create(FeatureRowSchema, { entityKey: 'k' }))).eventTimeMicros).toBeUndefined();
  });

  it('shares one layout between rows with the same names and kinds, and only between those', () => {
    const scan = (v: Record<string, Value>) => scanFeatureRow(toBinary(FeatureRowSchema, create(FeatureRowSchema, { entityKey: 'k', values: v }))).layout;
    const first = scan({ a: doubleValue(1), b: doubleValue(2) });
    expect(scan({ a: doubleValue(3), b: doubleValue(4) })).toBe(first);
    expect(scan({ a: doubleValue(3), b: stringValue('x') })).not.toBe(first);
    expect(scan({ a: doubleValue(3) })).toEqual({ names: ['a'], kinds: ['double'] });
  });

  it('collects values whose records are not one run (other fields in between)', () => {
    const key = toBinary(FeatureRowSchema, create(FeatureRowSchema, { entityKey: 'k2' }));
    const first = encodeRowValues({ a: doubleValue(1) });
    const second = encodeRowValues({ b: stringValue('two') });
    const scanned = scanFeatureRow(Buffer.concat([first, key, second]));
    expect(scanned.entityKey).toBe('k2');
    expect(decodeRowValues(scanned.values)).toEqual({ a: doubleValue(1), b: stringValue('two') });
  });

  it('skips unknown fields, length-delimited ones included', () => {
    const row = create(FeatureRowSchema, { entityKey: 'k3', values: { a: doubleValue(2) } });
    const unknown = Buffer.from([(9 << 3) | 2, 3, 0x78, 0x79, 0x7a]); // field 9, "xyz"
    const bytes = Buffer.concat([unknown, toBinary(FeatureRowSchema, row), unknown]);
    expect(decodeFeatureRow(bytes)).toEqual(row);
    expect(decodeRowValues(scanFeatureRow(bytes).values)).toEqual(row.values);
  });

  it('rejects a string value that is not UTF-8 (what is stored must decode later)', () => {
    const bytes = encodeRowValues({ s: stringValue('ab') });
    const bad = Buffer.from(bytes);
    bad[bad.length - 1] = 0xff;
    expect(() => scanFeatureRow(bad)).toThrow(WireError);
  });

  it('reads rows that differ from the row before only in their doubles as that row was read, and scans any other row in full', () => {
    const encode = (entityKey: string, v: Record<string, Value>) => toBinary(FeatureRowSchema, create(FeatureRowSchema, { entityKey, eventTime: microsToTimestamp(1_000), values: v }));
    const template = { a: doubleValue(1), b: stringValue('gold'), c: doubleValue(2), d: int64Value(7n) };
    const first = scanFeatureRow(encode('k1', template));
    // Same layout, other doubles (NaN, -0 and infinities included), another key: the same layout object and the row's own values.
    for (const [i, [a, c]] of [[3, 4], [Number.NaN, -0], [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]].entries()) {
      const row = { ...template, a: doubleValue(a!), c: doubleValue(c!) };
      const scanned = scanFeatureRow(encode(`key-${i}`, row));
      expect(scanned.layout).toBe(first.layout);
      expect([scanned.entityKey, scanned.eventTimeMicros]).toEqual([`key-${i}`, 1_000]);
      expect(decodeRowValues(scanned.values)).toEqual(row);
    }
    // Same byte length, but a string, an int64 or a kind differs: read in full, as they are.
    const others = [
      { ...template, b: stringValue('gilt') },
      { ...template, d: int64Value(9n) },
      { ...template, a: int64Value(2n ** 50n), c: doubleValue(5) },
    ];
    for (const row of others) {
      expect(encode('k2', row).byteLength).toBe(encode('k2', template).byteLength);
      const scanned = scanFeatureRow(encode('k2', row));
      expect(decodeRowValues(scanned.values)).toEqual(row);
      expect(scanned.layout.kinds).toEqual(Object.values(row).map((v) => ({ doubleValue: 'double', stringValue: 'string', int64Value: 'int64' })[v.kind.case as string]));
    }
    // A malformed row of the template's length still fails: its broken length byte is outside the doubles.
    scanFeatureRow(encode('k1', template));
    const broken = Buffer.from(encode('k1', template));
    const valuesStart = broken.indexOf(0x1a);
    broken[valuesStart + 1] = 0x7f;
    expect(() => scanFeatureRow(broken)).toThrow(WireError);
  });
});
