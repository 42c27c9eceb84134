import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SERVICE_NODE_FLAGS } from '@mlops/runtime';
import { forkTypeScript } from '../fork-typescript.js';

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

/** One hop in a process of its own: it answers `replyBytes`, after calling each upstream in turn. */
export interface Hop {
  readonly address: string;
  close(): Promise<void>;
}

export async function startHop(replyBytes: number, upstreams: ReadonlyArray<{ address: string; requestBytes: number }> = []): Promise<Hop> {
  const child = forkTypeScript(HOP, [String(replyBytes), ...upstreams.map((u) => `${u.address}:${u.requestBytes}`)], { execArgv: SERVICE_NODE_FLAGS });
  try {
    const address = await new Promise<string>((resolve, reject) => {
      child.once('message', (m: { address: string }) => resolve(m.address));
      child.once('exit', (code) => reject(new Error(`bare chain hop exited (${code}) before it served`)));
    });
    return { address, close: () => stop(child) };
  } catch (e) {
    await stop(child);
    throw e;
  }
}

export async function startBareChain(sizes: { entry: HopSizes; feature: HopSizes; inference: HopSizes }): Promise<BareChain> {
  const hops: Hop[] = [];
  try {
    const feature = await startHop(sizes.feature.reply).then((h) => (hops.push(h), h));
    const inference = await startHop(sizes.inference.reply).then((h) => (hops.push(h), h));
    const entry = await startHop(sizes.entry.reply, [
      { address: feature.address, requestBytes: sizes.feature.request },
      { address: inference.address, requestBytes: sizes.inference.request },
    ]).then((h) => (hops.push(h), h));
    return { entryAddress: entry.address, lastAddress: inference.address, close: () => closeAll(hops) };
  } catch (e) {
    await closeAll(hops);
    throw e;
  }
}

const closeAll = async (hops: readonly Hop[]): Promise<void> => void (await Promise.all(hops.map((h) => h.close())));

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.disconnect();
  await gone;
}
