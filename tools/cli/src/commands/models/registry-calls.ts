import type { Client } from '@mlops/grpc';
import { status } from '@mlops/grpc';
import type { Model, ModelVersion, RegistryService } from '@mlops/proto/mlops/registry/v1/registry_pb';
import { rpcStatusOf } from '../../framework/errors.js';

type Registry = Client<typeof RegistryService>;

const PAGE_SIZE = 100;

/** The model, created first when it does not exist yet; `created` says which happened. */
export async function ensureModel(registry: Registry, name: string, description: string): Promise<{ model: Model; created: boolean }> {
  try {
    const { model } = await registry.getModel({ name });
    if (model) return { model, created: false };
  } catch (err) {
    if (rpcStatusOf(err) !== status.NOT_FOUND) throw err;
  }
  try {
    const { model } = await registry.createModel({ name, description });
    if (model) return { model, created: true };
  } catch (err) {
    // Someone else created it between our two calls: theirs is the model we want.
    if (rpcStatusOf(err) !== status.ALREADY_EXISTS) throw err;
  }
  const { model } = await registry.getModel({ name });
  if (!model) throw new Error(`the registry returned no model for ${name}`);
  return { model, created: false };
}

/** Every model matching the filter, following page tokens. */
export async function listAllModels(registry: Registry, filter: { nameContains: string; tags: Record<string, string>; includeArchived: boolean }): Promise<Model[]> {
  const models: Model[] = [];
  let pageToken = '';
  do {
    const page = await registry.listModels({ ...filter, pageSize: PAGE_SIZE, pageToken });
    models.push(...page.models);
    pageToken = page.nextPageToken;
  } while (pageToken !== '');
  return models;
}

export async function listAllVersions(registry: Registry, model: string, includeArchived: boolean): Promise<ModelVersion[]> {
  const versions: ModelVersion[] = [];
  let pageToken = '';
  do {
    const page = await registry.listVersions({ model, includeArchived, pageSize: PAGE_SIZE, pageToken });
    versions.push(...page.versions);
    pageToken = page.nextPageToken;
  } while (pageToken !== '');
  return versions;
}

/**
 * The registry reference for a version given as people type it next to a model name:
 * "3" -> "churn/3", "production" -> "churn@production".
 */
export const versionReference = (model: string, versionOrAlias: string): string =>
  /^\d+$/.test(versionOrAlias) ? `${model}/${versionOrAlias}` : `${model}@${versionOrAlias}`;

export async function resolveVersion(registry: Registry, reference: string): Promise<ModelVersion> {
  const { version } = await registry.resolveVersion({ reference });
  if (!version) throw new Error(`the registry resolved ${reference} to no version`);
  return version;
}
