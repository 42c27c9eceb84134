import * as grpc from '@grpc/grpc-js';
import { DEFAULT_FLOW_CONTROL_WINDOW_BYTES, openReceiveWindow } from '@mlops/grpc';
import { writeRepeatedly } from '../write-repeatedly.js';

/**
 * Streamed transfers with no work on either side: a grpc-js server that receives raw messages (no protobuf,
 * no hashing, no disk) and drops them, answering with the byte count (client streaming, as an
 * upload); and one that sends the same buffer again and again (server streaming, as a download).
 * It opens the same HTTP/2 receive window as the platform's servers, so it measures what grpc-js
 * itself can move, not a smaller window.
 */
const raw = { requestSerialize: (b: Buffer) => b, requestDeserialize: (b: Buffer) => b, responseSerialize: (b: Buffer) => b, responseDeserialize: (b: Buffer) => b };
const upload = { path: '/mlops.testing.v1.Transfer/Upload', requestStream: true, responseStream: false, ...raw } satisfies grpc.MethodDefinition<Buffer, Buffer>;
const download = { path: '/mlops.testing.v1.Transfer/Download', requestStream: false, responseStream: true, ...raw } satisfies grpc.MethodDefinition<Buffer, Buffer>;

/** A download request: how many messages of how many bytes. */
export function downloadRequest(messages: number, messageBytes: number): Buffer {
  const request = Buffer.alloc(8);
  request.writeUInt32BE(messages, 0);
  request.writeUInt32BE(messageBytes, 4);
  return request;
}

export interface BareTransfer {
  readonly address: string;
  readonly uploadPath: string;
  readonly downloadPath: string;
  close(): Promise<void>;
}

export async function startBareTransfer(): Promise<BareTransfer> {
  const server = new grpc.Server({ 'grpc.max_receive_message_length': 8 * 1024 * 1024, 'grpc.max_send_message_length': 8 * 1024 * 1024 });
  openReceiveWindow(server, DEFAULT_FLOW_CONTROL_WINDOW_BYTES);
  server.addService({ Upload: upload, Download: download }, {
    Upload: (call: grpc.ServerReadableStream<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
      let bytes = 0;
      call.on('data', (chunk: Buffer) => (bytes += chunk.byteLength));
      call.on('end', () => {
        const count = Buffer.alloc(8);
        count.writeBigUInt64BE(BigInt(bytes));
        cb(null, count);
      });
    },
    Download: (call: grpc.ServerWritableStream<Buffer, Buffer>) => {
      writeRepeatedly(call, Buffer.alloc(call.request.readUInt32BE(4), 0x5a), call.request.readUInt32BE(0));
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return {
    address: `127.0.0.1:${port}`,
    uploadPath: upload.path,
    downloadPath: download.path,
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
