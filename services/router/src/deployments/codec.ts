import { create, fromJson, toJson, type JsonValue } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { ValueSchema, type Value } from '@mlops/proto/mlops/events/v1/events_pb';
import { DeploymentSchema, MissingFeaturePolicy as PolicyEnum, type Deployment as DeploymentMessage } from '@mlops/proto/mlops/router/v1/router_pb';
import type { StoredDeploymentSpec } from '../storage/schema.js';
import type { Deployment, DeploymentSpec } from './deployment.js';

export function specToStored(spec: DeploymentSpec): StoredDeploymentSpec {
  return {
    variants: spec.variants.map((v) => ({ name: v.name, version: v.version.toString(), weight: v.weight })),
    shadows: spec.shadows.map((s) => ({ name: s.name, version: s.version.toString(), sampleRate: s.sampleRate })),
    missingFeatures:
      spec.missingFeatures.kind === 'reject'
        ? { kind: 'reject' }
        : { kind: 'use_defaults', defaults: Object.fromEntries(Object.entries(spec.missingFeatures.defaults).map(([k, v]) => [k, toJson(ValueSchema, v)])) },
  };
}

export function specFromStored(model: string, stored: StoredDeploymentSpec): DeploymentSpec {
  return {
    model,
    variants: stored.variants.map((v) => ({ name: v.name, version: BigInt(v.version), weight: v.weight })),
    shadows: stored.shadows.map((s) => ({ name: s.name, version: BigInt(s.version), sampleRate: s.sampleRate })),
    missingFeatures:
      stored.missingFeatures.kind === 'reject'
        ? { kind: 'reject' }
        : {
            kind: 'use_defaults',
            defaults: Object.fromEntries(Object.entries(stored.missingFeatures.defaults).map(([k, v]) => [k, fromJson(ValueSchema, v as JsonValue)])) as Record<string, Value>,
          },
  };
}

export function deploymentToMessage(d: Deployment): DeploymentMessage {
  return create(DeploymentSchema, {
    model: d.model,
    variants: d.variants.map((v) => ({ name: v.name, version: v.version, weight: v.weight })),
    shadows: d.shadows.map((s) => ({ name: s.name, version: s.version, sampleRate: s.sampleRate })),
    missingFeaturePolicy: d.missingFeatures.kind === 'reject' ? PolicyEnum.REJECT : PolicyEnum.USE_DEFAULTS,
    featureDefaults: d.missingFeatures.kind === 'use_defaults' ? { ...d.missingFeatures.defaults } : {},
    revision: BigInt(d.revision),
    updatedAt: timestampFromDate(d.updatedAt),
  });
}
