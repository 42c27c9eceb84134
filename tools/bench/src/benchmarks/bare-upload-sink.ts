import * as grpc from '@grpc/grpc-js';
import { DEFAULT_FLOW_CONTROL_WINDOW_BYTES, openReceiveWindow } from '@mlops/grpc';

/**
 * The ceiling of a client-streamed upload: a grpc-js server that receives raw messages (no
 * protobuf, no hashing, no disk) and drops them, answering with the byte count when the stream
 * ends. It opens the same HTTP/2 receive window as the platform's servers, so it measures what
 * grpc-js itself can move, not a smaller window.
 */
const upload = {
  path: '/mlops.testing.v1.UploadSink/Upload',
  requestStream: true,
  responseStream: false,
  requestSerialize: (b: Buffer) => b,
  requestDeserialize: (b: Buffer) => b,
  responseSerialize: (b: Buffer) => b,
  responseDeserialize: (b: Buffer) => b,
} satisfies grpc.MethodDefinition<Buffer, Buffer>;

export interface BareUploadSink {
  readonly address: string;
  readonly path: string;
  close(): Promise<void>;
}

export async function startBareUploadSink(): Promise<BareUploadSink> {
  const server = new grpc.Server({ 'grpc.max_receive_message_length': 8 * 1024 * 1024 });
  openReceiveWindow(server, DEFAULT_FLOW_CONTROL_WINDOW_BYTES);
  server.addService({ Upload: upload }, {
    Upload: (call: grpc.ServerReadableStream<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
      let bytes = 0;
      call.on('data', (chunk: Buffer) => (bytes += chunk.byteLength));
      call.on('end', () => {
        const count = Buffer.alloc(8);
        count.writeBigUInt64BE(BigInt(bytes));
        cb(null, count);
      });
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return {
    address: `127.0.0.1:${port}`,
    path: upload.path,
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
