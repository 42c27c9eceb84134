import {
  featureOf,
  formatRef,
  sameTags,
  type Catalog,
  type EntityDef,
  type FeatureRef,
  type FeatureServiceDef,
  type FeatureViewDef,
} from './definitions.js';
import { fieldError, type FieldError } from './field-error.js';
import { err, ok, type Result } from './result.js';
import { formatMicros } from './time.js';
import { serviceField, viewField, type ApplyInput } from './validate-definitions.js';

/** Why an apply is refused. */
export type ApplyRefusal =
  /** The request itself refers to something that does not exist: INVALID_ARGUMENT. */
  | { readonly kind: 'invalid'; readonly error: FieldError }
  /** A feature service already defined would stop working: FAILED_PRECONDITION. */
  | { readonly kind: 'breaks_feature_service'; readonly service: string; readonly reason: string }
  /** Deleting an object another one still uses: FAILED_PRECONDITION. */
  | { readonly kind: 'in_use'; readonly object: string; readonly usedBy: string };

export const describeRefusal = (r: ApplyRefusal): string => {
  switch (r.kind) {
    case 'invalid':
      return `${r.error.field}: expected ${r.error.expected}`;
    case 'breaks_feature_service':
      return `would break feature service ${r.service}: ${r.reason}`;
    case 'in_use':
      return `${r.object} is used by ${r.usedBy}`;
  }
};

/** Only the objects that really change, so an idempotent re-apply writes nothing. */
export interface ApplyWrites {
  readonly entities: readonly EntityDef[];
  readonly views: readonly FeatureViewDef[];
  readonly services: readonly FeatureServiceDef[];
  readonly deleteEntities: readonly string[];
  readonly deleteViews: readonly string[];
  readonly deleteServices: readonly string[];
}

export interface ApplyPlan {
  /** Human-readable, e.g. "added feature spend_7d to feature view customer_stats"; empty: nothing to do. */
  readonly changes: readonly string[];
  readonly writes: ApplyWrites;
  readonly next: Catalog;
}

function entityChanges(before: EntityDef | undefined, after: EntityDef): string[] {
  if (!before) return [`created entity ${after.name}`];
  const out: string[] = [];
  if (before.joinKey !== after.joinKey) out.push(`changed join key of entity ${after.name} from ${before.joinKey} to ${after.joinKey}`);
  if (before.description !== after.description) out.push(`changed description of entity ${after.name}`);
  return out;
}

function viewChanges(before: FeatureViewDef | undefined, after: FeatureViewDef): string[] {
  const name = after.name;
  if (!before) return [`created feature view ${name} (${after.features.length} features)`];
  const out: string[] = [];
  if (before.entity !== after.entity) out.push(`changed entity of feature view ${name} from ${before.entity} to ${after.entity}`);
  for (const f of after.features) {
    const old = featureOf(before, f.name);
    if (!old) out.push(`added feature ${f.name} to feature view ${name}`);
    else {
      if (old.type !== f.type) out.push(`changed type of ${name}:${f.name} from ${old.type} to ${f.type}`);
      if (old.description !== f.description) out.push(`changed description of ${name}:${f.name}`);
    }
  }
  for (const f of before.features) if (!featureOf(after, f.name)) out.push(`removed feature ${f.name} from feature view ${name}`);
  const beforeOrder = before.features.map((f) => f.name).join(',');
  const afterOrder = after.features.map((f) => f.name).join(',');
  if (out.length === 0 && beforeOrder !== afterOrder) out.push(`reordered the features of feature view ${name}`);
  if (before.ttlMicros !== after.ttlMicros) {
    out.push(`changed ttl of feature view ${name} from ${formatMicros(before.ttlMicros)} to ${formatMicros(after.ttlMicros)}`);
  }
  if (before.owner !== after.owner) out.push(`changed owner of feature view ${name} from "${before.owner}" to "${after.owner}"`);
  if (before.description !== after.description) out.push(`changed description of feature view ${name}`);
  if (!sameTags(before.tags, after.tags)) out.push(`changed tags of feature view ${name}`);
  return out;
}

function serviceChanges(before: FeatureServiceDef | undefined, after: FeatureServiceDef): string[] {
  if (!before) return [`created feature service ${after.name} (${after.featureRefs.length} features)`];
  const out: string[] = [];
  const b = before.featureRefs.map(formatRef).join(',');
  const a = after.featureRefs.map(formatRef).join(',');
  if (a !== b) out.push(`changed feature refs of feature service ${after.name} to [${after.featureRefs.map(formatRef).join(', ')}]`);
  if (before.description !== after.description) out.push(`changed description of feature service ${after.name}`);
  return out;
}

/** Why `ref` does not resolve in `next`, or undefined when it does. */
function unresolved(ref: FeatureRef, current: Catalog, next: Catalog): string | undefined {
  const view = next.views.get(ref.view);
  if (!view) return current.views.has(ref.view) ? `feature view ${ref.view} would be deleted` : `feature view ${ref.view} does not exist`;
  if (!featureOf(view, ref.feature)) {
    const before = current.views.get(ref.view);
    return before && featureOf(before, ref.feature)
      ? `feature ${ref.feature} would be removed from feature view ${ref.view}`
      : `feature view ${ref.view} has no feature ${ref.feature}`;
  }
  return undefined;
}

