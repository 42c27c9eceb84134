import { timestampDate, type Timestamp } from '@bufbuild/protobuf/wkt';
import {
  ElementTypeSchema,
  ModelStatusSchema,
  VersionStatusSchema,
  type Model,
  type ModelVersion,
  type TensorSpec,
} from '@mlops/proto/mlops/registry/v1/registry_pb';
import { enumLabel, formatBytes, formatMap, formatTime, renderFields, renderTable } from '../../framework/output.js';

export const time = (ts: Timestamp | undefined): string => formatTime(ts === undefined ? undefined : timestampDate(ts));

/** "production=3, staging=4", sorted by alias. */
export const aliasList = (aliases: Readonly<Record<string, bigint>>): string => formatMap(aliases);

export function modelsTable(models: readonly Model[]): string {
  return renderTable(
    [{ header: 'NAME' }, { header: 'LATEST', align: 'right' }, { header: 'ALIASES' }, { header: 'STATUS' }, { header: 'UPDATED' }],
    models.map((m) => [m.name, m.latestVersion > 0n ? String(m.latestVersion) : '-', aliasList(m.aliases), enumLabel(ModelStatusSchema, m.status), time(m.updatedAt)]),
  );
}

export function versionsTable(versions: readonly ModelVersion[]): string {
  return renderTable(
    [{ header: 'VERSION', align: 'right' }, { header: 'ALIASES' }, { header: 'STATUS' }, { header: 'METRICS' }, { header: 'SIZE', align: 'right' }, { header: 'CREATED' }],
    versions.map((v) => [
      String(v.version),
      v.aliases.length > 0 ? [...v.aliases].sort().join(', ') : '-',
      enumLabel(VersionStatusSchema, v.status),
      formatMap(v.lineage?.metrics ?? {}),
      formatBytes(Number(v.artifactSize)),
      time(v.createdAt),
    ]),
  );
}

const tensor = (t: TensorSpec): string =>
  `${t.name} ${enumLabel(ElementTypeSchema, t.elementType)}[${t.shape.map((d) => (d < 0n ? '?' : String(d))).join(', ')}]`;

export function modelFields(model: Model): string {
  return renderFields([
    ['name', model.name],
    ['description', model.description || '-'],
    ['status', enumLabel(ModelStatusSchema, model.status)],
    ['latest version', model.latestVersion > 0n ? String(model.latestVersion) : '-'],
    ['aliases', aliasList(model.aliases)],
    ['tags', formatMap(model.tags)],
    ['created', `${time(model.createdAt)}${model.createdBy ? ` by ${model.createdBy}` : ''}`],
    ['updated', time(model.updatedAt)],
  ]);
}

export function versionFields(v: ModelVersion): string {
  const lineage = v.lineage;
  const profile = lineage?.referenceProfile;
  return renderFields([
    ['model', v.model],
    ['version', String(v.version)],
    ['status', enumLabel(VersionStatusSchema, v.status)],
    ['aliases', v.aliases.length > 0 ? [...v.aliases].sort().join(', ') : '-'],
    ['artifact', `${formatBytes(Number(v.artifactSize))}, sha256 ${v.artifactSha256 || '-'}`],
    ['inputs', v.signature?.inputs.map(tensor).join('; ') || '-'],
    ['outputs', v.signature?.outputs.map(tensor).join('; ') || '-'],
    ['created', `${time(v.createdAt)}${v.createdBy ? ` by ${v.createdBy}` : ''}`],
    ['description', lineage?.description || '-'],
    ['dataset', lineage?.datasetUri || '-'],
    ['dataset digest', lineage?.datasetDigest || '-'],
    ['features', lineage?.featureRefs.join(', ') || '-'],
    ['code commit', lineage?.codeCommit || '-'],
    ['params', formatMap(lineage?.hyperparameters ?? {})],
    ['metrics', formatMap(lineage?.metrics ?? {})],
    ['reference profile', profile ? `${profile.features.length} features, ${profile.rows} rows` : '-'],
  ]);
}

