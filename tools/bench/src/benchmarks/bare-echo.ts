import * as grpc from '@grpc/grpc-js';

/**
 * The baseline every service is measured against: a grpc-js server and client with the same
 * method path and bytes on the wire, but no protobuf decoding, no interceptors, no telemetry.
 * Payloads pass through as raw Buffers.
 */
export const BARE_ECHO_METHOD = {
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
  const server = await serveBare((request) => (work === undefined ? (reply ?? request) : work().then(() => reply ?? request)));
  const client = bareClient(server.address);
  return {
    address: server.address,
    path: BARE_ECHO_METHOD.path,
    call: client.call,
    async close() {
      client.close();
      await server.close();
    },
  };
}

/** A bare grpc-js server of the echo method that answers what `handle` returns: no decoding, no interceptors, no telemetry. */
export async function serveBare(handle: (request: Buffer) => Buffer | Promise<Buffer>): Promise<{ address: string; close(): Promise<void> }> {
  const server = new grpc.Server();
  server.addService({ Echo: BARE_ECHO_METHOD }, {
    Echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
      const answer = handle(call.request);
      // An answer at hand goes out in the same tick, as a bare handler's would.
      if (!(answer instanceof Promise)) return cb(null, answer);
      answer.then(
        (response) => cb(null, response),
        (error: unknown) => cb({ code: grpc.status.INTERNAL, details: String(error) }),
      );
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { address: `127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())) };
}

/** A bare grpc-js client of the echo method at `address`. */
export function bareClient(address: string): { call(payload: Buffer): Promise<Buffer>; close(): void } {
  const Client = grpc.makeGenericClientConstructor({ Echo: BARE_ECHO_METHOD }, 'EchoService');
  const client = new Client(address, grpc.credentials.createInsecure()) as unknown as grpc.Client & {
    Echo(req: Buffer, cb: (err: grpc.ServiceError | null, res: Buffer) => void): void;
  };
  return {
    call: (payload) => new Promise((resolve, reject) => client.Echo(payload, (err, res) => (err ? reject(err) : resolve(res)))),
    close: () => client.close(),
  };
}
