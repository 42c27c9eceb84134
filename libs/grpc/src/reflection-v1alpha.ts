import { clone, createFileRegistry, fromBinary, toBinary, type DescMessage, type DescService, type Message } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import {
  ServerReflectionRequestSchema,
  ServerReflectionResponseSchema,
  file_grpc_reflection_v1_reflection,
  type ServerReflectionRequest,
} from '@mlops/proto/grpc/reflection/v1/reflection_pb';
import { answerReflection, type ReflectionIndex } from './reflection.js';

/**
 * `grpc.reflection.v1alpha.ServerReflection`, for clients that only speak the older protocol
 * (grpcurl before 1.8.8, some Postman versions). Its messages are wire-identical to v1, so the
 * descriptor is the v1 file renamed, and requests and answers are re-decoded between the two.
 */
function v1alphaService(): DescService {
  const proto = clone(FileDescriptorProtoSchema, file_grpc_reflection_v1_reflection.proto);
  const rename = (typeName: string) => typeName.replace(/^\.grpc\.reflection\.v1\./, '.grpc.reflection.v1alpha.');
  proto.name = 'grpc/reflection/v1alpha/reflection.proto';
  proto.package = 'grpc.reflection.v1alpha';
  for (const message of proto.messageType) for (const field of message.field) field.typeName = rename(field.typeName);
  for (const service of proto.service) {
    for (const method of service.method) {
      method.inputType = rename(method.inputType);
      method.outputType = rename(method.outputType);
    }
  }
  const service = createFileRegistry(proto, () => undefined).getService('grpc.reflection.v1alpha.ServerReflection');
  if (service === undefined) throw new Error('building grpc.reflection.v1alpha.ServerReflection failed');
  return service;
}

export const ServerReflectionV1Alpha: DescService = v1alphaService();

const convert = <T extends Message>(from: DescMessage, to: DescMessage, message: Message): T =>
  fromBinary(to, toBinary(from, message)) as T;

/** The v1alpha handler: each request re-decoded as v1, answered from the same index, re-decoded back. */
export function v1alphaReflectionImpl(index: ReflectionIndex): Record<string, unknown> {
  const method = ServerReflectionV1Alpha.methods[0];
  if (method === undefined) throw new Error('grpc.reflection.v1alpha.ServerReflection has no method');
  const { input, output } = method;
  return {
    [method.localName]: async function* (requests: AsyncIterable<Message>) {
      for await (const request of requests) {
        const answer = answerReflection(index, convert<ServerReflectionRequest>(input, ServerReflectionRequestSchema, request));
        yield convert(ServerReflectionResponseSchema, output, answer);
      }
    },
  };
}
