import type { Lineage, ReferenceProfile } from '@mlops/proto/mlops/registry/v1/registry_pb';
import { invalidArgument, ok, fail, type Result } from './result.js';

/** "view:feature", as the feature store names features (no whitespace, exactly one colon). */
const FEATURE_REF = /^[^:\s]+:[^:\s]+$/;

/**
 * Checks what a client declares about how a version was made. The registry cannot verify
 * lineage, but it can refuse lineage that is unusable downstream: a reference profile with
 * misshapen histograms would break drift detection months later, far from the upload.
 */
export function validateLineage(lineage: Lineage | undefined, field = 'header.lineage'): Result<Lineage | undefined> {
  if (lineage === undefined) return ok(undefined);
  const text: [string, string, number][] = [
    ['dataset_uri', lineage.datasetUri, 2048],
    ['dataset_digest', lineage.datasetDigest, 256],
    ['code_commit', lineage.codeCommit, 256],
    ['description', lineage.description, 16_384],
  ];
  for (const [name, value, max] of text) {
    if (value.length > max) return fail(invalidArgument(`${field}.${name}`, `at most ${max} characters`, `${value.length} characters`));
  }
  const seen = new Set<string>();
  for (const [i, ref] of lineage.featureRefs.entries()) {
    if (!FEATURE_REF.test(ref)) return fail(invalidArgument(`${field}.feature_refs[${i}]`, 'a feature reference "view:feature"', ref));
    if (seen.has(ref)) return fail(invalidArgument(`${field}.feature_refs[${i}]`, 'each feature once', ref));
    seen.add(ref);
  }
  for (const key of Object.keys(lineage.hyperparameters)) {
    if (key === '') return fail(invalidArgument(`${field}.hyperparameters`, 'non-empty names'));
  }
  for (const [name, value] of Object.entries(lineage.metrics)) {
    if (name === '') return fail(invalidArgument(`${field}.metrics`, 'non-empty metric names'));
    if (!Number.isFinite(value)) return fail(invalidArgument(`${field}.metrics.${name}`, 'a finite number', String(value)));
  }
  if (lineage.referenceProfile !== undefined) {
    const profile = validateProfile(lineage.referenceProfile, `${field}.reference_profile`);
    if (!profile.ok) return profile;
  }
  return ok(lineage);
}

function validateProfile(profile: ReferenceProfile, field: string): Result<ReferenceProfile> {
  const names = new Set<string>();
  for (const [i, feature] of profile.features.entries()) {
    const at = `${field}.features[${i}]`;
    if (feature.feature === '') return fail(invalidArgument(`${at}.feature`, 'the feature name'));
    if (names.has(feature.feature)) return fail(invalidArgument(`${at}.feature`, 'each feature profiled once', feature.feature));
    names.add(feature.feature);
    if (feature.quantileProbs.length !== feature.quantiles.length) {
      return fail(invalidArgument(`${at}.quantiles`, `as many values as quantile_probs (${feature.quantileProbs.length})`, feature.quantiles.length));
    }
    if (feature.quantileProbs.some((p) => !(p >= 0 && p <= 1))) {
      return fail(invalidArgument(`${at}.quantile_probs`, 'probabilities between 0 and 1'));
    }
    const histogram = feature.histogram;
    if (histogram !== undefined && (histogram.edges.length > 0 || histogram.counts.length > 0)) {
      if (histogram.edges.length < 2 || histogram.counts.length !== histogram.edges.length - 1) {
        return fail(
          invalidArgument(`${at}.histogram`, 'at least 2 edges and one count per bin (len(counts) = len(edges) - 1)', {
            edges: histogram.edges.length,
            counts: histogram.counts.length,
          }),
        );
      }
      if (histogram.edges.some((edge, j) => !Number.isFinite(edge) || (j > 0 && edge <= histogram.edges[j - 1]!))) {
        return fail(invalidArgument(`${at}.histogram.edges`, 'finite, strictly ascending edges'));
      }
      if (histogram.counts.some((c) => !(c >= 0))) return fail(invalidArgument(`${at}.histogram.counts`, 'counts of 0 or more'));
    }
  }
  return ok(profile);
}
