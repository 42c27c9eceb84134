import type { ServiceName } from '@mlops/config';
import type { ServiceSpec } from '@mlops/runtime';

type AnySpec = ServiceSpec<unknown, Record<string, unknown>>;

/** A service the launcher can start: its entry point for a child process, its spec for in-process mode. */
export interface LaunchableService {
  readonly name: ServiceName;
  readonly entry: string;
  loadSpec(): Promise<AnySpec>;
}

/**
 * Every service, in start order: the registry first (inference and monitoring read it at start),
 * the router last (it calls all the others).
 */
export const LAUNCHABLE: readonly LaunchableService[] = [
  {
    name: 'registry',
    entry: 'services/registry/src/main.ts',
    loadSpec: async () => (await import('@mlops/registry')).registrySpec as unknown as AnySpec,
  },
  {
    name: 'feature-store',
    entry: 'services/feature-store/src/main.ts',
    loadSpec: async () => (await import('@mlops/feature-store')).featureStoreSpec as unknown as AnySpec,
  },
  {
    name: 'inference',
    entry: 'services/inference/src/main.ts',
    loadSpec: async () => (await import('@mlops/inference')).inferenceSpec as unknown as AnySpec,
  },
  {
    name: 'monitoring',
    entry: 'services/monitoring/src/main.ts',
    loadSpec: async () => (await import('@mlops/monitoring')).monitoringSpec as unknown as AnySpec,
  },
  {
    name: 'router',
    entry: 'services/router/src/main.ts',
    loadSpec: async () => (await import('@mlops/router')).routerSpec as unknown as AnySpec,
  },
];
