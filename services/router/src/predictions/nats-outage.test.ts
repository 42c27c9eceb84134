// Prediction events while NATS is down: the response path only enqueues, the buffer holds the
// events, and they are stored once NATS is back. Needs a private nats-server to stop and start.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from '@bufbuild/protobuf';
import { connectNatsBus } from '@mlops/events';
import { PredictionEventSchema } from '@mlops/proto/mlops/events/v1/events_pb';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../testing/platform.js';
import { createEventBuffer } from './event-buffer.js';

const NATS_SERVER = process.env['NATS_SERVER_BIN'] ?? 'nats-server';
const hasNatsServer = spawnSync(NATS_SERVER, ['--version']).status === 0;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = new Socket();
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1');
  });

async function startServer(port: number, storeDir: string): Promise<ChildProcess> {
  const child = spawn(NATS_SERVER, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir], { stdio: 'ignore' });
  await waitFor(async () => child.exitCode !== null || (await accepts(port)), 'nats-server to listen');
  if (child.exitCode !== null) throw new Error(`nats-server exited with ${child.exitCode}`);
  return child;
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

const prediction = (i: number) => create(PredictionEventSchema, { kind: { case: 'prediction', value: { predictionId: `p-${i}`, model: 'churn', version: 1n } } });

describe.skipIf(!hasNatsServer)('prediction events while NATS is down', () => {
  it('are buffered without blocking and published once NATS is back', async () => {
    const port = await freePort();
    const storeDir = await mkdtemp(join(tmpdir(), 'router-nats-'));
    let server = await startServer(port, storeDir);
    const bus = await connectNatsBus({ url: `nats://127.0.0.1:${port}`, name: 'router-outage-test' });
    const buffer = createEventBuffer<number>({
      capacity: 1_000,
      retryDelayMs: 50,
      maxRetryDelayMs: 200,
      publish: (i) => bus.publish('mlops.predictions.churn', PredictionEventSchema, prediction(i), { msgId: `p-${i}` }),
    });
    try {
      const received = new Set<string>();
      await bus.consume({
        name: 'outage-reader',
        stream: 'PREDICTIONS',
        subjects: ['mlops.predictions.churn'],
        schema: PredictionEventSchema,
        handler: async ({ message }) => {
          if (message.kind.case === 'prediction') received.add(message.kind.value.predictionId);
        },
      });
      for (let i = 0; i < 5; i++) buffer.enqueue(i);
      await waitFor(() => received.size === 5, 'events before the outage');

      await stopServer(server);
      for (let i = 5; i < 35; i++) buffer.enqueue(i); // returns at once: nothing here waits for NATS
      expect(buffer.size).toBeGreaterThan(0);
      expect(await buffer.flush(300)).toBe(false);

      server = await startServer(port, storeDir);
      await waitFor(() => received.size === 35, 'every event after NATS came back', 60_000);
      expect(buffer.dropped).toBe(0);
      expect([...received].sort()).toEqual(Array.from({ length: 35 }, (_, i) => `p-${i}`).sort());
    } finally {
      await buffer.close(100);
      await bus.close();
      await stopServer(server);
      await rm(storeDir, { recursive: true, force: true });
    }
  });
});
