import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoServer, type RunningEchoServer } from './testing/echo-service.js';

// Bytes that are not a protobuf message: field 1 claims a 100-byte length but 2 bytes follow.
const MALFORMED = Buffer.from([0x0a, 0x64, 0x01, 0x02]);

const raw = (path: string, requestStream: boolean) =>
  ({
    path,
    requestStream,
    responseStream: false,
    requestSerialize: (b: Buffer) => b,
    requestDeserialize: (b: Buffer) => b,
    responseSerialize: (b: Buffer) => b,
    responseDeserialize: (b: Buffer) => b,
  }) satisfies grpc.MethodDefinition<Buffer, Buffer>;

describe('malformed request bytes', () => {
  let running: RunningEchoServer;
  let client: grpc.Client;

  beforeAll(async () => {
    running = await startEchoServer();
    client = new grpc.Client(running.address, grpc.credentials.createInsecure());
  });
  afterAll(async () => {
    client.close();
    await running.close();
  });

  it('a unary call gets INVALID_ARGUMENT naming the expected message, not INTERNAL', async () => {
    const m = raw('/mlops.testing.v1.EchoService/Echo', false);
    const err = await new Promise<grpc.ServiceError>((resolve) =>
      client.makeUnaryRequest(m.path, m.requestSerialize, m.responseDeserialize, MALFORMED, (e) => resolve(e!)),
    );
    expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err.details).toContain('request: expected a valid mlops.testing.v1.EchoRequest message');
  });

  it('a client stream with one malformed message gets INVALID_ARGUMENT', async () => {
    const m = raw('/mlops.testing.v1.EchoService/EchoClientStream', true);
    const err = await new Promise<grpc.ServiceError>((resolve) => {
      const call = client.makeClientStreamRequest(m.path, m.requestSerialize, m.responseDeserialize, (e) => resolve(e!));
      call.write(Buffer.from([0x12, 0x02, 0x68, 0x69])); // a valid EchoRequest { text: "hi" }
      call.write(MALFORMED);
      call.end();
    });
    expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err.details).toContain('mlops.testing.v1.EchoRequest');
  });
});
