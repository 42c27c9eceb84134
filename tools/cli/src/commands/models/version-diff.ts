import type { ModelVersion } from '@mlops/proto/mlops/registry/v1/registry_pb';
import { formatDelta, formatNumber } from '../../framework/output.js';

/** One line of a comparison of two versions. `delta` only for metrics present on both sides. */
export interface VersionDiffRow {
  readonly field: string;
  readonly from: string;
  readonly to: string;
  readonly changed: boolean;
  readonly delta?: number;
}

const ABSENT = '-';

const row = (field: string, from: string, to: string): VersionDiffRow => ({ field, from: from || ABSENT, to: to || ABSENT, changed: from !== to });

/**
 * Compares the lineage, signature and metrics of two versions, field by field, in a stable order:
 * the data and code they were built from, then parameters and metrics by name.
 */
export function diffVersions(a: ModelVersion, b: ModelVersion): VersionDiffRow[] {
  const la = a.lineage;
  const lb = b.lineage;
  const rows: VersionDiffRow[] = [
    row('artifact sha256', a.artifactSha256, b.artifactSha256),
    row('dataset', la?.datasetUri ?? '', lb?.datasetUri ?? ''),
    row('dataset digest', la?.datasetDigest ?? '', lb?.datasetDigest ?? ''),
    row('features', la?.featureRefs.join(', ') ?? '', lb?.featureRefs.join(', ') ?? ''),
    row('code commit', la?.codeCommit ?? '', lb?.codeCommit ?? ''),
    row('description', la?.description ?? '', lb?.description ?? ''),
  ];

  const paramsA = la?.hyperparameters ?? {};
  const paramsB = lb?.hyperparameters ?? {};
  for (const key of [...new Set([...Object.keys(paramsA), ...Object.keys(paramsB)])].sort()) {
    rows.push(row(`param ${key}`, paramsA[key] ?? '', paramsB[key] ?? ''));
  }

  const metricsA = la?.metrics ?? {};
  const metricsB = lb?.metrics ?? {};
  for (const key of [...new Set([...Object.keys(metricsA), ...Object.keys(metricsB)])].sort()) {
    const x = metricsA[key];
    const y = metricsB[key];
    const base = row(`metric ${key}`, x === undefined ? '' : formatNumber(x), y === undefined ? '' : formatNumber(y));
    rows.push(x !== undefined && y !== undefined ? { ...base, changed: x !== y, delta: y - x } : base);
  }
  return rows;
}

export const deltaText = (r: VersionDiffRow): string => (r.delta === undefined ? (r.changed ? 'changed' : '') : r.delta === 0 ? '' : formatDelta(r.delta));
