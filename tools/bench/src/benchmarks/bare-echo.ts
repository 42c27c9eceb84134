import * as grpc from '@grpc/grpc-js';

/**
 * The baseline every service is measured against: a grpc-js server and client with the same
 * method path and bytes on the wire, but no protobuf decoding, no interceptors, no telemetry.
 * Payloads pass through as raw Buffers.
 */
const passthrough = {
  path: '/mlops.testing.v1.EchoService/Echo',
  requestStream: false,
  responseStream: false,
  requestSerialize: (b: Buffer) => b,
  requestDeserialize: (b: Buffer) => b,
  responseSerialize: (b: Buffer) => b,
  responseDeserialize: (b: Buffer) => b,
} satisfies grpc.MethodDefinition<Buffer, Buffer>;

export interface BareEcho {
  /** host:port, and the method's path, for clients in another process. */
  readonly address: string;
  readonly path: string;
  call(payload: Buffer): Promise<Buffer>;
  close(): Promise<void>;
}

export interface BareEchoOptions {
  /**
   * Bytes to answer with instead of the request's own: a service whose response differs in size
   * from its request (ModelInfer) is compared against moving the same bytes both ways.
   */
  readonly reply?: Buffer;
  /**
   * Work each call does before answering (e.g. a direct onnxruntime run), so a baseline of
   * "bare gRPC plus that work" is measured as one call, under the same conditions as the subject.
   */
  readonly work?: () => Promise<unknown>;
}

export async function startBareEcho(options: BareEchoOptions = {}): Promise<BareEcho> {
  const { reply, work } = options;
  const server = new grpc.Server();
  server.addService({ Echo: passthrough }, {
    Echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
      if (work === undefined) return cb(null, reply ?? call.request);
      work().then(
        () => cb(null, reply ?? call.request),
        (error: unknown) => cb({ code: grpc.status.INTERNAL, details: String(error) }),
      );
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  const Client = grpc.makeGenericClientConstructor({ Echo: passthrough }, 'EchoService');
  const client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as unknown as grpc.Client & {
    Echo(req: Buffer, cb: (err: grpc.ServiceError | null, res: Buffer) => void): void;
  };
  return {
    address: `127.0.0.1:${port}`,
    path: passthrough.path,
    call: (payload) => new Promise((resolve, reject) => client.Echo(payload, (err, res) => (err ? reject(err) : resolve(res)))),
    async close() {
      client.close();
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    },
  };
}
