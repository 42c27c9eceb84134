import type { ServiceName } from '@mlops/config';
import type { ServiceSpec } from '@mlops/runtime';

/** A service the launcher can start: its entry point for a child process, its spec for in-process mode. */
export interface LaunchableService {
  readonly name: ServiceName;
  readonly entry: string;
  loadSpec(): Promise<ServiceSpec<unknown, Record<string, unknown>>>;
}

/** The services built so far, in start order (dependencies first). */
export const LAUNCHABLE: readonly LaunchableService[] = [
  {
    name: 'registry',
    entry: 'services/registry/src/main.ts',
    loadSpec: async () => (await import('@mlops/registry')).registrySpec as ServiceSpec<unknown, Record<string, unknown>>,
  },
];
