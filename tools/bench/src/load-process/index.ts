import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cpuProfileFlags } from '../cpu-profile.js';
import { forkTypeScript } from '../fork-typescript.js';
import type { LatencySummary } from '../stats.js';
import type { LoadJob, LoadReplyMessage, LoadResult, RawTarget, RawTransfer } from './protocol.js';

export type { RawTarget, RawTransfer } from './protocol.js';

/**
 * A load generator in its own process (as clients are in production): it calls registered
 * targets with their pre-encoded request bytes and reports latencies measured on its side.
 */
export interface LoadProcess {
  /** Registers a target under `name` and makes one call to it. */
  target(name: string, target: RawTarget): Promise<void>;
  sequential(name: string, iterations: number, warmup?: number): Promise<LatencySummary>;
  concurrent(
    name: string,
    concurrency: number,
    total: number,
  ): Promise<{ perSecond: number; latency: LatencySummary }>;
  /** One streamed transfer; resolves with its time, start of the call to its end, in ms. */
  transfer(transfer: RawTransfer): Promise<number>;
  close(): Promise<void>;
}

const CHILD = fileURLToPath(new URL('./child.ts', import.meta.url));

export async function startLoadProcess(): Promise<LoadProcess> {
  // tsx runs the TypeScript child as it runs the benchmarks; advanced serialization passes bytes as bytes.
  const child: ChildProcess = forkTypeScript(CHILD, [], {
    // BENCH_LOAD_CPU_PROF=<dir> profiles the load generator too (its CPU is half of every figure).
    execArgv: cpuProfileFlags('BENCH_LOAD_CPU_PROF'),
    serialization: 'advanced',
  });
  const waiting = new Map<number, { resolve(r: LoadResult): void; reject(e: Error): void }>();
  let nextId = 0;
  let exited: Error | undefined;
  child.on('message', (message: LoadReplyMessage) => {
    const pending = waiting.get(message.id);
    waiting.delete(message.id);
    if (message.ok) pending?.resolve(message.result);
    else pending?.reject(new Error(`load process: ${message.error}`));
  });
  child.on('exit', (code, signal) => {
    exited = new Error(`load process exited (${signal ?? code})`);
    for (const pending of waiting.values()) pending.reject(exited);
    waiting.clear();
  });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });

  const run = (job: LoadJob): Promise<LoadResult> => {
    if (exited) return Promise.reject(exited);
    const id = nextId++;
    return new Promise((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      child.send({ id, job });
    });
  };

  return {
    async target(name, target) {
      await run({ op: 'target', name, target });
    },
    async sequential(name, iterations, warmup = 200) {
      const result = await run({ op: 'sequential', name, iterations, warmup });
      if (result.op !== 'sequential') throw new Error(`load process answered ${result.op}`);
      return result.latency;
    },
    async transfer(transfer) {
      const result = await run({ op: 'transfer', transfer });
      if (result.op !== 'transfer') throw new Error(`load process answered ${result.op}`);
      const expected = transfer.messageBytes * transfer.messages;
      if (result.bytes !== expected) throw new Error(`${transfer.direction}: ${result.bytes} of ${expected} bytes arrived`);
      return result.ms;
    },
    async concurrent(name, concurrency, total) {
      const result = await run({ op: 'concurrent', name, concurrency, total });
      if (result.op !== 'concurrent') throw new Error(`load process answered ${result.op}`);
      return { perSecond: result.perSecond, latency: result.latency };
    },
    async close() {
      if (exited) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.disconnect();
      await gone;
    },
  };
}
