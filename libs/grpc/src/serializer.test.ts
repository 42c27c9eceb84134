import { create, fromBinary, toBinary, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { EchoRequestSchema } from '@mlops/proto/mlops/testing/v1/echo_pb';
import { CreateVersionRequestSchema, DownloadArtifactResponseSchema } from '@mlops/proto/mlops/registry/v1/registry_pb';
import { describe, expect, it } from 'vitest';
import { allocateWithHeadroom, BYTES_HEADROOM, LARGE_BYTES_FIELD, messageSerializer } from './serializer.js';

const large = (length: number) => Uint8Array.from({ length }, (_, i) => i % 251);

/** Parses what `messageSerializer` wrote and compares the canonical protobuf-es encodings. */
function expectRoundTrip<S extends DescMessage>(schema: S, message: MessageShape<S>): Buffer {
  const wire = messageSerializer(schema)(message);
  const canonical = (m: MessageShape<S>) => Buffer.from(toBinary(schema, m));
  expect(canonical(fromBinary(schema, wire)).equals(canonical(message))).toBe(true);
  return wire;
}

describe('messageSerializer', () => {
  it('writes a message with a large bytes field that parses back to the same message', () => {
    const message = create(DownloadArtifactResponseSchema, { totalSize: 123n, sha256: 'abc', chunk: large(LARGE_BYTES_FIELD + 3) });
    const wire = expectRoundTrip(DownloadArtifactResponseSchema, message);
    expect(wire.byteLength).toBe(toBinary(DownloadArtifactResponseSchema, message).byteLength);
  });

  it('appends the large field after the others (the fast path was taken)', () => {
    const message = create(EchoRequestSchema, { payload: large(LARGE_BYTES_FIELD), text: 'after' });
    const wire = expectRoundTrip(EchoRequestSchema, message);
    // protobuf-es writes field 1 (payload) first; the serializer wrote it last.
    expect(wire.equals(Buffer.from(toBinary(EchoRequestSchema, message)))).toBe(false);
    expect(wire.subarray(-LARGE_BYTES_FIELD).equals(Buffer.from(message.payload))).toBe(true);
  });

  it('handles a large bytes field selected in a oneof, leaving the caller message untouched', () => {
    const chunk = large(1024 * 1024);
    const message = create(CreateVersionRequestSchema, { part: { case: 'chunk', value: chunk } });
    expectRoundTrip(CreateVersionRequestSchema, message);
    expect(message.part.case).toBe('chunk');
    expect(message.part.value).toBe(chunk);
  });

  it('serializes a value allocated with headroom in place, the value never copied, and serializes it again alike', () => {
    const buffer = allocateWithHeadroom(LARGE_BYTES_FIELD * 2);
    buffer.set(large(buffer.byteLength));
    const chunk = buffer.subarray(0, LARGE_BYTES_FIELD + 5);
    const message = create(DownloadArtifactResponseSchema, { totalSize: 9n, sha256: 'f'.repeat(64), chunk });
    const first = expectRoundTrip(DownloadArtifactResponseSchema, message);
    expect(first.buffer).toBe(chunk.buffer);
    expect(first.byteOffset + first.byteLength).toBe(BYTES_HEADROOM + chunk.byteLength);
    const again = expectRoundTrip(DownloadArtifactResponseSchema, create(DownloadArtifactResponseSchema, { chunk }));
    expect(again.buffer).toBe(chunk.buffer);
    // A view that does not start right after the headroom is copied, as any other value.
    const inner = buffer.subarray(1, LARGE_BYTES_FIELD + 1);
    expect(expectRoundTrip(DownloadArtifactResponseSchema, create(DownloadArtifactResponseSchema, { chunk: inner })).buffer).not.toBe(chunk.buffer);
  });

  it('copies a value with headroom when the rest of the message does not fit in it', () => {
    const chunk = allocateWithHeadroom(LARGE_BYTES_FIELD);
    const message = create(DownloadArtifactResponseSchema, { sha256: 'x'.repeat(BYTES_HEADROOM), chunk });
    expect(expectRoundTrip(DownloadArtifactResponseSchema, message).buffer).not.toBe(chunk.buffer);
  });

  it('encodes small messages exactly as protobuf-es does', () => {
    const message = create(EchoRequestSchema, { payload: large(100), text: 'hi' });
    expect(messageSerializer(EchoRequestSchema)(message).equals(Buffer.from(toBinary(EchoRequestSchema, message)))).toBe(true);
    expectRoundTrip(CreateVersionRequestSchema, create(CreateVersionRequestSchema, { part: { case: 'header', value: { model: 'churn' } } }));
  });

  it('writes multi-byte length prefixes correctly around the varint boundaries', () => {
    for (const length of [LARGE_BYTES_FIELD, 2 ** 21 - 1, 2 ** 21, 2 ** 21 + 1]) {
      expectRoundTrip(EchoRequestSchema, create(EchoRequestSchema, { payload: large(length), text: 't', repeat: 3 }));
    }
  });
});
