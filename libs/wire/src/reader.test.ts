import { BinaryWriter, WireType as PbWireType } from '@bufbuild/protobuf/wire';
import { describe, expect, it } from 'vitest';
import { readTimestamp, RecentStrings, tagOf, WireError, WireReader, WireType } from './reader.js';
import { varintSize, writeVarint } from './writer.js';

describe('WireReader', () => {
  it('reads what protobuf-es writes, field by field', () => {
    const bytes = new BinaryWriter()
      .tag(1, PbWireType.Varint)
      .uint32(300)
      .tag(2, PbWireType.Varint)
      .int32(-5)
      .tag(3, PbWireType.Varint)
      .int64(-9_000_000_000n)
      .tag(4, PbWireType.Bit64)
      .double(-1.25)
      .tag(5, PbWireType.LengthDelimited)
      .string('héllo')
      .tag(6, PbWireType.Varint)
      .bool(true)
      .tag(7, PbWireType.Varint)
      .int64(1_700_000_000n)
      .finish();
    const r = new WireReader(bytes);
    expect(r.uint32()).toBe(tagOf(1, WireType.Varint));
    expect(r.uint32()).toBe(300);
    r.uint32();
    expect(r.int32()).toBe(-5);
    r.uint32();
    expect(r.int64()).toBe(-9_000_000_000n);
    r.uint32();
    expect(r.double()).toBe(-1.25);
    r.uint32();
    expect(r.string()).toBe('héllo');
    r.uint32();
    expect(r.uint32()).toBe(1);
    r.uint32();
    expect(r.int64AsNumber()).toBe(1_700_000_000);
    expect(r.done).toBe(true);
  });

  it('reads a negative int64 as a number through the bigint path', () => {
    const r = new WireReader(new BinaryWriter().int64(-2n).finish());
    expect(r.int64AsNumber()).toBe(-2);
  });

  it('skips every supported wire type and refuses groups', () => {
    const bytes = new BinaryWriter()
      .tag(1, PbWireType.Varint)
      .int64(-1n)
      .tag(2, PbWireType.Bit64)
      .fixed64(7n)
      .tag(3, PbWireType.LengthDelimited)
      .bytes(new Uint8Array(10))
      .tag(4, PbWireType.Bit32)
      .fixed32(9)
      .tag(5, PbWireType.Varint)
      .uint32(42)
      .finish();
    const r = new WireReader(bytes);
    for (let i = 0; i < 4; i++) r.skip(r.uint32() & 7);
    r.uint32();
    expect(r.uint32()).toBe(42);
    expect(() => new WireReader(new Uint8Array([0])).skip(3)).toThrow(new WireError('unsupported wire type 3'));
  });

  it('throws WireError on truncated input, never reads past the end', () => {
    const bytes = new BinaryWriter().tag(1, PbWireType.LengthDelimited).string('abcdef').finish();
    expect(() => {
      const r = new WireReader(bytes, 0, bytes.length - 2);
      r.uint32();
      r.string();
    }).toThrow(new WireError('length past the end of the message'));
    expect(() => new WireReader(new Uint8Array([0x80, 0x80])).uint32()).toThrow(new WireError('truncated varint'));
    expect(() => new WireReader(new Uint8Array(4)).double()).toThrow(new WireError('truncated double'));
    expect(() => new WireReader(new Uint8Array(11).fill(0xff)).int64()).toThrow(new WireError('varint too long'));
  });

  it('refuses invalid UTF-8', () => {
    const r = new WireReader(new Uint8Array([2, 0xc3, 0x28]));
    expect(() => r.string()).toThrow(new WireError('invalid UTF-8 in a string'));
  });

  it('hands out views for bytes, not copies', () => {
    const bytes = new Uint8Array([3, 1, 2, 3]);
    const view = new WireReader(bytes).bytes();
    expect([...view]).toEqual([1, 2, 3]);
    expect(view.buffer).toBe(bytes.buffer);
  });

  it('reuses the string last seen in a slot and notices a different one', () => {
    const recent = new RecentStrings();
    const a1 = new WireReader(new Uint8Array([3, 97, 98, 99])).recentString(recent, 0);
    const a2 = new WireReader(new Uint8Array([3, 97, 98, 99])).recentString(recent, 0);
    const b = new WireReader(new Uint8Array([3, 97, 98, 100])).recentString(recent, 0);
    expect([a1, a2, b]).toEqual(['abc', 'abc', 'abd']);
  });

  it('reads a Timestamp and checks it ends where its field does', () => {
    const ts = new BinaryWriter().tag(1, PbWireType.Varint).int64(1_700_000_000n).tag(2, PbWireType.Varint).int32(5).tag(9, PbWireType.Varint).uint32(1).finish();
    expect(readTimestamp(new WireReader(ts), ts.length)).toEqual({ seconds: 1_700_000_000, nanos: 5 });
    // A second occurrence of the field replaces only what it carries.
    const nanosOnly = new BinaryWriter().tag(2, PbWireType.Varint).int32(9).finish();
    expect(readTimestamp(new WireReader(nanosOnly), nanosOnly.length, { seconds: 7, nanos: 5 })).toEqual({ seconds: 7, nanos: 9 });
    expect(() => readTimestamp(new WireReader(ts), ts.length - 1)).toThrow(WireError);
  });
});

describe('writeVarint', () => {
  it('writes what protobuf-es writes, in varintSize bytes', () => {
    for (const value of [0, 1, 127, 128, 300, 2 ** 31, 2 ** 40 + 3]) {
      const out = new Uint8Array(10);
      const end = writeVarint(out, 0, value);
      expect(end).toBe(varintSize(value));
      expect(out.subarray(0, end)).toEqual(new BinaryWriter().uint64(value).finish());
    }
  });
});
