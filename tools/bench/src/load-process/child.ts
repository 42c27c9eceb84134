// The load generator's own process: bare grpc-js clients sending pre-encoded request bytes, so
// the process under test spends its cores on serving only, as a service does in production, and
// subject and baseline are called by the very same client code.
import * as grpc from '@grpc/grpc-js';
import { DEFAULT_FLOW_CONTROL_WINDOW_BYTES } from '@mlops/grpc';
import { concurrentThroughput, sequentialLatency } from '../stats.js';
import { writeRepeatedly } from '../write-repeatedly.js';
import type { LoadJob, LoadReplyMessage, LoadRequestMessage, LoadResult, RawTarget, RawTransfer } from './protocol.js';

const passthrough = (b: Buffer): Buffer => b;

interface Caller {
  call(): Promise<Buffer>;
}

function callerFor(target: RawTarget): Caller {
  const client = new grpc.Client(target.address, grpc.credentials.createInsecure());
  const payload = Buffer.from(target.payload.buffer, target.payload.byteOffset, target.payload.byteLength);
  return {
    call: () =>
      new Promise((resolve, reject) =>
        client.makeUnaryRequest(target.path, passthrough, passthrough, payload, (err, res) =>
          err ? reject(err) : resolve(res!),
        ),
      ),
  };
}

/**
 * One streamed transfer, on a client of its own (with the platform clients' HTTP/2 receive window):
 * milliseconds from the call's start to its end, and the bytes the other side counted.
 */
async function transferOnce(transfer: RawTransfer): Promise<{ ms: number; bytes: number }> {
  const client = new grpc.Client(transfer.address, grpc.credentials.createInsecure(), {
    'grpc-node.flow_control_window': DEFAULT_FLOW_CONTROL_WINDOW_BYTES,
    'grpc.max_receive_message_length': 8 * 1024 * 1024,
  });
  try {
    await new Promise<void>((resolve, reject) => client.waitForReady(Date.now() + 10_000, (err) => (err ? reject(err) : resolve())));
    const started = performance.now();
    const bytes = await (transfer.direction === 'upload' ? upload(client, transfer) : download(client, transfer));
    return { ms: performance.now() - started, bytes };
  } finally {
    client.close();
  }
}

function upload(client: grpc.Client, transfer: Extract<RawTransfer, { direction: 'upload' }>): Promise<number> {
  const message = Buffer.alloc(transfer.messageBytes, 0x5a);
  return new Promise((resolve, reject) => {
    const call = client.makeClientStreamRequest(transfer.path, passthrough, passthrough, (err, res) => (err ? reject(err) : resolve(Number(res!.readBigUInt64BE()))));
    writeRepeatedly(call, message, transfer.messages);
  });
}

function download(client: grpc.Client, transfer: Extract<RawTransfer, { direction: 'download' }>): Promise<number> {
  const request = Buffer.from(transfer.request.buffer, transfer.request.byteOffset, transfer.request.byteLength);
  return new Promise((resolve, reject) => {
    const call = client.makeServerStreamRequest(transfer.path, passthrough, passthrough, request);
    let bytes = 0;
    call.on('data', (chunk: Buffer) => (bytes += chunk.byteLength));
    call.on('error', reject);
    call.on('end', () => resolve(bytes));
  });
}

const callers = new Map<string, Caller>();

const callerNamed = (name: string): Caller => {
  const caller = callers.get(name);
  if (!caller) throw new Error(`no target ${JSON.stringify(name)}`);
  return caller;
};

async function runJob(job: LoadJob): Promise<LoadResult> {
  switch (job.op) {
    case 'transfer':
      return { op: 'transfer', ...(await transferOnce(job.transfer)) };
    case 'target':
      callers.set(job.name, callerFor(job.target));
      // One call up front: a target that cannot answer fails here, not in the middle of a figure.
      await callerNamed(job.name).call();
      return { op: 'target' };
    case 'sequential': {
      const caller = callerNamed(job.name);
      return { op: 'sequential', latency: await sequentialLatency(caller.call, job.iterations, job.warmup) };
    }
    case 'concurrent': {
      const caller = callerNamed(job.name);
      return { op: 'concurrent', ...(await concurrentThroughput(caller.call, job.concurrency, job.total)) };
    }
  }
}

const reply = (message: LoadReplyMessage) => process.send!(message);

process.on('message', (message: LoadRequestMessage) => {
  runJob(message.job).then(
    (result) => reply({ id: message.id, ok: true, result }),
    (error: unknown) =>
      reply({ id: message.id, ok: false, error: error instanceof Error ? error.message : String(error) }),
  );
});
process.on('disconnect', () => process.exit(0));
