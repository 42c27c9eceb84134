import { describe, expect, it } from 'vitest';
import type { Value } from '@mlops/proto/mlops/events/v1/events_pb';
import { boolValue, bytesValue, decodeValue, decodeValues, doubleValue, encodeValue, encodeValues, int64Value, nullValue, stringValue, valuesToJson } from './values.js';
import { microsToIso, microsToTimestamp, timestampToMicros } from './time.js';

describe('stored value codec', () => {
  it('round-trips every kind exactly through JSON', () => {
    const values = {
      d: doubleValue(0.1),
      whole: doubleValue(3),
      nan: doubleValue(Number.NaN),
      inf: doubleValue(Number.NEGATIVE_INFINITY),
      big: int64Value(-(2n ** 63n)),
      s: stringValue('héllo, "world"'),
      t: boolValue(true),
      b: bytesValue(new Uint8Array([0, 1, 254, 255])),
      n: nullValue(),
    };
    const back = decodeValues(JSON.parse(JSON.stringify(encodeValues(values))));
    expect(back).toEqual(values);
    // A whole double stays a double, an int64 stays an int64.
    expect(back['whole']?.kind.case).toBe('doubleValue');
    expect(encodeValue(int64Value(7n))).toEqual({ i: '7' });
    expect(decodeValue({ i: '7' }).kind).toEqual({ case: 'int64Value', value: 7n });
  });

  it('writes the same JSON text as JSON.stringify(encodeValues(…)), on its one-pass path', () => {
    const cases: Record<string, Value>[] = [
      {},
      { d: doubleValue(0.1), neg: doubleValue(-0), tiny: doubleValue(5e-324), huge: doubleValue(1.7976931348623157e308) },
      { nan: doubleValue(Number.NaN), inf: doubleValue(Number.POSITIVE_INFINITY), big: int64Value(2n ** 63n - 1n) },
      { 'quo"te\\d': stringValue('line\nbreak "q" \u2028 ø'), t: boolValue(false), b: bytesValue(new Uint8Array([255])), n: nullValue() },
    ];
    for (const values of cases) expect(valuesToJson(values)).toBe(JSON.stringify(encodeValues(values)));
  });
});

describe('time', () => {
  it('converts timestamps to microseconds and back, before the epoch too', () => {
    for (const us of [0, 1, 1_700_000_000_123_456, -1, -1_500_001]) expect(timestampToMicros(microsToTimestamp(us))).toBe(us);
    expect(microsToTimestamp(-1)).toMatchObject({ seconds: -1n, nanos: 999_999_000 });
    expect(microsToIso(1_700_000_000_123_456)).toBe('2023-11-14T22:13:20.123456Z');
    expect(microsToIso(1_700_000_000_123_000)).toBe('2023-11-14T22:13:20.123Z');
  });
});
