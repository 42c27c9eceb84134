// How the scenario reaches the platform: gRPC clients and an event bus, nothing else. It never
// touches a service's database or objects, so it runs the same against `npm start` or an
// in-process platform.
import type { EventBus } from '@mlops/events';
import { createClient, type Client } from '@mlops/grpc';
import { Health } from '@mlops/proto/grpc/health/v1/health_pb';
import { FeatureStoreService } from '@mlops/proto/mlops/featurestore/v1/featurestore_pb';
import { MonitoringService } from '@mlops/proto/mlops/monitoring/v1/monitoring_pb';
import { RegistryService } from '@mlops/proto/mlops/registry/v1/registry_pb';
import { RouterService } from '@mlops/proto/mlops/router/v1/router_pb';
import type { PlatformAddresses } from '../platform/addresses.js';

export interface PlatformClients {
  readonly registry: Client<typeof RegistryService>;
  readonly featureStore: Client<typeof FeatureStoreService>;
  readonly router: Client<typeof RouterService>;
  readonly monitoring: Client<typeof MonitoringService>;
  /** Publishes features (mlops.features.<view>) and labels (mlops.labels.<model>). */
  readonly bus: EventBus;
  close(): void;
}

export function connectPlatform(addresses: PlatformAddresses, bus: EventBus): PlatformClients {
  const options = { defaultDeadlineMs: 30_000 };
  const registry = createClient(RegistryService, addresses.registry, options);
  const featureStore = createClient(FeatureStoreService, addresses.featureStore, options);
  const router = createClient(RouterService, addresses.router, options);
  const monitoring = createClient(MonitoringService, addresses.monitoring, options);
  return {
    registry,
    featureStore,
    router,
    monitoring,
    bus,
    close() {
      for (const client of [registry, featureStore, router, monitoring]) client.close();
    },
  };
}

/** Which services answer a gRPC health check at `addresses` (within `timeoutMs` each). */
export async function answeringServices(addresses: PlatformAddresses, timeoutMs = 1_500): Promise<{ up: string[]; down: string[] }> {
  const results = await Promise.all(
    Object.entries(addresses).map(async ([name, address]) => {
      const health = createClient(Health, address, { defaultDeadlineMs: timeoutMs });
      try {
        await health.check({ service: '' });
        return { name, up: true };
      } catch {
        return { name, up: false };
      } finally {
        health.close();
      }
    }),
  );
  return { up: results.filter((r) => r.up).map((r) => r.name), down: results.filter((r) => !r.up).map((r) => r.name) };
}
