import { featureOf, formatRef, parseRef, type Catalog, type FeatureRef, type FeatureViewDef } from './definitions.js';
import { fieldError, type FieldError } from './field-error.js';
import { err, ok, type Result } from './result.js';
import type { FeatureType } from './values.js';

/** One requested feature, resolved against the catalog. */
export interface SelectedFeature {
  readonly ref: string;
  readonly view: FeatureViewDef;
  readonly feature: string;
  readonly type: FeatureType;
}

/** What a read asks for: features in response order, grouped by view for the stores. */
export interface FeatureSelection {
  readonly refs: readonly string[];
  readonly features: readonly SelectedFeature[];
  /** Distinct views, each with the positions (in `features`) of its features. */
  readonly views: readonly { readonly view: FeatureViewDef; readonly positions: readonly number[] }[];
}

export type SelectionRequest = { readonly featureRefs: readonly string[]; readonly featureService: string };

export type SelectionError = { readonly kind: 'invalid'; readonly error: FieldError } | { readonly kind: 'unknown_service'; readonly name: string };

export const MAX_FEATURES_PER_READ = 1_000;

/**
 * Resolves either explicit "view:feature" refs or a feature service name (exactly one of them).
 * Every view must be keyed by the same entity: a request row has one entity key.
 */
export function selectFeatures(catalog: Catalog, req: SelectionRequest): Result<FeatureSelection, SelectionError> {
  let refs: FeatureRef[];
  let field: (j: number) => string;
  if (req.featureService !== '') {
    if (req.featureRefs.length > 0) {
      return err({ kind: 'invalid', error: fieldError('feature_refs', 'no refs when feature_service is set (one or the other)') });
    }
    const service = catalog.services.get(req.featureService);
    if (!service) return err({ kind: 'unknown_service', name: req.featureService });
    refs = [...service.featureRefs];
    field = () => 'feature_service';
  } else {
    if (req.featureRefs.length === 0) return err({ kind: 'invalid', error: fieldError('feature_refs', 'feature refs or a feature_service') });
    if (req.featureRefs.length > MAX_FEATURES_PER_READ) {
      return err({ kind: 'invalid', error: fieldError('feature_refs', `at most ${MAX_FEATURES_PER_READ} refs`, req.featureRefs.length) });
    }
    refs = [];
    for (const [j, text] of req.featureRefs.entries()) {
      const ref = parseRef(text);
      if (!ref) return err({ kind: 'invalid', error: fieldError(`feature_refs[${j}]`, 'a "view:feature" reference', text) });
      refs.push(ref);
    }
    field = (j) => `feature_refs[${j}]`;
  }

  const features: SelectedFeature[] = [];
  const byView = new Map<string, { view: FeatureViewDef; positions: number[] }>();
  let entity: string | undefined;
  for (const [j, ref] of refs.entries()) {
    const view = catalog.views.get(ref.view);
    if (!view) return err({ kind: 'invalid', error: fieldError(field(j), 'an existing feature view', ref.view) });
    const feature = featureOf(view, ref.feature);
    if (!feature) return err({ kind: 'invalid', error: fieldError(field(j), `a feature of view ${view.name}`, ref.feature) });
    if (entity !== undefined && view.entity !== entity) {
      return err({ kind: 'invalid', error: fieldError(field(j), `a view keyed by entity ${entity}`, `${view.name} (keyed by ${view.entity})`) });
    }
    entity = view.entity;
    let group = byView.get(view.name);
    if (!group) byView.set(view.name, (group = { view, positions: [] }));
    group.positions.push(features.length);
    features.push({ ref: formatRef(ref), view, feature: feature.name, type: feature.type });
  }
  return ok({ refs: features.map((f) => f.ref), features, views: [...byView.values()] });
}
