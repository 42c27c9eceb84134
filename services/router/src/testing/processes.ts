import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SERVICE_NODE_FLAGS } from '@mlops/runtime';

/** What serve.ts tells its parent once. */
export type ServedMessage = { kind: 'ready'; grpcPort: number; adminPort: number } | { kind: 'failed'; error: string };

export type ProcessServiceName = 'registry' | 'feature-store' | 'inference' | 'router';

export interface ServiceProcess {
  readonly name: ProcessServiceName;
  readonly pid: number;
  readonly grpcPort: number;
  readonly adminPort: number;
  /** SIGTERM (a graceful drain, as in production) and waits for the exit. */
  stop(): Promise<void>;
}

export interface SpawnServiceOptions {
  readonly env: Record<string, string>;
  readonly natsNamespace: string;
  /** Extra node flags (e.g. --cpu-prof to profile one service). */
  readonly execArgv?: readonly string[];
  readonly startTimeoutMs?: number;
}

const serveEntry = fileURLToPath(new URL('./serve.ts', import.meta.url));

/**
 * Runs one service in a node process of its own, as it is deployed: its own event loop, so the
 * hops of a request run on different threads and a service's background work (a shadow call, an
 * event publish) does not queue behind another's.
 */
export async function spawnServiceProcess(name: ProcessServiceName, options: SpawnServiceOptions): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, '--conditions=@mlops/source', '--import', 'tsx', ...(options.execArgv ?? []), serveEntry, name, options.natsNamespace], {
    env: { PATH: process.env['PATH'] ?? '', ...options.env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  const timeoutMs = options.startTimeoutMs ?? 60_000;
  try {
    const ports = await new Promise<{ grpcPort: number; adminPort: number }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} not ready after ${timeoutMs} ms`)), timeoutMs);
      child.once('message', (m: ServedMessage) => {
        clearTimeout(timer);
        if (m.kind === 'ready') resolve(m);
        else reject(new Error(`${name} failed to start: ${m.error}`));
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited with code ${code} during start`));
      });
    });
    return { name, pid: child.pid!, ...ports, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
