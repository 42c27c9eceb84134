// Registers trained models as versions with their lineage, and moves aliases through gates.
import type { MessageInitShape } from '@bufbuild/protobuf';
import { isRpcError, statusName } from '@mlops/grpc';
import type { CreateVersionRequestSchema, LineageSchema } from '@mlops/proto/mlops/registry/v1/registry_pb';
import { FEATURE_REFS, matrixOf, type ChurnDataset } from './churn-data.js';
import type { PlatformClients } from './platform-clients.js';
import { referenceProfile, type ReferenceProfileInit } from './reference-profile.js';
import type { TrainedModel } from './training.js';

export interface RegisteredVersion {
  readonly version: bigint;
  readonly description: string;
  readonly auc: number;
  readonly sha256: string;
  readonly sizeBytes: number;
  readonly profiledFeatures: number;
}

const CHUNK_BYTES = 1 << 20;

function* uploadMessages(model: string, onnx: Uint8Array, lineage: MessageInitShape<typeof LineageSchema>): Generator<MessageInitShape<typeof CreateVersionRequestSchema>> {
  yield { part: { case: 'header', value: { model, lineage } } };
  for (let offset = 0; offset < onnx.length; offset += CHUNK_BYTES) yield { part: { case: 'chunk', value: onnx.subarray(offset, offset + CHUNK_BYTES) } };
}

/** The training set's profile; computed once, shared by every version trained on that set. */
export const trainingProfile = (dataset: ChurnDataset): ReferenceProfileInit => referenceProfile(FEATURE_REFS, matrixOf(dataset.train));

export async function registerVersion(
  platform: PlatformClients,
  model: string,
  trained: TrainedModel,
  dataset: ChurnDataset,
  profile: ReferenceProfileInit,
): Promise<RegisteredVersion> {
  const lineage: MessageInitShape<typeof LineageSchema> = {
    datasetUri: dataset.uri,
    datasetDigest: dataset.digest,
    featureRefs: [...FEATURE_REFS],
    codeCommit: process.env['GIT_COMMIT'] ?? '',
    hyperparameters: { ...trained.hyperparameters },
    metrics: { ...trained.metrics },
    description: trained.description,
    referenceProfile: profile,
  };
  const created = await platform.registry.createVersion(uploadMessages(model, trained.onnx, lineage));
  const version = created.version!;
  return {
    version: version.version,
    description: trained.description,
    auc: trained.metrics.auc,
    sha256: version.artifactSha256,
    sizeBytes: Number(version.artifactSize),
    profiledFeatures: version.lineage?.referenceProfile?.features.length ?? 0,
  };
}

export type AliasMove =
  | { readonly moved: true; readonly alias: string; readonly version: bigint; readonly previous: bigint; readonly gate: readonly string[] }
  | { readonly moved: false; readonly alias: string; readonly version: bigint; readonly gate: readonly string[]; readonly code: string; readonly message: string };

/** Moves `alias` to `version` if the registry's gate holds; a refusal is an outcome, not an exception. */
export async function moveAlias(platform: PlatformClients, model: string, alias: string, version: bigint, gate: readonly string[], reason: string): Promise<AliasMove> {
  try {
    const res = await platform.registry.setAlias({ model, alias, version, gate: { expressions: [...gate] }, reason });
    return { moved: true, alias, version, previous: res.previousVersion, gate };
  } catch (e) {
    if (!isRpcError(e)) throw e;
    return { moved: false, alias, version, gate, code: statusName(e.code), message: e.message };
  }
}

export async function aliasVersion(platform: PlatformClients, model: string, alias: string): Promise<bigint | undefined> {
  const { model: found } = await platform.registry.getModel({ name: model });
  return found?.aliases[alias];
}
