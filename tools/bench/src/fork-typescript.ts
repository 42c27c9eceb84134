import { fork, type ChildProcess, type ForkOptions } from 'node:child_process';
import { createRequire } from 'node:module';

// tsx's loader, found from here whatever the working directory the benchmark was started in
// (import.meta.resolve is not there under vitest).
const TSX = createRequire(import.meta.url).resolve('tsx');

/**
 * Forks a TypeScript entry of this package as tsx runs the benchmarks (workspace packages from
 * source), with an IPC channel; `execArgv` goes before the loader flags (node flags, profiling).
 */
export function forkTypeScript(entry: string, args: readonly string[], options: { execArgv?: readonly string[] } & Omit<ForkOptions, 'execArgv'> = {}): ChildProcess {
  const { execArgv = [], ...rest } = options;
  return fork(entry, [...args], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    ...rest,
    execArgv: [...execArgv, '--import', TSX, '--conditions=@mlops/source'],
  });
}
