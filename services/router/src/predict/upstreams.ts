import { createClient, type Client } from '@mlops/grpc';
import { GRPCInferenceService } from '@mlops/proto/inference/grpc_predict_v2_pb';
import { FeatureStoreService } from '@mlops/proto/mlops/featurestore/v1/featurestore_pb';
import { RegistryService } from '@mlops/proto/mlops/registry/v1/registry_pb';
import type { Registry } from 'prom-client';

/** The services the router calls. */
export interface Upstreams {
  readonly registry: Client<typeof RegistryService>;
  readonly featureStore: Client<typeof FeatureStoreService>;
  readonly inference: Client<typeof GRPCInferenceService>;
  close(): void;
}

export interface UpstreamAddresses {
  readonly registry: string;
  readonly featureStore: string;
  readonly inference: string;
  /** Sent to every upstream (the router's own service token, when authentication is on). */
  readonly token?: string;
  readonly metrics?: Registry;
}

export function connectUpstreams(addresses: UpstreamAddresses): Upstreams {
  const options = {
    ...(addresses.token ? { token: addresses.token } : {}),
    ...(addresses.metrics ? { metrics: addresses.metrics } : {}),
    defaultDeadlineMs: 10_000,
  };
  const registry = createClient(RegistryService, addresses.registry, options);
  const featureStore = createClient(FeatureStoreService, addresses.featureStore, options);
  const inference = createClient(GRPCInferenceService, addresses.inference, options);
  return {
    registry,
    featureStore,
    inference,
    close() {
      registry.close();
      featureStore.close();
      inference.close();
    },
  };
}
