// A nats-server of a test's own, for tests that must stop and restart NATS (the shared server on
// 127.0.0.1:4222 belongs to every other test). File storage lives in a temp dir that `dispose`
// removes, so a restart keeps the streams exactly as a production restart would.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const NATS_SERVER = process.env['NATS_SERVER_BIN'] ?? 'nats-server';

/** Whether a nats-server binary can be run here (tests needing one skip otherwise). */
export const natsServerAvailable: boolean = spawnSync(NATS_SERVER, ['--version']).status === 0;

export interface PrivateNatsServer {
  readonly url: string;
  /** Stops the server (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port and store. */
  start(): Promise<void>;
  /** Stops it and removes its store. */
  dispose(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = new Socket();
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1');
  });

async function launch(port: number, storeDir: string): Promise<ChildProcess> {
  const child = spawn(NATS_SERVER, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir], { stdio: 'ignore' });
  const deadline = Date.now() + 20_000;
  while (child.exitCode === null && !(await accepts(port))) {
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`nats-server did not listen on ${port} within 20 s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (child.exitCode !== null) throw new Error(`nats-server exited with ${child.exitCode}`);
  return child;
}

export async function startPrivateNatsServer(): Promise<PrivateNatsServer> {
  const port = await freePort();
  const storeDir = await mkdtemp(join(tmpdir(), 'mlops-private-nats-'));
  let child: ChildProcess | undefined = await launch(port, storeDir);
  const stop = async () => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    await exited;
  };
  return {
    url: `nats://127.0.0.1:${port}`,
    stop,
    async start() {
      if (child === undefined) child = await launch(port, storeDir);
    },
    async dispose() {
      await stop();
      await rm(storeDir, { recursive: true, force: true });
    },
  };
}
