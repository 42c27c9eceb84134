import { fromBinary, type DescMessage, type DescMethod, type DescService, type Message } from '@bufbuild/protobuf';
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import { messageSerializer } from './serializer.js';

/** The gRPC method path `/<package>.<Service>/<Method>`, always derived from the descriptor. */
export const methodPath = (method: DescMethod): string => `/${method.parent.typeName}/${method.name}`;

/** The span and log name of a method: `<package>.<Service>/<Method>`. */
export const methodDisplayName = (method: DescMethod): string => `${method.parent.typeName}/${method.name}`;

export const isRequestStreaming = (method: DescMethod): boolean =>
  method.methodKind === 'client_streaming' || method.methodKind === 'bidi_streaming';

export const isResponseStreaming = (method: DescMethod): boolean =>
  method.methodKind === 'server_streaming' || method.methodKind === 'bidi_streaming';

const deserializer = (schema: DescMessage) => (bytes: Buffer) => fromBinary(schema, bytes);

/**
 * A request whose bytes are not a valid `schema` message. grpc-js answers a throwing deserializer
 * with INTERNAL, but malformed input is the caller's fault: the handler wrapper turns this marker
 * into INVALID_ARGUMENT naming the expected message type.
 */
export class UndecodableRequest {
  constructor(
    readonly typeName: string,
    readonly reason: string,
  ) {}
}

const requestDeserializer = (schema: DescMessage) => (bytes: Buffer) => {
  try {
    return fromBinary(schema, bytes);
  } catch (err) {
    return new UndecodableRequest(schema.typeName, err instanceof Error ? err.message : String(err));
  }
};

/**
 * Turns a protobuf-es service descriptor into a grpc-js service definition, keyed by the
 * method's `localName` (the key `ServiceImpl` and `Client` use), so no paths or serializers are
 * ever written by hand.
 */
export function toServiceDefinition(desc: DescService): ServiceDefinition {
  const definition: Record<string, MethodDefinition<Message, Message>> = {};
  for (const method of desc.methods) {
    definition[method.localName] = {
      path: methodPath(method),
      originalName: method.name,
      requestStream: isRequestStreaming(method),
      responseStream: isResponseStreaming(method),
      requestSerialize: messageSerializer(method.input),
      requestDeserialize: requestDeserializer(method.input) as (bytes: Buffer) => Message,
      responseSerialize: messageSerializer(method.output),
      responseDeserialize: deserializer(method.output),
    };
  }
  return definition;
}
