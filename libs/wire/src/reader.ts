/**
 * A protobuf wire-format reader for decoders written for one schema, where protobuf-es's
 * reflective decoder costs too much (ingestion paths that read tens of thousands of messages a
 * second). It reads fields one at a time and leaves the structure to its caller; unknown fields
 * are skipped with `skip`, as any protobuf decoder does, and malformed input throws `WireError`.
 */

/** Wire types (the low three bits of a tag). Groups (3, 4) are not supported. */
export const WireType = {
  Varint: 0,
  Bit64: 1,
  LengthDelimited: 2,
  Bit32: 5,
} as const;

/** The tag of `field` with `wireType`, as it appears on the wire (for comparing whole tags). */
export const tagOf = (field: number, wireType: number): number => ((field << 3) | wireType) >>> 0;

export class WireError extends Error {
  override readonly name = 'WireError';
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Every reader over the same buffer shares one DataView (the values of one message, or many
 * messages of one NATS read, are views into one buffer), instead of one allocated per reader.
 */
let sharedView: DataView | undefined;
function dataViewOf(buffer: ArrayBufferLike): DataView {
  if (sharedView?.buffer !== buffer) sharedView = new DataView(buffer);
  return sharedView;
}

export class WireReader {
  pos: number;
  readonly end: number;

  constructor(
    readonly buf: Uint8Array,
    start = 0,
    end = buf.byteLength,
  ) {
    this.pos = start;
    this.end = end;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** A varint of up to 32 significant bits (tags, lengths, bools, int32, enums). */
  uint32(): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (this.pos >= this.end) throw new WireError('truncated varint');
      const b = this.buf[this.pos++] as number;
      result |= (b & 0x7f) << shift;
      if (b < 0x80) return result >>> 0;
    }
    // Negative int32 values are sign-extended to 10 bytes: skip the rest.
    for (let i = 0; i < 5; i++) {
      if (this.pos >= this.end) throw new WireError('truncated varint');
      if ((this.buf[this.pos++] as number) < 0x80) return result >>> 0;
    }
    throw new WireError('varint too long');
  }

  int32(): number {
    return this.uint32() | 0;
  }

  int64(): bigint {
    let lo = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new WireError('truncated varint');
      const b = this.buf[this.pos++] as number;
      lo |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return BigInt.asIntN(64, lo);
      shift += 7n;
    }
    throw new WireError('varint too long');
  }

  /**
   * An int64 as a number when it is a non-negative value below 2^56 (timestamps' seconds,
   * versions, counts): no bigint on the hot path. Anything else goes through `int64()`.
   */
  int64AsNumber(): number {
    const start = this.pos;
    let result = 0;
    let multiplier = 1;
    for (let i = 0; i < 8; i++) {
      if (this.pos >= this.end) throw new WireError('truncated varint');
      const b = this.buf[this.pos++] as number;
      result += (b & 0x7f) * multiplier;
      if (b < 0x80) return result;
      multiplier *= 128;
    }
    this.pos = start;
    return Number(this.int64());
  }

  double(): number {
    if (this.pos + 8 > this.end) throw new WireError('truncated double');
    const v = dataViewOf(this.buf.buffer).getFloat64(this.buf.byteOffset + this.pos, true);
    this.pos += 8;
    return v;
  }

  /** The length prefix of a length-delimited field, checked against the end. */
  length(): number {
    const n = this.uint32();
    if (this.pos + n > this.end) throw new WireError('length past the end of the message');
    return n;
  }

  /** Reads the length prefix of a nested message and returns the offset where its body ends. */
  fieldEnd(): number {
    const n = this.length();
    return this.pos + n;
  }

  string(): string {
    const n = this.length();
    const start = this.pos;
    this.pos += n;
    return decodeUtf8(this.buf, start, this.pos);
  }

  /** A length-delimited field's body as a view into the buffer (no copy). */
  bytes(): Uint8Array {
    const n = this.length();
    const start = this.pos;
    this.pos += n;
    return this.buf.subarray(start, this.pos);
  }

  /**
   * A string that is usually the same as the one at `slot` of `recent` (map keys and field
   * names that producers write in one order, message after message): its bytes are compared
   * with the string last seen there and that string is reused. Reused strings are already
   * internalized as property keys, which spares V8 hashing and looking up new strings.
   */
  recentString(recent: RecentStrings, slot: number): string {
    const n = this.length();
    const start = this.pos;
    this.pos += n;
    return recent.at(slot, this.buf, start, this.pos);
  }

  /** Skips the value of a field of `wireType`. */
  skip(wireType: number): void {
    switch (wireType) {
      case WireType.Varint:
        this.int64();
        return;
      case WireType.Bit64:
        this.pos += 8;
        break;
      case WireType.LengthDelimited: {
        // Not `this.pos += this.length()`: that reads pos before length() moves it past the prefix.
        const n = this.length();
        this.pos += n;
        return;
      }
      case WireType.Bit32:
        this.pos += 4;
        break;
      default:
        throw new WireError(`unsupported wire type ${wireType}`);
    }
    if (this.pos > this.end) throw new WireError('truncated field');
  }

  /** Throws unless the reader stopped exactly at `end` (a nested message's last field must not overrun it). */
  expectAt(end: number, what: string): void {
    if (this.pos !== end) throw new WireError(`${what} overruns its field`);
  }
}

/** The strings a decoder saw last, by slot (e.g. the position of a map entry in its message). */
export class RecentStrings {
  private readonly slots: Array<{ readonly bytes: Uint8Array; readonly value: string } | undefined> = [];

  constructor(private readonly capacity = 256) {}

  at(slot: number, buf: Uint8Array, start: number, end: number): string {
    const n = end - start;
    const seen = this.slots[slot];
    if (seen !== undefined && seen.bytes.length === n) {
      const bytes = seen.bytes;
      let i = 0;
      while (i < n && bytes[i] === buf[start + i]) i++;
      if (i === n) return seen.value;
    }
    const value = decodeUtf8(buf, start, end);
    if (slot < this.capacity) this.slots[slot] = { bytes: buf.slice(start, end), value };
    return value;
  }
}

/** UTF-8 to a string; short ASCII strings (keys, names, ids) without TextDecoder's per-call cost. */
export function decodeUtf8(buf: Uint8Array, start: number, end: number): string {
  if (end - start <= 64 && isAscii(buf, start, end)) return String.fromCharCode.apply(null, buf.subarray(start, end) as unknown as number[]);
  try {
    return utf8.decode(buf.subarray(start, end));
  } catch {
    throw new WireError('invalid UTF-8 in a string');
  }
}

export function isAscii(buf: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if ((buf[i] as number) >= 0x80) return false;
  return true;
}

/**
 * A google.protobuf.Timestamp body (seconds, nanos) read up to `end`, as seconds and nanos. A
 * timestamp field seen twice is the merge of both: pass the first as `merged`, and the second
 * replaces only the fields it carries.
 */
export function readTimestamp(r: WireReader, end: number, merged: { seconds: number; nanos: number } = { seconds: 0, nanos: 0 }): { seconds: number; nanos: number } {
  let { seconds, nanos } = merged;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === tagOf(1, WireType.Varint)) seconds = r.int64AsNumber();
    else if (tag === tagOf(2, WireType.Varint)) nanos = r.int32();
    else r.skip(tag & 7);
  }
  r.expectAt(end, 'timestamp');
  return { seconds, nanos };
}
