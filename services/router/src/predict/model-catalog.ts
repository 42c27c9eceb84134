import { failedPrecondition, isRpcError, notFound, status } from '@mlops/grpc';
import type { Client } from '@mlops/grpc';
import type { RegistryService, TensorSpec } from '@mlops/proto/mlops/registry/v1/registry_pb';
import { planInputLayout, type InputLayout } from '../features/input-tensors.js';
import { upstreamError } from './upstream-errors.js';

/** What the router needs of a model version to serve it. Versions are immutable, so this is cached for good. */
export interface ModelVersionInfo {
  readonly model: string;
  readonly version: bigint;
  /** "view:feature" refs in model-input order; input names when the lineage has none (inline-only model). */
  readonly features: readonly string[];
  /** Whether `features` can be looked up in the feature store (refs of the lineage). */
  readonly lookup: boolean;
  readonly layout: InputLayout;
}

export interface ModelCatalog {
  version(model: string, version: bigint): Promise<ModelVersionInfo>;
  /** The version an alias points to, cached briefly (registry alias events invalidate it). */
  resolveAlias(model: string, alias: string): Promise<bigint>;
  invalidateAliases(model: string): void;
}

const MAX_VERSIONS = 1_000;

export function createModelCatalog(registry: Client<typeof RegistryService>, opts: { aliasTtlMs?: number } = {}): ModelCatalog {
  const versions = new Map<string, Promise<ModelVersionInfo>>();
  const aliases = new Map<string, { at: number; version: Promise<bigint> }>();
  const aliasTtlMs = opts.aliasTtlMs ?? 5_000;

  async function load(model: string, version: bigint): Promise<ModelVersionInfo> {
    let found;
    try {
      found = (await registry.getVersion({ model, version })).version;
    } catch (e) {
      throw upstreamError('registry', e, `version ${version} of model ${JSON.stringify(model)}`);
    }
    if (!found) throw failedPrecondition(`registry has no version ${version} of model ${JSON.stringify(model)}`);
    const inputs: readonly TensorSpec[] = found.signature?.inputs ?? [];
    const refs = found.lineage?.featureRefs ?? [];
    const features = refs.length > 0 ? [...refs] : inputs.map((i) => i.name);
    const layout = planInputLayout(inputs, features);
    if (!layout.ok) throw failedPrecondition(`model ${JSON.stringify(model)} version ${version}: ${layout.error}`);
    return { model, version, features, lookup: refs.length > 0, layout: layout.value };
  }

  return {
    version(model, version) {
      const key = `${model}/${version}`;
      let entry = versions.get(key);
      if (!entry) {
        if (versions.size >= MAX_VERSIONS) versions.delete(versions.keys().next().value!);
        entry = load(model, version);
        versions.set(key, entry);
        // A failure is not cached: the registry may be back, or the version created, next time.
        entry.catch(() => versions.delete(key));
      }
      return entry;
    },
    resolveAlias(model, alias) {
      const key = `${model}@${alias}`;
      const cached = aliases.get(key);
      if (cached && Date.now() - cached.at < aliasTtlMs) return cached.version;
      const version = registry.resolveVersion({ reference: key }).then(
        (r) => {
          if (!r.version) throw notFound(`model ${JSON.stringify(model)} has no deployment and no ${alias} alias`);
          return r.version.version;
        },
        (e: unknown) => {
          if (isRpcError(e) && e.code === status.NOT_FOUND) {
            throw notFound(`model ${JSON.stringify(model)} has no deployment and no ${alias} alias (${e.message})`);
          }
          throw upstreamError('registry', e, `resolving ${key}`);
        },
      );
      aliases.set(key, { at: Date.now(), version });
      version.catch(() => aliases.delete(key));
      return version;
    },
    invalidateAliases(model) {
      for (const key of aliases.keys()) if (key.startsWith(`${model}@`)) aliases.delete(key);
    },
  };
}
