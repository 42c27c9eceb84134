import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { SERVICE_NODE_FLAGS } from '@mlops/runtime';

/**
 * The router's topology with nothing but grpc-js in it: a pass-through "router" process that,
 * per call, calls a "feature" echo and then an "inference" echo (each its own process) with
 * requests and replies of the sizes Predict moves, and answers. Called from the benchmark's
 * process, as Predict is, it is the floor of a Predict on this machine: three processes and
 * three gRPC calls, none doing any work; the "inference" echo called directly is the floor of
 * a direct ModelInfer.
 */
export interface BareChain {
  /** The pass-through "router". */
  readonly entryAddress: string;
  /** The "inference" echo, called directly. */
  readonly lastAddress: string;
  close(): Promise<void>;
}

export interface HopSizes {
  readonly request: number;
  readonly reply: number;
}

const HOP = fileURLToPath(new URL('./hop.ts', import.meta.url));
// tsx's loader, found from here whatever the working directory (import.meta.resolve is not there under vitest).
const TSX = createRequire(import.meta.url).resolve('tsx');

export async function startBareChain(sizes: { entry: HopSizes; feature: HopSizes; inference: HopSizes }): Promise<BareChain> {
  const children: ChildProcess[] = [];
  const start = async (args: string[]): Promise<string> => {
    const child = fork(HOP, args, {
      execArgv: [...SERVICE_NODE_FLAGS, '--import', TSX, '--conditions=@mlops/source'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.push(child);
    return new Promise((resolve, reject) => {
      child.once('message', (m: { address: string }) => resolve(m.address));
      child.once('exit', (code) => reject(new Error(`bare chain hop ${args.join(' ')} exited (${code})`)));
    });
  };
  try {
    const feature = await start(['echo', String(sizes.feature.reply)]);
    const inference = await start(['echo', String(sizes.inference.reply)]);
    const entry = await start(['proxy', String(sizes.entry.reply), `${feature}:${sizes.feature.request}`, `${inference}:${sizes.inference.request}`]);
    return { entryAddress: entry, lastAddress: inference, close: () => stopAll(children) };
  } catch (e) {
    await stopAll(children);
    throw e;
  }
}

async function stopAll(children: readonly ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map((child) => {
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.disconnect();
      return gone;
    }),
  );
}
