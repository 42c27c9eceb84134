import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { FieldDescriptorProtoSchema, FieldDescriptorProto_Type } from '@bufbuild/protobuf/wkt';
import { EchoRequestSchema } from '@mlops/proto/mlops/testing/v1/echo_pb';
import { describe, expect, it } from 'vitest';
import { preEncodedMessage } from './pre-encoded.js';
import { messageSerializer } from './serializer.js';

describe('preEncodedMessage', () => {
  it('is sent as the very bytes it was made from, and is the same message for protobuf-es', () => {
    const wire = Buffer.from(
      toBinary(
        EchoRequestSchema,
        create(EchoRequestSchema, { payload: new Uint8Array([1, 2, 3]), text: 'ünïcode' }),
      ),
    );
    const message = preEncodedMessage(EchoRequestSchema, wire);
    const sent = messageSerializer(EchoRequestSchema)(message);
    // Not copied: grpc-js gets a view of the caller's buffer.
    expect(sent.buffer).toBe(wire.buffer);
    expect(sent.equals(wire)).toBe(true);
    expect(Buffer.from(toBinary(EchoRequestSchema, message)).equals(wire)).toBe(true);
    const decoded = fromBinary(EchoRequestSchema, sent);
    expect([...decoded.payload, decoded.text]).toEqual([1, 2, 3, 'ünïcode']);
  });

  it('keeps a first field whose tag takes two bytes (field number ≥ 16), in any field order', () => {
    // proto3_optional is field 17; written first, then name (1) and type (5).
    const wire = Buffer.concat([
      Buffer.from(
        toBinary(FieldDescriptorProtoSchema, create(FieldDescriptorProtoSchema, { proto3Optional: true })),
      ),
      Buffer.from(
        toBinary(
          FieldDescriptorProtoSchema,
          create(FieldDescriptorProtoSchema, { name: 'x', type: FieldDescriptorProto_Type.STRING }),
        ),
      ),
    ]);
    expect(wire[0]).toBe((17 << 3) | 0 | 0x80);
    const message = preEncodedMessage(FieldDescriptorProtoSchema, wire);
    expect(Buffer.from(toBinary(FieldDescriptorProtoSchema, message)).equals(wire)).toBe(true);
    const decoded = fromBinary(
      FieldDescriptorProtoSchema,
      messageSerializer(FieldDescriptorProtoSchema)(message),
    );
    expect([decoded.proto3Optional, decoded.name, decoded.type]).toEqual([
      true,
      'x',
      FieldDescriptorProto_Type.STRING,
    ]);
  });

  it('makes the empty message from no bytes', () => {
    const message = preEncodedMessage(EchoRequestSchema, new Uint8Array(0));
    expect(message.$unknown).toBeUndefined();
    expect(messageSerializer(EchoRequestSchema)(message).byteLength).toBe(0);
    expect(toBinary(EchoRequestSchema, message).byteLength).toBe(0);
  });

  it('leaves ordinary messages to protobuf-es', () => {
    const message = create(EchoRequestSchema, { text: 'plain' });
    expect(
      messageSerializer(EchoRequestSchema)(message).equals(Buffer.from(toBinary(EchoRequestSchema, message))),
    ).toBe(true);
  });
});
