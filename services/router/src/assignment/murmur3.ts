/**
 * MurmurHash3 x86 32-bit over UTF-8 bytes. Implemented here rather than imported because sticky
 * assignment must give the same answer forever, on every replica and Node version: a dependency
 * upgrade must never reshuffle which variant a customer sees.
 */
const encoder = new TextEncoder();

export function murmur3(text: string, seed = 0): number {
  const bytes = encoder.encode(text);
  const length = bytes.length;
  const blocks = length >>> 2;
  let h = seed >>> 0;
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  for (let i = 0; i < blocks; i++) {
    const o = i << 2;
    let k = bytes[o]! | (bytes[o + 1]! << 8) | (bytes[o + 2]! << 16) | (bytes[o + 3]! << 24);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  // The 1-3 trailing bytes, written without switch fall-through (the compiler forbids it here).
  const tail = blocks << 2;
  const rest = length & 3;
  if (rest > 0) {
    let k = 0;
    if (rest === 3) k ^= bytes[tail + 2]! << 16;
    if (rest >= 2) k ^= bytes[tail + 1]! << 8;
    k ^= bytes[tail]!;
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
  }
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A number uniform in the open interval (0, 1) from 52 bits of two seeded hashes; never 0 or 1,
 * so `Math.log` of it is finite and negative.
 */
export function unitInterval(text: string): number {
  const high = murmur3(text, 0x9747b28c) >>> 6; // 26 bits
  const low = murmur3(text, 0x5bd1e995) >>> 6; // 26 bits
  return (high * 2 ** 26 + low + 0.5) / 2 ** 52;
}
