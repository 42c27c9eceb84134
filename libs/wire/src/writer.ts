// Protobuf varints, for the few places that write wire bytes themselves (a large bytes field
// appended once, answers assembled from pre-encoded pieces). Lengths and tags only: non-negative
// integers below 2^53, so arithmetic rather than 32-bit shifts.

/** Bytes the varint encoding of `value` takes. */
export function varintSize(value: number): number {
  let size = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    size++;
  }
  return size;
}

/** Writes `value` as a varint at `offset`; returns the offset after it. */
export function writeVarint(target: Uint8Array, offset: number, value: number): number {
  while (value >= 0x80) {
    target[offset++] = (value % 128) | 0x80;
    value = Math.floor(value / 128);
  }
  target[offset++] = value;
  return offset;
}
