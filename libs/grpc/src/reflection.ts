import { create, toBinary, type DescFile, type DescService } from '@bufbuild/protobuf';
import { nestedTypes } from '@bufbuild/protobuf/reflect';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import { status } from '@grpc/grpc-js';
import {
  ServerReflection,
  type ServerReflectionRequest,
  type ServerReflectionResponse,
  ServerReflectionResponseSchema,
} from '@mlops/proto/grpc/reflection/v1/reflection_pb';
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { ServiceImpl } from './types.js';

type ResponseInit = MessageInitShape<typeof ServerReflectionResponseSchema>;

/** The services and files a server can describe, indexed by service name, file name and symbol. */
export class ReflectionIndex {
  private readonly services = new Set<string>();
  private readonly files = new Map<string, DescFile>();
  private readonly symbols = new Map<string, DescFile>();

  add(desc: DescService): void {
    this.services.add(desc.typeName);
    this.addFile(desc.file);
  }

  private addFile(file: DescFile): void {
    if (this.files.has(file.proto.name)) return;
    this.files.set(file.proto.name, file);
    for (const type of nestedTypes(file)) {
      this.symbols.set(type.typeName, file);
      if (type.kind === 'service') for (const method of type.methods) this.symbols.set(`${type.typeName}.${method.name}`, file);
    }
    for (const dependency of file.dependencies) this.addFile(dependency);
  }

  serviceNames(): string[] {
    return [...this.services].sort();
  }

  fileByName(name: string): DescFile | undefined {
    return this.files.get(name);
  }

  fileContainingSymbol(symbol: string): DescFile | undefined {
    return this.symbols.get(symbol.replace(/^\./, ''));
  }
}

/** The file first, then its transitive dependencies, each serialized once (what reflection clients expect). */
export function serializeWithDependencies(file: DescFile): Uint8Array[] {
  const seen = new Set<string>();
  const out: Uint8Array[] = [];
  const visit = (f: DescFile) => {
    if (seen.has(f.proto.name)) return;
    seen.add(f.proto.name);
    out.push(toBinary(FileDescriptorProtoSchema, f.proto));
    for (const dependency of f.dependencies) visit(dependency);
  };
  visit(file);
  return out;
}

const errorResponse = (code: status, message: string): ResponseInit['messageResponse'] => ({
  case: 'errorResponse',
  value: { errorCode: code, errorMessage: message },
});

const fileResponse = (file: DescFile | undefined, what: string): ResponseInit['messageResponse'] =>
  file === undefined
    ? errorResponse(status.NOT_FOUND, `${what} not found`)
    : { case: 'fileDescriptorResponse', value: { fileDescriptorProto: serializeWithDependencies(file) } };

export function answerReflection(index: ReflectionIndex, request: ServerReflectionRequest): ServerReflectionResponse {
  const messageResponse = ((): ResponseInit['messageResponse'] => {
    const query = request.messageRequest;
    switch (query.case) {
      case 'listServices':
        return { case: 'listServicesResponse', value: { service: index.serviceNames().map((name) => ({ name })) } };
      case 'fileByFilename':
        return fileResponse(index.fileByName(query.value), `file ${JSON.stringify(query.value)}`);
      case 'fileContainingSymbol':
        return fileResponse(index.fileContainingSymbol(query.value), `symbol ${JSON.stringify(query.value)}`);
      // None of our protos declare extensions.
      case 'fileContainingExtension':
        return errorResponse(status.NOT_FOUND, `extension ${query.value.extensionNumber} of ${query.value.containingType} not found`);
      case 'allExtensionNumbersOfType':
        return errorResponse(status.NOT_FOUND, `no extensions of ${JSON.stringify(query.value)}`);
      case undefined:
        return errorResponse(status.INVALID_ARGUMENT, 'message_request: expected one of list_services, file_by_filename, file_containing_symbol');
    }
  })();
  return create(ServerReflectionResponseSchema, { validHost: request.host, originalRequest: request, messageResponse });
}

/** `grpc.reflection.v1.ServerReflection`, so grpcurl and grpcui can list and describe every service. */
export function reflectionService(index: ReflectionIndex): ServiceImpl<typeof ServerReflection> {
  return {
    async *serverReflectionInfo(requests) {
      for await (const request of requests) yield answerReflection(index, request);
    },
  };
}

export { ServerReflection as ServerReflectionService };
