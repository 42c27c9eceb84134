import { create, type DescMessage, type Message, type MessageShape } from '@bufbuild/protobuf';
import { BinaryReader } from '@bufbuild/protobuf/wire';

/** The wire bytes of messages made by `preEncodedMessage`, for the serializer. */
const wireOf = new WeakMap<Message, Uint8Array>();

/**
 * A message of `schema` whose wire bytes the caller already has: an answer assembled from pieces
 * encoded once (the feature store's online rows). It is a valid message everywhere: the bytes
 * are held as one unknown field (protobuf-es writes unknown fields back verbatim: the tag of the
 * first record, then the rest as it is), so `toBinary` and every parser see exactly `wire`. The
 * gRPC serializer sends `wire` itself, skipping protobuf-es's writer (its growing buffer and
 * final copy cost a read of 1 × 20 features more than the read itself).
 *
 * `wire` must be a well-formed encoding of the message; it is not copied, so it must not change.
 */
export function preEncodedMessage<Desc extends DescMessage>(
  schema: Desc,
  wire: Uint8Array,
): MessageShape<Desc> {
  const message = create(schema) as MessageShape<Desc>;
  if (wire.byteLength > 0) {
    const reader = new BinaryReader(wire);
    const [no, wireType] = reader.tag();
    message.$unknown = [{ no, wireType, data: wire.subarray(reader.pos) }];
  }
  wireOf.set(message, wire);
  return message;
}

/** The bytes `message` was made from by `preEncodedMessage`, if it was. */
export const preEncodedWire = (message: Message): Uint8Array | undefined => wireOf.get(message);
