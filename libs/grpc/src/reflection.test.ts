import { create, fromBinary, toBinary, type DescMessage, type Message, type MessageInitShape } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import { status } from '@grpc/grpc-js';
import {
  ServerReflection,
  ServerReflectionResponseSchema,
  type ServerReflectionRequestSchema,
  type ServerReflectionResponse,
} from '@mlops/proto/grpc/reflection/v1/reflection_pb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type BidiStreamingFn, type Client } from './client.js';
import { ServerReflectionV1Alpha } from './reflection-v1alpha.js';
import { parseAuthTokens } from './auth.js';
import { ReflectionIndex, serializeWithDependencies } from './reflection.js';
import { startEchoServer, type RunningEchoServer } from './testing/echo-service.js';

describe('grpc.reflection.v1.ServerReflection', () => {
  let running: RunningEchoServer;
  let reflection: Client<typeof ServerReflection>;

  beforeAll(async () => {
    // Auth on: reflection must still answer without a token (grpcurl sends none by default).
    running = await startEchoServer({ auth: parseAuthTokens('t:admin') });
    reflection = createClient(ServerReflection, running.address);
  });
  afterAll(async () => {
    reflection.close();
    await running.close();
  });

  const ask = async (...requests: MessageInitShape<typeof ServerReflectionRequestSchema>[]) => {
    const responses: ServerReflectionResponse[] = [];
    for await (const response of reflection.serverReflectionInfo(requests)) responses.push(response);
    return responses;
  };

  const files = (response: ServerReflectionResponse | undefined) => {
    if (response?.messageResponse.case !== 'fileDescriptorResponse') throw new Error(`not a file response: ${response?.messageResponse.case}`);
    return response.messageResponse.value.fileDescriptorProto.map((bytes) => fromBinary(FileDescriptorProtoSchema, bytes));
  };

  it('list_services names the added service, health and reflection', async () => {
    const [response] = await ask({ host: 'h', messageRequest: { case: 'listServices', value: '*' } });
    expect(response?.validHost).toBe('h');
    expect(response?.messageResponse.case).toBe('listServicesResponse');
    const names = response?.messageResponse.case === 'listServicesResponse' ? response.messageResponse.value.service.map((s) => s.name) : [];
    expect(names).toEqual([
      'grpc.health.v1.Health',
      'grpc.reflection.v1.ServerReflection',
      'grpc.reflection.v1alpha.ServerReflection',
      'mlops.testing.v1.EchoService',
    ]);
  });

  it('file_containing_symbol decodes to the descriptor that declares EchoService', async () => {
    const [response] = await ask({ messageRequest: { case: 'fileContainingSymbol', value: 'mlops.testing.v1.EchoService' } });
    const [file] = files(response);
    expect(file?.name).toBe('mlops/testing/v1/echo.proto');
    expect(file?.package).toBe('mlops.testing.v1');
    expect(file?.service.map((s) => s.name)).toEqual(['EchoService']);
    expect(file?.service[0]?.method.map((m) => m.name)).toEqual(['Echo', 'EchoServerStream', 'EchoClientStream', 'EchoBidiStream']);
  });

  it('finds messages and methods by symbol, and files by name, on one stream', async () => {
    const responses = await ask(
      { messageRequest: { case: 'fileContainingSymbol', value: 'mlops.testing.v1.EchoRequest' } },
      { messageRequest: { case: 'fileContainingSymbol', value: 'mlops.testing.v1.EchoService.Echo' } },
      { messageRequest: { case: 'fileByFilename', value: 'grpc/health/v1/health.proto' } },
    );
    expect(responses.map((r) => files(r)[0]?.name)).toEqual([
      'mlops/testing/v1/echo.proto',
      'mlops/testing/v1/echo.proto',
      'grpc/health/v1/health.proto',
    ]);
  });

  it('also answers the older v1alpha protocol (grpcurl before 1.8.8)', async () => {
    const v1alpha = createClient(ServerReflectionV1Alpha, running.address) as unknown as Record<string, BidiStreamingFn<DescMessage, DescMessage>>;
    try {
      const call = v1alpha['serverReflectionInfo'];
      const request = ServerReflectionV1Alpha.methods[0]!.input;
      const ask = [{ fileContainingSymbol: 'mlops.testing.v1.EchoService' }];
      const responses: Message[] = [];
      for await (const response of call!(ask.map((init) => create(request, { messageRequest: { case: 'fileContainingSymbol', value: init.fileContainingSymbol } })))) {
        responses.push(response);
      }
      // Same wire format as v1: decode the answer with the v1 schema.
      const decoded = fromBinary(ServerReflectionResponseSchema, toBinary(ServerReflectionV1Alpha.methods[0]!.output, responses[0]!));
      expect(files(decoded)[0]?.name).toBe('mlops/testing/v1/echo.proto');
    } finally {
      (v1alpha['close'] as unknown as () => void)();
    }
  });

  it('unknown symbols and extensions get an error_response, not a failed stream', async () => {
    const [unknown, extension] = await ask(
      { messageRequest: { case: 'fileContainingSymbol', value: 'no.such.Thing' } },
      { messageRequest: { case: 'allExtensionNumbersOfType', value: 'mlops.testing.v1.EchoRequest' } },
    );
    expect(unknown?.messageResponse.case).toBe('errorResponse');
    expect(unknown?.messageResponse.value).toMatchObject({ errorCode: status.NOT_FOUND });
    expect(extension?.messageResponse.case).toBe('errorResponse');
  });
});

describe('ReflectionIndex', () => {
  it('serves a file with its transitive dependencies, each once, and indexes their symbols', async () => {
    const { MonitoringService } = await import('@mlops/proto/mlops/monitoring/v1/monitoring_pb');
    const index = new ReflectionIndex();
    index.add(MonitoringService);
    const file = index.fileContainingSymbol('mlops.monitoring.v1.MonitoringService');
    expect(file?.proto.name).toBe('mlops/monitoring/v1/monitoring.proto');
    const names = serializeWithDependencies(file!).map((bytes) => fromBinary(FileDescriptorProtoSchema, bytes).name);
    expect(names[0]).toBe('mlops/monitoring/v1/monitoring.proto');
    expect([...names].sort()).toEqual(['google/protobuf/timestamp.proto', 'mlops/events/v1/events.proto', 'mlops/monitoring/v1/monitoring.proto']);
    expect(index.fileContainingSymbol('.google.protobuf.Timestamp')?.proto.name).toBe('google/protobuf/timestamp.proto');
    expect(index.fileByName('mlops/events/v1/events.proto')).toBeDefined();
  });
});
