import { create } from '@bufbuild/protobuf';
import {
  EntitySchema,
  FeatureSchema,
  FeatureServiceSchema,
  FeatureViewSchema,
  type Entity,
  type FeatureService,
  type FeatureView,
} from '@mlops/proto/mlops/featurestore/v1/featurestore_pb';
import { formatRef, type EntityDef, type FeatureServiceDef, type FeatureViewDef } from './definitions.js';
import { microsToDuration } from './time.js';
import { featureTypeToProto } from './values.js';

/** Definitions back to their wire form (requests are turned into definitions by validate-definitions). */

export const entityToProto = (e: EntityDef): Entity =>
  create(EntitySchema, { name: e.name, joinKey: e.joinKey, description: e.description });

export const viewToProto = (v: FeatureViewDef): FeatureView =>
  create(FeatureViewSchema, {
    name: v.name,
    entity: v.entity,
    features: v.features.map((f) => create(FeatureSchema, { name: f.name, type: featureTypeToProto(f.type), description: f.description })),
    ...(v.ttlMicros > 0 ? { ttl: microsToDuration(v.ttlMicros) } : {}),
    owner: v.owner,
    description: v.description,
    tags: { ...v.tags },
  });

export const serviceToProto = (s: FeatureServiceDef): FeatureService =>
  create(FeatureServiceSchema, { name: s.name, featureRefs: s.featureRefs.map(formatRef), description: s.description });
