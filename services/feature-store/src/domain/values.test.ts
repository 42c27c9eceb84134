import { describe, expect, it } from 'vitest';
import { boolValue, bytesValue, decodeValue, decodeValues, doubleValue, encodeValue, encodeValues, int64Value, nullValue, stringValue } from './values.js';
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

});

describe('time', () => {
  it('converts timestamps to microseconds and back, before the epoch too', () => {
    for (const us of [0, 1, 1_700_000_000_123_456, -1, -1_500_001]) expect(timestampToMicros(microsToTimestamp(us))).toBe(us);
    expect(microsToTimestamp(-1)).toMatchObject({ seconds: -1n, nanos: 999_999_000 });
    expect(microsToIso(1_700_000_000_123_456)).toBe('2023-11-14T22:13:20.123456Z');
    expect(microsToIso(1_700_000_000_123_000)).toBe('2023-11-14T22:13:20.123Z');
  });
});
