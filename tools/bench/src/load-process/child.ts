// The load generator's own process: bare grpc-js clients sending pre-encoded request bytes, so
// the process under test spends its cores on serving only, as a service does in production, and
// subject and baseline are called by the very same client code.
import * as grpc from '@grpc/grpc-js';
import { concurrentThroughput, sequentialLatency } from '../stats.js';
import type { LoadJob, LoadReplyMessage, LoadRequestMessage, LoadResult, RawTarget, RawUpload } from './protocol.js';

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

/** One client-streamed upload, on a client of its own: milliseconds from the first write to the response. */
async function uploadOnce(upload: RawUpload): Promise<{ ms: number; acknowledgedBytes: number }> {
  const client = new grpc.Client(upload.address, grpc.credentials.createInsecure());
  const message = Buffer.alloc(upload.messageBytes, 0x5a);
  try {
    await new Promise<void>((resolve, reject) => client.waitForReady(Date.now() + 10_000, (err) => (err ? reject(err) : resolve())));
    const started = performance.now();
    const acknowledgedBytes = await new Promise<number>((resolve, reject) => {
      const call = client.makeClientStreamRequest(upload.path, passthrough, passthrough, (err, res) =>
        err ? reject(err) : resolve(Number(res!.readBigUInt64BE())),
      );
      let sent = 0;
      const pump = (): void => {
        while (sent < upload.messages) {
          sent++;
          if (!call.write(message)) {
            call.once('drain', pump);
            return;
          }
        }
        call.end();
      };
      pump();
    });
    return { ms: performance.now() - started, acknowledgedBytes };
  } finally {
    client.close();
  }
}

const callers = new Map<string, Caller>();

const callerNamed = (name: string): Caller => {
  const caller = callers.get(name);
  if (!caller) throw new Error(`no target ${JSON.stringify(name)}`);
  return caller;
};

async function runJob(job: LoadJob): Promise<LoadResult> {
  switch (job.op) {
    case 'upload':
      return { op: 'upload', ...(await uploadOnce(job.upload)) };
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
