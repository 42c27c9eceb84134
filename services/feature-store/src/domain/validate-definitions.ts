import type { ApplyDefinitionsRequest } from '@mlops/proto/mlops/featurestore/v1/featurestore_pb';
import {
  isValidName,
  NAME_RULE,
  parseRef,
  type EntityDef,
  type FeatureDef,
  type FeatureRef,
  type FeatureServiceDef,
  type FeatureViewDef,
} from './definitions.js';
import { fieldError, type FieldError } from './field-error.js';
import { err, ok, type Result } from './result.js';
import { durationToMicros } from './time.js';
import { featureTypeFromProto } from './values.js';

/** An apply request whose every field is well-formed (references are checked by the plan). */
export interface ApplyInput {
  readonly entities: readonly EntityDef[];
  readonly views: readonly FeatureViewDef[];
  readonly services: readonly FeatureServiceDef[];
  readonly deleteEntities: readonly string[];
  readonly deleteViews: readonly string[];
  readonly deleteServices: readonly string[];
  readonly dryRun: boolean;
}

/** Where each object of the request sits, so a reference error can name its field. */
export const viewField = (i: number) => `feature_views[${i}]`;
export const serviceField = (i: number) => `feature_services[${i}]`;

const MAX_FEATURES_PER_VIEW = 1_000;

function checkName(field: string, name: string): FieldError | undefined {
  return isValidName(name) ? undefined : fieldError(field, NAME_RULE, name);
}

function checkUnique(field: string, names: readonly string[]): FieldError | undefined {
  const seen = new Set<string>();
  for (const [i, name] of names.entries()) {
    if (seen.has(name)) return fieldError(`${field}[${i}]`, 'names that appear once', name);
    seen.add(name);
  }
  return undefined;
}

function validateEntity(field: string, e: ApplyDefinitionsRequest['entities'][number]): Result<EntityDef, FieldError> {
  const bad = checkName(`${field}.name`, e.name) ?? checkName(`${field}.join_key`, e.joinKey);
  return bad ? err(bad) : ok({ name: e.name, joinKey: e.joinKey, description: e.description });
}

function validateView(field: string, v: ApplyDefinitionsRequest['featureViews'][number]): Result<FeatureViewDef, FieldError> {
  const bad = checkName(`${field}.name`, v.name) ?? checkName(`${field}.entity`, v.entity);
  if (bad) return err(bad);
  if (v.features.length === 0) return err(fieldError(`${field}.features`, 'at least one feature'));
  if (v.features.length > MAX_FEATURES_PER_VIEW) {
    return err(fieldError(`${field}.features`, `at most ${MAX_FEATURES_PER_VIEW} features`, v.features.length));
  }
  const features: FeatureDef[] = [];
  for (const [j, f] of v.features.entries()) {
    const badName = checkName(`${field}.features[${j}].name`, f.name);
    if (badName) return err(badName);
    const type = featureTypeFromProto(f.type);
    if (type === undefined) return err(fieldError(`${field}.features[${j}].type`, 'one of DOUBLE, INT64, STRING, BOOL, BYTES', f.type));
    features.push({ name: f.name, type, description: f.description });
  }
  const dup = checkUnique(`${field}.features`, features.map((f) => f.name));
  if (dup) return err(dup);
  const ttlMicros = v.ttl ? durationToMicros(v.ttl) : 0;
  if (ttlMicros < 0) return err(fieldError(`${field}.ttl`, 'a duration of 0 (never expires) or more'));
  for (const [key, value] of Object.entries(v.tags)) {
    if (key.length === 0 || key.length > 128 || value.length > 1024) {
      return err(fieldError(`${field}.tags`, 'keys of 1 to 128 characters and values up to 1024', key));
    }
  }
  return ok({ name: v.name, entity: v.entity, features, ttlMicros, owner: v.owner, description: v.description, tags: { ...v.tags } });
}

function validateService(field: string, s: ApplyDefinitionsRequest['featureServices'][number]): Result<FeatureServiceDef, FieldError> {
  const bad = checkName(`${field}.name`, s.name);
  if (bad) return err(bad);
  if (s.featureRefs.length === 0) return err(fieldError(`${field}.feature_refs`, 'at least one "view:feature" reference'));
  const refs: FeatureRef[] = [];
  for (const [j, text] of s.featureRefs.entries()) {
    const ref = parseRef(text);
    if (!ref) return err(fieldError(`${field}.feature_refs[${j}]`, 'a "view:feature" reference', text));
    refs.push(ref);
  }
  const dup = checkUnique(`${field}.feature_refs`, s.featureRefs);
  if (dup) return err(dup);
  return ok({ name: s.name, featureRefs: refs, description: s.description });
}

function validateAll<I, O>(
  field: string,
  items: readonly I[],
  one: (f: string, item: I) => Result<O, FieldError>,
): Result<O[], FieldError> {
  const out: O[] = [];
  for (const [i, item] of items.entries()) {
    const r = one(`${field}[${i}]`, item);
    if (!r.ok) return r;
    out.push(r.value);
  }
  return ok(out);
}

function validateDeletions(field: string, names: readonly string[], upserted: readonly string[]): FieldError | undefined {
  for (const [i, name] of names.entries()) {
    const bad = checkName(`${field}[${i}]`, name);
    if (bad) return bad;
    if (upserted.includes(name)) return fieldError(`${field}[${i}]`, 'a name not also applied in the same request', name);
  }
  return checkUnique(field, names);
}

/** Checks the form of every field; the first bad one is reported, by its path. */
export function validateApplyRequest(req: ApplyDefinitionsRequest): Result<ApplyInput, FieldError> {
  const entities = validateAll('entities', req.entities, validateEntity);
  if (!entities.ok) return entities;
  const views = validateAll('feature_views', req.featureViews, validateView);
  if (!views.ok) return views;
  const services = validateAll('feature_services', req.featureServices, validateService);
  if (!services.ok) return services;
  const dup =
    checkUnique('entities', entities.value.map((e) => e.name)) ??
    checkUnique('feature_views', views.value.map((v) => v.name)) ??
    checkUnique('feature_services', services.value.map((s) => s.name)) ??
    validateDeletions('delete_entities', req.deleteEntities, entities.value.map((e) => e.name)) ??
    validateDeletions('delete_feature_views', req.deleteFeatureViews, views.value.map((v) => v.name)) ??
    validateDeletions('delete_feature_services', req.deleteFeatureServices, services.value.map((s) => s.name));
  if (dup) return err(dup);
  return ok({
    entities: entities.value,
    views: views.value,
    services: services.value,
    deleteEntities: [...req.deleteEntities],
    deleteViews: [...req.deleteFeatureViews],
    deleteServices: [...req.deleteFeatureServices],
    dryRun: req.dryRun,
  });
}
