/**
 * What monitoring needs from the registry about a version: the reference profile and the
 * training metrics recorded in its lineage. A function type, so the service can be composed
 * with the real gRPC client or (in tests and the all-in-one launcher) with anything else.
 */
import type { ReferenceProfile } from '@mlops/proto/mlops/registry/v1/registry_pb';
import { RegistryService } from '@mlops/proto/mlops/registry/v1/registry_pb';
import { createClient, isRpcError } from '@mlops/grpc';
import { status } from '@grpc/grpc-js';

export interface VersionLineage {
  readonly profile: ReferenceProfile | undefined;
  readonly trainingMetrics: Readonly<Record<string, number>>;
}

export type LookupResult = { ok: true; value: VersionLineage } | { ok: false; error: 'not-found' | 'unavailable'; detail: string };

export type RegistryLookup = (model: string, version: bigint) => Promise<LookupResult>;

/** Lookup over gRPC (`GetVersion`), and the client to close with the service. */
export function registryLookupOverGrpc(address: string, token?: string): { lookup: RegistryLookup; close(): void } {
  const client = createClient(RegistryService, address, { defaultDeadlineMs: 5_000, ...(token ? { token } : {}) });
  return {
    lookup: async (model, version) => {
      try {
        const res = await client.getVersion({ model, version });
        const lineage = res.version?.lineage;
        return { ok: true, value: { profile: lineage?.referenceProfile, trainingMetrics: { ...(lineage?.metrics ?? {}) } } };
      } catch (err) {
        if (isRpcError(err) && err.code === status.NOT_FOUND) return { ok: false, error: 'not-found', detail: err.message };
        return { ok: false, error: 'unavailable', detail: err instanceof Error ? err.message : String(err) };
      }
    },
    close: () => client.close(),
  };
}

/** For a platform without a registry (or tests that do not need one). */
export const noRegistry: RegistryLookup = () => Promise.resolve({ ok: false, error: 'not-found', detail: 'no registry configured' });
