import type { Benchmark } from '../result.js';
import { eventPublishing } from './event-publishing.js';
import { featureStore } from './feature-store.js';
import { grpcOverhead } from './grpc-overhead.js';
import { registryArtifacts } from './registry-artifacts.js';
import { inference } from './inference.js';
import { monitoring } from './monitoring.js';
import { router } from './router.js';

/** Every benchmark, in the order docs/benchmarks.md lists them. */
export const BENCHMARKS: readonly Benchmark[] = [grpcOverhead, eventPublishing, registryArtifacts, featureStore, inference, router, monitoring];
