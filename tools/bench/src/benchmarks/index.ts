import type { Benchmark } from '../result.js';
import { grpcOverhead } from './grpc-overhead.js';

/** Every benchmark, in the order docs/benchmarks.md lists them. */
export const BENCHMARKS: readonly Benchmark[] = [grpcOverhead];
