import { create, fromJson, toJson, type JsonValue } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  LineageSchema,
  ModelSchema,
  ModelStatus,
  ModelVersionSchema,
  SignatureSchema,
  VersionStatus,
  type Lineage,
  type Model,
  type ModelVersion,
  type Signature,
} from '@mlops/proto/mlops/registry/v1/registry_pb';
import type { ModelRow, VersionRow } from '../storage/schema.js';

export function modelToProto(row: ModelRow, aliases: Readonly<Record<string, number>>): Model {
  return create(ModelSchema, {
    name: row.name,
    description: row.description,
    tags: row.tags,
    status: row.status === 'active' ? ModelStatus.ACTIVE : ModelStatus.ARCHIVED,
    aliases: Object.fromEntries(Object.entries(aliases).map(([alias, version]) => [alias, BigInt(version)])),
    latestVersion: BigInt(row.latest_version),
    createdAt: timestampFromDate(row.created_at),
    updatedAt: timestampFromDate(row.updated_at),
    createdBy: row.created_by,
  });
}

export function versionToProto(row: VersionRow, aliases: readonly string[]): ModelVersion {
  return create(ModelVersionSchema, {
    model: row.model,
    version: BigInt(row.version),
    status: row.status === 'ready' ? VersionStatus.READY : VersionStatus.ARCHIVED,
    signature: fromJson(SignatureSchema, row.signature as JsonValue),
    lineage: fromJson(LineageSchema, row.lineage as JsonValue),
    artifactSha256: row.artifact_sha256,
    artifactSize: BigInt(row.artifact_size),
    aliases: [...aliases].sort(),
    createdBy: row.created_by,
    createdAt: timestampFromDate(row.created_at),
  });
}

/** protobuf JSON text for a jsonb column; it round-trips exactly through `fromJson`. */
export const signatureJson = (signature: Signature): string => JSON.stringify(toJson(SignatureSchema, signature));
export const lineageJson = (lineage: Lineage): string => JSON.stringify(toJson(LineageSchema, lineage));