/** A change to a feature the service already consumed: a model fed by it would get other data. */
function breakingChange(ref: FeatureRef, current: Catalog, next: Catalog): string | undefined {
  const before = current.views.get(ref.view);
  const after = next.views.get(ref.view);
  if (!before || !after) return undefined;
  if (before.entity !== after.entity) return `feature view ${ref.view} would change entity from ${before.entity} to ${after.entity}`;
  const fb = featureOf(before, ref.feature);
  const fa = featureOf(after, ref.feature);
  if (fb && fa && fb.type !== fa.type) return `${formatRef(ref)} would change type from ${fb.type} to ${fa.type}`;
  return undefined;
}

function checkService(
  service: FeatureServiceDef,
  requestIndex: number | undefined,
  current: Catalog,
  next: Catalog,
): ApplyRefusal | undefined {
  const before = current.services.get(service.name);
  const consumed = new Set(before?.featureRefs.map(formatRef) ?? []);
  const entities = new Set<string>();
  for (const [j, ref] of service.featureRefs.entries()) {
    const missing = unresolved(ref, current, next);
    if (missing) {
      // A ref the service already consumed breaks the models fed by it; a new ref is just wrong.
      return requestIndex === undefined || consumed.has(formatRef(ref))
        ? { kind: 'breaks_feature_service', service: service.name, reason: missing }
        : { kind: 'invalid', error: fieldError(`${serviceField(requestIndex)}.feature_refs[${j}]`, 'a feature that exists', `${formatRef(ref)} (${missing})`) };
    }
    if (consumed.has(formatRef(ref))) {
      const breaking = breakingChange(ref, current, next);
      if (breaking) return { kind: 'breaks_feature_service', service: service.name, reason: breaking };
    }
    entities.add((next.views.get(ref.view) as FeatureViewDef).entity);
  }
  if (entities.size > 1) {
    const reason = `its views would be keyed by different entities (${[...entities].join(', ')}), and a row has one entity key`;
    return requestIndex === undefined
      ? { kind: 'breaks_feature_service', service: service.name, reason }
      : { kind: 'invalid', error: fieldError(`${serviceField(requestIndex)}.feature_refs`, 'features of views keyed by one entity', [...entities].join(', ')) };
  }
  return undefined;
}

/**
 * The diff between the stored definitions and an apply request, or the reason it is refused.
 * Pure: the caller loads `current` and writes `writes` in one transaction.
 */
export function planApply(current: Catalog, input: ApplyInput): Result<ApplyPlan, ApplyRefusal> {
  const entities = new Map(current.entities);
  const views = new Map(current.views);
  const services = new Map(current.services);
  for (const e of input.entities) entities.set(e.name, e);
  for (const v of input.views) views.set(v.name, v);
  for (const s of input.services) services.set(s.name, s);
  const deleteEntities = input.deleteEntities.filter((n) => entities.delete(n));
  const deleteViews = input.deleteViews.filter((n) => views.delete(n));
  const deleteServices = input.deleteServices.filter((n) => services.delete(n));
  const next: Catalog = { entities, views, services };

  for (const [i, v] of input.views.entries()) {
    if (!entities.has(v.entity)) {
      return err({ kind: 'invalid', error: fieldError(`${viewField(i)}.entity`, 'an entity defined before or in this request', v.entity) });
    }
  }
  for (const v of views.values()) {
    if (!entities.has(v.entity)) return err({ kind: 'in_use', object: `entity ${v.entity}`, usedBy: `feature view ${v.name}` });
  }
  const requestIndex = new Map(input.services.map((s, i) => [s.name, i]));
  for (const s of services.values()) {
    const refusal = checkService(s, requestIndex.get(s.name), current, next);
    if (refusal) return err(refusal);
  }

  const changedEntities = input.entities.filter((e) => entityChanges(current.entities.get(e.name), e).length > 0);
  const changedViews = input.views.filter((v) => viewChanges(current.views.get(v.name), v).length > 0);
  const changedServices = input.services.filter((s) => serviceChanges(current.services.get(s.name), s).length > 0);
  const changes = [
    ...input.entities.flatMap((e) => entityChanges(current.entities.get(e.name), e)),
    ...input.views.flatMap((v) => viewChanges(current.views.get(v.name), v)),
    ...input.services.flatMap((s) => serviceChanges(current.services.get(s.name), s)),
    ...deleteServices.map((n) => `deleted feature service ${n}`),
    ...deleteViews.map((n) => `deleted feature view ${n} and its stored rows`),
    ...deleteEntities.map((n) => `deleted entity ${n}`),
  ];
  return ok({
    changes,
    next,
    writes: { entities: changedEntities, views: changedViews, services: changedServices, deleteEntities, deleteViews, deleteServices },
  });
}
