import { endianness } from 'node:os';

// The protocol's raw contents are little-endian, as is every host we expect (x86-64, arm64);
// on those, raw bytes and typed arrays share memory. A big-endian host pays a byte swap.
export const HOST_IS_LITTLE_ENDIAN = endianness() === 'LE';

/** Reverses the bytes of every `elementSize`-byte element in place. */
export function swapBytes(bytes: Uint8Array, elementSize: number): void {
  if (elementSize === 1) return;
  for (let start = 0; start < bytes.length; start += elementSize) {
    for (let i = 0, j = elementSize - 1; i < j; i++, j--) {
      const t = bytes[start + i]!;
      bytes[start + i] = bytes[start + j]!;
      bytes[start + j] = t;
    }
  }
}
