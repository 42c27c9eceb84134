// A NATS restart must pause consumers, not end them. This needs a server of its own to restart,
// so it starts a private nats-server (file storage in a temp dir) when the binary is available.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegistryEventSchema } from '@mlops/proto/mlops/events/v1/events_pb';
import { describe, expect, it } from 'vitest';
import { registryEvent, waitFor } from '../testing/contract-suite.js';
import { connectNatsBus } from './bus.js';

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

async function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1');
  });
}

async function startServer(port: number, storeDir: string): Promise<ChildProcess> {
  const child = spawn(NATS_SERVER, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir], { stdio: 'ignore' });
  let readyOrDone = false;
  await waitFor(async () => readyOrDone || (readyOrDone = child.exitCode !== null || (await accepts(port))), 'nats-server to listen');
  if (child.exitCode !== null) throw new Error(`nats-server exited with ${child.exitCode}`);
  return child;
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

describe.skipIf(!hasNatsServer)('NATS restart', () => {
  it('durable and broadcast consumers resume after the server restarts', async () => {
    const port = await freePort();
    const storeDir = await mkdtemp(join(tmpdir(), 'mlops-events-nats-'));
    let server = await startServer(port, storeDir);
    const bus = await connectNatsBus({ url: `nats://127.0.0.1:${port}`, name: 'events-restart-test' });
    try {
      const durable: string[] = [];
      const broadcast: string[] = [];
      await bus.consume({
        name: 'survivor',
        stream: 'REGISTRY',
        subjects: ['mlops.registry.restart.>'],
        schema: RegistryEventSchema,
        handler: async (event) => void durable.push(event.message.alias),
      });
      await bus.consume({
        name: 'survivor-cache',
        mode: 'broadcast',
        stream: 'REGISTRY',
        subjects: ['mlops.registry.restart.>'],
        schema: RegistryEventSchema,
        handler: async (event) => void broadcast.push(event.message.alias),
      });
      await bus.publish('mlops.registry.restart.alias_set', RegistryEventSchema, registryEvent('restart', 'before'));
      await waitFor(() => durable.length === 1 && broadcast.length === 1, 'the event before the restart');

      await stopServer(server);
      server = await startServer(port, storeDir);

      // A publish during reconnection may time out: retry it with the same msg id, as callers should.
      await waitFor(async () => {
        try {
          await bus.publish('mlops.registry.restart.alias_set', RegistryEventSchema, registryEvent('restart', 'after'), { msgId: 'after-restart' });
          return true;
        } catch {
          return false;
        }
      }, 'a publish after the restart', 60_000);
      await waitFor(() => durable.includes('after') && broadcast.includes('after'), 'the event after the restart', 60_000);
      expect(durable).toEqual(['before', 'after']);
      expect(broadcast).toEqual(['before', 'after']);
    } finally {
      await bus.close();
      await stopServer(server);
      await rm(storeDir, { recursive: true, force: true });
    }
  });
});
