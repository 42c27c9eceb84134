import { ScalarType, toBinary, type DescField, type DescMessage, type Message } from '@bufbuild/protobuf';
import { reflect } from '@bufbuild/protobuf/reflect';
import { varintSize, writeVarint } from '@mlops/wire';
import { preEncodedWire } from './pre-encoded.js';

/** A bytes field at least this long is written by `messageSerializer` itself. */
export const LARGE_BYTES_FIELD = 64 * 1024;

// Wraps the encoded bytes without copying; grpc-js wants a Buffer.
const toBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** The value of a singular bytes field, whether it sits in a oneof or not. */
const bytesValue = (message: Message, field: DescField): unknown => {
  const record = message as unknown as Record<string, unknown>;
  if (field.oneof === undefined) return record[field.localName];
  const selected = record[field.oneof.localName] as { case?: string; value?: unknown } | undefined;
  return selected?.case === field.localName ? selected.value : undefined;
};

/**
 * Bytes to reserve in front of a large bytes field's value so that `messageSerializer` can write
 * the rest of the message there instead of copying the value (see `allocateWithHeadroom`).
 */
export const BYTES_HEADROOM = 256;

/** ArrayBuffers whose first BYTES_HEADROOM bytes are reserved for `messageSerializer`. */
const withHeadroom = new WeakSet<ArrayBufferLike>();

/**
 * A buffer of `size` bytes preceded by BYTES_HEADROOM reserved ones, for a producer of large
 * bytes fields (a file read chunk by chunk): a message that carries a view of it starting at
 * offset 0 is serialized in place, its value never copied. The headroom is overwritten at every
 * serialization, so it holds nothing anyone else reads.
 */
export function allocateWithHeadroom(size: number): Buffer {
  const buffer = Buffer.allocUnsafeSlow(BYTES_HEADROOM + size);
  withHeadroom.add(buffer.buffer);
  return buffer.subarray(BYTES_HEADROOM);
}

/**
 * Encodes messages of `schema` for grpc-js.
 *
 * protobuf-es writes into a buffer that doubles as it grows and slices it at the end, so a 1 MiB
 * bytes field (an artifact chunk, a raw tensor) costs a 2 MiB zeroed allocation and two copies
 * before grpc-js copies it once more into its frame. When a singular bytes field of the message
 * itself is large, the rest of the message is encoded without it and the field is appended
 * after, copied once. Fields may come in any order on the wire, so every parser reads the same
 * message; the caller's message is not modified. A message made by `preEncodedMessage` is sent
 * as the bytes it was made from.
 */
export function messageSerializer(schema: DescMessage): (message: Message) => Buffer {
  const bytesFields = schema.fields.filter((f) => f.fieldKind === 'scalar' && f.scalar === ScalarType.BYTES);
  const plain = (message: Message) => toBuffer(preEncodedWire(message) ?? toBinary(schema, message));
  if (bytesFields.length === 0) return plain;
  return (message) => {
    const wire = preEncodedWire(message);
    if (wire !== undefined) return toBuffer(wire);
    for (const field of bytesFields) {
      const value = bytesValue(message, field);
      if (!(value instanceof Uint8Array) || value.byteLength < LARGE_BYTES_FIELD) continue;
      const rest = Object.assign(Object.create(Object.getPrototypeOf(message) as object) as Message, message);
      reflect(schema, rest).clear(field);
      const head = toBinary(schema, rest);
      const tag = field.number * 8 + 2; // wire type 2: length-delimited
      const prefix = head.byteLength + varintSize(tag) + varintSize(value.byteLength);
      if (value.byteOffset === BYTES_HEADROOM && prefix <= BYTES_HEADROOM && withHeadroom.has(value.buffer)) {
        // In place: the prefix goes into the reserved bytes right before the value.
        const out = Buffer.from(value.buffer, BYTES_HEADROOM - prefix, prefix + value.byteLength);
        out.set(head, 0);
        writeVarint(out, writeVarint(out, head.byteLength, tag), value.byteLength);
        return out;
      }
      const out = Buffer.allocUnsafe(prefix + value.byteLength);
      out.set(head, 0);
      writeVarint(out, writeVarint(out, head.byteLength, tag), value.byteLength);
      out.set(value, prefix);
      return out;
    }
    return plain(message);
  };
}
