import { err, ok, type Result } from '../util/result.js';

// BYTES elements travel raw as a 4-byte little-endian length followed by that many bytes
// (Triton's and KServe's serialisation). onnxruntime-node holds them as JS strings, so they
// must be valid UTF-8.
const utf8 = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

/** Decodes one element's bytes, or says why it is not text onnxruntime can hold. */
export function decodeUtf8(bytes: Uint8Array): Result<string, string> {
  try {
    return ok(utf8.decode(bytes));
  } catch {
    return err('valid UTF-8 (onnxruntime string tensors hold text)');
  }
}

/** Splits raw BYTES contents into `count` strings, or says what was wrong with the framing. */
export function decodeRawBytes(raw: Uint8Array, count: number): Result<string[], string> {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const values: string[] = new Array<string>(count);
  let offset = 0;
  for (let i = 0; i < count; i++) {
    if (offset + 4 > raw.byteLength)
      return err(`${count} length-prefixed elements, found ${i} in ${raw.byteLength} bytes`);
    const length = view.getUint32(offset, true);
    offset += 4;
    if (offset + length > raw.byteLength)
      return err(`element ${i} of ${length} bytes, only ${raw.byteLength - offset} left`);
    const text = decodeUtf8(raw.subarray(offset, offset + length));
    if (!text.ok) return err(`element ${i}: ${text.error}`);
    values[i] = text.value;
    offset += length;
  }
  if (offset !== raw.byteLength)
    return err(`${count} length-prefixed elements in ${offset} bytes, got ${raw.byteLength} bytes`);
  return ok(values);
}

/** Serialises strings as raw BYTES contents. */
export function encodeRawBytes(values: readonly string[]): Uint8Array {
  const encoded = values.map((v) => encoder.encode(v));
  const out = new Uint8Array(encoded.reduce((n, e) => n + 4 + e.byteLength, 0));
  const view = new DataView(out.buffer);
  let offset = 0;
  for (const e of encoded) {
    view.setUint32(offset, e.byteLength, true);
    out.set(e, offset + 4);
    offset += 4 + e.byteLength;
  }
  return out;
}

export const encodeUtf8 = (value: string): Uint8Array => encoder.encode(value);
